#!/usr/bin/env bash
# matrix_resume.sh GCTB MATRIX.json WORKDIR
#
# Kills a running matrix with SIGKILL part-way, damages the end of its
# results file the way a run killed while writing would (half a line), then
# resumes it, and checks that every run of the matrix has exactly one
# record: nothing lost, nothing run twice. The matrix's hanging cells (the
# test-fault policy, killed at a short timeout) make it slow enough to be
# caught mid-way.
set -euo pipefail
gctb=$1
matrix=$2
dir=$3
out=$dir/resume.jsonl
rm -rf "$dir"
mkdir -p "$dir"
export GCTB_TEST_POLICIES=1

expected=$("$gctb" matrix "$matrix" --out "$out" --dry-run | grep -c pending)

"$gctb" matrix "$matrix" --out "$out" >"$dir/first.log" 2>&1 &
pid=$!
# Wait for a few records, then kill the matrix (and, through
# PR_SET_PDEATHSIG, its running child) without warning.
for _ in $(seq 200); do
  n=$(wc -l <"$out" 2>/dev/null || echo 0)
  [ "$n" -ge 3 ] && break
  sleep 0.02
done
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
before=$(wc -l <"$out")
echo "killed after $before of $expected records"
if [ "$before" -ge "$expected" ]; then
  echo "matrix_resume.sh: the matrix finished before it was killed" >&2
  exit 1
fi

# Half a record with no newline: what a child killed inside write leaves.
printf '{"status":"ok","matrix":{"id":"x' >>"$out"

if "$gctb" matrix "$matrix" --out "$out" >"$dir/refused.log" 2>&1; then
  echo "matrix_resume.sh: a non-empty results file was accepted without --resume" >&2
  exit 1
fi
"$gctb" matrix "$matrix" --out "$out" --resume 2>&1 | tee "$dir/resume.log"
grep -q "dropped a partial last line" "$dir/resume.log"

python3 - "$out" "$expected" <<'PY'
import collections, json, sys
path, expected = sys.argv[1], int(sys.argv[2])
keys = collections.Counter()
for n, line in enumerate(open(path), 1):
    rec = json.loads(line)  # every line must be whole JSON
    keys[rec["matrix"]["run_key"]] += 1
dups = [k for k, c in keys.items() if c > 1]
assert not dups, f"runs recorded twice: {dups}"
assert len(keys) == expected, f"{len(keys)} runs recorded, expected {expected}"
print(f"ok: {expected} runs, one record each")
PY
