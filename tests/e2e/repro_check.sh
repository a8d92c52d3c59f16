#!/usr/bin/env bash
# repro_check.sh GCTB RESULTS.jsonl WORKDIR [MAX]
#
# `gctb run --repro` on the first MAX (default 6) "ok" records of a results
# file (the smoke matrix's, or a smaller one of the same kind): each run
# again must allocate the same objects and bytes and end with the same
# workload checksum (or, for gcbench, which keeps none, the same node
# count), and say that the build is the same. A record claiming another
# commit must be reported as from a different build.
set -euo pipefail
gctb=$1 results=$2 dir=$3 max=${4:-6}
rm -rf "$dir"
mkdir -p "$dir"
lines=$("${PYTHON:-python3}" - "$results" "$max" <<'PY'
import json, sys
path, most = sys.argv[1], int(sys.argv[2])
ok = [n for n, line in enumerate(open(path), 1)
      if json.loads(line).get("status") == "ok"]
print(" ".join(map(str, ok[:most])))
PY
)
[ -n "$lines" ] || { echo "repro_check.sh: no ok record in $results" >&2; exit 1; }
for n in $lines; do
  "$gctb" run --repro "$results:$n" --quiet --out "$dir/$n.jsonl" \
    2>"$dir/$n.err"
  grep -q "repro: same build" "$dir/$n.err" ||
    { cat "$dir/$n.err"; echo "repro_check.sh: line $n: build not the same" >&2; exit 1; }
  "${PYTHON:-python3}" - "$results" "$n" "$dir/$n.jsonl" <<'PY'
import json, sys
path, n, again = sys.argv[1], int(sys.argv[2]), sys.argv[3]
a = json.loads(open(path).readlines()[n - 1])
b = json.loads(open(again).readline())
def same(what, x, y):
    assert x == y, f"{path}:{n}: {what}: recorded {x!r}, repro {y!r}"
for k in ("objects_allocated", "bytes_allocated"):
    same(k, a["counters"][k], b["counters"][k])
for k in ("checksum", "allocations", "nodes_built"):
    if k in a["workload"]:
        same(k, a["workload"][k], b["workload"][k])
assert "checksum" in a["workload"] or "nodes_built" in a["workload"]
same("config", a["config"]["workload"], b["config"]["workload"])
same("heap", a["heap"]["size_bytes"], b["heap"]["size_bytes"])
print(f"ok: {path}:{n} ({a['config']['policy']['name']}, "
      f"{a['config']['workload']['name']}): {a['counters']['objects_allocated']}"
      f" objects, checksum {a['workload'].get('checksum', '-')}")
PY
done

# A record from another build: said so, and run all the same.
first=${lines%% *}
sed -n "${first}p" "$results" |
  "${PYTHON:-python3}" -c 'import json,sys; r=json.loads(sys.stdin.read()); r["build"]["commit"]="0000000"; print(json.dumps(r))' \
    >"$dir/other-build.jsonl"
"$gctb" run --repro "$dir/other-build.jsonl" --quiet --out /dev/null \
  2>"$dir/other.err"
grep -q 'build differs: commit was "0000000"' "$dir/other.err" ||
  { cat "$dir/other.err"; echo "repro_check.sh: a different commit was not reported" >&2; exit 1; }
echo "repro_check.sh: ok"
