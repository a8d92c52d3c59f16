"""Lower-bound overhead (Cai, Blackburn, Bond and Maas, "Distilling the real
cost of production garbage collectors", ISPASS 2022).

The cost a program would have with a free collector is unknowable, but
every run gives an upper bound on it: its cost minus the cost attributed to
GC. The smallest such bound over every policy and heap size of a benchmark
is the baseline, and a run's LBO is its cost over that baseline: a lower
bound on its true overhead, since the baseline is an over-estimate of the
ideal cost. Two costs:

  wall  wall_ns, GC cost gc_ns (stop-the-world pause time);
  cpu   process CPU without heap setup (records.cpu_ns), GC cost gc_cpu_ns
        (CPU of GC work, concurrent included).
"""
from . import records


def _costs(rec):
    wall, gc = rec.get("wall_ns"), rec.get("gc_ns", 0)
    cpu, gc_cpu = records.cpu_ns(rec), rec.get("gc_cpu_ns", 0)
    return {"wall": (wall, gc), "cpu": (cpu, gc_cpu)}


def baselines(recs):
    """{"wall": ns, "cpu": ns}: min over ok runs of cost - GC cost."""
    out = {}
    for rec in records.ok(recs):
        for kind, (cost, gc) in _costs(rec).items():
            if cost is None or cost <= 0:
                continue
            distilled = max(cost - (gc or 0), 1)
            out[kind] = min(out.get(kind, distilled), distilled)
    return out


def lbo(rec, base):
    """{"wall": x, "cpu": y} for one ok run against baselines()."""
    out = {}
    for kind, (cost, _) in _costs(rec).items():
        b = base.get(kind)
        out[kind] = cost / b if b and cost else None
    return out
