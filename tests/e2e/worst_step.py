#!/usr/bin/env python3
"""worst_step.py RECORDS.jsonl [--check]

Does the record account for gcold's worst step? For each gcold record:
the workload's longest step, the record's mutator-observed maximum
(delay_stats.max_ns), the median step, the union of the worst mutator's
delays (world pauses and its own) within the longest step, and that step's
own CPU time and time waiting for a CPU (Linux schedstat: the machine's
load, not the collector). The median step is that of the steps doing the
same work as the longest (gcold: replacing a tree, several times the work
of a step that only mutates, or not), where the record gives it
(median_like_step_ns). Three readings, any of which explains the step:
  max    worst - observed max <= median step (issue 13's criterion: the
         rest of the step is ordinary work);
  union  worst - delays within it <= median step (a step holding several
         delays, a stall and then a pause, or many pacing waits);
  own    worst - delays within it <= the step's CPU + runqueue time (the
         rest is the step's own work, however long, or the machine's load).
With --check, exits 1 unless every record meets one of them.
"""
import json
import sys


def union_within(rec, lo, hi):
    """Total of the merged delays of the worst mutator clipped to [lo, hi)."""
    worst = rec["delay_stats"]["worst_mutator"]
    spans = []
    for d in rec["delays"]:
        if d["kind"] != "pause" and d.get("mutator") != worst:
            continue
        a, b = max(d["start_ns"], lo), min(d["start_ns"] + d["duration_ns"], hi)
        if a < b:
            spans.append((a, b))
    spans.sort()
    total, end = 0, None
    for a, b in spans:
        if end is None or a > end:
            total += b - a
            end = b
        elif b > end:
            total += b - end
            end = b
    return total


def main():
    check = "--check" in sys.argv
    path = [a for a in sys.argv[1:] if a != "--check"][0]
    ok = True
    ms = lambda ns: f"{ns / 1e6:.2f} ms"
    print("| policy | worst step | observed max | worst - max | median step "
          "| delays within it | its CPU | its runqueue | max | union | own |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
          "| --- | --- | --- |")
    yes = lambda b: "yes" if b else "no"
    for line in open(path):
        if not line.strip():
            continue
        r = json.loads(line)
        if r["status"] != "ok" or "max_step_ns" not in r["workload"]:
            continue
        w = r["workload"]
        worst = w["max_step_ns"]
        med = w.get("median_like_step_ns") or w["median_step_ns"]
        mx = r["delay_stats"]["max_ns"]
        lo = w["max_step_start_ns"]
        inside = union_within(r, lo, lo + worst)
        cpu, queued = w.get("max_step_cpu_ns", 0), w.get("max_step_runqueue_ns", 0)
        met = [worst - mx <= med, worst - inside <= med,
               worst - inside <= cpu + queued]
        ok &= any(met)
        print(f"| {r['config']['policy']['name']} | {ms(worst)} | {ms(mx)} | "
              f"{ms(worst - mx)} | {ms(med)} | {ms(inside)} | {ms(cpu)} | "
              f"{ms(queued)} | " + " | ".join(map(yes, met)) + " |")
    sys.exit(0 if ok or not check else 1)


if __name__ == "__main__":
    main()
