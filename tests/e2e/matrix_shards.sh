#!/usr/bin/env bash
# matrix_shards.sh GCTB MATRIX.json... — `--shard K/N` splits a matrix into
# disjoint parts that cover it (docs/cluster.md). For N = 1, 3 and 7 and
# each matrix, from the --dry-run lists: the union of the N shards is the
# matrix's runs, no run is in two shards, each shard runs its runs in the
# matrix's own order, and with equal costs the shards differ by at most one
# run. Nothing runs.
set -euo pipefail
gctb=$1
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for matrix in "$@"; do
  "$gctb" matrix "$matrix" --dry-run --out "$tmp/none.jsonl" >"$tmp/all" \
    2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
  for n in 1 3 7; do
    for k in $(seq 1 "$n"); do
      "$gctb" matrix "$matrix" --dry-run --shard "$k/$n" --out "$tmp/" \
        >"$tmp/shard-$k-of-$n" 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
    done
  done
  "${PYTHON:-python3}" - "$tmp" "$matrix" <<'PY'
import re, sys
tmp, matrix = sys.argv[1], sys.argv[2]
run = re.compile(r"^\s*\d+\s+cell (\d+)\s+inv (\d+)\s")
def runs(path):
    return [m.groups() for m in map(run.match, open(path)) if m]
every = runs(f"{tmp}/all")
assert len(every) == len(set(every)) > 0, "the full list repeats a run"
position = {r: i for i, r in enumerate(every)}
for n in (1, 3, 7):
    seen = {}
    sizes = []
    for k in range(1, n + 1):
        part = runs(f"{tmp}/shard-{k}-of-{n}")
        sizes.append(len(part))
        for r in part:
            assert r not in seen, f"N={n}: run {r} in shards {seen[r]} and {k}"
            seen[r] = k
        order = [position[r] for r in part]
        assert order == sorted(order), f"N={n} shard {k}: not in matrix order"
    missing = set(every) - set(seen)
    stray = set(seen) - set(every)
    assert not missing, f"N={n}: runs in no shard: {sorted(missing)[:5]}"
    assert not stray, f"N={n}: runs not in the matrix: {sorted(stray)[:5]}"
    assert max(sizes) - min(sizes) <= 1, f"N={n}: unbalanced {sizes}"
    print(f"{matrix}: N={n}: {len(every)} runs in shards of {sizes}")
PY
done
echo "matrix_shards.sh: ok"
