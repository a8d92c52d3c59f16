"""Reading result files (JSON lines, docs/results-format.md).

A results file may end with half a line (a run killed while writing) or,
rarely, hold a line that is not JSON; both are skipped with a warning rather
than failing the whole analysis: the matrix re-runs such runs on --resume.
"""
import json
import sys


_NUM = (int, float)
_STATS = {"count": _NUM, "total_ns": _NUM, "p50_ns": _NUM, "p99_ns": _NUM,
          "max_ns": _NUM, "worst_mutator": int}
# The types of the fields the analysis reads (docs/results-format.md). A
# field may be absent (a run that never started has no times), but one of
# another type would end the analysis in a traceback: such a record is
# reported and skipped like a line that is not JSON. A dict describes an
# object by its known keys (others are not checked: fields may be added;
# a key in _REQUIRED must be there), a list the elements of an array.
_EVENT = {"phase": str, "kind": str, "mutator": int, "start_ns": _NUM,
          "end_ns": _NUM, "duration_ns": _NUM, "gc_cpu_ns": _NUM}
_REQUIRED = {"pauses": ("start_ns", "duration_ns"),
             "phases": ("start_ns", "end_ns")}
_SHAPE = {
    "status": str, "error": str,
    "config": {"policy": {"name": str, "options": dict},
               "workload": {"name": str, "params": dict},
               "heap": {"size": (str, int, float), "multiple": _NUM,
                        "min_multiple": _NUM},
               "gc_threads": int},
    "machine": {"ncpus": int, "ncpus_allowed": (int, type(None))},
    "heap": {"size_bytes": _NUM, "live_declared_bytes": _NUM,
             "multiple": _NUM, "min_heap_bytes": _NUM, "min_multiple": _NUM},
    "counters": {"objects_allocated": _NUM, "bytes_allocated": _NUM,
                 "bytes_allocated_policy": _NUM},
    "pause_stats": _STATS,
    "pauses": [_EVENT], "phases": [_EVENT], "cycles": [_EVENT],
    "delays": [_EVENT], "delay_stats": _STATS,
    "mutators": [{"id": int, "start_ns": _NUM, "end_ns": _NUM,
                  "delay_stats": _STATS}],
    "build": dict, "matrix": dict, "held_ns": _NUM, "stalled_ns": _NUM,
    "paced_ns": _NUM, "assist_ns": _NUM,
    "workload": {"throughput": {"value": _NUM, "unit": str},
                 "latency": dict},
    "wall_ns": _NUM, "mutator_ns": _NUM, "gc_ns": _NUM, "gc_cpu_ns": _NUM,
    "cpu_user_ns": _NUM, "cpu_sys_ns": _NUM, "setup_ns": _NUM,
    "peak_rss_bytes": _NUM,
}


def _misfit(value, shape, where):
    """Where value does not have shape, or None."""
    if isinstance(shape, list):
        if not isinstance(value, list):
            return f"{where} is not an array"
        for i, v in enumerate(value):
            bad = _misfit(v, shape[0], f"{where}[{i}]")
            if bad:
                return bad
        return None
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            return f"{where} is not an object"
        for k in _REQUIRED.get(where.split("[")[0], ()):
            if k not in value:
                return f"{where} has no {k}"
        for k, v in value.items():
            sub = shape.get(k)
            bad = sub and _misfit(v, sub, f"{where}.{k}" if where else k)
            if bad:
                return bad
        return None
    if shape is object or (isinstance(value, shape)
                           and not (shape is _NUM and isinstance(value, bool))):
        return None
    return f"{where} has the wrong type ({type(value).__name__})"


def read_records(paths, warn=None):
    """Every record (a dict) of the given JSON-lines files, in file order.

    Each record gets ``_source`` (path) and ``_line`` (1-based) for messages.
    """
    warn = warn or (lambda msg: print("warning: " + msg, file=sys.stderr))
    records = []
    for path in paths:
        with open(path, "rb") as f:
            data = f.read()
        lines = data.split(b"\n")
        partial = lines.pop() if lines else b""
        if partial.strip():
            warn(f"{path}:{len(lines) + 1}: ignoring a partial last line "
                 f"({len(partial)} bytes)")
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except ValueError as e:
                warn(f"{path}:{n}: not JSON ({e}); line ignored")
                continue
            if not isinstance(rec, dict):
                warn(f"{path}:{n}: not a record; line ignored")
                continue
            bad = _misfit(rec, _SHAPE, "")
            if bad:
                warn(f"{path}:{n}: {bad}; line ignored")
                continue
            rec["_source"], rec["_line"] = path, n
            records.append(rec)
    return records


def flatten(obj, prefix=""):
    """{"a": {"b": 1}} -> {"a.b": 1}; lists and scalars are leaves."""
    out = {}
    if isinstance(obj, dict):
        for k, v in obj.items():
            key = f"{prefix}.{k}" if prefix else k
            if isinstance(v, dict) and v:
                out.update(flatten(v, key))
            else:
                out[key] = v
    return out


def _numbers_as_floats(v):
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, dict):
        return {k: _numbers_as_floats(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_numbers_as_floats(x) for x in v]
    return v


def canon(value):
    """A hashable, order-independent form of a JSON value; 2 and 2.0 are
    the same (gctb writes a number parameter as given or as a real)."""
    return json.dumps(_numbers_as_floats(value), sort_keys=True,
                      separators=(",", ":"))


def ok(records):
    return [r for r in records if r.get("status") == "ok"]


def cpu_ns(rec):
    """Process CPU time of the run without heap setup.

    cpu_user_ns + cpu_sys_ns come from getrusage and include creating the
    heap (pre-touching it, mostly system time, which grows with the heap
    size). Its CPU cost is taken off: setup_cpu_ns when the record measured
    it (getrusage around the setup), else setup_ns, its wall time on one
    thread. None when that leaves nothing (setup_ns, a wall time, can
    exceed the CPU the process used): an unknown, not a zero cost.
    """
    total = rec.get("cpu_user_ns", 0) + rec.get("cpu_sys_ns", 0)
    setup = rec.get("setup_cpu_ns")
    if not isinstance(setup, (int, float)):
        setup = rec.get("setup_ns", 0)
    return total - setup if total > setup else None


# Where a run's throughput came from (throughput_source).
TP_WORK = "work"
TP_WORKLOAD = "workload throughput"
TP_REQUESTED = "fallback: requested bytes"
TP_ALLOCATED = "fallback: policy bytes, not comparable"


def throughput_source(rec):
    """Which of the rules of throughput() applies to rec."""
    w = rec.get("workload") or {}
    work = w.get("work")
    if isinstance(work, dict) and isinstance(work.get("value"), (int, float)):
        return TP_WORK
    t = w.get("throughput")
    if isinstance(t, dict) and isinstance(t.get("value"), (int, float)):
        return TP_WORKLOAD
    # Records that count the policy's own bytes separately count the
    # workload's requests in bytes_allocated.
    if "bytes_allocated_policy" in (rec.get("counters") or {}):
        return TP_REQUESTED
    return TP_ALLOCATED


def throughput(rec):
    """(value, unit) for a run.

    1. workload.work {"value", "unit"}: the workload's own unit of work
       (nodes built, requests served), the same under every policy for the
       same seed: value per second of wall time;
    2. a workload's {"throughput": {"value", "unit"}} in its metrics;
    3. fallbacks for records without either, flagged by throughput_source:
       bytes per second of wall time (MB/s) from counters.bytes_allocated,
       which counts the workload's requests in records that also have
       bytes_allocated_policy, and the policy's own (headers, rounding:
       not comparable across policies) in older records.
    """
    w = rec.get("workload") or {}
    wall = rec.get("wall_ns") or 0
    src = throughput_source(rec)
    if src == TP_WORK:
        unit = str(w["work"].get("unit") or "units")
        if wall <= 0:
            return None, unit + "/s"
        return float(w["work"]["value"]) / (wall / 1e9), unit + "/s"
    if src == TP_WORKLOAD:
        t = w["throughput"]
        return float(t["value"]), str(t.get("unit", "ops/s"))
    alloc = (rec.get("counters") or {}).get("bytes_allocated", 0)
    if wall <= 0:
        return None, "MB/s allocated"
    return alloc / 1e6 / (wall / 1e9), "MB/s allocated"
