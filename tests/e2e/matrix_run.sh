#!/usr/bin/env bash
# matrix_run.sh GCTB MATRIX.json OUT.jsonl RUNS [STATUS=N]... [--report]
#               [-- EXTRA gctb matrix ARGS...]
#
# Runs a matrix into a fresh OUT and checks the results file: every line is
# whole JSON, every run has exactly one record, there are RUNS of them, and
# each STATUS=N (ok=12, crash=4...) holds. With --report, prints
# `gctb report` tables afterwards (the benchmark tests' output).
set -euo pipefail
gctb=$1 matrix=$2 out=$3 runs=$4
shift 4
statuses=()
report=0
while [ $# -gt 0 ]; do
  case $1 in
  --report) report=1 ;;
  --) shift; break ;;
  *=*) statuses+=("$1") ;;
  *) echo "matrix_run.sh: bad argument $1" >&2; exit 2 ;;
  esac
  shift
done
rm -f "$out"
"$gctb" matrix "$matrix" --out "$out" "$@"
"${PYTHON:-python3}" - "$out" "$runs" ${statuses[@]+"${statuses[@]}"} <<'PY'
import collections, json, sys
path, runs, want = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
keys, status = collections.Counter(), collections.Counter()
for line in open(path):
    r = json.loads(line)
    keys[r["matrix"]["run_key"]] += 1
    status[r["status"]] += 1
dups = [k for k, n in keys.items() if n > 1]
assert not dups, f"runs recorded more than once: {dups}"
assert len(keys) == runs, f"{len(keys)} runs recorded, expected {runs}"
for w in want:
    s, n = w.split("=")
    assert status[s] == int(n), f"{status[s]} runs {s}, expected {n} ({dict(status)})"
print(f"matrix_run.sh: ok: {runs} runs, one record each: {dict(status)}")
PY
if [ "$report" = 1 ]; then
  "$gctb" report "$out" --no-csv
fi
