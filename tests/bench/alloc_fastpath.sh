#!/usr/bin/env bash
# Instructions per allocated object on the inline fast path, counted by
# callgrind (deterministic, unaffected by machine noise).
# Usage: tests/bench/alloc_fastpath.sh BUILD_DIR [POLICY] [N]
set -euo pipefail
build=${1:-build}
policy=${2:-nogc}
n=${3:-1000000}
# Counts one function's instructions for N iterations.
count() {
  local out
  out=$(mktemp)
  valgrind --tool=callgrind --callgrind-out-file="$out" \
    --toggle-collect="$1" "$build/alloc_fastpath" "$policy" "$n" \
    >/dev/null 2>&1
  callgrind_annotate "$out" 2>/dev/null |
    awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}'
  rm -f "$out"
}
loop=$(count empty_loop)
for fn in alloc_loop alloc_loop_bump1; do
  instr=$(count "$fn")
  [[ "$instr" =~ ^[0-9]+$ ]] && [ "$instr" -gt "$loop" ] || continue
  awk -v i="$instr" -v l="$loop" -v n="$n" -v p="$policy" -v f="$fn" \
    'BEGIN { printf "%s %s: %.2f instructions per object (%.2f with the loop)\n", p, f, (i - l) / n, i / n }'
done
