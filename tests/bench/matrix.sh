#!/usr/bin/env bash
# Runs a benchmark matrix config (configs/bench-*.json: a base config, axes
# over dotted keys, a number of invocations) with every cell interleaved in
# each round, so the machine's drift spreads over all cells; then prints the
# median wall, mutator and GC time per cell and each cell's ratio to the
# first policy named "bdw" at the same other settings, if any.
# Usage: tests/bench/matrix.sh BUILD_DIR MATRIX.json [OUT.jsonl]
# (A stand-in until `gctb matrix` exists; it uses only the Python standard
# library.)
set -euo pipefail
build=$1
matrix=$2
out=${3:-$(mktemp --suffix=.jsonl)}
base=$(mktemp --suffix=.json)
python3 - "$matrix" "$base" >"$base.cells" <<'PY'
import itertools, json, sys
m = json.load(open(sys.argv[1]))
json.dump(m["base"], open(sys.argv[2], "w"))
keys = list(m["axes"])
for n in range(m.get("invocations", 1)):
    for values in itertools.product(*(m["axes"][k] for k in keys)):
        print(" ".join(f"--set {k}={json.dumps(v)}" for k, v in zip(keys, values)))
PY
while read -r args; do
  # shellcheck disable=SC2086
  "$build/gctb" run "$base" --quiet --out "$out" $args ||
    echo "matrix: run failed: $args" >&2
done <"$base.cells"
rm -f "$base" "$base.cells"
python3 - "$out" <<'PY'
import json, statistics, sys
from collections import defaultdict
runs = defaultdict(list)
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["status"] != "ok":
        continue
    c = r["config"]
    runs[(r["heap"]["size_bytes"] >> 20, c["policy"]["name"])].append(r)
med = lambda rs, k: statistics.median(x[k] for x in rs) / 1e6
print(f"{'heap MiB':>10} {'policy':>10} {'n':>3} {'wall ms':>9} {'mutator':>9} {'gc':>9} {'vs bdw':>7}")
for (heap, pol), rs in sorted(runs.items(), key=lambda kv: kv[0]):
    w = med(rs, "wall_ns")
    bdw = runs.get((heap, "bdw"))
    ratio = f"{w / med(bdw, 'wall_ns'):.2f}" if bdw else "-"
    print(f"{heap!s:>10} {pol:>10} {len(rs):>3} {w:9.1f} {med(rs, 'mutator_ns'):9.1f} {med(rs, 'gc_ns'):9.1f} {ratio:>7}")
print(f"records: {sys.argv[1]}")
PY
