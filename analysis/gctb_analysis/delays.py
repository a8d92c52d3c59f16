"""What each mutator saw: the intervals in which it could not run mutator
code, from a record's ``delays`` (docs/results-format.md).

A mutator's timeline is the union of every world pause (kind "pause", no
"mutator" key: it stops every mutator) and its own holds, stalls, paces and
assists, overlapping or touching intervals merged into one. Its delay
distribution is over the lengths of those merged intervals: a 20 ms stall
that began inside a 1 ms pause is one 20+ ms delay, not two.

Records written before ``delays`` existed have only ``pauses``: world stops,
plus handshake holds that carry a "mutator" key. Their timelines are built
from those (stalls, paces and assists were not recorded then); ``source``
says which list a timeline came from so that tables can flag it.
"""
from .stats import percentile

KINDS = ("pause", "hold", "stall", "pace", "assist", "runqueue")


def source(rec):
    """"delays" when the record has the delay list, else "pauses"."""
    return "delays" if isinstance(rec.get("delays"), list) else "pauses"


def _events(rec):
    """[(start, end, mutator or None)] of the record's delays (or, for an
    old record, its pauses); None means the whole world stopped."""
    out = []
    if source(rec) == "delays":
        items = rec["delays"]
    else:
        items = rec.get("pauses") or []
    for d in items:
        s, dur = d.get("start_ns"), d.get("duration_ns")
        if not isinstance(s, (int, float)) or not isinstance(
                dur, (int, float)) or dur <= 0:
            continue
        m = d.get("mutator")
        if d.get("kind") == "pause":
            m = None  # a world stop, whatever else it carries
        out.append((s, s + dur, m))
    return out


def mutator_ids(rec):
    """The record's mutator ids: from ``mutators``, else every id that a
    delay names, else [0] (one mutator that saw only the world pauses).
    An old record lists only mutators that were held at least once."""
    ids = [m.get("id") for m in rec.get("mutators") or []
           if isinstance(m, dict) and m.get("id") is not None]
    if ids:
        return list(dict.fromkeys(ids))  # attach order, as listed
    named = {m for _, _, m in _events(rec) if m is not None}
    return sorted(named) if named else [0]


def merge(intervals):
    """The union of [(start, end)] as sorted disjoint intervals; intervals
    that overlap or touch become one."""
    out = []
    for s, e in sorted(intervals):
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def lifetime(rec, mid):
    """(start, end) of a mutator on the record's clock: its ``start_ns`` and
    ``end_ns`` in ``mutators`` when the record has them, else the whole run
    [0, wall_ns] (None for the end when wall_ns is missing too)."""
    for m in rec.get("mutators") or []:
        if isinstance(m, dict) and m.get("id") == mid and isinstance(
                m.get("start_ns"), (int, float)) and isinstance(
                m.get("end_ns"), (int, float)):
            return m["start_ns"], m["end_ns"]
    return 0, rec.get("wall_ns")


def timelines(rec):
    """{mutator id: merged [(start, end)]}: world pauses plus its own,
    clipped to its lifetime (gctb computes delay_stats the same way)."""
    ev = _events(rec)
    world = [(s, e) for s, e, m in ev if m is None]
    out = {}
    for mid in mutator_ids(rec):
        lo, hi = lifetime(rec, mid)
        mine = world + [(s, e) for s, e, m in ev if m == mid]
        if hi is not None:
            mine = [(max(s, lo), min(e, hi)) for s, e in mine]
            mine = [(s, e) for s, e in mine if e > s]
        out[mid] = merge(mine)
    return out


def world_pauses(rec):
    """Durations of the world stops only (no holds), in start order."""
    return [e - s for s, e, m in _events(rec) if m is None]


def stats_of(durations):
    """{"count", "total_ns", "p50_ns", "p99_ns", "max_ns"} of durations,
    nearest-rank percentiles (gctb's own definition, harness/record/summary.c)."""
    d = sorted(durations)
    return {"count": len(d), "total_ns": sum(d),
            "p50_ns": percentile(d, 50) if d else 0,
            "p99_ns": percentile(d, 99) if d else 0,
            "max_ns": d[-1] if d else 0}


def per_mutator(rec):
    """{mutator id: stats_of(its merged delay lengths)}."""
    return {mid: stats_of([e - s for s, e in iv])
            for mid, iv in timelines(rec).items()}


def worst(rec):
    """(mutator id, stats, merged delay lengths) of the mutator whose
    longest delay is longest (ties: the first in attach order, as gctb's
    own delay_stats.worst_mutator)."""
    best = None
    for mid, iv in timelines(rec).items():
        lengths = [e - s for s, e in iv]
        st = stats_of(lengths)
        if best is None or st["max_ns"] > best[1]["max_ns"]:
            best = (mid, st, lengths)
    return best


TOTAL_FIELDS = {"pause": "gc_ns", "hold": "held_ns", "stall": "stalled_ns",
                "pace": "paced_ns", "assist": "assist_ns",
                "runqueue": "runqueue_ns"}
# sums that records from before the run-queue sampler lack (0 there)
OPTIONAL_TOTALS = ("runqueue",)


def kind_totals(rec):
    """{kind: ns}: the record's own sums (gc_ns for world stops, held_ns,
    stalled_ns, paced_ns, assist_ns, runqueue_ns; assist_ns includes the assists under
    10 us that are counted but not listed) when it has them, else summed
    over its delays as listed (not merged): "pause" counts each world stop
    once, the other kinds sum over mutators. Old records give only "pause"
    and "hold"."""
    out = dict.fromkeys(KINDS, 0)
    if source(rec) == "delays" and all(
            isinstance(rec.get(f), (int, float))
            for k, f in TOTAL_FIELDS.items() if k not in OPTIONAL_TOTALS):
        return {k: rec.get(f, 0) for k, f in TOTAL_FIELDS.items()}
    if source(rec) == "delays":
        for d in rec["delays"]:
            k, dur = d.get("kind"), d.get("duration_ns")
            if k in out and isinstance(dur, (int, float)) and dur > 0:
                out[k] += dur
        return out
    for p in rec.get("pauses") or []:
        dur = p.get("duration_ns") or 0
        out["hold" if "mutator" in p else "pause"] += max(dur, 0)
    return out
