"""Reading results, LBO, latency keys, and the tables and figures on the
fixture results file (tests/analysis/fixture.jsonl, make_fixture.py)."""
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "analysis"))
from gctb_analysis import cells, delays, latency, lbo, records, tables  # noqa

FIXTURE = os.path.join(here, "fixture.jsonl")
FIGURE_KINDS = {"delays", "pauses", "mmu", "gccpu", "time", "throughput",
                "lbo", "latency"}


def have_matplotlib():
    try:
        import matplotlib  # noqa: F401
        return True
    except ImportError:
        return False


class Reading(unittest.TestCase):
    def test_partial_and_bad_lines_are_skipped(self):
        warnings = []
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl",
                                         delete=False) as f:
            f.write('{"status": "ok"}\nnot json\n[1]\n{"status": "oom"}\n'
                    '{"status": "o')
        try:
            recs = records.read_records([f.name], warn=warnings.append)
        finally:
            os.unlink(f.name)
        self.assertEqual([r["status"] for r in recs], ["ok", "oom"])
        self.assertEqual(len(warnings), 3)

    def test_pause_percentiles_match_gctb(self):
        """The analysis's percentiles are gctb's own (harness/record/summary.c)."""
        for r in records.ok(records.read_records([FIXTURE])):
            if r["config"]["policy"]["name"].endswith("-demo"):
                continue
            ps = r["pause_stats"]
            self.assertEqual(delays.stats_of(delays.world_pauses(r)),
                             {k: ps[k] for k in ("count", "total_ns",
                                                 "p50_ns", "p99_ns",
                                                 "max_ns")})
            if "delay_stats" in r:
                mid, st, _ = delays.worst(r)
                self.assertEqual(st, {k: v for k, v in r["delay_stats"].items()
                                      if k != "worst_mutator"})


class Grouping(unittest.TestCase):
    def test_raw_params_join_their_benchmark(self):
        """A record whose config is as written (a run that never started)
        joins the benchmark whose records have every default filled in;
        2 and 2.0 are the same value."""
        def rec(params, status="ok"):
            return {"status": status, "wall_ns": 1,
                    "config": {"policy": {"name": "segfit"},
                               "workload": {"name": "w", "params": params},
                               "heap": {"multiple": 2}}}
        a = cells.Analysis([rec({"rate": 5000.0, "depth": 3}),
                            rec({"rate": 5000}, "invalid"),
                            rec({"rate": 10.0, "depth": 3})])
        self.assertEqual(sorted(len(b.records) for b in a.benchmarks), [1, 2])
        self.assertEqual({b.label for b in a.benchmarks},
                         {"w rate=5000", "w rate=10"})


class LBO(unittest.TestCase):
    def test_baseline_is_min_distilled_cost(self):
        """One run per configuration: the baseline is the smallest."""
        runs = [
            {"status": "ok", "wall_ns": 100, "gc_ns": 40, "cpu_user_ns": 300,
             "cpu_sys_ns": 0, "setup_ns": 0, "gc_cpu_ns": 200,
             "config": {"policy": {"name": "a"}}},
            {"status": "ok", "wall_ns": 80, "gc_ns": 10, "cpu_user_ns": 150,
             "cpu_sys_ns": 10, "setup_ns": 10, "gc_cpu_ns": 20,
             "config": {"policy": {"name": "b"}}},
            {"status": "oom", "wall_ns": 1, "gc_ns": 0},
        ]
        base = lbo.baselines(runs)
        self.assertEqual(base, {"wall": 60, "cpu": 100})
        self.assertEqual(lbo.lbo(runs[0], base), {"wall": 100 / 60,
                                                  "cpu": 3.0})
        self.assertEqual(lbo.lbo(runs[1], base), {"wall": 80 / 60,
                                                  "cpu": 1.5})


class Latency(unittest.TestCase):
    def test_keys(self):
        obj = {"count": 9, "p50_ns": 1, "p90_ns": 2, "p99_ns": 3,
               "p999_ns": 4, "p99.99_ns": 5, "max_ns": 6}
        self.assertEqual(latency.percentiles(obj),
                         {50.0: 1, 90.0: 2, 99.0: 3, 99.9: 4, 99.99: 5,
                          100.0: 6})

    def test_samples(self):
        got = latency.percentiles({"samples_ns": list(range(1, 1001))})
        self.assertEqual(got[50.0], 500)
        self.assertEqual(got[99.9], 999)
        self.assertEqual(got[100.0], 1000)


class Report(unittest.TestCase):
    def test_tables_and_csv(self):
        a = cells.Analysis(records.read_records([FIXTURE]))
        names = {b.label for b in a.benchmarks}
        self.assertEqual(names, {"gcbench", "server"})
        out, tmp = io.StringIO(), tempfile.mkdtemp()
        try:
            written = tables.report(a, out, tmp)
            self.assertEqual({os.path.basename(p) for p in written},
                             {"cells.csv", "runs.csv", "delays.csv",
                              "mmu.csv", "latency.csv"})
            with open(os.path.join(tmp, "runs.csv")) as f:
                rows = list(csv.DictReader(f))
            self.assertEqual(len(rows), len(a.records))
            statuses = {r["status"] for r in rows}
            self.assertTrue({"ok", "crash", "timeout", "oom"} <= statuses)
            with open(os.path.join(tmp, "cells.csv")) as f:
                cells_csv = list(csv.DictReader(f))
            # the server's heaps are multiples of its minimum heap
            self.assertTrue(all(r["x_min"] for r in cells_csv
                                if r["benchmark"] == "server"))
            lbos = [float(r["lbo_wall"]) for r in cells_csv if r["lbo_wall"]]
            self.assertTrue(lbos and min(lbos) >= 1.0 - 1e-9)
        finally:
            shutil.rmtree(tmp)
        text = out.getvalue()
        titles = ("Mutator-observed delays", "Where the mutators' time went",
                  "Time", "Lower-bound overhead", "Per-mutator MMU and BMU",
                  "GC CPU share (not an MMU)", "Request latency")
        at = [text.index(t) for t in titles]
        self.assertEqual(at, sorted(at))  # delays lead
        self.assertIn("concurrent-demo", text)
        # survivorship: failed cells counted beside their (absent) means
        self.assertIn("0/1/0/0", text)  # nogc out of memory
        self.assertIn("0/0/0/1", text)  # test-fault crash


@unittest.skipUnless(have_matplotlib(), "matplotlib not available")
class Plot(unittest.TestCase):
    def test_every_figure_non_empty(self):
        tmp = tempfile.mkdtemp()
        try:
            # Through `gctb plot` when ctest says where gctb is, so that
            # finding the interpreter and the scripts is tested too.
            gctb = os.environ.get("GCTB_BIN")
            cmd = ([gctb, "plot"] if gctb else
                   [sys.executable, os.path.join(here, "..", "..",
                                                 "analysis", "plot.py")])
            # One heap point per benchmark keeps the drawing short; the
            # failed runs stay (a heap point with none ok draws no panel).
            small = os.path.join(tmp, "small.jsonl")
            with open(FIXTURE) as f, open(small, "w") as out:
                for line in f:
                    heap = json.loads(line)["config"]["heap"]
                    if heap.get("multiple", 8) == 8 and heap.get(
                            "min_multiple", 1.5) == 1.5:
                        out.write(line)
            subprocess.run(cmd + [small, "--out", tmp], check=True,
                           stdout=subprocess.DEVNULL)
            with open(os.path.join(tmp, "figures.json")) as f:
                made = json.load(f)
            by_bench = {}
            for m in made:
                by_bench.setdefault(m["benchmark"], set()).add(m["kind"])
                self.assertEqual(len(m["files"]), 2)
                for p in m["files"]:
                    self.assertGreater(os.path.getsize(p), 2000, p)
                png = [p for p in m["files"] if p.endswith(".png")][0]
                with open(png, "rb") as f:
                    self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")
            self.assertEqual(by_bench["server"], FIGURE_KINDS)
            self.assertEqual(by_bench["gcbench"], FIGURE_KINDS - {"latency"})
        finally:
            shutil.rmtree(tmp)


if __name__ == "__main__":
    unittest.main()
