#!/usr/bin/env bash
# bdw_vs_libgc.sh [--instructions] BUILD_DIR [ROUNDS] [CHECK_EVERY] [HEAP]
#
# gctb's bdw policy against the same GCBench written directly on libgc
# (tests/bench/gcbench_libgc.c), classic parameters, a fixed heap (64M), 2
# marker threads, both ways the reference allocates (GC_MALLOC, and
# gc_inline.h's inline free lists). Issue 14 asks for bdw <= 1.10 x libgc.
#
# Timing (default): ROUNDS (5) interleaved rounds, the order rotated each
# round; prints the median wall time of each (gctb's record wall_ns, the
# reference's own wall_ns: stretch tree to final check, setup excluded),
# the ratios and the load average. Timings on a loaded machine are
# provisional.
#
# --instructions: one run of each under callgrind, counting only the
# benchmark itself (gctb's gcbench instance, the reference's gcbench_run()) on all
# threads; prints instructions per node built. Deterministic: the firm
# comparison.
#
# CHECK_EVERY (0: classic GCBench, which checks nothing but the kept tree
# and array at the end) is passed to both.
set -euo pipefail
instr=0
if [ "${1:-}" = "--instructions" ]; then
  instr=1
  shift
fi
if [ $# -lt 1 ] || [ $# -gt 4 ]; then
  echo "usage: bdw_vs_libgc.sh [--instructions] BUILD_DIR [ROUNDS] [CHECK_EVERY] [HEAP]" >&2
  exit 2
fi
build=$1 rounds=${2:-5} check=${3:-0} heap=${4:-64M}
here=$(cd "$(dirname "$0")" && pwd)
config=$here/../../configs/default.json
gctb=$build/gctb ref=$build/gcbench_libgc
for x in "$gctb" "$ref"; do
  [ -x "$x" ] || { echo "bdw_vs_libgc.sh: $x is not built" >&2; exit 2; }
done
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "bdw_vs_libgc.sh: ROUNDS must be a positive integer" >&2; exit 2; }
[[ "$check" =~ ^[0-9]+$ ]] || { echo "bdw_vs_libgc.sh: CHECK_EVERY must be an integer >= 0" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Runs one contender; prints its wall_ns (or, under callgrind, instructions).
run_gctb() {
  local out=$tmp/gctb.jsonl
  rm -f "$out"
  "${@}" "$gctb" run "$config" --quiet --out "$out" --set policy.name='"bdw"' \
    --set heap.size="\"$heap\"" --set gc_threads=2 --set verify='"none"' \
    --set workload.params.check_every="$check" >/dev/null
  "${PYTHON:-python3}" -c '
import json, sys
r = json.loads(open(sys.argv[1]).readline())
assert r["status"] == "ok", r.get("error")
print(r["wall_ns"], r["counters"]["collections"], r["workload"]["instance"],
      r["workload"]["nodes_built"])' "$out"
}
run_ref() {
  "${@:2}" "$ref" alloc="$1" heap="$heap" gc_threads=2 check_every="$check" |
    sed -E 's/.*wall_ns=([0-9]+) collections=([0-9]+) nodes_built=([0-9]+).*/\1 \2 - \3/'
}

names=(bdw libgc-malloc libgc-inline)
if [ $instr = 1 ]; then
  # callgrind's totals for the benchmark's own span, every thread.
  cg() {
    local out=$tmp/cg.out
    rm -f "$out"*
    local line
    line=$("$@")
    local total
    total=$(callgrind_annotate "$out" 2>/dev/null |
      awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
    echo "$total $line"
  }
  vg() { valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" \
    --toggle-collect="$1" "${@:2}"; }
  printf '%-14s %14s %10s %12s %s\n' contender instructions per-node collections nodes
  read -r i w c inst n < <(cg run_gctb vg 'gb_run_thread_*' 2>/dev/null)
  printf '%-14s %14s %10.1f %12s %s (instance %s)\n' bdw "$i" "$(awk -v a="$i" -v b="$n" 'BEGIN { print a / b }')" "$c" "$n" "$inst"
  bdw_i=$i
  for a in malloc inline; do
    read -r i w c inst n < <(cg run_ref "$a" vg gcbench_run 2>/dev/null)
    printf '%-14s %14s %10.1f %12s %s\n' "libgc-$a" "$i" "$(awk -v a="$i" -v b="$n" 'BEGIN { print a / b }')" "$c" "$n"
    printf '  bdw / libgc-%s: %.3f\n' "$a" "$(awk -v a="$bdw_i" -v b="$i" 'BEGIN { print a / b }')"
  done
  exit 0
fi

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for ((r = 0; r < rounds; r++)); do
  for ((k = 0; k < 3; k++)); do
    j=$(((k + r) % 3)) # rotate who goes first
    case $j in
    0) line=$(run_gctb) ;;
    1) line=$(run_ref malloc) ;;
    2) line=$(run_ref inline) ;;
    esac
    echo "${names[$j]} $line" >>"$tmp/times"
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
"${PYTHON:-python3}" - "$tmp/times" "$rounds" "$heap" "$check" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
med = {}
print(f"classic gcbench, heap {sys.argv[3]}, check_every {sys.argv[4]}, "
      f"median of {sys.argv[2]} interleaved rounds (provisional unless the "
      "machine was quiet)")
print(f"{'contender':14} {'median ms':>10} {'min ms':>8} {'max ms':>8} {'collections':>11}")
for name in ("bdw", "libgc-malloc", "libgc-inline"):
    ns = [int(r[1]) for r in rows if r[0] == name]
    gcs = sorted({r[2] for r in rows if r[0] == name})
    inst = sorted({r[3] for r in rows if r[0] == name} - {"-"})
    med[name] = statistics.median(ns)
    extra = f" (instance {','.join(inst)})" if inst else ""
    print(f"{name:14} {med[name] / 1e6:10.1f} {min(ns) / 1e6:8.1f} "
          f"{max(ns) / 1e6:8.1f} {','.join(gcs):>11}{extra}")
for ref in ("libgc-malloc", "libgc-inline"):
    print(f"bdw / {ref}: {med['bdw'] / med[ref]:.3f}")
PY
