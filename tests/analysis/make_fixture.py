#!/usr/bin/env python3
"""Regenerates fixture.jsonl, the small results file the analysis tests
read: real records from three matrices, plus two synthetic records of a
concurrent policy (no concurrent policy exists yet) so that partial MMU
utilisation is exercised.

    tests/analysis/make_fixture.py BUILD/gctb

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
    r["gc_ns"] = 50000
    r["mutator_ns"] = wall - 50000
    r["pause_stats"] = {"count": 2, "total_ns": 50000, "p50_ns": 20000,
                        "p99_ns": 30000, "max_ns": 30000}
    return r


def main():
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
    recs = tiny + server + faults
    recs += [concurrent(tiny[0], 0), concurrent(tiny[0], 1)]
    with open(os.path.join(here, "fixture.jsonl"), "w") as f:
        for r in recs:
            f.write(json.dumps(r, separators=(",", ":")) + "\n")
    print(f"{len(recs)} records")


if __name__ == "__main__":
    main()
