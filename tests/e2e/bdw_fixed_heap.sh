#!/usr/bin/env bash
# bdw_fixed_heap.sh GCTB CONFIG OUT_DIR
#
# bdw lives in a fixed heap of heap.size: at 32M, 64M, 128M and 256M
# libgc's heap (policy_stats.heap_bytes, also at the start of the run)
# equals heap.size, and the number of collections does not rise as the heap
# grows (it falls: libgc uses the whole heap before collecting). Before the
# fix libgc started at a quarter of heap.size and grew by its own rule:
# 32M gave a 25 MiB heap and 28 collections, 64M 16 MiB and 56.
set -euo pipefail
gctb=$1 config=$2 dir=$3
out=$dir/bdw-fixed-heap.jsonl
mkdir -p "$dir"
rm -f "$out"
for h in 32M 64M 128M 256M; do
  "$gctb" run "$config" --quiet --out "$out" --set policy.name='"bdw"' \
    --set heap.size="\"$h\"" --set verify='"none"'
done
"${PYTHON:-python3}" - "$out" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
assert len(rows) == 4, f"{len(rows)} records, expected 4"
print(f"{'heap.size':>10} {'libgc heap':>12} {'at start':>12} {'collections':>11} {'faults':>7}")
prev = None
for r in rows:
    size = r["heap"]["size_bytes"]
    ps = r["policy_stats"]
    print(f"{size >> 20:>9}M {ps['heap_bytes'] >> 20:>11}M "
          f"{ps['heap_bytes_at_start'] >> 20:>11}M {ps['collections']:>11} "
          f"{r['page_faults']['minor']:>7}")
    assert r["status"] == "ok", r.get("error")
    assert ps["heap_bytes"] == size, f"libgc heap {ps['heap_bytes']} != {size}"
    assert ps["heap_bytes_at_start"] == size, "not fixed from the start"
    assert ps["unmapped_bytes"] == 0, "libgc gave heap back to the OS"
    n = r["counters"]["collections"]
    assert prev is None or n <= prev, f"collections rose: {prev} -> {n}"
    prev = n
first = rows[0]["counters"]["collections"]
assert prev < first, f"collections did not fall ({first} -> {prev})"
print("bdw_fixed_heap.sh: ok")
PY
