#!/usr/bin/env python3
"""gctb plot RESULTS.jsonl... [--allow-mixed] [--out DIR]: the figures of
docs/analysis.md as PNG and SVG, and figures.json listing them. Refuses
(exit 2) to pool records from different builds, machines, verify or stress
settings unless --allow-mixed, as gctb report does."""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gctb_analysis import cells, provenance, records  # noqa: E402


def default_dir(path, suffix):
    base = path[:-len(".jsonl")] if path.endswith(".jsonl") else path
    return base + suffix


def main(argv=None):
    ap = argparse.ArgumentParser(prog="gctb plot", description=__doc__)
    ap.add_argument("results", nargs="+", help="JSON-lines result files")
    ap.add_argument("--out", "-o", help="output folder (default "
                    "RESULTS-plots/ beside the first results file)")
    ap.add_argument("--allow-mixed", action="store_true",
                    help="pool records of different builds, machines, verify "
                    "or stress settings, with a warning instead of an error")
    a = ap.parse_args(argv)
    try:
        from gctb_analysis import figures
    except ImportError as e:
        print(f"gctb plot: {e}: this interpreter ({sys.executable}) cannot "
              "draw; install matplotlib or set GCTB_PYTHON", file=sys.stderr)
        return 2
    missing = [p for p in a.results if not os.path.isfile(p)]
    if missing:
        print(f"gctb plot: no such file: {', '.join(missing)}", file=sys.stderr)
        return 2
    recs = records.read_records(a.results)
    if not recs:
        print("gctb plot: no records", file=sys.stderr)
        return 1
    if not provenance.check_pooling(
            recs, a.allow_mixed, lambda m: print(m, file=sys.stderr),
            "gctb plot"):
        return 2
    out = a.out or default_dir(a.results[0], "-plots")
    made = figures.plot_all(cells.Analysis(recs), out)
    with open(os.path.join(out, "figures.json"), "w") as f:
        json.dump(made, f, indent=1)
    for m in made:
        for p in m["files"]:
            print(p)
    print(f"{sum(len(m['files']) for m in made)} files from {len(recs)} "
          f"records; index: {os.path.join(out, 'figures.json')}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
