#!/usr/bin/env bash
# results_dir.sh GCTB SMALL_CONFIG WORKDIR
#
# Where a run writes when it is not given --out: --results-dir DIR (before
# or after the command), else $GCTB_RESULTS_DIR, else ./results. Nothing may
# land in the current directory when a results directory is chosen, and a
# missing DIR is a usage error, not a crash.
set -u
gctb=$1 small=$2 work=$3
rm -rf "$work" && mkdir -p "$work/cwd" && cd "$work/cwd" || exit 1
fail() { echo "results_dir.sh: $*" >&2; exit 1; }
run() { "$gctb" "$@" "$small" --quiet --set policy.name=\"nogc\" \
          --set heap.size=\"64M\" || fail "gctb $* exited $?"; }
count() { ls "$1"/*.jsonl 2>/dev/null | wc -l; }

run run --results-dir "$work/a/nested"
[ "$(count "$work/a/nested")" = 1 ] || fail "--results-dir: no record in $work/a/nested"
[ -e results ] && fail "--results-dir: ./results was created"

run --results-dir="$work/b" run
[ "$(count "$work/b")" = 1 ] || fail "--results-dir= before the command: no record"

GCTB_RESULTS_DIR="$work/c" run run
[ "$(count "$work/c")" = 1 ] || fail "GCTB_RESULTS_DIR: no record in $work/c"
[ -e results ] && fail "GCTB_RESULTS_DIR: ./results was created"

GCTB_RESULTS_DIR="$work/c" run run --results-dir "$work/d"
[ "$(count "$work/d")" = 1 ] || fail "--results-dir must win over GCTB_RESULTS_DIR"

(unset GCTB_RESULTS_DIR; run run)
[ "$(count results)" = 1 ] || fail "default: no record in ./results"

out=$("$gctb" run "$small" --results-dir 2>&1)
rc=$?
[ $rc = 2 ] && [[ $out == *"--results-dir needs a DIR"* ]] ||
  fail "a missing DIR: exit $rc, output: $out"
echo "results_dir.sh: ok"
