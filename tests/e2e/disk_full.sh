#!/usr/bin/env bash
# disk_full.sh GCTB MATRIX.json WORKDIR
#
# A results file on a 2 MiB tmpfs that fills up while a matrix runs: the
# matrix must end with a non-zero status and leave only whole lines; once
# space is freed, --resume must finish it with exactly one record per run
# (a run whose record could not be written was noted "unrecorded" and runs
# again). Then the same file system read-only: `gctb run` exits 1 and says
# why. Needs to mount a tmpfs (root, or CAP_SYS_ADMIN); skips (77) with a
# message when it cannot.
set -uo pipefail
gctb=$1 matrix=$2 dir=$3
mnt=$dir/mnt
out=$mnt/results.jsonl
fail() {
  echo "disk_full.sh: $*" >&2
  exit 1
}
umount "$mnt" 2>/dev/null
rm -rf "$dir"
mkdir -p "$mnt"
if ! mount -t tmpfs -o size=2m gctb-diskfull "$mnt" 2>"$dir/mount.err"; then
  echo "disk_full.sh: SKIPPED: cannot mount a tmpfs here ($(cat "$dir/mount.err"));" \
    "run as root (or with CAP_SYS_ADMIN) to test a full disk" >&2
  exit 77
fi
trap 'umount "$mnt" 2>/dev/null' EXIT

whole_lines() { # every line of $out is a whole JSON record
  "${PYTHON:-python3}" - "$out" <<'PY' || fail "a torn or invalid line in $out"
import json, sys
data = open(sys.argv[1], "rb").read()
assert not data or data.endswith(b"\n"), "the last line has no newline"
for n, line in enumerate(data.split(b"\n")[:-1], 1):
    assert isinstance(json.loads(line), dict), f"line {n} is not a record"
print(data.count(b"\n"), "whole lines")
PY
}

expected=$("$gctb" matrix "$matrix" --out "$dir/dry.jsonl" --dry-run | grep -c pending)
# Leave about ten records' worth of space (each is a few KiB).
dd if=/dev/zero of="$mnt/filler" bs=4k count=$((512 - 12)) 2>/dev/null
"$gctb" matrix "$matrix" --out "$out" >"$dir/full.log" 2>&1
rc=$?
cat "$dir/full.log"
[ "$rc" -ne 0 ] || fail "the matrix on a full disk exited 0"
[ "$rc" -lt 128 ] || fail "the matrix crashed (exit $rc)"
grep -q "resume" "$dir/full.log" || fail "the matrix did not say how to go on"
whole_lines
before=$(wc -l <"$out")
[ "$before" -lt "$expected" ] || fail "the disk never filled ($before records)"

rm "$mnt/filler"
"$gctb" matrix "$matrix" --out "$out" --resume >"$dir/resume.log" 2>&1 ||
  { cat "$dir/resume.log"; fail "--resume after freeing space failed"; }
whole_lines
"${PYTHON:-python3}" - "$out" "$expected" <<'PY' || fail "wrong records after --resume"
import collections, json, sys
path, expected = sys.argv[1], int(sys.argv[2])
final, noted = collections.Counter(), 0
for line in open(path):
    r = json.loads(line)
    if r["status"] == "unrecorded":
        noted += 1  # a failed attempt, run again by --resume
    else:
        final[r["matrix"]["run_key"]] += 1
dups = [k for k, c in final.items() if c > 1]
assert not dups, f"runs recorded twice: {dups}"
assert len(final) == expected, f"{len(final)} runs recorded, expected {expected}"
print(f"ok: {expected} runs, one record each ({noted} noted unrecorded first)")
PY

mount -o remount,ro "$mnt" || fail "cannot remount read-only"
"$gctb" run "$(dirname "$0")/gcbench-small.json" --quiet --out "$out" \
  >"$dir/ro.log" 2>&1
rc=$?
cat "$dir/ro.log"
[ "$rc" -eq 1 ] || fail "gctb run on a read-only file system exited $rc, not 1"
grep -q "Read-only file system" "$dir/ro.log" || fail "no reason given"
echo "disk_full.sh: ok"
