#!/usr/bin/env bash
# sweep_assist.sh GCTB CONFIG OUT
#
# Sweeping done by an allocating mutator is an assist (docs/delays.md):
# segfit with sweep "lazy" must record assist time, and with sweep "eager"
# (every pool swept inside the collector's pause, whose work is the
# pause's) none.
set -u
if [ $# -ne 3 ]; then
  echo "usage: sweep_assist.sh GCTB CONFIG OUT" >&2
  exit 2
fi
gctb=$1 config=$2 out=$3
: >"$out"
for sweep in lazy eager; do
  "$gctb" run "$config" --quiet --out "$out" --set policy.name='"segfit"' \
    --set heap.size='"4M"' --set policy.options.sweep="\"$sweep\"" || exit 1
done
"${PYTHON:-python3}" - "$out" <<'PY'
import json, sys
lazy, eager = (json.loads(l) for l in open(sys.argv[1]) if l.strip())
def sweeps(r):
    m = r["mutators"][0]
    logged = sum(d["duration_ns"] for d in r["delays"]
                 if d["kind"] == "assist" and d["phase"] == "sweep")
    return r["assist_ns"], m["small_assists"], logged
print("lazy: assist_ns, small assists, logged sweep ns =", sweeps(lazy))
print("eager:", sweeps(eager))
if lazy["cycles"] and sweeps(lazy)[0] <= 0:
    sys.exit("sweep_assist.sh: lazy sweeping by the mutator recorded no assist")
if sweeps(eager)[0] != 0:
    sys.exit("sweep_assist.sh: sweeping inside the pause counted as an assist")
print("sweep_assist.sh: ok")
PY
