#!/usr/bin/env bash
# signals.sh GCTB CONFIG.json WORKDIR
#
# SIGTERM and SIGINT during `gctb run`: the run writes its record with
# status "interrupted" and the statistics so far, then exits 128+N. A
# second signal while the first is being handled (held there by the test
# hook GCTB_TEST_INTERRUPT_DELAY_MS) ends the process at once, unrecorded.
# CONFIG must run for many seconds with two mutator threads.
set -uo pipefail
gctb=$1 config=$2 dir=$3
fail() {
  echo "signals.sh: $*" >&2
  exit 1
}
rm -rf "$dir"
mkdir -p "$dir"

# Starts the run in the background (pid in $pid) and waits until its
# workload is running: a mutator thread exists (main, signal thread, the
# run-queue sampler and a GC worker start first; two mutators make 6
# threads, or 5 and TSan's own thread), and then a little longer so that it
# has allocated on a loaded machine too.
start() { # out.jsonl [env...]
  local out=$1
  shift
  env "$@" "$gctb" run "$config" --quiet --out "$out" \
    --set workload.params.threads=2 --set gc_threads=2 \
    --set runqueue_sample_us=1000 2>>"$dir/stderr" &
  pid=$!
  for _ in $(seq 600); do
    [ "$(ls /proc/$pid/task 2>/dev/null | wc -l)" -ge 6 ] && sleep 0.5 && return
    kill -0 $pid 2>/dev/null || { cat "$dir/stderr"; fail "the run ended early"; }
    sleep 0.05
  done
  kill -9 $pid
  fail "the run did not start its workload within 30 s"
}

check_record() { # out.jsonl signal-name
  "${PYTHON:-python3}" - "$1" "$2" <<'PY' || fail "bad record in $1"
import json, sys
path, name = sys.argv[1], sys.argv[2]
lines = open(path).read().splitlines()
assert len(lines) == 1, f"{len(lines)} records, expected 1"
r = json.loads(lines[0])
assert r["status"] == "interrupted", r["status"]
assert name in r["error"], r["error"]
assert r["counters"]["objects_allocated"] > 0, "no statistics so far"
assert r["wall_ns"] > 0
print(f"ok: {r['status']}: {r['error']}, "
      f"{r['counters']['objects_allocated']} objects so far")
PY
}

for sig in TERM INT; do
  start "$dir/$sig.jsonl"
  kill -$sig $pid
  wait $pid
  rc=$?
  want=$((128 + $(kill -l $sig)))
  [ $rc -eq $want ] || fail "SIG$sig: exit $rc, expected $want"
  check_record "$dir/$sig.jsonl" "signal $(kill -l $sig)"
done

# The second signal: the first is held for 20 s; the process must be gone
# long before that, and without a record.
start "$dir/twice.jsonl" GCTB_TEST_INTERRUPT_DELAY_MS=20000
kill -INT $pid
sleep 0.5
t0=$(date +%s)
kill -INT $pid
wait $pid
rc=$?
took=$(($(date +%s) - t0))
[ $rc -eq 130 ] || fail "second SIGINT: exit $rc, expected 130"
[ $took -lt 10 ] || fail "second SIGINT: the process took $took s to end"
[ ! -s "$dir/twice.jsonl" ] || fail "second SIGINT: a record was written"
echo "ok: a second SIGINT ended the run at once ($took s), unrecorded"
echo "signals.sh: ok"
