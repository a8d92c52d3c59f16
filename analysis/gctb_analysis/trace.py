"""One run as a timeline: a Chrome JSON trace-event file (the format of
chrome://tracing, read by Perfetto's UI), from one result record.

Tracks (threads of one process; docs/analysis.md, "Timelines"):

- one per mutator: every interval in which it could not run mutator code,
  from the record's ``delays`` (world pauses on every mutator's track; its
  own holds, stalls, paces and assists on its own), or, in a record without
  ``delays``, from ``pauses`` (world pauses everywhere, a pause naming a
  mutator as that mutator's hold);
- "GC cycles": each collection cycle as a span, linked by flow arrows to the
  world pauses and concurrent phases it overlaps;
- "GC pauses": the world stopped, as the collector sees it;
- "GC concurrent": concurrent phases (GC work beside the mutators);
- counters: heap in use (before and after each cycle), live bytes after each
  cycle, and the allocation rate between cycles.

A thread track must hold properly nested slices. Intervals that overlap
without nesting (a stall that begins inside a world pause and outlives it,
two concurrent phases on different GC threads) go to extra lanes of the
same track, named "<track> (lane k)". Times are microseconds from the start
of the workload, the record's t = 0; complete ("X") events carry the
record's own nanosecond values in ``args`` too.

Only the standard library is needed.
"""
import bisect

PID = 1

# Sort order of the tracks in the viewer: collector first, then mutators.
_SORT_GC, _SORT_MUTATOR = 0, 1000


def _us(ns):
    return ns / 1000.0


def mutator_delays(rec):
    """The record's delays in PLAN/results-format shape, as a list of
    dicts {kind, phase, start_ns, duration_ns[, mutator]}: ``delays`` when
    the record has it, else derived from ``pauses``."""
    if isinstance(rec.get("delays"), list):
        return [d for d in rec["delays"] if isinstance(d, dict)]
    out = []
    for p in rec.get("pauses") or []:
        d = {"kind": "pause" if "mutator" not in p else "hold",
             "phase": p.get("phase", "?"),
             "start_ns": p.get("start_ns", 0),
             "duration_ns": p.get("duration_ns", 0)}
        if "mutator" in p:
            d["mutator"] = p["mutator"]
        out.append(d)
    return out


def mutator_ids(rec, delays):
    """Every mutator the record knows of, in id order: its ``mutators``
    list, and any id a delay names. Empty when it knows none (a record
    without per-mutator information)."""
    ids = set()
    for m in rec.get("mutators") or []:
        if isinstance(m, dict) and isinstance(m.get("id"), int):
            ids.add(m["id"])
    for d in delays:
        if isinstance(d.get("mutator"), int):
            ids.add(d["mutator"])
    return sorted(ids)


class _Lanes:
    """Assigns intervals to lanes so that each lane's intervals nest
    properly (a new interval starts after, or lies inside, the last one
    still open)."""

    def __init__(self):
        self.stacks = []  # per lane: ends of the open intervals

    def place(self, start, end):
        for i, stack in enumerate(self.stacks):
            while stack and stack[-1] <= start:
                stack.pop()
            if not stack or end <= stack[-1]:
                stack.append(end)
                return i
        self.stacks.append([end])
        return len(self.stacks) - 1


class _Builder:
    def __init__(self):
        self.events = []
        self.tracks = {}  # (track key, lane) -> tid
        self.next_tid = 1

    def tid(self, key, lane, name, sort):
        k = (key, lane)
        if k not in self.tracks:
            tid = self.tracks[k] = self.next_tid
            self.next_tid += 1
            label = name if lane == 0 else f"{name} (lane {lane + 1})"
            self.events.append({"ph": "M", "name": "thread_name", "pid": PID,
                                "tid": tid, "args": {"name": label}})
            self.events.append({"ph": "M", "name": "thread_sort_index",
                                "pid": PID, "tid": tid,
                                "args": {"sort_index": sort + lane}})
        return self.tracks[k]

    def slices(self, key, name, sort, items):
        """items: (start_ns, duration_ns, event name, cat, args); placed on
        lanes of the track key. Returns the tids used, per item."""
        lanes = _Lanes()
        order = sorted(range(len(items)),
                       key=lambda i: (items[i][0], -items[i][1]))
        tids = [None] * len(items)
        for i in order:
            start, dur, ev_name, cat, args = items[i]
            tid = self.tid(key, lanes.place(start, start + dur), name, sort)
            tids[i] = tid
            self.events.append({"ph": "X", "name": ev_name, "cat": cat,
                                "pid": PID, "tid": tid, "ts": _us(start),
                                "dur": _us(dur), "args": args})
        return tids

    def counter(self, name, ts_ns, series, value):
        self.events.append({"ph": "C", "name": name, "pid": PID,
                            "ts": _us(ts_ns), "args": {series: value}})


def _delay_item(d):
    kind, phase = d.get("kind", "?"), d.get("phase", "?")
    args = {"kind": kind, "phase": phase, "start_ns": d.get("start_ns", 0),
            "duration_ns": d.get("duration_ns", 0)}
    if "mutator" in d:
        args["mutator"] = d["mutator"]
    return (d.get("start_ns", 0), max(d.get("duration_ns", 0), 0),
            f"{kind}: {phase}", kind, args)


def _mutator_tracks(b, rec, delays):
    ids = mutator_ids(rec, delays)
    world = [_delay_item(d) for d in delays if "mutator" not in d]
    if not ids:
        # No per-mutator information: one track stands for all of them.
        if world:
            b.slices("mutators", "mutators (all)", _SORT_MUTATOR, world)
        return
    for n, mid in enumerate(ids):
        own = [_delay_item(d) for d in delays if d.get("mutator") == mid]
        b.tid(("mutator", mid), 0, f"mutator {mid}", _SORT_MUTATOR + 16 * n)
        b.slices(("mutator", mid), f"mutator {mid}", _SORT_MUTATOR + 16 * n,
                 world + own)


def _overlaps(a_start, a_end, b_start, b_end):
    """Closed intervals: a zero-length pause at a cycle's edge counts."""
    return a_start <= b_end and b_start <= a_end


def _gc_tracks(b, rec, delays):
    cycles = [c for c in rec.get("cycles") or [] if isinstance(c, dict)]
    pauses = [d for d in delays if "mutator" not in d]
    phases = [p for p in rec.get("phases") or [] if isinstance(p, dict)]
    cyc_items = []
    for i, c in enumerate(cycles):
        s, e = c.get("start_ns", 0), c.get("end_ns", 0)
        args = {k: v for k, v in c.items() if not isinstance(v, (dict, list))}
        cyc_items.append((s, max(e - s, 0),
                          f"cycle {i}: {c.get('kind', '?')} "
                          f"({c.get('reason', '?')})", "cycle", args))
    cyc_tids = b.slices("cycles", "GC cycles", _SORT_GC, cyc_items)
    pause_items = [_delay_item(d) for d in pauses]
    pause_tids = b.slices("gc-pauses", "GC pauses (world stopped)",
                          _SORT_GC + 16, pause_items)
    phase_items = []
    for p in phases:
        s, e = p.get("start_ns", 0), p.get("end_ns", 0)
        phase_items.append((s, max(e - s, 0), p.get("phase", "?"),
                            "concurrent", {k: v for k, v in p.items()
                                           if not isinstance(v, (dict, list))}))
    phase_tids = b.slices("gc-phases", "GC concurrent", _SORT_GC + 32,
                          phase_items)
    # Each cycle's flow arrows: from the cycle's start to each pause and
    # phase it overlaps (at the later of the two starts, inside both).
    # Targets sorted by start: a cycle looks only at those that start
    # before it ends and late enough to reach it (long runs have thousands
    # of cycles and pauses).
    targets = sorted(zip(pause_items + phase_items, pause_tids + phase_tids),
                     key=lambda t: t[0][0])
    starts = [t[0][0] for t in targets]
    longest = max((t[0][1] for t in targets), default=0)
    flow = 0
    for (cs, cdur, _, _, _), ctid in zip(cyc_items, cyc_tids):
        lo = bisect.bisect_left(starts, cs - longest)
        hi = bisect.bisect_right(starts, cs + cdur)
        for (s, dur, _, _, _), tid in targets[lo:hi]:
            if not _overlaps(cs, cs + cdur, s, s + dur):
                continue
            flow += 1
            b.events.append({"ph": "s", "name": "cycle", "cat": "cycle",
                             "id": flow, "pid": PID, "tid": ctid,
                             "ts": _us(cs)})
            b.events.append({"ph": "f", "bp": "e", "name": "cycle",
                             "cat": "cycle", "id": flow, "pid": PID,
                             "tid": tid, "ts": _us(max(s, cs))})


def _counters(b, rec):
    cycles = sorted((c for c in rec.get("cycles") or []
                     if isinstance(c, dict)),
                    key=lambda c: c.get("start_ns", 0))
    prev_end, prev_after = 0, 0
    for c in cycles:
        s, e = c.get("start_ns", 0), c.get("end_ns", 0)
        before, after = c.get("bytes_before", 0), c.get("bytes_after", 0)
        # Heap growth between the previous cycle's end (or the start) and
        # this one's start: what the mutators allocated with no cycle on.
        if s > prev_end and before >= prev_after:
            b.counter("allocation rate (MB/s)", prev_end, "MB/s",
                      (before - prev_after) / 1e6 / ((s - prev_end) / 1e9))
        b.counter("heap in use (bytes)", s, "bytes", before)
        b.counter("heap in use (bytes)", e, "bytes", after)
        b.counter("live after cycle (bytes)", e, "bytes",
                  c.get("live_bytes", 0))
        prev_end, prev_after = max(prev_end, e), after


def build_trace(rec, source=None, run=None):
    """The trace-event file's JSON object for one record."""
    b = _Builder()
    cfg = rec.get("config") or {}
    policy = (cfg.get("policy") or {}).get("name", "?")
    workload = (cfg.get("workload") or {}).get("name", "?")
    b.events.append({"ph": "M", "name": "process_name", "pid": PID,
                     "args": {"name": f"gctb {policy} / {workload}"}})
    delays = mutator_delays(rec)
    _gc_tracks(b, rec, delays)
    _mutator_tracks(b, rec, delays)
    _counters(b, rec)
    other = {"policy": policy, "workload": workload,
             "status": rec.get("status"), "started_at": rec.get("started_at"),
             "wall_ns": rec.get("wall_ns"),
             "delays_from": "delays" if isinstance(rec.get("delays"), list)
             else "pauses"}
    if source is not None:
        other["record"] = source
    if run is not None:
        other["run"] = run
    return {"traceEvents": b.events, "displayTimeUnit": "ms",
            "otherData": other}


def thread_names(trace):
    """{tid: thread name} for the tracks of a trace (for tests and tools)."""
    return {e["tid"]: e["args"]["name"] for e in trace["traceEvents"]
            if e.get("ph") == "M" and e.get("name") == "thread_name"}
