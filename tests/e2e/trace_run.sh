#!/usr/bin/env bash
# trace_run.sh GCTB PYTHON DIR NAME CONFIG [CHECK ARGS...] -- [RUN ARGS...]
#
# Runs CONFIG with `gctb run --trace`, makes the same run's trace again with
# `gctb trace`, and checks both against the record with
# tests/analysis/trace_check.py (CHECK ARGS, e.g. --require-kind stall, go
# to it; --exit N first: the run must exit N, as an out-of-memory run
# does). Files: DIR/NAME.jsonl, DIR/NAME-run.json, DIR/NAME-trace.json.
set -euo pipefail
if [ $# -lt 5 ]; then
  echo "usage: trace_run.sh GCTB PYTHON DIR NAME CONFIG [CHECK...] -- [RUN...]" >&2
  exit 2
fi
gctb=$1 python=$2 dir=$3 name=$4 config=$5
shift 5
check=()
want=0
if [ "${1:-}" = "--exit" ]; then
  want=$2
  shift 2
fi
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  check+=("$1")
  shift
done
[ $# -gt 0 ] && shift
checker="$(dirname "$0")/../analysis/trace_check.py"
mkdir -p "$dir"
rec=$dir/$name.jsonl
rm -f "$rec" "$dir/$name-run.json" "$dir/$name-trace.json"
rc=0
"$gctb" run "$config" --quiet --out "$rec" --trace "$dir/$name-run.json" "$@" ||
  rc=$?
if [ "$rc" -ne "$want" ]; then
  echo "trace_run.sh: gctb run exited $rc, expected $want" >&2
  exit 1
fi
"$gctb" trace "$rec" --out "$dir/$name-trace.json"
for t in "$dir/$name-run.json" "$dir/$name-trace.json"; do
  "$python" "$checker" "$rec" "$t" "${check[@]}"
done
