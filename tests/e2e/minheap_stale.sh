#!/usr/bin/env bash
# minheap_stale.sh GCTB CONFIG OUT_DIR
#
# A minimum-heap cache entry is used only by the build that measured it on
# as many CPUs. An entry whose build (commit) or CPU count differs is stale:
# `gctb minheap` measures again (and says why), `gctb run` with
# heap.min_multiple refuses with a message (exit 2), and a record does not
# take its minimum heap from it. A fresh entry is reused without probing.
set -euo pipefail
gctb=$1 config=$2 dir=$3
cache=$dir/minheap-stale.json
mkdir -p "$dir"
rm -f "$cache" "$dir"/stale-*.jsonl
ref=(--set 'heap.reference=["segfit"]')
search() { "$gctb" minheap "$config" --cache "$cache" --precision 0.25 "$@" 2>&1; }
# Marks every entry (or only reference entries) as another build's / CPU count.
spoil() {
  "${PYTHON:-python3}" - "$cache" "$1" <<'PY'
import json, sys
path, what = sys.argv[1], sys.argv[2]
c = json.load(open(path))
for e in c["entries"]:
    if what == "commit":
        e["build"]["commit"] = "0" * 40
    else:
        e["ncpus"] += 64
json.dump(c, open(path, "w"))
PY
}
fail() { echo "minheap_stale.sh: $*" >&2; echo "$out" >&2; exit 1; }

out=$(search) || fail "first search failed"
grep -q "minheap: segfit on gcbench" <<<"$out" || fail "first search did not probe"
out=$(search) || fail "second search failed"
grep -q "minheap: segfit on gcbench" <<<"$out" && fail "a fresh entry was measured again"

for what in commit ncpus; do
  spoil $what
  out=$(search) || fail "search after spoiling $what failed"
  grep -q "is stale" <<<"$out" || fail "stale ($what) entry not reported"
  grep -q "minheap: segfit on gcbench" <<<"$out" || fail "stale ($what) entry was reused"
done

# The reference minimum: fresh, then stale -> gctb run refuses.
out=$(search --reference "${ref[@]}") || fail "reference search failed"
run=(run "$config" --quiet --set heap.min_multiple=2 "${ref[@]}"
     --set verify='"none"' --out "$dir/stale-run.jsonl" --minheap-cache "$cache")
out=$("$gctb" "${run[@]}" 2>&1) || fail "run with a fresh reference failed"
spoil commit
set +e
out=$("$gctb" "${run[@]}" 2>&1)
rc=$?
set -e
[ $rc -eq 2 ] || fail "run with a stale reference exited $rc, expected 2"
grep -q "stale" <<<"$out" || fail "no 'stale' in the refusal"
# A run with an explicit size records no minimum from a stale entry.
"$gctb" run "$config" --quiet --set heap.size='"4M"' "${ref[@]}" \
  --set verify='"none"' --out "$dir/stale-size.jsonl" --minheap-cache "$cache"
"${PYTHON:-python3}" - "$dir/stale-size.jsonl" <<'PY'
import json, sys
h = json.loads(open(sys.argv[1]).readline())["heap"]
assert "min_heap_bytes" not in h and "policy_min_heap_bytes" not in h, h
PY
echo "minheap_stale.sh: ok"
