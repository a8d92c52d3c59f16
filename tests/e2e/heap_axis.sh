#!/usr/bin/env bash
# heap_axis.sh GCTB MATRIX.json OUT.jsonl CACHE
#
# One heap axis for all policies: the matrix's heap.min_multiple cells are
# multiples of the reference minimum (the smallest own minimum of the
# reference policies), so two policies at the same multiple get the same
# number of bytes; each record names its minimum's provenance and carries
# the policy's own minimum under policy_min_*.
set -euo pipefail
gctb=$1 matrix=$2 out=$3 cache=$4
rm -f "$out" "$cache"
"$gctb" matrix "$matrix" --out "$out" --minheap-cache "$cache"
"${PYTHON:-python3}" - "$out" <<'PY'
import collections, json, sys
by_mult = collections.defaultdict(dict)
for line in open(sys.argv[1]):
    r = json.loads(line)
    assert r["status"] == "ok", r.get("error")
    h = r["heap"]
    pol = r["config"]["policy"]["name"]
    by_mult[r["matrix"]["values"]["heap.min_multiple"]][pol] = h
    prov = h["min_heap_provenance"]
    assert prov["reference"] == ["segfit", "semispace"], prov
    assert prov["smallest_policy"] in ("segfit", "semispace"), prov
    assert set(prov["per_policy"]) == {"segfit", "semispace"}, prov
    assert prov["build"]["commit"] == r["build"]["commit"], prov
    assert prov["measured_at"] and prov["ncpus"] > 0, prov
    assert isinstance(h["min_heap_is_bound"], bool)
    own = prov["per_policy"][pol]["min_heap_bytes"]
    assert h["policy_min_heap_bytes"] == own, (h, own)
    assert h["min_heap_bytes"] == min(p["min_heap_bytes"]
                                      for p in prov["per_policy"].values())
for mult, hs in by_mult.items():
    sizes = {p: h["size_bytes"] for p, h in hs.items()}
    assert len(set(sizes.values())) == 1, f"x{mult}: {sizes}"
    assert all(abs(h["min_multiple"] - mult) < 0.01 for h in hs.values())
own = {p: h["policy_min_heap_bytes"] for p, h in next(iter(by_mult.values())).items()}
print(f"heap_axis.sh: ok: one size per multiple {dict((m, next(iter(h.values()))['size_bytes']) for m, h in by_mult.items())}; own minima {own}")
PY
