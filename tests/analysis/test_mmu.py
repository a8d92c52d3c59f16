"""Exact MMU and BMU against their definitions on random timelines and on
real records of satb, otf and shenandoah (analysis/gctb_analysis/mmu.py);
per-mutator MMU on hand-made records."""
import json
import os
import random
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                "analysis"))
from gctb_analysis import delays, mmu  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REAL = os.path.join(HERE, "real-concurrent.jsonl")
MS = 1_000_000

SEED = int(os.environ.get("GCTB_TEST_SEED", "20240607"))


def random_intervals(rng, length, partial):
    out = []
    for _ in range(rng.randint(0, 8)):
        s = rng.randint(0, length - 1)
        e = rng.randint(s + 1, min(length, s + rng.randint(1, 40)))
        out.append((s, e, rng.choice([1.0, 0.5, 0.25]) if partial else 1.0))
    return out


class ExactMMU(unittest.TestCase):
    def check(self, partial):
        rng = random.Random(SEED + partial)
        for trial in range(80):
            length = rng.randint(5, 100)
            iv = random_intervals(rng, length, partial)
            load = mmu.Load(iv, length)
            for w in range(1, length + 1):
                exact, brute = load.mmu(w), mmu.mmu_brute(iv, length, w)
                self.assertAlmostEqual(
                    exact, brute, places=9,
                    msg=f"seed {SEED} trial {trial}: {iv} T={length} w={w}")

    def test_pauses(self):
        self.check(partial=False)

    def test_partial_load_and_overlaps(self):
        self.check(partial=True)

    def test_numpy_agrees(self):
        try:
            import numpy  # noqa: F401
        except ImportError:
            self.skipTest("numpy not available")
        rng = random.Random(SEED)
        for _ in range(50):
            length = rng.randint(5, 300)
            iv = random_intervals(rng, length, True)
            ws = [w / 2 for w in range(1, 2 * length + 3)]
            a = mmu.mmu_curve(iv, length, ws)
            b = mmu.mmu_curve_np(iv, length, ws)
            for x, y in zip(a, b):
                if x is None:
                    self.assertIsNone(y)
                else:
                    self.assertAlmostEqual(x, y, places=9)

    def test_known_values(self):
        # one 10 ns pause in a 100 ns run
        iv = [(40, 50, 1.0)]
        self.assertEqual(mmu.Load(iv, 100).mmu(5), 0.0)
        self.assertAlmostEqual(mmu.Load(iv, 100).mmu(20), 0.5)
        self.assertAlmostEqual(mmu.Load(iv, 100).mmu(100), 0.9)
        self.assertIsNone(mmu.Load(iv, 100).mmu(101))
        self.assertEqual(mmu.Load([], 100).mmu(1), 1.0)

    def test_windows(self):
        ws = mmu.windows(500, lo_ns=1, per_decade=10)
        self.assertEqual(ws[-1], 500)
        self.assertEqual(ws[0], 1)


def merged(iv):
    return delays.merge([(s, e) for s, e, _ in iv])


class ExactBMU(unittest.TestCase):
    """BMU(w) = min over windows of length >= w, by brute force over every
    pair of grid points (exact for integer boundaries and windows)."""

    def check(self, use_numpy):
        rng = random.Random(SEED + 7)
        for trial in range(60):
            length = rng.randint(5, 30)
            iv = merged(random_intervals(rng, length, False))
            ws = [w / 2 for w in range(1, 2 * length + 1)]
            mmus, bmus = mmu.Timeline(iv, length).curves(ws, use_numpy)
            for w, m, b in zip(ws, mmus, bmus):
                self.assertAlmostEqual(
                    b, mmu.bmu_brute(iv, length, w, step=0.5), places=9,
                    msg=f"seed {SEED} trial {trial}: {iv} T={length} w={w}")
                self.assertLessEqual(b, m + 1e-12)
            vals = [b for b in bmus if b is not None]
            self.assertEqual(vals, sorted(vals))  # monotone

    def test_python(self):
        self.check(False)

    def test_numpy(self):
        try:
            import numpy  # noqa: F401
        except ImportError:
            self.skipTest("numpy not available")
        self.check(True)

    def test_not_a_grid_bound(self):
        """The worst window longer than w may have a length no grid has:
        pauses of 1 at 0 and 9 in T=100 give BMU(6) = MMU(10) = 0.8 while
        MMU at 6, 20, 50 and 100 are all higher (a running minimum over
        that grid would say 0.833)."""
        iv = [(0, 1), (9, 10)]
        tl = mmu.Timeline(iv, 100)
        self.assertAlmostEqual(tl.bmu(6), 0.8)
        grid = [tl.mmu(w) for w in (6, 20, 50, 100)]
        self.assertAlmostEqual(min(grid), 5 / 6)


class PerMutator(unittest.TestCase):
    def two_held_in_turn(self):
        """Two mutators each held 5 ms, one after the other, in 100 ms."""
        return {"status": "ok", "wall_ns": 100 * MS, "delays": [
            {"kind": "hold", "phase": "handshake", "start_ns": 40 * MS,
             "duration_ns": 5 * MS, "mutator": 0},
            {"kind": "hold", "phase": "handshake", "start_ns": 45 * MS,
             "duration_ns": 5 * MS, "mutator": 1}]}

    def test_each_mutator_half_at_10ms(self):
        rec = self.two_held_in_turn()
        got = mmu.run_curves(rec, [10 * MS])
        self.assertAlmostEqual(got["mmu_min"][0], 0.5)
        self.assertAlmostEqual(got["mmu_mean"][0], 0.5)
        self.assertAlmostEqual(got["bmu_min"][0], 0.5)
        # The old world view, every hold a stop of all, said 0.
        world = [(d["start_ns"], d["start_ns"] + d["duration_ns"], 1.0)
                 for d in rec["delays"]]
        self.assertEqual(mmu.Load(world, 100 * MS).mmu(10 * MS), 0.0)

    def test_old_record_holds_are_per_mutator(self):
        """An old record's holds are pauses with a "mutator" key."""
        rec = self.two_held_in_turn()
        rec["pauses"] = [{"phase": d["phase"], "start_ns": d["start_ns"],
                          "duration_ns": d["duration_ns"],
                          "mutator": d["mutator"]} for d in rec.pop("delays")]
        self.assertAlmostEqual(mmu.run_curves(rec, [10 * MS])["mmu_min"][0],
                               0.5)

    def test_world_pause_applies_to_all(self):
        rec = {"status": "ok", "wall_ns": 100 * MS, "mutators": [
            {"id": 0}, {"id": 1}], "delays": [
            {"kind": "pause", "phase": "mark", "start_ns": 10 * MS,
             "duration_ns": 4 * MS},
            {"kind": "stall", "phase": "alloc", "start_ns": 60 * MS,
             "duration_ns": 8 * MS, "mutator": 1}]}
        got = mmu.run_curves(rec, [10 * MS])
        self.assertAlmostEqual(got["mmu_min"][0], 0.2)  # mutator 1: 8 of 10
        self.assertAlmostEqual(got["mmu_mean"][0], (0.6 + 0.2) / 2)


def quantised(iv, unit):
    """Timeline rounded outward to multiples of unit, in units."""
    return delays.merge([(int(s // unit), -int(-e // unit)) for s, e in iv])


def brute_mmu_units(iv, length, w):
    """MMU by sliding a window of w units over every integer offset of an
    occupancy array: a separate implementation from mmu.Load."""
    occ = [0] * length
    for s, e in iv:
        for t in range(s, min(e, length)):
            occ[t] = 1
    pre = [0]
    for x in occ:
        pre.append(pre[-1] + x)
    worst = max(pre[t + w] - pre[t] for t in range(length - w + 1))
    return 1.0 - worst / w


class RealRecords(unittest.TestCase):
    """Each mutator of real satb, otf and shenandoah runs: the committed
    records made with build/gctb by make_fixture.py --concurrent, and, when
    ctest says where gctb is (GCTB_BIN), fresh ones from that binary."""
    path = REAL

    def records(self):
        with open(self.path) as f:
            recs = [json.loads(line) for line in f]
        self.assertEqual(sorted(r["config"]["policy"]["name"] for r in recs),
                         ["otf", "satb", "shenandoah"])
        return recs

    def test_timelines_give_the_recorded_delay_stats(self):
        """The analysis's merged timelines give each mutator the
        delay_stats gctb recorded (harness/record/delays.c)."""
        for rec in self.records():
            got = delays.per_mutator(rec)
            for m in rec["mutators"]:
                self.assertEqual(got[m["id"]], m["delay_stats"],
                                 (rec["config"]["policy"], m["id"]))

    def test_exact_mmu_equals_brute_force(self):
        """On the timeline rounded to 10 us (every boundary an integer),
        exact MMU equals the brute force at every offset."""
        unit = 10_000
        for rec in self.records():
            length = -int(-rec["wall_ns"] // unit)
            for mid, iv in delays.timelines(rec).items():
                q = quantised(iv, unit)
                self.assertTrue(q, (rec["config"]["policy"], mid))
                tl = mmu.Timeline(q, length)
                for w in (1, 3, 10, 30, 100, 300, 1000, 3000, length):
                    self.assertAlmostEqual(
                        tl.mmu(w), brute_mmu_units(q, length, w), places=9,
                        msg=f"{rec['config']['policy']['name']} mutator "
                            f"{mid} w={w}")

    def test_exact_mmu_within_fine_sliding_bound(self):
        """On the timeline as recorded (ns), sliding by a step s finds at
        most the exact worst window and misses it by at most s of delay:
        exact <= sliding <= exact + s / w."""
        for rec in self.records():
            length = rec["wall_ns"]
            for mid, iv in delays.timelines(rec).items():
                load = mmu.Load([(s, e, 1.0) for s, e in iv], length)
                for w in (1 * MS, 10 * MS):
                    step = w // 50
                    exact = load.mmu(w)
                    worst, t = 0.0, 0
                    while t + w <= length:
                        worst = max(worst, load.integral(t + w) -
                                    load.integral(t))
                        t += step
                    sliding = 1.0 - worst / w
                    self.assertLessEqual(exact, sliding + 1e-12)
                    self.assertLessEqual(sliding - exact, step / w + 1e-12)

    def test_exact_bmu_equals_brute_force(self):
        """BMU on the timeline rounded to 1 ms against every pair of
        offsets."""
        for rec in self.records():
            length = -int(-rec["wall_ns"] // MS)
            for mid, iv in delays.timelines(rec).items():
                q = quantised(iv, MS)
                for use_numpy in (False, True):
                    if use_numpy and not mmu._have_numpy():
                        continue
                    ws = [1, 2, 5, 10, 50]
                    _, bmus = mmu.Timeline(q, length).curves(ws, use_numpy)
                    for w, b in zip(ws, bmus):
                        self.assertAlmostEqual(
                            b, mmu.bmu_brute(q, length, w), places=9,
                            msg=f"{rec['config']['policy']['name']} "
                                f"mutator {mid} w={w}")


class ConcurrentPhases(unittest.TestCase):
    def test_phase_cpu_given(self):
        rec = {"wall_ns": 100, "machine": {"ncpus_allowed": 2},
               "pauses": [], "phases": [{"start_ns": 0, "end_ns": 50,
                                         "gc_cpu_ns": 50}]}
        iv = mmu.cpu_share_intervals(rec)
        self.assertEqual(iv, [(0, 50, 0.5)])  # one of two CPUs busy
        self.assertAlmostEqual(mmu.Load(iv, 100).mmu(50), 0.5)

    def test_phase_cpu_from_cycle(self):
        rec = {"wall_ns": 100, "machine": {"ncpus_allowed": 4},
               "config": {"gc_threads": 1},
               "pauses": [{"start_ns": 0, "duration_ns": 10}],
               "phases": [{"start_ns": 10, "end_ns": 50}],
               "cycles": [{"start_ns": 0, "end_ns": 50, "gc_cpu_ns": 50}]}
        # 50 ns of GC CPU, 10 of them in the pause: 40 over 40 ns x 4 CPUs
        self.assertIn((10, 50, 0.25), mmu.cpu_share_intervals(rec))



@unittest.skipUnless(os.environ.get("GCTB_BIN"), "GCTB_BIN not set")
class FreshRecords(RealRecords):
    @classmethod
    def setUpClass(cls):
        import tempfile
        sys.path.insert(0, HERE)
        import make_fixture
        cls.tmp = tempfile.mkdtemp()
        cls.path = os.path.join(cls.tmp, "fresh.jsonl")
        make_fixture.real_concurrent(os.environ["GCTB_BIN"], cls.path)

    @classmethod
    def tearDownClass(cls):
        import shutil
        shutil.rmtree(cls.tmp)


if __name__ == "__main__":
    unittest.main()
