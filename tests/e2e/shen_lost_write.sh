#!/usr/bin/env bash
# shen_lost_write.sh GCTB CONFIG OUT
#
# shenandoah-brooks with the test-only unsafe_no_copy_on_write: writes go to
# the address a mutator holds, so one can land in a from-space copy after it
# was copied and be lost (the Shenandoah seed's refA/refB). Whether a run hits that
# window depends on timing, so up to 8 seeds run; the test passes as soon as
# the verifier's contents check names a from-space copy written after it was
# copied (the workload checks its trees only at the end, so the verifier,
# which looks at every cycle, comes first), and fails if no run is caught
# that way.
set -u
gctb=$1 config=$2 out=$3
for seed in 1 2 3 4 5 6 7 8; do
  msg=$("$gctb" run "$config" --quiet --out "$out" \
    --set policy.name=\"shenandoah-brooks\" --set heap.size=\"10M\" \
    --set verify=\"after-gc\" --set seed=$seed \
    --set workload.params.check_every=0 \
    --set policy.options.unsafe_no_copy_on_write=true 2>&1)
  if echo "$msg" | grep -q "was written after it was copied"; then
    echo "seed $seed: $msg"
    exit 0
  fi
done
echo "no run caught the lost write" >&2
exit 1
