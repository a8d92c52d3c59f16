#!/usr/bin/env python3
"""gctb report RESULTS.jsonl... [--baseline POLICY] [--allow-mixed]
[--out DIR] [--no-csv]: the numbers behind the figures as tables, and as
CSV files (cells, runs, delays, mmu, latency, ratios). Refuses (exit 2) to
pool records from different builds, machines, verify or stress settings
unless --allow-mixed; see docs/analysis.md."""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gctb_analysis import cells, provenance, records, tables  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(prog="gctb report", description=__doc__)
    ap.add_argument("results", nargs="+", help="JSON-lines result files")
    ap.add_argument("--out", "-o", help="CSV folder (default RESULTS-report/ "
                    "beside the first results file)")
    ap.add_argument("--no-csv", action="store_true", help="tables only")
    ap.add_argument("--baseline", metavar="POLICY",
                    help="compare every policy with this one: paired ratios "
                    "with 95%% Fieller intervals")
    ap.add_argument("--allow-mixed", action="store_true",
                    help="pool records of different builds, machines, verify "
                    "or stress settings, with a warning instead of an error")
    a = ap.parse_args(argv)

    def err(msg):
        print(msg, file=sys.stderr)
    missing = [p for p in a.results if not os.path.isfile(p)]
    if missing:
        err(f"gctb report: no such file: {', '.join(missing)}")
        return 2
    recs = records.read_records(a.results)
    if not recs:
        err("gctb report: no records")
        return 1
    if not provenance.check_pooling(recs, a.allow_mixed, err,
                                    "gctb report"):
        return 2
    analysis = cells.Analysis(recs)
    if a.baseline:
        policies = sorted({c.policy for b in analysis.benchmarks
                           for c in b.cells.values()})
        if a.baseline not in policies:
            err(f"gctb report: --baseline {a.baseline}: no such policy in "
                f"the records (they have: {', '.join(policies)})")
            return 2
    first = a.results[0]
    base = first[:-len(".jsonl")] if first.endswith(".jsonl") else first
    out = None if a.no_csv else (a.out or base + "-report")
    written = tables.report(analysis, sys.stdout, out, baseline=a.baseline)
    for p in written:
        err(f"wrote {p}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
