#!/usr/bin/env bash
# mt_gcbench_cost.sh BUILD_DIR [ROUNDS]
#
# Issue 14: "mt-gcbench under nogc costs no more per object than gcbench
# under nogc". Both workloads at the same sizes under nogc (no collection):
# gcbench with stretch depth 16, long-lived depth 14, short-lived depths
# 4..14, array 100000; mt-gcbench with 1 thread, iterations_depth 16 (the
# stretch depth's role in its iteration counts), the same depths and array,
# holes on (its default). Per object is per object allocated (the heap's
# objects_allocated: nodes, mt-gcbench's holes, the array).
#
# 1. Instructions per object, counted by callgrind in the workload's own
#    thread body only (gb_run_thread_*, mt_thread_* and what they call), for
#    check_every 1 (both workloads' default) and 0 (whippet's shape).
#    Deterministic: the firm comparison. Skipped without valgrind.
# 2. Mutator ns per object, median of ROUNDS (5; 0 skips) interleaved runs
#    of each at check_every 1 and 0, with the load average before and after:
#    wall (the record's mutator_ns) and on-CPU (the mutator thread's time
#    less its run-queue waits, steadier on a shared machine). Provisional
#    unless the machine was quiet.
set -euo pipefail
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: mt_gcbench_cost.sh BUILD_DIR [ROUNDS]" >&2
  exit 2
fi
build=$1 rounds=${2:-5}
[[ "$rounds" =~ ^[0-9]+$ ]] || { echo "mt_gcbench_cost.sh: ROUNDS must be an integer >= 0" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
config=$here/../../configs/default.json
gctb=$build/gctb
[ -x "$gctb" ] || { echo "mt_gcbench_cost.sh: $gctb is not built" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

gcbench=(--set workload.name='"gcbench"' --set workload.params.stretch_depth=16
  --set workload.params.long_lived_depth=14 --set workload.params.max_depth=14
  --set workload.params.array_size=100000)
mt_gcbench=(--set workload.name='"mt-gcbench"' --set workload.params.threads=1
  --set workload.params.iterations_depth=16
  --set workload.params.long_lived_depth=14 --set workload.params.max_depth=14
  --set workload.params.array_size=100000)

# run WORKLOAD CHECK_EVERY [command prefix...]: one run; prints
# "mutator_ns on_cpu_ns objects instance bytes" (on_cpu_ns: the mutator threads'
# mutator time less their run-queue waits, from the record's mutators[]).
run() {
  local w=$1 check=$2 out=$tmp/run.jsonl
  shift 2
  local -n params=${w//-/_}
  rm -f "$out"
  "$@" "$gctb" run "$config" --quiet --out "$out" --set policy.name='"nogc"' \
    --set heap.size='"512M"' --set gc_threads=1 --set verify='"none"' \
    "${params[@]}" --set workload.params.check_every="$check" >/dev/null
  "${PYTHON:-python3}" -c '
import json, sys
r = json.loads(open(sys.argv[1]).readline())
assert r["status"] == "ok", r.get("error")
assert r["counters"]["collections"] == 0, "nogc collected"
oncpu = sum(m["mutator_ns"] for m in r["mutators"])
print(r["mutator_ns"], oncpu, r["counters"]["objects_allocated"],
      r["workload"]["instance"], r["counters"]["bytes_allocated"])' "$out"
}

if command -v valgrind >/dev/null && command -v callgrind_annotate >/dev/null; then
  echo "instructions per object (callgrind, the workload's thread body only)"
  printf '%-11s %11s %14s %10s %12s %s\n' workload check_every instructions objects per-object instance
  for check in 1 0; do
    for w in gcbench mt-gcbench; do
      case $w in
      gcbench) fn='gb_run_thread_*' ;;
      mt-gcbench) fn='mt_thread_*' ;;
      esac
      read -r _ _ objects inst _ < <(run "$w" "$check" valgrind --tool=callgrind \
        --callgrind-out-file="$tmp/cg.out" --toggle-collect="$fn" 2>/dev/null)
      instr=$(callgrind_annotate "$tmp/cg.out" 2>/dev/null |
        awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
      rm -f "$tmp"/cg.out*
      printf '%-11s %11s %14s %10s %12.1f %s\n' "$w" "$check" "$instr" "$objects" \
        "$(awk -v a="$instr" -v b="$objects" 'BEGIN { print a / b }')" "$inst"
    done
  done
else
  echo "mt_gcbench_cost.sh: valgrind not found, instruction counts skipped"
fi

[ "$rounds" -gt 0 ] || exit 0
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
names=(gcbench mt-gcbench)
for ((r = 0; r < rounds; r++)); do
  for check in 1 0; do
    for ((k = 0; k < 2; k++)); do
      w=${names[$(((k + r) % 2))]} # alternate who goes first
      echo "$w $check $(run "$w" "$check")" >>"$tmp/times"
    done
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
"${PYTHON:-python3}" - "$tmp/times" "$rounds" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
print(f"mutator ns per object, median of {sys.argv[2]} interleaved rounds: "
      "wall (the record's mutator_ns) and on-CPU (less run-queue waits)")
print(f"{'workload':11} {'check_every':>11} {'wall':>8} {'min':>8} {'max':>8}"
      f" {'on-CPU':>8} {'min':>8} {'max':>8} {'bytes/object':>12}")
for check in ("1", "0"):
    med = {}
    for w in ("gcbench", "mt-gcbench"):
        sel = [r for r in rows if r[0] == w and r[1] == check]
        wall = [int(r[2]) / int(r[4]) for r in sel]
        cpu = [int(r[3]) / int(r[4]) for r in sel]
        med[w] = (statistics.median(wall), statistics.median(cpu))
        per = int(sel[0][6]) / int(sel[0][4])
        print(f"{w:11} {check:>11} {med[w][0]:8.2f} {min(wall):8.2f} "
              f"{max(wall):8.2f} {med[w][1]:8.2f} {min(cpu):8.2f} {max(cpu):8.2f}"
              f" {per:12.1f}")
    print(f"mt-gcbench / gcbench, check_every {check}: wall "
          f"{med['mt-gcbench'][0] / med['gcbench'][0]:.3f}, on-CPU "
          f"{med['mt-gcbench'][1] / med['gcbench'][1]:.3f}")
PY
