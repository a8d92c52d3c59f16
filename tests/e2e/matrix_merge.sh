#!/usr/bin/env bash
# matrix_merge.sh GCTB MATRIX.json WORKDIR — shards, `gctb merge` and
# `--status` (docs/cluster.md). Runs the matrix as two shards into one
# directory (shard 1 as if it were a Slurm task), then checks that:
#   - merge writes one record per run, in run order, and status says done;
#   - merge refuses, naming the files, a duplicated run, a stray record,
#     records of two build commits, a cut last line and a missing shard
#     (--partial allows only the last), and status reports the missing
#     shard; resuming that shard completes the matrix;
#   - a directory split into 2 shards refuses --shard 1/3;
#   - report accepts the directory;
#   - --slurm --no-submit writes a job-array script for the shards.
set -euo pipefail
gctb=$1 matrix=$2 work=$3
dir=$work/shards
rm -rf "$work"
mkdir -p "$work"
py=${PYTHON:-python3}
fail() { echo "matrix_merge.sh: $*" >&2; exit 1; }

# expect CODE REGEX CMD...: CMD exits CODE and its output matches REGEX.
expect() {
  local want=$1 regex=$2 out got
  shift 2
  set +e
  out=$("$@" 2>&1)
  got=$?
  set -e
  if [ "$got" != "$want" ] || ! grep -Eq -- "$regex" <<<"$out"; then
    printf '%s\n' "$out" >&2
    fail "$* exited $got (expected $want) or its output lacks /$regex/"
  fi
}

SLURM_JOB_ID=78 SLURM_ARRAY_JOB_ID=77 SLURM_ARRAY_TASK_ID=1 \
  SLURMD_NODENAME=node7 "$gctb" matrix "$matrix" --shard 1/2 --out "$dir/" \
  2>"$work/shard1.log"
"$gctb" matrix "$matrix" --shard 2/2 --out "$dir/" 2>"$work/shard2.log"
s1=$dir/shard-1-of-2.jsonl s2=$dir/shard-2-of-2.jsonl
[ -s "$s1" ] && [ -s "$s2" ] && [ -f "$dir/matrix.json" ] ||
  fail "the shards did not write their files and matrix.json into $dir"

expect 0 "merge: 6 of 6 runs" "$gctb" merge "$dir" --out "$work/all.jsonl"
expect 0 "6 of 6 runs recorded.*2 done" "$gctb" matrix "$matrix" --status "$dir"
"$py" - "$work/all.jsonl" "$s1" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
keys = [(r["matrix"]["cell"], r["matrix"]["invocation"]) for r in recs]
assert keys == sorted(set(keys)) and len(keys) == 6, keys
for r in map(json.loads, open(sys.argv[2])):
    assert r["slurm"] == {"job_id": 78, "array_job_id": 77,
                          "array_task_id": 1, "node": "node7"}, r["slurm"]
    assert r["matrix"]["shard"] == {"k": 1, "n": 2}, r["matrix"]
    assert r["machine"]["hostname"]
assert all("slurm" not in r for r in recs if r["matrix"]["shard"]["k"] == 2)
PY

# A duplicated run, named with both places.
head -n 1 "$s1" >"$dir/zz-copy.jsonl"
expect 1 "duplicate: run .* in .*shard-1-of-2.jsonl:1 and .*zz-copy.jsonl:1" \
  "$gctb" merge "$dir" --out "$work/all.jsonl"
rm "$dir/zz-copy.jsonl"
# A stray: a record of another matrix.
head -n 1 "$s2" |
  sed 's/"run_key":"[0-9a-f]*\//"run_key":"0123456789abcdef\//' >"$dir/other.jsonl"
expect 1 "other.jsonl:1: stray record" "$gctb" merge "$dir"
rm "$dir/other.jsonl"
# Two commits.
cp "$s2" "$work/s2.keep"
sed 's/"commit":"[^"]*"/"commit":"feedbeef"/' "$work/s2.keep" >"$s2"
expect 1 "more than one build.*|commit feedbeef: .*shard-2-of-2.jsonl" \
  "$gctb" merge "$dir" --out "$work/all.jsonl"
expect 1 "commit feedbeef: .*shard-2-of-2.jsonl" "$gctb" merge "$dir"
# A cut last line.
cp "$work/s2.keep" "$s2"
printf '{"status": "ok", "matr' >>"$s2"
expect 1 "shard-2-of-2.jsonl:[0-9]+: a last line cut short" "$gctb" merge "$dir"
# A missing shard: refused, allowed with --partial, reported by status.
rm "$s2"
expect 1 "missing: run .*shard 2/2" "$gctb" merge "$dir" --out "$work/all.jsonl"
expect 0 "merge: [0-9] of 6 runs" "$gctb" merge "$dir" --partial \
  --out "$work/partial.jsonl"
expect 1 " 2 .* missing" "$gctb" matrix "$matrix" --status "$dir"
expect 0 "gcbench +semispace" "$gctb" report "$dir" --no-csv
# Resuming the shard completes the matrix, each run once.
"$gctb" matrix "$dir/matrix.json" --shard 2/2 --out "$dir/" --resume \
  2>"$work/resume.log"
expect 0 "merge: 6 of 6 runs" "$gctb" merge "$dir" --out "$work/all.jsonl"
# Another N into the same directory.
expect 2 "split into 2 shards, not 3" "$gctb" matrix "$matrix" --shard 1/3 \
  --out "$dir/"
# The job script (no Slurm needed to write it).
expect 0 "job.sbatch" "$gctb" matrix "$dir/matrix.json" --slurm --shards 2 \
  --no-submit --out "$dir" --partition short --time 1:00:00 \
  --sbatch-arg=--qos=test
for want in "#SBATCH --array=1-2" "#SBATCH --partition=short" \
  "#SBATCH --time=1:00:00" "#SBATCH --qos=test" "#SBATCH --requeue" \
  "#SBATCH --exclusive" '--shard "$SLURM_ARRAY_TASK_ID/2"' "--resume"; do
  grep -qF -- "$want" "$dir/job.sbatch" || fail "job.sbatch lacks $want"
done
bash -n "$dir/job.sbatch" || fail "job.sbatch is not valid bash"
expect 2 "split into 2 shards, not 3" "$gctb" matrix "$dir/matrix.json" \
  --slurm --shards 3 --no-submit --out "$dir"
echo "matrix_merge.sh: ok"
