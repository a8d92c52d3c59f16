#!/usr/bin/env bash
# Time to safepoint per policy and workload (issue 15): runs each scaled-down
# workload of tests/e2e/workloads/ (and gcbench-small) once under each policy
# at 4x its declared live size (nogc: 256M), verifier off, and prints a
# Markdown table of the record's ttsp p99 / max (both request kinds, every
# mutator) in microseconds and the number of requests, plus the raw records.
# A policy that refuses so small a heap (shenandoah's regions, handle-copy's
# table) runs at 16M instead, marked with a dagger. Wall-clock: take figures
# on a quiet machine (docs/threads.md quotes them with the load average).
# Usage: tests/bench/ttsp_table.sh [GCTB] [OUT.jsonl] [POLICY...]
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
gctb=${1:-$here/../build/gctb}
out=${2:-ttsp-$(date -u +%Y%m%dT%H%M%SZ).jsonl}
shift 2 2>/dev/null || shift $#
if ! [ -x "$gctb" ]; then
  echo "ttsp_table.sh: $gctb is not an executable gctb" >&2
  exit 2
fi
policies=("$@")
[ ${#policies[@]} -gt 0 ] || read -r -a policies <<<"$("$gctb" list |
  awk '/^workloads/ { exit } /^  [a-z]/ { print $1 }' | tr '\n' ' ')"
configs=("$here"/e2e/workloads/*.json "$here"/e2e/gcbench-small.json)
: >"$out"
for config in "${configs[@]}"; do
  for policy in "${policies[@]}"; do
    heap=(--set heap.multiple=4)
    [ "$policy" = nogc ] && heap=(--set 'heap.size="256M"')
    run=(timeout 300 "$gctb" run "$config" --quiet --out "$out"
      --set "policy.name=\"$policy\"" --set 'verify="none"')
    "${run[@]}" "${heap[@]}" 2>/dev/null
    rc=$?
    [ $rc -eq 2 ] && { "${run[@]}" --set 'heap.size="16M"' 2>/dev/null; rc=$?; }
    [ $rc -eq 0 ] || echo "ttsp_table.sh: $policy on $config: exit $rc" >&2
  done
done
/usr/bin/python3 - "$out" <<'PY'
import json, sys
cells, wls, pols = {}, [], []
for line in open(sys.argv[1]):
    r = json.loads(line)
    c = r["config"]
    w, p = c["workload"]["name"], c["policy"]["name"]
    t = dict(r.get("ttsp", {}))
    t["mark"] = "†" if p != "nogc" and "size" in c["heap"] and \
        "multiple" not in c["heap"] else ""
    cells[w, p] = t
    if w not in wls: wls.append(w)
    if p not in pols: pols.append(p)
us = lambda ns: f"{ns / 1000:.0f}" if ns >= 10000 else f"{ns / 1000:.1f}"
print("| policy | " + " | ".join(wls) + " |")
print("| --- |" + " --- |" * len(wls))
for p in pols:
    row = []
    for w in wls:
        t = cells.get((w, p))
        row.append("–" if not t or not t.get("count") else
                   f"{us(t['p99_ns'])} / {us(t['max_ns'])} ({t['count']})"
                   + t["mark"])
    print(f"| {p} | " + " | ".join(row) + " |")
PY
