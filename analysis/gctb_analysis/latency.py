"""Request latencies a workload records (the `server` workload; see
docs/analysis.md for the shape expected in the record's "workload" object).

  "latency": {
    "simple":  {"count": n, "p50_ns": .., "p90_ns": .., "p99_ns": ..,
                "p999_ns": .., "max_ns": ..},
    "metered": {...}
  }

``simple`` is end minus actual start of a request; ``metered`` is end minus
its scheduled start in an open-loop schedule, so time a request spent
queued behind a pause counts (Tene, "How NOT to measure latency"). Either
kind may instead hold raw samples as "samples_ns": [...], from which the
percentiles are computed here.
"""
import re

from .stats import percentile

KINDS = ("simple", "metered")
STANDARD = (50.0, 90.0, 99.0, 99.9, 99.99, 100.0)
_KEY = re.compile(r"^p(\d+)(?:\.(\d+))?_ns$")


def _key_percentile(key):
    """"p50_ns" -> 50, "p999_ns" -> 99.9, "p99.9_ns" -> 99.9, "max_ns" ->
    100: the first two digits are the whole part, the rest decimals."""
    if key == "max_ns":
        return 100.0
    m = _KEY.match(key)
    if not m:
        return None
    whole, frac = m.group(1), m.group(2)
    if frac is None and len(whole) > 2:
        whole, frac = whole[:2], whole[2:]
    return float(whole + ("." + frac if frac else ""))


def percentiles(kind_obj):
    """{percentile: ns} from one kind's object."""
    if not isinstance(kind_obj, dict):
        return {}
    samples = kind_obj.get("samples_ns")
    if isinstance(samples, list) and samples:
        s = sorted(samples)
        return {p: percentile(s, p) for p in STANDARD if len(s) * p >= 100 or
                p in (50.0, 100.0)}
    out = {}
    for k, v in kind_obj.items():
        p = _key_percentile(k)
        if p is not None and isinstance(v, (int, float)):
            out[p] = float(v)
    return out


def of_record(rec):
    """{kind: {percentile: ns}} for the kinds the record has, or {}."""
    lat = (rec.get("workload") or {}).get("latency")
    if not isinstance(lat, dict):
        return {}
    out = {k: percentiles(lat.get(k)) for k in KINDS}
    return {k: v for k, v in out.items() if v}


def label(p):
    return "max" if p == 100.0 else f"p{p:g}"
