#!/usr/bin/env bash
# fair_counts.sh GCTB CONFIG OUT HEAP NOGC_HEAP
#
# Fair cost accounting over all 12 policies (docs/results-format.md): runs
# CONFIG under each (verifier off; HEAP, twice that for the on-the-fly
# policies, NOGC_HEAP for nogc) and passes only if every run ends "ok" and
#  - the work is the same: counters.bytes_allocated (requested bytes),
#    counters.objects_allocated and workload.work are equal across policies,
#    while bytes_allocated_policy may differ;
#  - GC CPU is counted once: gc_cpu_ns equals the sum of the cycles'
#    gc_cpu_ns plus gc_cpu_other_ns, and a policy that collected reports
#    CPU time for every cycle.
set -u
if [ $# -ne 5 ]; then
  echo "usage: fair_counts.sh GCTB CONFIG OUT HEAP NOGC_HEAP" >&2
  exit 2
fi
gctb=$1 config=$2 out=$3 heap=$4 nogc_heap=$5
# GCTB_FAIR_POLICIES replaces the list (the TSan build leaves bdw out:
# libgc's signal-based stop-the-world cannot run under TSan, .ci/test).
policies=${GCTB_FAIR_POLICIES:-"nogc semispace segfit bdw satb immix sticky-immix
          handle-copy otf otf-gen shenandoah shenandoah-brooks"}
npolicies=$(echo $policies | wc -w)
: >"$out"
mib=${heap%M}
for p in $policies; do
  h=$heap
  case $p in
  nogc) h=$nogc_heap ;;
  otf*) h=$((mib * 2))M ;;
  esac
  if ! "$gctb" run "$config" --quiet --out "$out" --set policy.name="\"$p\"" \
    --set heap.size="\"$h\"" --set verify='"none"'; then
    echo "fair_counts.sh: the run under $p failed" >&2
    exit 1
  fi
done
"${PYTHON:-python3}" - "$out" "$npolicies" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
bad = []
def policy(r): return r["config"]["policy"]["name"]
if len(recs) != int(sys.argv[2]):
    sys.exit(f"fair_counts.sh: expected {sys.argv[2]} records, found {len(recs)}")
work = {}
for r in recs:
    p, c = policy(r), r["counters"]
    if r["status"] != "ok":
        bad.append(f"{p}: status {r['status']}")
    work[p] = (c["bytes_allocated"], c["objects_allocated"],
               json.dumps(r["workload"].get("work"), sort_keys=True))
    cycles = sum(cy["gc_cpu_ns"] for cy in r["cycles"])
    if r["gc_cpu_ns"] != cycles + r["gc_cpu_other_ns"]:
        bad.append(f"{p}: gc_cpu_ns {r['gc_cpu_ns']} != cycles {cycles} "
                   f"+ other {r['gc_cpu_other_ns']}")
    if any(cy["gc_cpu_ns"] <= 0 for cy in r["cycles"]):
        bad.append(f"{p}: a cycle with no CPU time")
    if r["workload"].get("work") is None:
        bad.append(f"{p}: no workload.work")
    print(f"{p:18} requested {c['bytes_allocated']:>11} policy "
          f"{c['bytes_allocated_policy']:>11} work {work[p][2]} "
          f"cycles {len(r['cycles']):>4} gc_cpu_ns {r['gc_cpu_ns']}")
if len(set(work.values())) != 1:
    bad.append(f"the policies did different work: {sorted(set(work.values()))}")
if bad:
    sys.exit("fair_counts.sh: " + "; ".join(bad))
print("fair_counts.sh: ok")
PY
