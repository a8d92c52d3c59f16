"""Exact MMU against the definition on random pause lists
(analysis/gctb_analysis/mmu.py)."""
import os
import random
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                "analysis"))
from gctb_analysis import mmu  # noqa: E402

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

    def test_bounded_is_monotone(self):
        rng = random.Random(SEED)
        iv = random_intervals(rng, 500, False)
        ws = mmu.windows(500, lo_ns=1, per_decade=10)
        b = mmu.bounded(mmu.mmu_curve(iv, 500, ws))
        vals = [x for x in b if x is not None]
        self.assertEqual(vals, sorted(vals))
        self.assertEqual(ws[-1], 500)
        self.assertEqual(ws[0], 1)


class ConcurrentPhases(unittest.TestCase):
    def test_phase_cpu_given(self):
        rec = {"wall_ns": 100, "machine": {"ncpus_allowed": 2},
               "pauses": [], "phases": [{"start_ns": 0, "end_ns": 50,
                                         "gc_cpu_ns": 50}]}
        iv = mmu.gc_intervals(rec)
        self.assertEqual(iv, [(0, 50, 0.5)])  # one of two CPUs busy
        self.assertAlmostEqual(mmu.Load(iv, 100).mmu(50), 0.5)

    def test_phase_cpu_from_cycle(self):
        rec = {"wall_ns": 100, "machine": {"ncpus_allowed": 4},
               "config": {"gc_threads": 1},
               "pauses": [{"start_ns": 0, "duration_ns": 10}],
               "phases": [{"start_ns": 10, "end_ns": 50}],
               "cycles": [{"start_ns": 0, "end_ns": 50, "gc_cpu_ns": 50}]}
        # 50 ns of GC CPU, 10 of them in the pause: 40 over 40 ns x 4 CPUs
        self.assertIn((10, 50, 0.25), mmu.gc_intervals(rec))


if __name__ == "__main__":
    unittest.main()
