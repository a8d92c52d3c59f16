"""gctb trace (analysis/gctb_analysis/trace.py) on hand-made records, and
the trace checker (trace_check.py) on traces broken on purpose.

The fixture record has the delays format of docs/results-format.md: world
pauses, a stall that begins inside a pause and outlives it (so it cannot
nest on the mutator's track and needs a second lane), a hold, a pace and an
assist; two concurrent phases that overlap, three cycles.
"""
import copy
import json
import os
import subprocess
import sys
import tempfile
import unittest

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "analysis"))
sys.path.insert(0, here)
from gctb_analysis import trace  # noqa: E402
import trace_check  # noqa: E402

TRACE_PY = os.path.join(here, "..", "..", "analysis", "trace.py")

RECORD = {
    "status": "ok",
    "config": {"policy": {"name": "satb"}, "workload": {"name": "gcold"},
               "gc_threads": 2},
    "wall_ns": 10_000_000,
    "pauses": [
        {"phase": "init-mark", "start_ns": 1_000_000, "duration_ns": 50_000},
        {"phase": "final-mark", "start_ns": 4_000_000,
         "duration_ns": 200_000},
    ],
    "delays": [
        {"kind": "pause", "phase": "init-mark", "start_ns": 1_000_000,
         "duration_ns": 50_000},
        {"kind": "assist", "phase": "mark", "start_ns": 2_000_000,
         "duration_ns": 30_001, "mutator": 1},
        {"kind": "pace", "phase": "alloc", "start_ns": 2_500_000,
         "duration_ns": 10_000, "mutator": 0},
        {"kind": "pause", "phase": "final-mark", "start_ns": 4_000_000,
         "duration_ns": 200_000},
        {"kind": "stall", "phase": "alloc", "start_ns": 4_100_000,
         "duration_ns": 900_123, "mutator": 0},
        {"kind": "hold", "phase": "sync", "start_ns": 6_000_000,
         "duration_ns": 0, "mutator": 1},
    ],
    "mutators": [{"id": 0}, {"id": 1}, {"id": 2}],
    "phases": [
        {"phase": "mark", "start_ns": 1_050_000, "end_ns": 3_990_000,
         "duration_ns": 2_940_000},
        {"phase": "sweep", "start_ns": 3_000_000, "end_ns": 4_500_000,
         "duration_ns": 1_500_000},
    ],
    "cycles": [
        {"kind": "concurrent", "reason": "trigger", "start_ns": 990_000,
         "end_ns": 5_000_000, "bytes_before": 6_000_000,
         "bytes_after": 3_000_000, "live_bytes": 2_500_000},
        {"kind": "concurrent", "reason": "trigger", "start_ns": 7_000_000,
         "end_ns": 8_000_000, "bytes_before": 7_000_000,
         "bytes_after": 2_600_000, "live_bytes": 2_400_000},
        {"kind": "degenerated", "reason": "alloc", "start_ns": 8_000_000,
         "end_ns": 8_000_000, "bytes_before": 2_600_000,
         "bytes_after": 2_600_000, "live_bytes": 2_400_000},
    ],
}


def events(doc, ph=None, name=None):
    return [e for e in doc["traceEvents"]
            if (ph is None or e["ph"] == ph)
            and (name is None or e.get("name") == name)]


class Build(unittest.TestCase):
    def setUp(self):
        self.doc = trace.build_trace(copy.deepcopy(RECORD))
        self.names = trace.thread_names(self.doc)

    def test_fixture_passes_the_checker(self):
        self.assertEqual(trace_check.check_format(self.doc), [])
        self.assertEqual(trace_check.check_delays(self.doc, RECORD), [])

    def test_one_track_per_mutator_with_its_own_delays(self):
        for mid in (0, 1, 2):
            self.assertIn(f"mutator {mid}", self.names.values())
        tid2 = next(t for t, n in self.names.items() if n == "mutator 2")
        on2 = {e["name"] for e in events(self.doc, "X")
               if e["tid"] == tid2}
        # Mutator 2 had no delay of its own: only the world pauses.
        self.assertEqual(on2, {"pause: init-mark", "pause: final-mark"})

    def test_overlapping_stall_goes_to_a_second_lane(self):
        self.assertIn("mutator 0 (lane 2)", self.names.values())
        lane = next(t for t, n in self.names.items()
                    if n == "mutator 0 (lane 2)")
        stall = next(e for e in events(self.doc, "X")
                     if e["cat"] == "stall")
        self.assertEqual(stall["tid"], lane)
        self.assertEqual(stall["ts"], 4100.0)
        self.assertEqual(stall["dur"], 900.123)

    def test_overlapping_phases_get_two_lanes(self):
        self.assertIn("GC concurrent", self.names.values())
        self.assertIn("GC concurrent (lane 2)", self.names.values())

    def test_counters(self):
        heap = [e["args"]["bytes"] for e in
                events(self.doc, "C", "heap in use (bytes)")]
        self.assertEqual(heap, [6_000_000, 3_000_000, 7_000_000, 2_600_000,
                                2_600_000, 2_600_000])
        live = events(self.doc, "C", "live after cycle (bytes)")
        self.assertEqual([(e["ts"], e["args"]["bytes"]) for e in live],
                         [(5000.0, 2_500_000), (8000.0, 2_400_000),
                          (8000.0, 2_400_000)])
        rate = events(self.doc, "C", "allocation rate (MB/s)")
        # 6 MB in the first 0.99 ms; 4 MB between 5 ms and 7 ms.
        self.assertEqual(len(rate), 2)
        self.assertAlmostEqual(rate[0]["args"]["MB/s"], 6 / 0.99e-3)
        self.assertAlmostEqual(rate[1]["args"]["MB/s"], 4 / 2e-3)

    def test_cycles_link_their_pauses_and_phases(self):
        starts = events(self.doc, "s")
        cyc0 = [e for e in starts if e["ts"] == 990.0]
        # init-mark, final-mark, mark, sweep.
        self.assertEqual(len(cyc0), 4)

    def test_record_without_delays_falls_back_to_pauses(self):
        rec = copy.deepcopy(RECORD)
        del rec["delays"], rec["mutators"]
        rec["pauses"].append({"phase": "sync1", "start_ns": 6_000_000,
                              "duration_ns": 500, "mutator": 3})
        doc = trace.build_trace(rec)
        self.assertEqual(trace_check.check_format(doc), [])
        self.assertEqual(trace_check.check_delays(doc, rec), [])
        self.assertEqual(doc["otherData"]["delays_from"], "pauses")
        hold = next(e for e in events(doc, "X") if e["cat"] == "hold")
        self.assertEqual(trace.thread_names(doc)[hold["tid"]], "mutator 3")

    def test_no_mutator_information_gives_one_track(self):
        rec = copy.deepcopy(RECORD)
        del rec["delays"], rec["mutators"]
        doc = trace.build_trace(rec)
        self.assertIn("mutators (all)", trace.thread_names(doc).values())
        self.assertEqual(trace_check.check_delays(doc, rec), [])


class CheckerRejects(unittest.TestCase):
    """Each rule of the checker, broken once."""

    def setUp(self):
        self.doc = trace.build_trace(copy.deepcopy(RECORD))

    def first(self, ph, cat=None):
        return next(e for e in self.doc["traceEvents"] if e["ph"] == ph
                    and (cat is None or e.get("cat") == cat))

    def assertRejected(self, problems, text):
        self.assertTrue(any(text in p for p in problems), problems)

    def test_negative_duration(self):
        self.first("X")["dur"] = -1
        self.assertRejected(trace_check.check_format(self.doc), "dur")

    def test_missing_ts(self):
        del self.first("C")["ts"]
        self.assertRejected(trace_check.check_format(self.doc), "ts")

    def test_non_numeric_counter(self):
        self.first("C")["args"] = {"bytes": "many"}
        self.assertRejected(trace_check.check_format(self.doc), "counter")

    def test_unbalanced_begin(self):
        self.doc["traceEvents"].append({"ph": "B", "name": "x", "pid": 1,
                                        "tid": 1, "ts": 1.0})
        self.assertRejected(trace_check.check_format(self.doc), "never ends")

    def test_end_without_begin(self):
        self.doc["traceEvents"].append({"ph": "E", "pid": 1, "tid": 1,
                                        "ts": 1.0})
        self.assertRejected(trace_check.check_format(self.doc), "without a B")

    def test_slices_that_do_not_nest(self):
        x = self.first("X", "stall")
        x["tid"] = self.first("X", "pace")["tid"]
        self.assertRejected(trace_check.check_format(self.doc), "overlaps")

    def test_bad_metadata(self):
        self.first("M")["args"] = {"name": 3}
        self.assertRejected(trace_check.check_format(self.doc), "string")

    def test_flow_without_finish(self):
        f = self.first("f")
        self.doc["traceEvents"].remove(f)
        self.assertRejected(trace_check.check_format(self.doc), "flow")

    def test_flow_bound_to_no_slice(self):
        self.first("f")["ts"] = 9999.0
        self.assertRejected(trace_check.check_format(self.doc),
                            "binds to no slice")

    def test_missing_delay(self):
        self.doc["traceEvents"].remove(self.first("X", "stall"))
        self.assertRejected(trace_check.check_delays(self.doc, RECORD),
                            "stall at 4100000 ns")

    def test_delay_at_the_wrong_time(self):
        self.first("X", "assist")["ts"] += 0.001
        self.assertRejected(trace_check.check_delays(self.doc, RECORD),
                            "assist")


class Command(unittest.TestCase):
    def test_cli_run_selection_and_errors(self):
        with tempfile.TemporaryDirectory() as d:
            res = os.path.join(d, "r.jsonl")
            other = dict(copy.deepcopy(RECORD), wall_ns=1)
            with open(res, "w") as f:
                f.write(json.dumps(RECORD) + "\n" + json.dumps(other) + "\n")
            py = sys.executable
            rc = subprocess.run([py, TRACE_PY, res, "--run", "0"],
                                capture_output=True, text=True)
            self.assertEqual(rc.returncode, 0, rc.stderr)
            with open(os.path.join(d, "r-run0-trace.json")) as f:
                self.assertEqual(json.load(f)["otherData"]["wall_ns"],
                                 10_000_000)
            rc = subprocess.run([py, TRACE_PY, res], capture_output=True,
                                text=True)
            with open(os.path.join(d, "r-trace.json")) as f:
                self.assertEqual(json.load(f)["otherData"]["wall_ns"], 1)
            rc = subprocess.run([py, TRACE_PY, res, "--run", "2"],
                                capture_output=True, text=True)
            self.assertEqual(rc.returncode, 2)
            self.assertIn("holds 2 record(s)", rc.stderr)
            rc = subprocess.run([py, TRACE_PY, os.path.join(d, "none")],
                                capture_output=True, text=True)
            self.assertEqual(rc.returncode, 2)
            crash = {"status": "crash", "config": RECORD["config"]}
            out = os.path.join(d, "t.json")
            rc = subprocess.run([py, TRACE_PY, "-", "--out", out],
                                input=json.dumps(crash) + "\n",
                                capture_output=True, text=True)
            self.assertEqual(rc.returncode, 2)
            self.assertIn("no measurements", rc.stderr)


if __name__ == "__main__":
    unittest.main()
