#!/usr/bin/env bash
# delay_shown.sh GCTB CONFIG OUT KIND
#
# A policy that delays its mutator for 20 ms (the test-delay policy, kind
# stall, pace or assist) must show it: the record's delay_stats.max_ns is at
# least 20 ms and is the duration of that delay in the record's "delays"
# list, the matching per-kind sum counts it, and the summary's first figure
# ("delays     max ...") prints that same maximum. World pauses alone (none
# here) would show nothing.
set -u
if [ $# -ne 4 ]; then
  echo "usage: delay_shown.sh GCTB CONFIG OUT KIND" >&2
  exit 2
fi
gctb=$1 config=$2 out=$3 kind=$4
: >"$out"
summary=$(GCTB_TEST_POLICIES=1 "$gctb" run "$config" --out "$out" \
  --set policy.name='"test-delay"' --set heap.size='"64M"' \
  --set policy.options.kind="\"$kind\"" --set policy.options.delay_ms=20 \
  --set runqueue_sample_us=0) || {
  echo "delay_shown.sh: the run failed" >&2
  exit 1
}
printf '%s\n' "$summary"
SUMMARY=$summary "${PYTHON:-python3}" - "$out" "$kind" <<'PY'
import json, os, sys
rec = json.loads(open(sys.argv[1]).readline())
kind = sys.argv[2]
sums = {"stall": "stalled_ns", "pace": "paced_ns", "assist": "assist_ns"}
mx = rec["delay_stats"]["max_ns"]
mine = [d for d in rec["delays"] if d["kind"] == kind and d["phase"] == "test-delay"]
def fail(msg):
    sys.exit(f"delay_shown.sh: {msg}")
if mx < 20_000_000:
    fail(f"delay_stats.max_ns is {mx}, below the 20 ms delay")
if len(mine) != 1 or mine[0]["duration_ns"] != mx:
    fail(f"no single {kind} delay of {mx} ns in the delays list: {mine}")
if rec["mutators"][mine[0]["mutator"]]["delay_stats"]["max_ns"] != mx:
    fail("the delayed mutator's own delay_stats do not show it")
if rec[sums[kind]] < 20_000_000 or rec["gc_ns"] != 0:
    fail(f"{sums[kind]} = {rec[sums[kind]]}, gc_ns = {rec['gc_ns']}")
want = f"delays     max {mx / 1e6:.2f} ms"
first = [l for l in os.environ["SUMMARY"].splitlines() if l.startswith("  delays")]
if not first or want not in first[0]:
    fail(f"the summary does not lead with '{want}': {first}")
print(f"delay_shown.sh: ok ({kind}, {mx} ns)")
PY
