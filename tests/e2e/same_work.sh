#!/usr/bin/env bash
# same_work.sh GCTB CONFIG OUT POLICY_A HEAP_A POLICY_B HEAP_B
#
# The determinism test of the workload suite: runs CONFIG under two policies
# with the same seed and passes only if both runs end "ok" and did the same
# work: the same allocation count (the heap's own counter and the
# workload's) and the same workload checksum (a hash of every allocation's
# kind and size and every reference store, in order; workloads/common.h).
# A third run with another seed must give a different checksum, so that a
# checksum that ignores its input cannot pass.
set -u
if [ $# -ne 7 ]; then
  echo "usage: same_work.sh GCTB CONFIG OUT POLICY_A HEAP_A POLICY_B HEAP_B" >&2
  exit 2
fi
gctb=$1 config=$2 out=$3
: >"$out"

run() { # policy heap [extra --set ...]
  local policy=$1 heap=$2
  shift 2
  if ! "$gctb" run "$config" --quiet --out "$out" --set policy.name="\"$policy\"" \
    --set heap.size="\"$heap\"" "$@"; then
    echo "same_work.sh: the run under $policy failed" >&2
    exit 1
  fi
}

run "$4" "$5"
run "$6" "$7"
run "$4" "$5" --set seed=987654321

"${PYTHON:-python3}" - "$out" "$4" "$6" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
if len(recs) != 3:
    sys.exit(f"same_work.sh: expected 3 records, found {len(recs)}")
def work(r):
    w = r["workload"]
    return (r["status"], r["counters"]["objects_allocated"], w["allocations"],
            w["ref_stores"], w["checksum"])
a, b, other = (work(r) for r in recs)
print(f"{sys.argv[2]}: status, objects, allocations, stores, checksum = {a}")
print(f"{sys.argv[3]}: status, objects, allocations, stores, checksum = {b}")
print(f"{sys.argv[2]}, another seed: checksum {other[4]}")
if a[0] != "ok" or b[0] != "ok":
    sys.exit("same_work.sh: a run did not end ok")
if a != b:
    sys.exit("same_work.sh: the two policies did different work")
if other[4] == a[4]:
    sys.exit("same_work.sh: another seed gave the same checksum")
print("same_work.sh: ok")
PY
