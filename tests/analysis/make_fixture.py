#!/usr/bin/env python3
"""Regenerates fixture.jsonl, the small results file the analysis tests
read: real records from three matrices, plus synthetic records built from
them: two of a "concurrent-demo" policy (concurrent phases with GC CPU, for
the GC-CPU-share curve) and two of a "stall-demo" policy in the record
format of docs/results-format.md for mutator-visible delays (`delays`,
`mutators`, `workload.work`): two mutators held in turn, and mutator 1
stalled for 25 ms from inside a world pause.

    tests/analysis/make_fixture.py BUILD/gctb     # everything
    tests/analysis/make_fixture.py --synthetic    # keep the real records,
                                                  # rebuild the synthetic
    tests/analysis/make_fixture.py --concurrent BUILD/gctb

--concurrent writes real-concurrent.jsonl instead: one real run each of
satb, otf and shenandoah on a small two-thread mt-gcbench (verify none), for
the tests that check exact MMU against brute force on real timelines.

Runs: tests/e2e/matrix/tiny.json (gcbench, heaps as multiples of the live
size), tests/analysis/fixture-matrix.json (server with latencies, heaps as
multiples of the minimum heap) and tests/e2e/matrix/faults.json (crashed,
timed-out and out-of-memory runs)."""
import copy
import json
import os
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))


def run_matrix(gctb, matrix, tmp, env=None):
    out = os.path.join(tmp, os.path.basename(matrix) + "l")
    subprocess.run([gctb, "matrix", matrix, "--out", out, "--minheap-cache",
                    os.path.join(tmp, "minheap.json")], check=True,
                   env=env, stderr=subprocess.DEVNULL)
    return [json.loads(line) for line in open(out)]


def concurrent(rec, invocation):
    """A copy of rec as if a concurrent policy had run: a concurrent mark
    phase between its pauses, with GC CPU time on its cycle."""
    r = copy.deepcopy(rec)
    r["config"]["policy"] = {"name": "concurrent-demo", "options": {}}
    r["matrix"] = dict(r["matrix"], id="c0ffee0000000000", cell=0,
                       invocation=invocation,
                       run_key=f"c0ffee0000000000/0/{invocation}")
    wall = r["wall_ns"]
    r["pauses"] = [{"phase": "init-mark", "start_ns": wall // 4,
                    "duration_ns": 20000},
                   {"phase": "final-mark", "start_ns": wall // 2,
                    "duration_ns": 30000}]
    r["phases"] = [{"phase": "mark", "start_ns": wall // 4 + 20000,
                    "end_ns": wall // 2,
                    "duration_ns": wall // 2 - wall // 4 - 20000}]
    r["cycles"] = [{"kind": "full", "reason": "alloc", "start_ns": wall // 4,
                    "end_ns": wall // 2 + 30000,
                    "gc_cpu_ns": (wall // 4) // 2 + 50000}]
    r["delays"] = [dict(p, kind="pause") for p in r["pauses"]]
    for k in ("mutators", "delay_stats"):  # one mutator, the whole run
        r.pop(k, None)
    r["gc_ns"] = 50000
    r["mutator_ns"] = wall - 50000
    r["pause_stats"] = {"count": 2, "total_ns": 50000, "p50_ns": 20000,
                        "p99_ns": 30000, "max_ns": 30000}
    return r


STALL_NS = 25_000_000


def stall_demo(rec, invocation):
    """A copy of rec as a policy that stalls: two mutators, world pauses,
    each mutator held 5 ms in turn, and mutator 1 stalled STALL_NS from
    inside the second pause (the merged delay is longer than the stall)."""
    r = copy.deepcopy(rec)
    r["config"]["policy"] = {"name": "stall-demo", "options": {}}
    r["matrix"] = dict(r["matrix"], id=rec["matrix"]["id"],
                       cell=90, invocation=invocation,
                       run_key=f"{rec['matrix']['id']}/90/{invocation}")
    ms = 1_000_000
    wall = 80 * ms + invocation * ms
    r["wall_ns"] = wall
    world = [(2 * ms, 300_000, "mark"), (20 * ms, 400_000, "final-mark")]
    d = [{"kind": "pause", "phase": ph, "start_ns": s, "duration_ns": n}
         for s, n, ph in world]
    d += [{"kind": "hold", "phase": "handshake", "start_ns": 10 * ms,
           "duration_ns": 5 * ms, "mutator": 0},
          {"kind": "hold", "phase": "handshake", "start_ns": 15 * ms,
           "duration_ns": 5 * ms, "mutator": 1},
          {"kind": "stall", "phase": "alloc", "start_ns": 20 * ms + 100_000,
           "duration_ns": STALL_NS, "mutator": 1},
          {"kind": "pace", "phase": "pacer", "start_ns": 50 * ms,
           "duration_ns": 200_000, "mutator": 0},
          {"kind": "assist", "phase": "barrier-copy", "start_ns": 60 * ms,
           "duration_ns": 50_000, "mutator": 0}]
    d.sort(key=lambda x: x["start_ns"])
    r["delays"] = d
    r["pauses"] = [{"phase": ph, "start_ns": s, "duration_ns": n}
                   for s, n, ph in world]
    r["phases"], r["cycles"] = [], [{"kind": "full", "reason": "alloc",
                                     "start_ns": 2 * ms, "end_ns": 21 * ms,
                                     "gc_cpu_ns": 19 * ms}]
    gc = sum(n for _, n, _ in world)
    r["gc_ns"], r["gc_cpu_ns"] = gc, 19 * ms
    r["held_ns"], r["stalled_ns"] = 10 * ms, STALL_NS
    r["paced_ns"], r["assist_ns"] = 200_000, 50_000
    r["pause_stats"] = {"count": 2, "total_ns": gc, "p50_ns": 300_000,
                        "p99_ns": 400_000, "max_ns": 400_000}
    # Merged by hand: mutator 0 sees 0.3, 5, 0.4, 0.2, 0.05 ms; mutator 1
    # sees 0.3, 5 + 0.4 + 25 - 0.3 overlapping (15 ms to 45.1 ms).
    m0 = [300_000, 5 * ms, 400_000, 200_000, 50_000]
    m1 = [300_000, 30_100_000]
    r["mutators"] = []
    for mid, lengths, own in ((0, m0, (5 * ms, 0, 200_000, 50_000)),
                              (1, m1, (5 * ms, STALL_NS, 0, 0))):
        s = sorted(lengths)
        r["mutators"].append({
            "id": mid, "mutator_ns": wall - sum(s), "paused_ns": gc,
            "held_ns": own[0], "stalled_ns": own[1], "paced_ns": own[2],
            "assist_ns": own[3],
            "delay_stats": {"count": len(s), "total_ns": sum(s),
                            "p50_ns": s[(len(s) + 1) // 2 - 1],
                            "p99_ns": s[-1], "max_ns": s[-1]}})
    r["delay_stats"] = dict(r["mutators"][1]["delay_stats"], worst_mutator=1)
    r["mutator_ns"] = wall - gc
    r["workload"] = dict(r.get("workload") or {},
                         work={"value": 100000, "unit": "nodes"})
    r["counters"] = dict(r.get("counters") or {}, bytes_allocated_policy=(
        r.get("counters") or {}).get("bytes_allocated", 0) + 4096)
    return r


def synthetic(real):
    """The synthetic records, built from the first real gcbench record."""
    base = next(r for r in real if r["status"] == "ok" and
                r["config"]["workload"]["name"] == "gcbench")
    return ([concurrent(base, i) for i in range(2)] +
            [stall_demo(base, i) for i in range(2)])


def is_synthetic(rec):
    return rec["config"]["policy"]["name"].endswith("-demo")


def write(recs):
    with open(os.path.join(here, "fixture.jsonl"), "w") as f:
        for r in recs:
            f.write(json.dumps(r, separators=(",", ":")) + "\n")
    print(f"{len(recs)} records")


CONCURRENT = ("satb", "otf", "shenandoah")
SMALL_MT = {"threads": 2, "long_lived_depth": 12, "array_size": 20000,
            "iterations_depth": 15, "max_depth": 12}


def real_concurrent(gctb, out=os.path.join(here, "real-concurrent.jsonl")):
    """Runs CONCURRENT on SMALL_MT into out (replaced)."""
    if os.path.exists(out):
        os.unlink(out)
    for policy in CONCURRENT:
        subprocess.run([gctb, "run", os.path.join(root, "configs",
                                                 "mt-gcbench.json"),
                        "--out", out, "--quiet",
                        "--set", f'policy.name="{policy}"',
                        "--set", 'verify="none"',
                        # runqueue waits sampled every 100 ms, not 1: some
                        # in every record, but not the thousands a loaded
                        # sanitizer run logs, which the brute force in
                        # test_mmu would take minutes over (a timeout)
                        "--set", "runqueue_sample_us=100000",
                        "--set", 'heap={"size": "16M"}',
                        "--set", "workload.params=" + json.dumps(SMALL_MT)],
                       check=True)


def main():
    if sys.argv[1:2] == ["--concurrent"]:
        real_concurrent(os.path.abspath(sys.argv[2]))
        print("wrote real-concurrent.jsonl")
        return
    if sys.argv[1:] == ["--synthetic"]:
        with open(os.path.join(here, "fixture.jsonl")) as f:
            real = [r for r in map(json.loads, f) if not is_synthetic(r)]
        write(real + synthetic(real))
        return
    gctb = os.path.abspath(sys.argv[1])
    env = dict(os.environ, GCTB_TEST_POLICIES="1")
    with tempfile.TemporaryDirectory() as tmp:
        tiny = run_matrix(gctb, os.path.join(root, "tests/e2e/matrix/tiny.json"),
                          tmp)
        server = run_matrix(gctb, os.path.join(here, "fixture-matrix.json"),
                            tmp)
        faults = run_matrix(gctb, os.path.join(
            root, "tests/e2e/matrix/faults.json"), tmp, env)
    faults = list({r["status"]: r for r in reversed(faults)
                   if r["status"] != "ok"}.values())  # one of each
    real = tiny + server + faults
    write(real + synthetic(real))


if __name__ == "__main__":
    main()
