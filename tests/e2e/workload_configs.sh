#!/usr/bin/env bash
# workload_configs.sh GCTB CONFIG_DIR OUT POLICY...
#
# Runs every workload's example config (CONFIG_DIR/<workload>.json and the
# GCOld parameter sets in CONFIG_DIR/gcold/) under each POLICY at a heap of
# 3x the workload's declared live size, with the config's own verification
# setting; passes if every run ends "ok". nogc never collects, so at 3x it
# may also end out of memory (exit 3) once a workload has allocated more
# than the heap; that counts as expected. Prints one line per run.
set -u
if [ $# -lt 4 ]; then
  echo "usage: workload_configs.sh GCTB CONFIG_DIR OUT POLICY..." >&2
  exit 2
fi
gctb=$1 dir=$2 out=$3
shift 3
: >"$out"
failed=0
for config in "$dir"/{mt-gcbench,binary-trees,quads,gcold,lifetimes,server,fragger}.json \
  "$dir"/gcold/*.json; do
  for policy in "$@"; do
    start=$(date +%s%N)
    "$gctb" run "$config" --quiet --out "$out" --set policy.name="\"$policy\"" \
      --set heap.multiple=3
    status=$?
    ms=$((($(date +%s%N) - start) / 1000000))
    printf '%-30s %-13s exit %d  %7d ms\n' "${config#$dir/}" "$policy" \
      "$status" "$ms"
    if [ "$status" -ne 0 ] &&
      ! { [ "$policy" = nogc ] && [ "$status" -eq 3 ]; }; then
      failed=1
    fi
  done
done
exit $failed
