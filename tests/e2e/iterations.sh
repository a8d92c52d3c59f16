#!/usr/bin/env bash
# iterations.sh GCTB CONFIG OUT_DIR
#
# In-process iterations: with {"warmup": 2, "measure": 3} the record lists
# five iterations, the first two marked warm-up, and its headline figures
# are those of the three measured ones together: their wall times add up to
# wall_ns, their collections to counters.collections, their world pauses
# to gc_ns, and three times a single run's objects were allocated. Nothing
# recorded starts before the measurement does.
set -euo pipefail
gctb=$1 config=$2 dir=$3
out=$dir/iterations.jsonl
mkdir -p "$dir"
rm -f "$out"
# GCTB_ITER_POLICIES replaces the list (no bdw under TSan: .ci/test).
policies=${GCTB_ITER_POLICIES:-"segfit bdw"}
for p in $policies; do
  common=(--quiet --out "$out" --set policy.name="\"$p\"" --set heap.size='"8M"'
          --set verify='"none"')
  "$gctb" run "$config" "${common[@]}"
  "$gctb" run "$config" "${common[@]}" --set 'iterations={"warmup": 2, "measure": 3}'
done
"${PYTHON:-python3}" - "$out" "$(echo $policies | wc -w)" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
assert len(rows) == 2 * int(sys.argv[2])
for one, many in zip(rows[0::2], rows[1::2]):
    pol = many["config"]["policy"]["name"]
    assert "iterations" not in one, "a single iteration lists none"
    it = many["iterations"]
    assert (it["warmup"], it["measure"]) == (2, 3), it
    runs = it["runs"]
    assert [r["warmup"] for r in runs] == [True, True, False, False, False]
    measured = runs[2:]
    wall = sum(r["wall_ns"] for r in measured)
    assert abs(wall - many["wall_ns"]) <= 0.02 * many["wall_ns"] + 1e6, (wall, many["wall_ns"])
    assert sum(r["collections"] for r in measured) == many["counters"]["collections"]
    assert sum(r["gc_ns"] for r in measured) == many["gc_ns"], (pol, many["gc_ns"])
    assert many["counters"]["objects_allocated"] == 3 * one["counters"]["objects_allocated"]
    assert all(p["start_ns"] >= 0 for p in many["pauses"]), "a warm-up pause leaked"
    assert many["config"]["iterations"] == {"warmup": 2, "measure": 3}
    print(f"iterations.sh: {pol}: ok: {len(runs)} iterations, "
          f"{many['counters']['collections']} measured collections")
PY
