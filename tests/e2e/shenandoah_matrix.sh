#!/usr/bin/env bash
# shenandoah_matrix.sh GCTB OUT [--set ...]
#
# Every workload (scaled down, tests/e2e/workloads/ and gcbench-small) under
# shenandoah and shenandoah-brooks, with the verifier after every cycle and
# again in stress mode, with 1 and 4 mutator threads where the workload has
# a threads parameter (quads, gcold and fragger are single-threaded), in
# heaps of the common lists' sizes (3x for 4 threads). Exits 1 if any run
# fails. Label long: run it with a sanitizer build as well.
set -u
gctb=$1 out=$2
shift 2
dir=$(dirname "$0")
declare -A heap=([gcbench]=4 [mt-gcbench]=8 [binary-trees]=4 [quads]=4
                 [gcold]=6 [lifetimes]=10 [server]=6 [fragger]=12)
threaded=" gcbench mt-gcbench binary-trees lifetimes server "
fail=0
for wl in gcbench mt-gcbench binary-trees quads gcold lifetimes server fragger; do
  config=$dir/workloads/$wl.json
  [ "$wl" = gcbench ] && config=$dir/gcbench-small.json
  for policy in shenandoah shenandoah-brooks; do
    for threads in 1 4; do
      args=()
      mb=${heap[$wl]}
      if [[ "$threaded" == *" $wl "* ]]; then
        args+=(--set workload.params.threads=$threads)
        [ "$threads" = 4 ] && mb=$((mb * 3))
      elif [ "$threads" = 4 ]; then
        continue
      fi
      for mode in verify stress; do
        extra=(--set verify=\"after-gc\")
        [ "$mode" = stress ] && extra+=(--set stress.every_allocs=3000)
        if ! msg=$("$gctb" run "$config" --quiet --out "$out" \
          --set policy.name=\"$policy\" --set heap.size=\"${mb}M\" \
          "${args[@]}" "${extra[@]}" "$@" 2>&1); then
          echo "FAIL $wl $policy threads=$threads $mode: $msg" | head -3
          fail=1
        fi
      done
    done
  done
done
exit $fail
