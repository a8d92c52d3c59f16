#!/usr/bin/env bash
# Instructions per allocated object on the inline fast path, counted by
# callgrind (deterministic, unaffected by machine noise).
# Usage: tests/bench/alloc_fastpath.sh BUILD_DIR [POLICY] [N]
set -euo pipefail
build=${1:-build}
policy=${2:-nogc}
n=${3:-1000000}
out=$(mktemp)
valgrind --tool=callgrind --callgrind-out-file="$out" \
  --toggle-collect=alloc_loop "$build/alloc_fastpath" "$policy" "$n" \
  >/dev/null 2>&1
instr=$(callgrind_annotate "$out" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
rm -f "$out"
awk -v i="$instr" -v n="$n" -v p="$policy" \
  'BEGIN { printf "%s: %d instructions for %d objects = %.2f per object\n", p, i, n, i / n }'
