#!/usr/bin/env bash
# slurm_local.sh GCTB MATRIX.json WORKDIR — a matrix on a real Slurm
# (docs/cluster.md). Starts munged, slurmctld and slurmd on this machine
# (a one-node cluster, everything in WORKDIR, ports chosen free), submits
# the matrix with `gctb matrix --slurm --shards 4`, cancels one array task
# part-way (scancel JOB_K), waits for the others, checks that merge refuses
# the incomplete directory and that status calls the shard failed, then
# resubmits that task (sbatch --array=K DIR/job.sbatch), waits, merges and
# checks one record per run, each from its own shard's task. The daemons
# and anything they started are stopped on every way out.
#
# Exit 77 (ctest skip) only when Slurm cannot be started at all: not
# installed, not root, or the daemons do not come up; the reason is
# printed.
set -euo pipefail
gctb=$(realpath "$1") matrix=$(realpath "$2") work=$3
shards=4
skip() { echo "slurm_local.sh: SKIP: $*" >&2; exit 77; }
fail() { echo "slurm_local.sh: FAIL: $*" >&2; exit 1; }
log() { echo "slurm_local.sh: $(date +%T) $*" >&2; }

for tool in munged slurmctld slurmd sbatch squeue scancel scontrol sinfo; do
  command -v "$tool" >/dev/null ||
    skip "$tool is not installed (Debian: apt-get install slurm-wlm munge)"
done
[ "$(id -u)" -eq 0 ] || skip "starting slurmd and munged needs root"

rm -rf "$work"
mkdir -p "$work"
work=$(realpath "$work")
tmp=$work/slurm
mkdir -m 700 "$tmp" "$tmp/state" "$tmp/spool"
export SLURM_CONF=$tmp/slurm.conf
pids=()

# Everything this test started carries SLURM_CONF=$tmp/slurm.conf in its
# environment (the daemons, slurmstepd, the job scripts, gctb): that is how
# the sweep finds what the daemons left.
ours() {
  local p
  for p in /proc/[0-9]*; do
    [ "${p#/proc/}" != $$ ] &&
      tr '\0' '\n' 2>/dev/null <"$p/environ" | grep -qxF "SLURM_CONF=$SLURM_CONF" &&
      echo "${p#/proc/}"
  done
  return 0
}
cleanup() {
  local rc=$? p left
  trap - EXIT INT TERM
  timeout 30 scancel --quiet --user=root >/dev/null 2>&1 || true
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for _ in $(seq 50); do
    left=0
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && left=1; done
    [ "$left" = 0 ] && break
    sleep 0.2
  done
  for p in "${pids[@]}" $(ours); do kill -KILL "$p" 2>/dev/null || true; done
  if [ "$rc" != 0 ] && [ "$rc" != 77 ]; then
    for f in "$tmp"/*.log "$work"/results/slurm-*.out; do
      [ -f "$f" ] && { echo "--- $f (end)"; tail -n 15 "$f"; }
    done >&2
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# A watchdog below ctest's TIMEOUT (1500 s), which kills without a trap:
# past it, this script stops itself and the trap stops the daemons.
(sleep "${SLURM_TEST_LIMIT:-1400}" && kill -TERM $$) >/dev/null 2>&1 &
pids+=($!)

# until SECONDS WHAT CMD...: retries CMD every 0.5 s until it succeeds.
until_ok() {
  local limit=$1 what=$2 end
  shift 2
  end=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $end ] || return 1
    sleep 0.5
  done
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# ---- munge: its own key, socket and logs ----
dd if=/dev/urandom of="$tmp/munge.key" bs=1024 count=1 status=none
chmod 400 "$tmp/munge.key"
munged --foreground --force --key-file="$tmp/munge.key" \
  --socket="$tmp/munge.sock" --pid-file="$tmp/munged.pid" \
  --log-file="$tmp/munged.log" --seed-file="$tmp/munged.seed" \
  >"$tmp/munged.out" 2>&1 &
pids+=($!)
until_ok 20 munged test -S "$tmp/munge.sock" ||
  skip "munged did not start: $(tail -n 3 "$tmp/munged.out" "$tmp/munged.log" 2>/dev/null)"

# ---- a one-node cluster of this machine ----
host=$(hostname -s)
cpus=$(nproc)
mem_mb=$(awk '/MemTotal/ {print int($2 / 1024 * 0.8)}' /proc/meminfo)
cat >"$SLURM_CONF" <<EOF
ClusterName=gctbtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$tmp/munge.sock
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
ProctrackType=proctrack/pgid
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
ReturnToService=2
KillWait=5
MinJobAge=600
NodeName=gctbnode NodeHostname=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=gctb Nodes=gctbnode Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld -D -i -f "$SLURM_CONF" >"$tmp/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -N gctbnode -f "$SLURM_CONF" >"$tmp/slurmd.out" 2>&1 &
pids+=($!)
node_idle() { [ "$(timeout 10 sinfo -h -n gctbnode -o %t 2>/dev/null)" = idle ]; }
until_ok 60 "the node" node_idle ||
  skip "slurmctld and slurmd did not bring the node up within 60 s: $(
    tail -n 3 "$tmp/slurmctld.out" "$tmp/slurmd.out" "$tmp/slurmctld.log" \
      "$tmp/slurmd.log" 2>/dev/null)"
log "Slurm up: node gctbnode, $cpus CPUs, ${mem_mb} MB"

# ---- the matrix as a job array ----
dir=$work/results
cd "$work"
job=$(timeout 900 "$gctb" matrix "$matrix" --slurm --shards "$shards" --out "$dir" \
  --minheap-cache "$work/minheap.json" --no-exclusive \
  --sbatch-arg=--cpus-per-task=1 2>"$work/submit.log") ||
  { cat "$work/submit.log" >&2; fail "gctb matrix --slurm failed"; }
[[ $job =~ ^[0-9]+$ ]] || fail "no job id from gctb matrix --slurm: '$job'"
log "submitted job $job"

# wait_job ID SECONDS: until no task of ID is pending or running.
wait_job() {
  local end=$((SECONDS + $2))
  while [ -n "$(timeout 30 squeue -h -r -j "$1" -t PD,R,CG,CF,S -o %i 2>/dev/null)" ]; do
    [ $SECONDS -lt $end ] || fail "job $1 still queued after $2 s"
    sleep 1
  done
}
lines() { if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi; }

# Cancel the first task caught part-way through its shard.
victim=0 end=$((SECONDS + 300))
while [ "$victim" = 0 ]; do
  for k in $(seq "$shards"); do
    file=$dir/shard-$k-of-$shards.jsonl
    total=$("$gctb" matrix "$dir/matrix.json" --dry-run --shard "$k/$shards" \
      --out "$dir/" 2>/dev/null | grep -c pending || true)
    n=$(lines "$file")
    if [ "$n" -ge 1 ] && [ "$n" -lt "$((total - 1))" ]; then
      victim=$k
      break
    fi
  done
  [ "$victim" != 0 ] && break
  [ $SECONDS -lt $end ] || fail "no task was caught part-way in 300 s"
  sleep 0.2
done
# While it runs, status says so (squeue knows the job).
status_out=$("$gctb" matrix "$dir/matrix.json" --status "$dir" 2>&1 || true)
grep -Eq "^ +$victim .* running$" <<<"$status_out" ||
  { echo "$status_out" >&2; fail "status does not call shard $victim running"; }
timeout 30 scancel "${job}_$victim"
log "cancelled task $victim after $(lines "$dir/shard-$victim-of-$shards.jsonl") records"
wait_job "$job" 900

# The shard is incomplete: merge refuses, status calls it failed.
set +e
merge_out=$("$gctb" merge "$dir" --out "$work/merged.jsonl" 2>&1)
merge_rc=$?
status_out=$("$gctb" matrix "$dir/matrix.json" --status "$dir" 2>&1)
set -e
[ "$merge_rc" = 1 ] && grep -q "missing: run .*shard $victim/$shards" <<<"$merge_out" ||
  { echo "$merge_out" >&2; fail "merge did not refuse the incomplete matrix"; }
grep -Eq "^ +$victim .* failed$" <<<"$status_out" ||
  { echo "$status_out" >&2; fail "status does not report shard $victim"; }
log "after the cancel: merge refused, status: $(grep -E "^ +$victim " <<<"$status_out")"

# Resubmit the cancelled task: it resumes its shard.
job2=$(timeout 60 sbatch --parsable --array="$victim" "$dir/job.sbatch")
job2=${job2%%;*}
log "resubmitted task $victim as job $job2"
wait_job "$job2" 900

"$gctb" merge "$dir" --out "$work/merged.jsonl" 2>"$work/merge.log" ||
  { cat "$work/merge.log" >&2; fail "merge refused the completed matrix"; }
"$gctb" matrix "$dir/matrix.json" --status "$dir" >"$work/status.log" ||
  { cat "$work/status.log" >&2; fail "status: not every shard done"; }
runs=$("$gctb" matrix "$matrix" --dry-run --out "$work/none.jsonl" 2>/dev/null |
  grep -c pending)
python3 - "$work/merged.jsonl" "$runs" "$job" "$job2" "$victim" "$shards" <<'PY'
import collections, json, sys
path, runs, job, job2, victim, shards = sys.argv[1:]
recs = [json.loads(l) for l in open(path)]
keys = collections.Counter(r["matrix"]["run_key"] for r in recs)
assert len(recs) == int(runs) == len(keys), (len(recs), runs, len(keys))
jobs = collections.Counter()
for r in recs:
    s, m = r["slurm"], r["matrix"]
    assert s["array_task_id"] == m["shard"]["k"], (s, m)
    assert m["shard"]["n"] == int(shards)
    assert s["node"] == "gctbnode" and r["machine"]["hostname"], s
    jobs[(s["array_job_id"], s["array_task_id"])] += 1
# The cancelled task's records come from both submissions: it resumed.
assert (int(job), int(victim)) in jobs and (int(job2), int(victim)) in jobs, jobs
print(f"slurm_local.sh: {len(recs)} runs, one record each; records per "
      f"(job, task): {dict(sorted(jobs.items()))}")
PY
log "ok"
