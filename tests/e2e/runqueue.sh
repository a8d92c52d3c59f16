#!/usr/bin/env bash
# runqueue.sh GCTB CONFIG OUT
#
# Time a mutator waits for a CPU is a delay it sees (heap/runqueue.h). With
# gctb and a busy loop pinned to the same CPU, the mutator must wait on the
# run queue: the record's runqueue_ns is positive, equals the sum of its
# "runqueue" delays, and those lie within the run. With the sampler off
# ("runqueue_sample_us": 0) there is none. The longest step of gcold is
# decomposed ("worst_step"): its delays fit inside it.
set -u
if [ $# -ne 3 ]; then
  echo "usage: runqueue.sh GCTB CONFIG OUT" >&2
  exit 2
fi
gctb=$1 config=$2 out=$3
cpu=$(taskset -pc $$ | sed 's/.*: *//; s/[,-].*//')
taskset -c "$cpu" sh -c 'while :; do :; done' &
busy=$!
trap 'kill $busy 2>/dev/null' EXIT # (no exec below: it would drop the trap)
: >"$out"
for period in 1000 0; do
  taskset -c "$cpu" "$gctb" run "$config" --quiet --out "$out" \
    --set policy.name='"segfit"' --set runqueue_sample_us=$period || {
    echo "runqueue.sh: the run with runqueue_sample_us $period failed" >&2
    exit 1
  }
done
"${PYTHON:-python3}" - "$out" <<'PY'
import json, sys
on, off = [json.loads(l) for l in open(sys.argv[1])]
def fail(msg):
    sys.exit(f"runqueue.sh: {msg}")
rq = [d for d in on["delays"] if d["kind"] == "runqueue"]
if on["runqueue_ns"] <= 0 or not rq:
    fail(f"no runqueue wait recorded beside a busy loop on the same CPU: {on['runqueue_ns']}")
if sum(d["duration_ns"] for d in rq) != on["runqueue_ns"]:
    fail("runqueue_ns is not the sum of the runqueue delays")
wall = on["wall_ns"]
for d in rq:
    if d["start_ns"] < 0 or d["start_ns"] + d["duration_ns"] > wall + 50_000_000:
        fail(f"a runqueue delay outside the run: {d}")
if off["runqueue_ns"] != 0 or any(d["kind"] == "runqueue" for d in off["delays"]):
    fail("runqueue waits recorded with the sampler off")
if on["config"]["runqueue_sample_us"] != 1000 or off["config"]["runqueue_sample_us"] != 0:
    fail("the config does not record the sampling period")
w = on.get("worst_step")
if not w or w["duration_ns"] != on["workload"]["max_step_ns"]:
    fail(f"no worst_step matching the workload's longest step: {w}")
if w["delays_ns"] > w["duration_ns"]:
    fail(f"more delay within the longest step than its length: {w}")
print(f"runqueue waits: {len(rq)}, {on['runqueue_ns']/1e6:.1f} ms of {wall/1e6:.1f} ms; "
      f"worst step {w['duration_ns']/1e6:.2f} ms, delays {w['delays_ns']/1e6:.2f} ms")
PY
rc=$?
kill $busy 2>/dev/null
exit $rc
