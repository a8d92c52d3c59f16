#!/usr/bin/env bash
# Instructions per reference read and write (callgrind: deterministic,
# unaffected by machine noise) under a policy and options.
# Usage: tests/bench/handle_access.sh BUILD_DIR POLICY [OPTIONS] [copying] [N]
set -euo pipefail
build=${1:-build}
policy=${2:-semispace}
options=${3:-"{}"}
copying=${4:-""}
n=${5:-200000}
# Counts one function's instructions (11 passes over n, two orders each).
count() {
  local out
  out=$(mktemp)
  valgrind --tool=callgrind --callgrind-out-file="$out" \
    --toggle-collect="$1" "$build/handle_access" "$policy" "$options" \
    "$copying" "$n" >/dev/null 2>&1
  callgrind_annotate "$out" 2>/dev/null |
    awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}'
  rm -f "$out"
}
passes=$((2 * 6 * n)) # seq and random; a warm-up and 5 timed runs each
loop=$(count empty_loop)
for fn in read_loop write_loop write_ref_loop; do
  instr=$(count "$fn")
  awk -v i="$instr" -v l="$loop" -v n="$passes" -v p="$policy $options $copying" \
    -v f="$fn" 'BEGIN { printf "%s %s: %.1f instructions per access\n", p, f, (i - l) / n }'
done
