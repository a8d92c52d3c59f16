#!/usr/bin/env bash
# plot_check.sh GCTB RESULTS.jsonl DIR KIND...
#
# Runs `gctb plot` and `gctb report` on RESULTS into DIR and checks that
# every figure KIND (pauses, mmu, time, throughput, lbo, latency) was drawn
# for some benchmark, as a non-empty PNG and SVG, and that the report wrote
# its CSV files. Exits 77 (skipped) when no Python has matplotlib.
set -euo pipefail
gctb=$1 results=$2 dir=$3
shift 3
rm -rf "$dir"
if ! "$gctb" plot "$results" --out "$dir/plots" >"$dir.plot.log" 2>&1; then
  cat "$dir.plot.log" >&2
  grep -q "no Python 3 interpreter" "$dir.plot.log" && exit 77
  exit 1
fi
"$gctb" report "$results" --out "$dir/report" >"$dir.report.txt"
"${PYTHON:-python3}" - "$dir" "$@" <<'PY'
import json, os, sys
d, kinds = sys.argv[1], set(sys.argv[2:])
made = json.load(open(os.path.join(d, "plots", "figures.json")))
got = {m["kind"] for m in made}
assert kinds <= got, f"missing figures: {sorted(kinds - got)}"
for m in made:
    assert len(m["files"]) == 2, m
    for p in m["files"]:
        assert os.path.getsize(p) > 1000, f"{p} is (nearly) empty"
for name in ("cells.csv", "runs.csv", "mmu.csv"):
    assert os.path.getsize(os.path.join(d, "report", name)) > 100, name
print(f"plot_check.sh: ok: {len(made)} figures: {sorted(got)}")
for m in made:
    for p in m["files"]:
        print("  " + p)
PY
