#!/usr/bin/env python3
"""gctb report RESULTS.jsonl... [--out DIR] [--no-csv]: the numbers behind
the figures as tables, and as CSV files (cells, runs, mmu, latency)."""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gctb_analysis import cells, records, tables  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(prog="gctb report", description=__doc__)
    ap.add_argument("results", nargs="+", help="JSON-lines result files")
    ap.add_argument("--out", "-o", help="CSV folder (default RESULTS-report/ "
                    "beside the first results file)")
    ap.add_argument("--no-csv", action="store_true", help="tables only")
    a = ap.parse_args(argv)
    missing = [p for p in a.results if not os.path.isfile(p)]
    if missing:
        print(f"gctb report: no such file: {', '.join(missing)}", file=sys.stderr)
        return 2
    recs = records.read_records(a.results)
    if not recs:
        print("gctb report: no records", file=sys.stderr)
        return 1
    first = a.results[0]
    base = first[:-len(".jsonl")] if first.endswith(".jsonl") else first
    out = None if a.no_csv else (a.out or base + "-report")
    written = tables.report(cells.Analysis(recs), sys.stdout, out)
    for p in written:
        print(f"wrote {p}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
