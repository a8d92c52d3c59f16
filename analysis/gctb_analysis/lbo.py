"""Lower-bound overhead (Cai, Blackburn, Bond and Maas, "Distilling the real
cost of production garbage collectors", ISPASS 2022).

The cost a program would have with a free collector is unknowable, but
every run gives an upper bound on it: its cost minus the cost attributed to
GC. The baseline is the smallest such bound over the benchmark's
configurations (policy x heap x options), each configuration's bound being
the MEAN over its successful invocations (DaCapo Chopin's method): a
minimum over single runs would be an extreme value that falls as
invocations are added. A run's LBO is its cost over that baseline: a lower
bound on its true overhead, as the baseline over-estimates the ideal cost.
Two costs:

  wall  wall_ns, GC cost gc_ns (world-stop time, counted once);
  cpu   process CPU without heap setup (records.cpu_ns), GC cost gc_cpu_ns
        as recorded (all GC work, concurrent threads included, once).
"""
import collections

from . import records


def _costs(rec):
    wall, gc = rec.get("wall_ns"), rec.get("gc_ns", 0)
    cpu, gc_cpu = records.cpu_ns(rec), rec.get("gc_cpu_ns", 0)
    return {"wall": (wall, gc), "cpu": (cpu, gc_cpu)}


def config_key(rec):
    """A configuration: the record's config without the seed (invocations
    of one matrix cell differ only in their seed)."""
    cfg = dict(rec.get("config") or {})
    cfg.pop("seed", None)
    return records.canon(cfg)


def baselines(recs, key=config_key):
    """{"wall": ns, "cpu": ns}: the smallest, over configurations (key), of
    the mean over the configuration's ok runs of cost - GC cost."""
    groups = collections.defaultdict(lambda: collections.defaultdict(list))
    for rec in records.ok(recs):
        for kind, (cost, gc) in _costs(rec).items():
            if cost is None or cost <= 0:
                continue
            groups[kind][key(rec)].append(max(cost - (gc or 0), 1))
    return {kind: min(sum(v) / len(v) for v in by_cfg.values())
            for kind, by_cfg in groups.items()}


def lbo(rec, base):
    """{"wall": x, "cpu": y} for one ok run against baselines()."""
    out = {}
    for kind, (cost, _) in _costs(rec).items():
        b = base.get(kind)
        out[kind] = cost / b if b and cost else None
    return out
