#!/usr/bin/env bash
# Instructions per reference store and per reference load on each policy's
# inline barrier sequence, with no collection running, counted by callgrind
# (deterministic, unaffected by machine noise). The loops are compiled per
# family (tests/bench/barrier_body.h), as the workloads' hot code is; the
# empty loop's count is subtracted.
# Usage: tests/bench/barrier_fastpath.sh BUILD_DIR [N] [POLICY...]
# (default: every policy `gctb list` names).
set -euo pipefail
build=${1:-build}
n=${2:-1000000}
shift 2 || true
policies=("$@")
if [ ${#policies[@]} -eq 0 ]; then
  mapfile -t policies < <("$build/gctb" list | awk '/^policies/ {on = 1; next}
    /^[a-z]/ {on = 0} on && /^  [a-z]/ {print $1}')
fi
# count POLICY LOOP FAMILY: instructions in the family's instance of LOOP.
count() {
  local out
  out=$(mktemp)
  valgrind --tool=callgrind --callgrind-out-file="$out" \
    --toggle-collect="bar_${2}_loop_$3" "$build/barrier_fastpath" "$1" "$n" \
    "$2" >/dev/null 2>&1
  callgrind_annotate "$out" 2>/dev/null |
    awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}'
  rm -f "$out"
}
printf "%-18s %-26s %8s %8s\n" policy family store load
for p in "${policies[@]}"; do
  fam=$("$build/barrier_fastpath" "$p" 1000 empty | awk '{print $2}')
  empty=$(count "$p" empty "$fam")
  w=$(count "$p" write "$fam")
  r=$(count "$p" read "$fam")
  awk -v p="$p" -v f="$fam" -v e="$empty" -v w="$w" -v r="$r" -v n="$n" \
    'BEGIN { printf "%-18s %-26s %8.2f %8.2f\n", p, f, (w - e) / n, (r - e) / n }'
done
