#!/usr/bin/env bash
# soak.sh SECONDS [GCTB] [OUTDIR]
#
# A randomized soak: until SECONDS have passed, runs one scaled-down
# workload (tests/e2e/workloads/, tests/e2e/gcbench-small.json) after
# another under a random policy, seed, number of mutator threads, number
# of GC threads and stress interval, always with the verifier before and
# after every collection. Every run that does not end "ok" is a failure:
# it is logged with the one command that reproduces it. Rare failures
# (a stale value once in a thousand runs) are what this is for; CI runs it
# briefly (ctest label soak), a person for an hour or a night.
#
#   GCTB      the gctb to run (default: build/gctb beside this tree)
#   OUTDIR    where the logs go (default: soak-<UTC time>/ here)
#
# Environment:
#   GCTB_SOAK_SEED      seed of the random choices (default: from the clock;
#                       the same seed makes the same sequence of runs)
#   GCTB_SOAK_POLICIES  policies to draw from (default: all of `gctb list`)
#   GCTB_SOAK_TIMEOUT   seconds per run before it counts as a hang (300)
#   GCTB_SOAK_RUNS      stop after this many runs even before SECONDS (with
#                       a fixed seed: the same runs before and after a change)
#   GCTB_SOAK_MULTIPLE  heap as this multiple of each workload's declared
#                       live size (heap.multiple, the same bytes for every
#                       policy) instead of the roomy fixed heaps below
#   GCTB_SOAK_STRESS    "always": every run in stress mode (default: a mix)
#
# Files in OUTDIR: soak.log (one line per run), failures.log (each
# failure: its reproduction and the end of its standard error),
# failures.jsonl (the failed runs' records, when they wrote one: `gctb run
# --repro failures.jsonl:N` runs one again), summary.txt (counts and every
# reproduction).
# Exit status: 0 when every run was ok, 1 when any failed, 2 bad usage.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
if [ $# -lt 1 ] || ! [[ $1 =~ ^[0-9]+$ ]]; then
  echo "usage: soak.sh SECONDS [GCTB] [OUTDIR]" >&2
  exit 2
fi
seconds=$1
gctb=${2:-$here/../build/gctb}
out=${3:-soak-$(date -u +%Y%m%dT%H%M%SZ)}
timeout_s=${GCTB_SOAK_TIMEOUT:-300}
seed=${GCTB_SOAK_SEED:-$(($(date +%s) % 1000000))}
max_runs=${GCTB_SOAK_RUNS:-0}
multiple=${GCTB_SOAK_MULTIPLE:-}
if ! [[ $max_runs =~ ^[0-9]+$ ]] ||
  { [ -n "$multiple" ] && ! [[ $multiple =~ ^[0-9]+(\.[0-9]+)?$ ]]; }; then
  echo "soak.sh: GCTB_SOAK_RUNS must be a count and GCTB_SOAK_MULTIPLE a" \
    "positive number" >&2
  exit 2
fi
if ! [ -x "$gctb" ]; then
  echo "soak.sh: $gctb is not an executable gctb" >&2
  exit 2
fi
mkdir -p "$out"
gctb=$(cd "$(dirname "$gctb")" && pwd)/$(basename "$gctb")
RANDOM=$seed

policies=${GCTB_SOAK_POLICIES:-$("$gctb" list |
  awk '/^workloads/ { exit } /^  [a-z]/ { print $1 }')}
read -r -a policies <<<"$(echo $policies)"
configs=("$here"/e2e/workloads/*.json "$here"/e2e/gcbench-small.json)
# Heaps (MiB) for one mutator, from tests/e2e/workloads.cmake with room to
# spare; scaled below for threads.
declare -A heap_mib=([gcbench]=8 [mt-gcbench]=16 [binary-trees]=8 [quads]=8
  [gcold]=12 [lifetimes]=20 [server]=12 [fragger]=24)
threaded=" gcbench mt-gcbench binary-trees lifetimes server "

# pick ELEMENTS...: sets picked to one at random. Not $(pick ...): RANDOM in
# a command substitution's subshell does not advance the parent's, and bash
# reseeds it there, so the same seed would not make the same runs.
pick() {
  local a=("$@")
  picked=${a[RANDOM % ${#a[@]}]}
}

runs=0 failed=0
declare -A by_status=()
deadline=$(($(date +%s) + seconds))
echo "soak: seed $seed, ${#policies[@]} policies, ${#configs[@]} workloads," \
  "$seconds s, $gctb" | tee "$out/soak.log"
: >"$out/failures.log"

while [ "$(date +%s)" -lt "$deadline" ] &&
  { [ "$max_runs" -eq 0 ] || [ "$runs" -lt "$max_runs" ]; }; do
  pick "${configs[@]}"
  config=$picked
  wl=$(basename "$config" .json)
  [ "$wl" = gcbench-small ] && wl=gcbench
  pick "${policies[@]}"
  policy=$picked
  run_seed=$((RANDOM * 32768 + RANDOM))
  threads=1
  if [[ $threaded == *" $wl "* ]]; then
    pick 1 1 2 3 4
    threads=$picked
  fi
  pick 1 2 3
  gc_threads=$picked
  pick none none allocs allocs bytes
  stress=$picked
  if [ "${GCTB_SOAK_STRESS:-}" = always ]; then
    pick allocs allocs bytes
    stress=$picked
  fi
  mib=${heap_mib[$wl]}
  mib=$((mib * threads))
  [ "$policy" = nogc ] && mib=$((256 * threads))

  heap=(--set "heap.size=\"${mib}M\"")
  [ -n "$multiple" ] && heap=(--set "heap.multiple=$multiple")
  sets=(--set "policy.name=\"$policy\"" "${heap[@]}"
    --set "seed=$run_seed" --set "gc_threads=$gc_threads"
    --set "verify=\"before-and-after-gc\"")
  [[ $threaded == *" $wl "* ]] &&
    sets+=(--set "workload.params.threads=$threads")
  case $stress in
  allocs)
    pick 1000 5000 20000
    sets+=(--set "stress.every_allocs=$picked")
    ;;
  bytes)
    pick 64K 256K 1M
    sets+=(--set "stress.every_bytes=\"$picked\"")
    ;;
  esac

  runs=$((runs + 1))
  t0=$(date +%s%N)
  : >"$out/record.tmp"
  timeout -k 10 "$timeout_s" "$gctb" run "$config" "${sets[@]}" --quiet \
    --out "$out/record.tmp" 2>"$out/stderr.tmp"
  rc=$?
  ms=$((($(date +%s%N) - t0) / 1000000))
  case $rc in
  0) status=ok ;;
  1) status=error ;;
  2) status=invalid ;;
  3) status=oom ;;
  124) status=timeout ;;
  *) status="crash(exit:$rc)" ;;
  esac
  by_status[$status]=$((${by_status[$status]:-0} + 1))
  desc="$policy $wl threads=$threads gc_threads=$gc_threads stress=$stress"
  printf '%6d %-16s %7d ms  %s\n' "$runs" "$status" "$ms" "$desc" \
    >>"$out/soak.log"
  if [ "$status" != ok ]; then
    failed=$((failed + 1))
    repro="$gctb run $config"
    for s in "${sets[@]}"; do repro+=" '$s'"; done
    {
      echo "FAIL run $runs: $status after $ms ms: $desc"
      echo "  repro: $repro --out repro.jsonl"
      if [ -s "$out/record.tmp" ]; then
        cat "$out/record.tmp" >>"$out/failures.jsonl"
        echo "  record: $out/failures.jsonl:$(wc -l <"$out/failures.jsonl")"
      fi
      tail -n 5 "$out/stderr.tmp" | sed 's/^/  | /'
    } >>"$out/failures.log"
  fi
done
rm -f "$out/stderr.tmp" "$out/record.tmp"

{
  echo "soak: seed $seed, $seconds s, $gctb"
  echo "runs: $runs, failures: $failed"
  for s in "${!by_status[@]}"; do echo "  $s: ${by_status[$s]}"; done
  echo "by policy (runs, then each status):"
  awk '/^ *[0-9]+ / { n[$5]++; k[$5 " " $2]++ }
    END { for (p in n) { printf "  %-18s %4d", p, n[p]
            for (x in k) { split(x, a, " ")
              if (a[1] == p) printf "  %s %d", a[2], k[x] }
            print "" } }' "$out/soak.log" | sort
  if [ "$failed" -gt 0 ]; then
    echo "failures (reproduce with the repro line):"
    grep -E '^(FAIL|  repro:|  record:)' "$out/failures.log"
  fi
} | tee "$out/summary.txt"
[ "$failed" -eq 0 ]
