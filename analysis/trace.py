#!/usr/bin/env python3
"""gctb trace RESULTS.jsonl [--run N] [--out FILE]: one run as a Chrome
JSON trace-event file for Perfetto (ui.perfetto.dev) or chrome://tracing.
RESULTS may be - (one record on standard input: what `gctb run --trace`
sends)."""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gctb_analysis import records, trace  # noqa: E402


def read_stdin():
    recs = []
    for n, line in enumerate(sys.stdin.read().splitlines(), 1):
        if line.strip():
            rec = json.loads(line)
            rec["_source"], rec["_line"] = "-", n
            recs.append(rec)
    return recs


def default_out(path, run):
    if path == "-":
        return "trace.json"
    base = path[:-len(".jsonl")] if path.endswith(".jsonl") else path
    return f"{base}-run{run}-trace.json" if run is not None \
        else base + "-trace.json"


def main(argv=None):
    ap = argparse.ArgumentParser(prog="gctb trace", description=__doc__)
    ap.add_argument("results", help="a JSON-lines result file, or -")
    ap.add_argument("--run", "-r", type=int, help="which record, from 0 "
                    "(negative: from the end; default the last)")
    ap.add_argument("--out", "-o", help="the trace file (default "
                    "RESULTS-trace.json, RESULTS-runN-trace.json with --run)")
    a = ap.parse_args(argv)
    if a.results != "-" and not os.path.isfile(a.results):
        print(f"gctb trace: no such file: {a.results}", file=sys.stderr)
        return 2
    try:
        recs = read_stdin() if a.results == "-" else \
            records.read_records([a.results])
    except ValueError as e:
        print(f"gctb trace: {a.results}: not JSON ({e})", file=sys.stderr)
        return 2
    if not recs:
        print(f"gctb trace: {a.results}: no records", file=sys.stderr)
        return 2
    index = -1 if a.run is None else a.run
    if not -len(recs) <= index < len(recs):
        print(f"gctb trace: --run {index}: {a.results} holds {len(recs)} "
              f"record(s) (0 to {len(recs) - 1})", file=sys.stderr)
        return 2
    rec = recs[index]
    if "wall_ns" not in rec:
        print(f"gctb trace: run {index % len(recs)} of {a.results} has no "
              f"measurements (status {rec.get('status')!r}: the run did not "
              "write its own record)", file=sys.stderr)
        return 2
    out = a.out or default_out(a.results, a.run)
    doc = trace.build_trace(rec, source=a.results, run=index % len(recs))
    with open(out, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {out} ({len(doc['traceEvents'])} events)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
