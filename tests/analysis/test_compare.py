"""Paired ratio intervals, LBO baselines, throughput sources and the
pooling checks of `gctb report` (compare.py, lbo.py, records.py,
provenance.py, report.py)."""
import contextlib
import io
import json
import math
import os
import random
import shutil
import sys
import tempfile
import unittest

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "analysis"))
import report  # noqa: E402
from gctb_analysis import compare, lbo, provenance, records, stats  # noqa

FIXTURE = os.path.join(here, "fixture.jsonl")


def paired_t(xy, r):
    """|t| of the paired test that mean(x - r y) = 0."""
    d = [x - r * y for x, y in xy]
    s = stats.stdev(d)
    return abs(stats.mean(d)) / (s / math.sqrt(len(d))) if s else math.inf


class Fieller(unittest.TestCase):
    def test_interval_is_where_the_paired_t_test_accepts(self):
        """The ends are where the paired t statistic of x - R y equals the
        0.975 quantile; inside it is below, outside above."""
        rng = random.Random(11)
        for _ in range(40):
            n = rng.randint(3, 12)
            ys = [rng.uniform(80, 120) for _ in range(n)]
            k = rng.uniform(0.5, 2.0)
            xy = [(k * y + rng.gauss(0, 5), y) for y in ys]
            r, lo, hi = compare.fieller(xy)
            self.assertAlmostEqual(r, sum(x for x, _ in xy) /
                                   sum(y for _, y in xy))
            self.assertTrue(lo < r < hi)
            tq = stats.t_quantile(0.975, n - 1)
            self.assertAlmostEqual(paired_t(xy, lo), tq, places=6)
            self.assertAlmostEqual(paired_t(xy, hi), tq, places=6)
            self.assertLess(paired_t(xy, (lo + hi) / 2), tq)
            width = hi - lo
            self.assertGreater(paired_t(xy, hi + width / 10), tq)
            self.assertGreater(paired_t(xy, lo - width / 10), tq)

    def test_pairing_removes_shared_noise(self):
        """Rounds that move both policies together narrow the interval."""
        base = [100, 150, 80, 130, 110]
        paired = [(1.1 * y + e, y) for y, e in zip(base, (1, -1, 0.5, 0, -.5))]
        shuffled = list(zip([x for x, _ in paired], [150, 80, 130, 110, 100]))
        _, lo, hi = compare.fieller(paired)
        _, lo2, hi2 = compare.fieller(shuffled)
        self.assertLess(hi - lo, (hi2 - lo2) / 5)
        self.assertEqual(compare.verdict(lo, hi), "higher")

    def test_degenerate(self):
        self.assertEqual(compare.fieller([]), (None, None, None))
        self.assertEqual(compare.fieller([(2.0, 1.0)]), (2.0, None, None))
        # the baseline's mean is not clearly above 0: unbounded
        r, lo, hi = compare.fieller([(1, -5), (1, 6), (1, 0.5)])
        self.assertIsNone(lo)
        self.assertEqual(compare.verdict(lo, hi), "?")

    def test_pairs_by_matrix_round(self):
        def rec(inv, v, status="ok", mid="m"):
            return {"status": status, "wall_ns": v,
                    "matrix": {"id": mid, "invocation": inv}}
        mine = [rec(0, 10), rec(1, 11), rec(2, 12, "oom"), rec(3, 13),
                {"status": "ok", "wall_ns": 9}]
        base = [rec(1, 5), rec(0, 4), rec(2, 6), rec(3, 7, "timeout")]
        xy, unpaired = compare.pairs(mine, base, lambda r: r["wall_ns"])
        self.assertEqual(sorted(xy), [(10, 4), (11, 5)])
        self.assertEqual(unpaired, 3)


class LBOBaseline(unittest.TestCase):
    def test_minimum_over_configuration_means(self):
        """Config A's runs distil to 10 and 30 (mean 20), B's to 15 and 17
        (mean 16): the baseline is 16, not the single-run minimum 10."""
        def run(cfg, wall, gc):
            return {"status": "ok", "config": {"policy": {"name": cfg},
                                               "seed": wall},
                    "wall_ns": wall, "gc_ns": gc, "cpu_user_ns": wall,
                    "cpu_sys_ns": 0, "setup_ns": 0, "gc_cpu_ns": gc}
        runs = [run("a", 12, 2), run("a", 33, 3), run("b", 16, 1),
                run("b", 20, 3), {"status": "oom", "wall_ns": 1,
                                  "config": {"policy": {"name": "c"}}}]
        self.assertEqual(lbo.baselines(runs), {"wall": 16, "cpu": 16})
        self.assertEqual(lbo.lbo(runs[0], lbo.baselines(runs))["wall"],
                         12 / 16)

    def test_setup_cpu_measured_is_preferred(self):
        rec = {"cpu_user_ns": 100, "cpu_sys_ns": 50, "setup_ns": 10,
               "setup_cpu_ns": 30}
        self.assertEqual(records.cpu_ns(rec), 120)
        del rec["setup_cpu_ns"]
        self.assertEqual(records.cpu_ns(rec), 140)
        rec["setup_ns"] = 200  # a wall time above the CPU used: unknown
        self.assertIsNone(records.cpu_ns(rec))


class Throughput(unittest.TestCase):
    def test_work_units(self):
        rec = {"wall_ns": 2_000_000_000, "counters": {"bytes_allocated": 1},
               "workload": {"work": {"value": 500, "unit": "nodes"}}}
        self.assertEqual(records.throughput(rec), (250.0, "nodes/s"))
        self.assertEqual(records.throughput_source(rec), records.TP_WORK)

    def test_fallbacks_are_flagged(self):
        rec = {"wall_ns": 1_000_000_000,
               "counters": {"bytes_allocated": 3_000_000}}
        self.assertEqual(records.throughput(rec), (3.0, "MB/s allocated"))
        self.assertEqual(records.throughput_source(rec), records.TP_ALLOCATED)
        rec["counters"]["bytes_allocated_policy"] = 3_500_000
        self.assertEqual(records.throughput(rec), (3.0, "MB/s allocated"))
        self.assertEqual(records.throughput_source(rec), records.TP_REQUESTED)


def write(path, recs):
    with open(path, "w") as f:
        for r in recs:
            f.write(json.dumps(r) + "\n")


def base_records():
    with open(FIXTURE) as f:
        return [json.loads(line) for line in f][:6]


class Pooling(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def run_report(self, *args):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            rc = report.main(list(args) + ["--no-csv"])
        return rc, out.getvalue(), err.getvalue()

    def report_on(self, recs):
        """(exit status, stdout, stderr) of the report on recs."""
        p = os.path.join(self.tmp, "one.jsonl")
        write(p, recs)
        return self.run_report(p)

    def two_files(self, field, value):
        a, b = base_records(), base_records()
        for r in b:
            obj = r
            *path, last = field.split(".")
            for k in path:
                obj = obj[k]
            obj[last] = value
        pa, pb = (os.path.join(self.tmp, n) for n in ("a.jsonl", "b.jsonl"))
        write(pa, a)
        write(pb, b)
        return pa, pb

    def test_refuses_mixed_builds_machines_and_settings(self):
        for field, value in (("build.commit", "0000000"),
                             ("build.asan", True),
                             ("machine.hostname", "elsewhere"),
                             ("machine.cpu_model", "Other CPU"),
                             ("config.verify", "after-gc"),
                             ("config.stress", {"every_allocs": 100,
                                                "every_bytes": 0})):
            pa, pb = self.two_files(field, value)
            rc, out, err = self.run_report(pa, pb)
            self.assertEqual(rc, 2, field)
            self.assertIn(f"records differ in {field}", err)
            self.assertIn("a.jsonl", err)
            self.assertIn("b.jsonl", err)
            self.assertEqual(out, "")
            rc, out, err = self.run_report(pa, pb, "--allow-mixed")
            self.assertEqual(rc, 0, field)
            self.assertIn(f"warning: records differ in {field}", err)
            self.assertIn("Mutator-observed delays", out)

    def test_plot_refuses_mixed_too(self):
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            self.skipTest("matplotlib not available")
        import plot
        pa, pb = self.two_files("build.commit", "0000000")
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            rc = plot.main([pa, pb, "--out", os.path.join(self.tmp, "p")])
        self.assertEqual(rc, 2)
        self.assertIn("gctb plot: records differ in build.commit",
                      err.getvalue())
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "p")))

    def test_same_records_pool(self):
        pa, pb = self.two_files("status", "ok")
        rc, _, err = self.run_report(pa, pb)
        self.assertEqual(rc, 0, err)
        self.assertNotIn("differ", err)

    def test_unfit_settings_warn(self):
        recs = base_records()
        for r in recs:
            r["build"]["checked"] = True
        rc, _, err = self.report_on(recs)
        self.assertEqual(rc, 0)
        self.assertIn(f"warning: {len(recs)} record(s) with build.checked is "
                      "true", err)

    def test_loaded_runs_are_counted(self):
        recs = base_records()
        for i, r in enumerate(recs):
            r["machine"]["loadavg"] = [3.5 if i < 2 else 0.2, 1, 1]
            r["machine"]["ncpus_allowed"] = 4
        self.assertEqual([provenance.loaded(r) for r in recs][:3],
                         [True, True, False])
        rc, _, err = self.report_on(recs)
        self.assertEqual(rc, 0)
        self.assertIn(f"warning: 2 of {len(recs)} runs started on a busy "
                      "machine", err)

    def test_unknown_baseline(self):
        rc, _, err = self.run_report(FIXTURE, "--baseline", "nosuch")
        self.assertEqual(rc, 2)
        self.assertIn("--baseline nosuch: no such policy", err)
        self.assertIn("segfit", err)

    def test_baseline_table(self):
        """A policy twice as slow as the baseline in every round, one of its
        four runs out of memory: 3 pairs, ratio about 2, "higher", and the
        failed run counted beside it."""
        def rec(policy, inv, wall_ms, status="ok"):
            return {"status": status, "wall_ns": int(wall_ms * 1e6),
                    "gc_ns": 0, "cpu_user_ns": int(wall_ms * 1e6),
                    "cpu_sys_ns": 0, "setup_ns": 0, "gc_cpu_ns": 0,
                    "config": {"policy": {"name": policy},
                               "workload": {"name": "w", "params": {}},
                               "heap": {"multiple": 3}, "seed": inv},
                    "matrix": {"id": "m1", "invocation": inv}}
        base = [100, 120, 90, 110]
        recs = [rec("base", i, w) for i, w in enumerate(base)]
        recs += [rec("slow", i, 2 * w + (i % 2)) for i, w in
                 enumerate(base[:3])] + [rec("slow", 3, 1, "oom")]
        rc, out, err = self.report_on(recs)
        self.assertEqual(rc, 0, err)
        self.assertNotIn("Paired ratios", out)
        self.assertIn("overlap is not a test", out)
        p = os.path.join(self.tmp, "one.jsonl")
        rc, out, err = self.run_report(p, "--baseline", "base")
        self.assertEqual(rc, 0, err)
        table = out.split("Paired ratios to base")[1].split("\n\n")[0]
        rows = [ln.split() for ln in table.splitlines() if ln.startswith("w ")]
        self.assertEqual(len(rows), 1)  # the baseline is not compared
        row = rows[0]
        self.assertEqual(row[1:4], ["slow", "3x", "live"])
        self.assertEqual(row[4:7], ["3/1/0/0", "4/0/0/0", "3"])
        self.assertAlmostEqual(float(row[7]), 2.0, places=2)
        self.assertEqual(row[10], "higher")
        self.assertIn("†", out)  # slow's means are over survivors only

    def test_minimum_heap_bound_is_marked(self):
        recs = base_records()
        for r in recs:
            r["heap"]["min_multiple"] = 2.0
            r["heap"]["min_heap_is_bound"] = True
        rc, out, err = self.report_on(recs)
        self.assertEqual(rc, 0, err)
        self.assertIn("≥2", out.split("\nTime")[1])


if __name__ == "__main__":
    unittest.main()
