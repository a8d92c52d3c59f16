#!/usr/bin/env python3
"""Checks a Chrome JSON trace-event file against the format's rules and
against the record it was made from (docs/analysis.md, "Timelines").

    trace_check.py RESULTS.jsonl TRACE.json [--run N] [--require-kind K]...

The format (the Trace Event Format document, as chrome://tracing and
Perfetto read it): every event has a phase "ph", a process "pid" and, but
for metadata, a numeric timestamp "ts" >= 0 in microseconds; complete
events ("X") a duration "dur" >= 0; begin/end events ("B"/"E") balance per
thread, in time order; slices of one thread nest properly; counters ("C")
carry numeric values only; metadata ("M") names a process or thread with a
string or sorts it with an integer; flow events ("s"/"t"/"f") share an id
and a category, start before they finish, and bind to slices.

Against the record: every mutator the record knows has a track named
"mutator N"; every delay (the record's ``delays``, or its ``pauses`` when it
has none) is an X slice of that kind, at that start and of that duration
(to the nanosecond), on the track of its mutator, world pauses on every
mutator's track. This derives the expected delays from the record itself,
not from gctb_analysis.trace, so that a mistake there shows here.

Exit status 0 when the trace passes, 1 with one line per problem.
"""
import argparse
import bisect
import json
import math
import re
import sys

PHASES = {"B", "E", "X", "i", "I", "b", "n", "e", "C", "M", "s", "t", "f",
          "P", "O", "N", "D", "R", "c", "(", ")"}
METADATA = {"process_name": "name", "process_labels": "labels",
            "process_sort_index": "sort_index", "thread_name": "name",
            "thread_sort_index": "sort_index"}


def _num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and \
        math.isfinite(v)


def _ns(us):
    return int(round(us * 1000))


def check_format(doc):
    """Problems (strings) with the trace as a trace-event file."""
    probs = []
    events = doc.get("traceEvents") if isinstance(doc, dict) else doc
    if not isinstance(events, list):
        return ["no traceEvents list"]
    stacks, slices, flows = {}, {}, {}
    for i, e in enumerate(events):
        where = f"event {i}"
        if not isinstance(e, dict):
            probs.append(f"{where}: not an object")
            continue
        ph = e.get("ph")
        if not isinstance(ph, str) or ph not in PHASES:
            probs.append(f"{where}: bad ph {ph!r}")
            continue
        where = f"event {i} ({ph} {e.get('name')!r})"
        if not isinstance(e.get("pid"), int):
            probs.append(f"{where}: pid missing or not an integer")
        if "tid" in e and not isinstance(e["tid"], int):
            probs.append(f"{where}: tid not an integer")
        if ph != "E" and not isinstance(e.get("name"), str):
            probs.append(f"{where}: name missing")
        if ph == "M":
            probs += _check_metadata(where, e)
            continue
        if not _num(e.get("ts")) or e["ts"] < 0:
            probs.append(f"{where}: ts missing, not numeric or negative")
            continue
        thread = (e.get("pid"), e.get("tid"))
        if ph in "XBE" and "tid" not in e:
            probs.append(f"{where}: tid missing")
        if ph == "X":
            if not _num(e.get("dur")) or e["dur"] < 0:
                probs.append(f"{where}: dur missing, not numeric or negative")
            else:
                slices.setdefault(thread, []).append(
                    (_ns(e["ts"]), _ns(e["ts"]) + _ns(e["dur"]), where))
        elif ph == "B":
            stacks.setdefault(thread, []).append((e["ts"], e.get("name")))
        elif ph == "E":
            st = stacks.get(thread)
            if not st:
                probs.append(f"{where}: E without a B on its thread")
            elif st[-1][0] > e["ts"]:
                probs.append(f"{where}: E before its B")
                st.pop()
            else:
                st.pop()
        elif ph == "C":
            args = e.get("args")
            if not isinstance(args, dict) or not args or \
                    not all(_num(v) for v in args.values()):
                probs.append(f"{where}: counter args must be numbers")
        elif ph in "stf":
            if "id" not in e or not isinstance(e.get("cat"), str):
                probs.append(f"{where}: flow event without id or cat")
            else:
                flows.setdefault((e["cat"], e["id"]), []).append((ph, e))
        elif ph in "iI" and e.get("s", "t") not in ("g", "p", "t"):
            probs.append(f"{where}: instant scope must be g, p or t")
    for thread, st in stacks.items():
        for ts, name in st:
            probs.append(f"thread {thread}: B {name!r} at {ts} never ends")
    for thread, sl in slices.items():
        probs += _check_nesting(thread, sl)
    probs += _check_flows(flows, slices)
    return probs


def _check_metadata(where, e):
    key = METADATA.get(e.get("name"))
    args = e.get("args")
    if key is None:
        return [f"{where}: unknown metadata event"]
    if not isinstance(args, dict) or key not in args:
        return [f"{where}: metadata without args.{key}"]
    if key == "name" and not isinstance(args[key], str):
        return [f"{where}: args.name must be a string"]
    if key == "sort_index" and (not isinstance(args[key], int)
                                or isinstance(args[key], bool)):
        return [f"{where}: args.sort_index must be an integer"]
    if e["name"].startswith("thread_") and not isinstance(e.get("tid"), int):
        return [f"{where}: thread metadata without tid"]
    return []


def _check_nesting(thread, sl):
    """Slices of one thread: each either after or inside the ones open."""
    probs, open_ends = [], []
    for s, end, where in sorted(sl, key=lambda x: (x[0], -x[1])):
        while open_ends and open_ends[-1] <= s:
            open_ends.pop()
        if open_ends and end > open_ends[-1]:
            probs.append(f"thread {thread}: {where} overlaps an enclosing "
                         "slice without nesting in it")
        open_ends.append(end)
    return probs


def _reach(slices):
    """Per thread: slice starts in order, and the latest end among the
    slices starting at or before each: a time t is inside some slice iff
    the latest end of those starting at or before t reaches t."""
    out = {}
    for thread, sl in slices.items():
        ordered = sorted((s, end) for s, end, _ in sl)
        ends, latest = [], -1
        for _, end in ordered:
            latest = max(latest, end)
            ends.append(latest)
        out[thread] = ([s for s, _ in ordered], ends)
    return out


def _inside(reach, thread, ts):
    starts, ends = reach.get(thread, ([], []))
    i = bisect.bisect_right(starts, _ns(ts)) - 1
    return i >= 0 and ends[i] >= _ns(ts)


def _check_flows(flows, slices):
    probs = []
    reach = _reach(slices)
    for key, evs in flows.items():
        kinds = [ph for ph, _ in evs]
        if kinds.count("s") != 1 or kinds.count("f") != 1:
            probs.append(f"flow {key}: needs one s and one f, has {kinds}")
            continue
        s = next(e for ph, e in evs if ph == "s")
        f = next(e for ph, e in evs if ph == "f")
        if f["ts"] < s["ts"]:
            probs.append(f"flow {key}: finishes before it starts")
        for e in (s, f):
            if not _inside(reach, (e.get("pid"), e.get("tid")), e["ts"]):
                probs.append(f"flow {key}: {e['ph']} at {e['ts']} binds to "
                             "no slice of its thread")
    return probs


def expected_delays(rec):
    """(kind, start_ns, duration_ns, mutator or None) of every delay."""
    if isinstance(rec.get("delays"), list):
        return [(d["kind"], d["start_ns"], d["duration_ns"],
                 d.get("mutator")) for d in rec["delays"]]
    return [("hold" if "mutator" in p else "pause", p["start_ns"],
             p["duration_ns"], p.get("mutator"))
            for p in rec.get("pauses") or []]


def check_delays(doc, rec):
    """Problems with the mutator tracks against the record."""
    events = doc["traceEvents"] if isinstance(doc, dict) else doc
    names = {e.get("tid"): e["args"]["name"] for e in events
             if e.get("ph") == "M" and e.get("name") == "thread_name"}
    tracks = {}  # mutator id (None: all mutators) -> tids
    for tid, name in names.items():
        m = re.fullmatch(r"mutator (\d+)( \(lane \d+\))?", name)
        if m:
            tracks.setdefault(int(m.group(1)), set()).add(tid)
        elif re.fullmatch(r"mutators \(all\)( \(lane \d+\))?", name):
            tracks.setdefault(None, set()).add(tid)
    delays = expected_delays(rec)
    ids = {m.get("id") for m in rec.get("mutators") or []} | \
        {d[3] for d in delays if d[3] is not None}
    probs = [f"mutator {i} has no track" for i in sorted(ids)
             if i not in tracks]
    slices = {}
    for e in events:
        if e.get("ph") == "X":
            slices.setdefault(e.get("tid"), set()).add(
                (e.get("cat"), _ns(e["ts"]), _ns(e["dur"])))
    for kind, start, dur, mutator in delays:
        owners = [mutator] if mutator is not None else \
            (sorted(ids) if ids else [None])
        for owner in owners:
            tids = tracks.get(owner, set())
            if not any((kind, start, dur) in slices.get(t, ())
                       for t in tids):
                who = "all mutators" if owner is None else f"mutator {owner}"
                probs.append(f"{kind} at {start} ns ({dur} ns) missing from "
                             f"the track of {who}")
    return probs


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("results")
    ap.add_argument("trace")
    ap.add_argument("--run", type=int, default=-1)
    ap.add_argument("--require-kind", action="append", default=[],
                    help="fail unless the record has a delay of this kind")
    a = ap.parse_args(argv)
    recs = [json.loads(x) for x in open(a.results) if x.strip()]
    rec = recs[a.run]
    with open(a.trace) as f:
        doc = json.load(f)
    probs = check_format(doc) + check_delays(doc, rec)
    kinds = {d[0] for d in expected_delays(rec)}
    probs += [f"the record has no delay of kind {k!r}"
              for k in a.require_kind if k not in kinds]
    for p in probs:
        print(f"{a.trace}: {p}", file=sys.stderr)
    if not probs:
        n = len(expected_delays(rec))
        print(f"{a.trace}: ok ({n} delays on their tracks)")
    return 1 if probs else 0


if __name__ == "__main__":
    sys.exit(main())
