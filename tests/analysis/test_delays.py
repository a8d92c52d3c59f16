"""Mutator-observed delays (analysis/gctb_analysis/delays.py) and the
report's lead table on records that stall a mutator."""
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
from gctb_analysis import cells, delays, records, tables  # noqa: E402

FIXTURE = os.path.join(here, "fixture.jsonl")
REAL = os.path.join(here, "real-concurrent.jsonl")
MS = 1_000_000


def stalled(ms, policy="stall-only"):
    """An ok record whose one mutator stalled ms milliseconds, with world
    pauses far shorter."""
    return {"status": "ok", "wall_ns": 200 * MS, "gc_ns": 300_000,
            "config": {"policy": {"name": policy},
                       "workload": {"name": "w", "params": {}},
                       "heap": {"size": 1 << 24}},
            "pauses": [{"phase": "mark", "start_ns": 5 * MS,
                        "duration_ns": 300_000}],
            "delays": [{"kind": "pause", "phase": "mark", "start_ns": 5 * MS,
                        "duration_ns": 300_000},
                       {"kind": "stall", "phase": "alloc",
                        "start_ns": 50 * MS, "duration_ns": ms * MS,
                        "mutator": 0}],
            "mutators": [{"id": 0}]}


def lead_table(text):
    """{series: {column: cell text}} of the report's first table."""
    lines = text.strip().split("\n\n")[0].splitlines()
    start = next(i for i, ln in enumerate(lines)
                 if ln.startswith("benchmark"))
    header = lines[start]
    cols = [(h, header.index(h)) for h in header.split("  ") if h.strip()]
    cols = [(h.strip(), i) for h, i in cols]
    out = {}
    for ln in lines[start + 2:]:
        row = {}
        for k, (h, i) in enumerate(cols):
            end = cols[k + 1][1] if k + 1 < len(cols) else len(ln)
            row[h] = ln[i:end].strip()
        out[row["series"]] = row
    return out


class Timelines(unittest.TestCase):
    def test_merge(self):
        self.assertEqual(delays.merge([(5, 7), (0, 2), (2, 3), (6, 9)]),
                         [(0, 3), (5, 9)])
        self.assertEqual(delays.merge([]), [])

    def test_stall_inside_pause_is_one_delay(self):
        rec = stalled(20)
        rec["delays"][1]["start_ns"] = 5 * MS + 100_000
        st = delays.per_mutator(rec)[0]
        self.assertEqual(st["count"], 1)
        self.assertEqual(st["max_ns"], 100_000 + 20 * MS)

    def test_pause_without_mutator_key_is_world_even_with_kind(self):
        rec = {"delays": [{"kind": "pause", "start_ns": 0, "duration_ns": 5,
                           "mutator": 1}],
               "mutators": [{"id": 0}, {"id": 1}]}
        self.assertEqual(delays.timelines(rec), {0: [(0, 5)], 1: [(0, 5)]})

    def test_old_record_fallback(self):
        rec = {"pauses": [{"phase": "a", "start_ns": 0, "duration_ns": 10},
                          {"phase": "hs", "start_ns": 20, "duration_ns": 7,
                           "mutator": 3}]}
        self.assertEqual(delays.source(rec), "pauses")
        self.assertEqual(delays.mutator_ids(rec), [3])
        self.assertEqual(delays.timelines(rec), {3: [(0, 10), (20, 27)]})
        self.assertEqual(delays.world_pauses(rec), [10])
        self.assertEqual(delays.kind_totals(rec)["hold"], 7)

    def test_demo_records_match_their_hand_computed_stats(self):
        """The fixture's stall-demo records carry per-mutator delay_stats
        worked out by hand (make_fixture.py); the analysis agrees."""
        recs = [r for r in records.read_records([FIXTURE])
                if r["config"]["policy"]["name"] == "stall-demo"]
        self.assertEqual(len(recs), 2)
        for r in recs:
            got = delays.per_mutator(r)
            for m in r["mutators"]:
                self.assertEqual(got[m["id"]], m["delay_stats"])
            mid, st, _ = delays.worst(r)
            self.assertEqual(mid, r["delay_stats"]["worst_mutator"])
            self.assertEqual(st["max_ns"], r["delay_stats"]["max_ns"])
            totals = delays.kind_totals(r)
            self.assertEqual(totals["stall"], r["stalled_ns"])
            self.assertEqual(totals["hold"], r["held_ns"])
            self.assertEqual(totals["pause"], r["gc_ns"])

    def test_listed_delays_add_up_to_the_recorded_sums(self):
        """Summing the listed delays by kind gives the record's own sums
        (assists: at most, the short ones are not listed)."""
        with open(REAL) as f:
            recs = [json.loads(line) for line in f]
        for r in recs:
            if delays.source(r) != "delays" or "held_ns" not in r:
                continue
            listed = dict.fromkeys(delays.KINDS, 0)
            for d in r["delays"]:
                listed[d["kind"]] += d["duration_ns"]
            want = delays.kind_totals(r)
            for k in ("pause", "hold", "stall", "pace"):
                self.assertEqual(listed[k], want[k], (k, r["config"]))
            self.assertLessEqual(listed["assist"], want["assist"])


class LeadTable(unittest.TestCase):
    def report(self, recs):
        out = io.StringIO()
        tables.report(cells.Analysis(recs), out)
        return out.getvalue()

    def test_a_25ms_stall_shows_25ms(self):
        text = self.report([stalled(25), stalled(25)])
        self.assertTrue(text.lstrip().startswith("Mutator-observed delays"))
        row = lead_table(text)["stall-only"]
        self.assertEqual(row["delay max"], "25")
        self.assertEqual(row["pause max"], "0.3")

    def test_stall_demo_in_fixture(self):
        """Mutator 1 of stall-demo: held 15-20 ms, a pause 20-20.4 ms and a
        25 ms stall from 20.1 ms: one 30.1 ms delay."""
        text = self.report(records.read_records([FIXTURE]))
        row = lead_table(text)["stall-demo"]
        self.assertEqual(row["delay max"], "30.1")
        self.assertEqual(row["worst"], "1")
        self.assertEqual(row["pause max"], "0.4")


@unittest.skipUnless(os.environ.get("GCTB_BIN"), "GCTB_BIN not set")
class FromGctb(unittest.TestCase):
    """The gctb under test: its test-delay policy stalls the mutator 20 ms;
    `gctb report` on that record shows it as the delay max."""

    def test_a_20ms_stall_in_the_report(self):
        gctb = os.environ["GCTB_BIN"]
        tmp = tempfile.mkdtemp()
        try:
            out = os.path.join(tmp, "stall.jsonl")
            env = dict(os.environ, GCTB_TEST_POLICIES="1")
            subprocess.run(
                [gctb, "run", os.path.join(here, "..", "e2e",
                                           "gcbench-small.json"),
                 "--out", out, "--quiet",
                 "--set", 'policy.name="test-delay"',
                 "--set", 'heap.size="64M"', "--set", 'verify="none"',
                 "--set", 'policy.options.kind="stall"',
                 "--set", "policy.options.delay_ms=20"],
                check=True, env=env)
            with open(out) as f:
                mx = json.loads(f.readline())["delay_stats"]["max_ns"]
            self.assertGreaterEqual(mx, 20_000_000)
            text = subprocess.run([gctb, "report", out, "--no-csv"],
                                  check=True, capture_output=True,
                                  text=True).stdout
            row = lead_table(text)["test-delay"]
            self.assertEqual(row["delay max"], tables.fmt(mx / 1e6))
            self.assertEqual(row["pause max"], "-")  # no world pause
        finally:
            shutil.rmtree(tmp)


if __name__ == "__main__":
    unittest.main()
