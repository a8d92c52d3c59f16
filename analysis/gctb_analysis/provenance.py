"""Checks before pooling records: were they made by the same build, on the
same machine, with the same verification and stress settings? And which
runs started on a busy machine?

Timings from different builds or machines, or from runs that verify the
heap or force collections, are not comparable; a sanitizer or checked
build is not a performance measurement at all. ``mixed`` names each field
that takes more than one value and the files behind each value;
``unfit`` names settings that make every record unfit for timing even when
they all agree.
"""
import collections

from . import records

# Fields whose values must agree across the records of one analysis.
# Every key of the record's "build" object is compared (the commit, its
# dirty flag, build type, flags, sanitizers...), except these.
BUILD_IGNORED = ()
MACHINE_FIELDS = ("hostname", "cpu_model", "ncpus")
CONFIG_FIELDS = ("verify", "stress")


def _fields(rec):
    """{field name: canonical value} of the provenance fields rec has."""
    out = {}
    build = rec.get("build")
    if isinstance(build, dict):
        for k, v in build.items():
            if k not in BUILD_IGNORED:
                out["build." + k] = records.canon(v)
    machine = rec.get("machine")
    if isinstance(machine, dict):
        for k in MACHINE_FIELDS:
            if k in machine:
                out["machine." + k] = records.canon(machine[k])
    cfg = rec.get("config")
    if isinstance(cfg, dict):
        for k in CONFIG_FIELDS:
            if k in cfg:
                out["config." + k] = records.canon(cfg[k])
    return out


def mixed(recs):
    """[(field, {value: Counter(file -> records)})] for every field with
    more than one value among recs (records lacking a field, such as a run
    that never started, are not counted for it)."""
    seen = collections.defaultdict(
        lambda: collections.defaultdict(collections.Counter))
    for r in recs:
        for k, v in _fields(r).items():
            seen[k][v][r.get("_source", "?")] += 1
    return [(k, dict(vals)) for k, vals in sorted(seen.items())
            if len(vals) > 1]


def describe_mixed(problems):
    """One line per mixed field: its values and where each comes from."""
    lines = []
    for field, vals in problems:
        parts = []
        for v, files in sorted(vals.items()):
            where = ", ".join(f"{f} ({n})" for f, n in sorted(files.items()))
            parts.append(f"{v} in {where}")
        lines.append(f"records differ in {field}: " + "; ".join(parts))
    return lines


def _stress_on(stress):
    if isinstance(stress, dict):
        return any(v not in (0, None, False) for v in stress.values())
    return stress not in (None, False, 0, "none")


def unfit(recs):
    """[(reason, count)] of settings that make records unfit for timing:
    sanitizer or checked builds, heap verification, forced collections."""
    reasons = collections.Counter()
    for r in recs:
        b, c = r.get("build") or {}, r.get("config") or {}
        for k in ("asan", "tsan", "ubsan", "checked"):
            if b.get(k) is True:
                reasons[f"build.{k} is true"] += 1
        v = c.get("verify")
        if v not in (None, "none"):
            reasons[f"config.verify is {records.canon(v)}"] += 1
        if _stress_on(c.get("stress")):
            reasons["config.stress forces collections"] += 1
    return sorted(reasons.items())


def loaded(rec):
    """True when the run started on a busy machine: the 1-minute load
    average (machine.loadavg[0]) above half its CPUs; None when unknown."""
    m = rec.get("machine") or {}
    la = m.get("loadavg")
    n = m.get("ncpus_allowed") or m.get("ncpus")
    if not isinstance(la, list) or not la or not isinstance(
            la[0], (int, float)) or not n:
        return None
    return la[0] > n / 2


def check_pooling(recs, allow_mixed, err, prog):
    """Prints (through err) what makes the records unfit to pool or to
    time, prog naming the command; returns False when it must stop."""
    problems = describe_mixed(mixed(recs))
    for line in problems:
        err(("warning: " if allow_mixed else prog + ": ") + line)
    if problems and not allow_mixed:
        err(f"{prog}: refusing to pool these records (their timings are "
            "not comparable); report them separately, or pass --allow-mixed "
            "to pool them anyway with these warnings")
        return False
    for reason, n in unfit(recs):
        err(f"warning: {n} record(s) with {reason}: not a performance "
            "measurement")
    flags = [loaded(r) for r in recs]
    busy = sum(1 for f in flags if f)
    if busy:
        err(f"warning: {busy} of {sum(1 for f in flags if f is not None)} "
            "runs started on a busy machine (1-minute load average above "
            "half the CPUs)")
    return True
