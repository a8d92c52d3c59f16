#!/usr/bin/env bash
# gctb's mt-gcbench against whippet's, side by side (issue 14, item 5).
#
# Usage: tests/bench/vs-whippet.sh WHIPPET_CHECKOUT [ROUNDS]
#   WHIPPET_CHECKOUT  a checkout of https://github.com/wingo/whippet (yours;
#                     nothing of it is copied into this repository)
#   ROUNDS            interleaved rounds, at least 5 (default 5)
# Environment:
#   GCTB_BUILD  gctb's build directory (default: build)
#   PAIRS       rows to run, space-separated
#               GCTB_POLICY:WHIPPET_COLLECTOR:MUTATORS:GC_THREADS
#               (default: the rows below)
#   KEEP        set to keep the scratch directory (whippet's build, samples)
#
# Whippet is built with its own Makefile (its default optimised build,
# -O2 -flto -DNDEBUG) in a scratch copy under $TMPDIR, never in the
# checkout and never in this tree. Each round runs every pair once, the
# two sides back to back, alternating which goes first; the table gives
# each side's median process wall time and median GC time (whippet's
# "stopped" time, gctb's gc_ns: both the time mutators were paused), and
# the ratios gctb / whippet.
#
# Same benchmark on both sides (docs/workloads/mt-gcbench.md, "Against
# whippet", has the mapping): long-lived tree of depth 16, array of 500,000
# doubles, trees of depth 4, 6 ... 16, 2 nodes(18) / nodes(d) of each built
# top-down and as many bottom-up, holes of geometric size (p = 0.15) before
# each node top-down and each parent bottom-up. Heap: whippet's
# MULTIPLIER x live x mutators with its live size, 12,388,560 bytes, and
# multiplier 2.5, fixed size on both sides. gctb runs with check_every 0
# (whippet's optimised build validates nothing), no verifier and no
# run-queue sampler (a real-time thread waking every millisecond, which
# whippet does not have: docs/delays.md gives its cost).
#
# Timings depend on the machine's load: the script prints the load
# average before and after; compare only figures taken on a quiet machine.
set -euo pipefail

usage() {
  echo "usage: $0 WHIPPET_CHECKOUT [ROUNDS]" >&2
  exit 2
}
[ $# -ge 1 ] && [ $# -le 2 ] || usage
checkout=$1
rounds=${2:-5}
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${GCTB_BUILD:-$here/build}
config=$here/configs/mt-gcbench-whippet.json

if [ ! -f "$checkout/Makefile" ] || [ ! -f "$checkout/benchmarks/mt-gcbench.c" ]; then
  echo "$0: $checkout is not a whippet checkout (no Makefile or benchmarks/mt-gcbench.c)" >&2
  exit 2
fi
if ! [[ "$rounds" =~ ^[0-9]+$ ]] || [ "$rounds" -lt 5 ]; then
  echo "$0: ROUNDS must be an integer of at least 5, not '$rounds'" >&2
  exit 2
fi
if [ ! -x "$build/gctb" ]; then
  echo "$0: no gctb binary in $build (build it, or set GCTB_BUILD)" >&2
  exit 2
fi
for tool in make gcc python3; do
  command -v "$tool" >/dev/null || {
    echo "$0: $tool is required" >&2
    exit 2
  }
done

# whippet's live size for one mutator: 2 trees of depth 16 of 32-byte
# nodes plus the array (16-byte header + 500,000 doubles), as its main()
# computes heap_max_live; its heap is that x MULTIPLIER x mutators.
live=$(((2 * ((1 << 17) - 1) * 32) + 16 + 8 * 500000))
multiplier=2.5

pairs=${PAIRS:-"immix:mmc:1:1 sticky-immix:generational-mmc:1:1 \
immix:parallel-mmc:2:2 immix:mmc:2:1 sticky-immix:generational-mmc:2:1 \
semispace:semi:1:1 bdw:bdw:1:1"}

scratch=$(mktemp -d "${TMPDIR:-/tmp}/vs-whippet.XXXXXX")
if [ -z "${KEEP:-}" ]; then
  trap 'rm -rf "$scratch"' EXIT
else
  echo "scratch directory: $scratch"
fi

# ---- build whippet's mt-gcbench, its own way, in a scratch copy ----
collectors=$(for p in $pairs; do echo "$p" | cut -d: -f2; done | sort -u)
if ! pkg-config --exists bdw-gc 2>/dev/null; then
  echo "note: pkg-config finds no bdw-gc: the bdw row is left out" >&2
  collectors=$(echo "$collectors" | grep -vx bdw || true)
fi
mkdir -p "$scratch/whippet"
(cd "$checkout" && tar --exclude=.git -cf - .) | tar -xf - -C "$scratch/whippet"
targets=$(for c in $collectors; do echo "bin/mt-gcbench.$c"; done)
echo "building whippet's mt-gcbench ($(echo $collectors)) in $scratch/whippet"
# shellcheck disable=SC2086
if ! make -C "$scratch/whippet" -j"$(nproc)" $targets >"$scratch/make.log" 2>&1; then
  tail -20 "$scratch/make.log" >&2
  echo "$0: whippet's build failed (log above)" >&2
  exit 1
fi
whippet_rev=$(git -C "$checkout" rev-parse --short HEAD 2>/dev/null || echo unknown)

now_ns() { date +%s%N; }

# One whippet run: prints "WALL_MS GC_MS" (GC: its "stopped" time).
run_whippet() { # collector mutators gc_threads
  local out t0 t1
  t0=$(now_ns)
  out=$("$scratch/whippet/bin/mt-gcbench.$1" "$multiplier" "$2" \
    "parallelism=$3" 2>&1) || {
    echo "$0: whippet $1 with $2 mutators failed:" >&2
    echo "$out" | tail -5 >&2
    return 1
  }
  t1=$(now_ns)
  local stopped
  stopped=$(echo "$out" | sed -n 's/.*total time (\([0-9.]*\) stopped).*/\1/p')
  echo "$(((t1 - t0) / 1000)) ${stopped:-nan}" |
    awk '{ printf "%.3f %s\n", $1 / 1000, $2 }'
}

# One gctb run: prints "WALL_MS GC_MS".
run_gctb() { # policy mutators gc_threads
  local rec="$scratch/gctb.jsonl" t0 t1
  rm -f "$rec"
  t0=$(now_ns)
  "$build/gctb" run "$config" --quiet --out "$rec" \
    --set "policy.name=\"$1\"" --set "workload.params.threads=$2" \
    --set "gc_threads=$3" \
    --set "heap.size=$(awk -v l="$live" -v m="$multiplier" -v n="$2" \
      'BEGIN { printf "%d", l * m * n }')" >"$scratch/gctb.log" 2>&1 || {
    echo "$0: gctb $1 with $2 mutators failed:" >&2
    tail -5 "$scratch/gctb.log" >&2
    return 1
  }
  t1=$(now_ns)
  python3 -c '
import json, sys
r = json.loads(open(sys.argv[1]).read().splitlines()[-1])
if r.get("status") != "ok":
    sys.exit("gctb run status: %s" % r.get("status"))
print("%.3f %.3f" % (int(sys.argv[2]) / 1e6, r["gc_ns"] / 1e6))
' "$rec" "$((t1 - t0))"
}

samples=$scratch/samples
: >"$samples"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "load average before: $load_before"
for r in $(seq 1 "$rounds"); do
  i=0
  for p in $pairs; do
    IFS=: read -r policy collector muts gcth <<<"$p"
    echo "$collectors" | grep -qx "$collector" || continue
    # alternate which side goes first, per round and per pair
    if [ $(((r + i) % 2)) -eq 0 ]; then order="w g"; else order="g w"; fi
    for side in $order; do
      if [ "$side" = w ]; then
        res=$(run_whippet "$collector" "$muts" "$gcth")
      else
        res=$(run_gctb "$policy" "$muts" "$gcth")
      fi
      echo "$p $side $res" >>"$samples"
    done
    i=$((i + 1))
  done
  echo "round $r/$rounds done"
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

echo
echo "mt-gcbench, heap $multiplier x $live B x mutators, $rounds interleaved rounds;" \
  "whippet $whippet_rev, gctb $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "load average: before $load_before, after $load_after"
python3 - "$samples" "$pairs" <<'EOF'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    pair, side, wall, gc = line.split()
    rows.setdefault(pair, {"w": [], "g": []})[side].append((float(wall), float(gc)))
fmt = "| {:<13} | {:<17} | {:>4} | {:>3} | {:>8} | {:>8} | {:>5} | {:>8} | {:>8} | {:>5} |"
print(fmt.format("gctb", "whippet", "muts", "gcT", "gctb ms", "whip ms",
                 "ratio", "gctb GC", "whip GC", "ratio"))
print("|" + "|".join("-" * (w + 2) for w in (13, 17, 4, 3, 8, 8, 5, 8, 8, 5)) + "|")
for pair in sys.argv[2].split():
    if pair not in rows:
        continue
    policy, coll, muts, gcth = pair.split(":")
    med = lambda side, k: statistics.median(s[k] for s in rows[pair][side])
    gw, ww, gg, wg = med("g", 0), med("w", 0), med("g", 1), med("w", 1)
    print(fmt.format(policy, coll, muts, gcth, "%.0f" % gw, "%.0f" % ww,
                     "%.2f" % (gw / ww), "%.0f" % gg, "%.0f" % wg,
                     "%.2f" % (gg / wg) if wg > 0 else "-"))
print("ms: medians of process wall time and of GC (paused) time; ratio: gctb / whippet")
EOF
