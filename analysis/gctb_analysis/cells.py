"""Grouping records into benchmarks, series and heap points, and the
numbers per cell that both the tables and the figures show.

  benchmark  the workload and its parameters: one set of figures each;
  series     the policy, plus any other config key that varies in the file
             (a policy option, gc_threads, pinning...): one line each;
  heap       the heap as the config asked for it (a size, a multiple of
             the live size, or of the minimum heap): the x axis;
  cell       benchmark x series x heap; its records are the invocations.
"""
import collections
import re

from . import compare, delays, latency, lbo, mmu, provenance, records, stats

# Keys that never make a series: they are the axes, or identify a run.
_NOT_SERIES = ("heap", "workload", "seed", "name")
REPORT_WINDOWS_MS = (1.0, 10.0, 100.0)


def _series_keys(recs):
    """The config keys (flattened) that vary across recs, policy options
    compared only among runs of the same policy."""
    values = collections.defaultdict(set)
    for r in recs:
        cfg = r.get("config") or {}
        pol = (cfg.get("policy") or {}).get("name", "?")
        for k, v in records.flatten(cfg).items():
            if k.split(".")[0] in _NOT_SERIES or k == "policy.name":
                continue
            scope = pol if k.startswith("policy.options.") else ""
            values[(scope, k)].add(records.canon(v))
    return {k for (scope, k), vs in values.items() if len(vs) > 1}


def _series_label(rec, keys):
    cfg = rec.get("config") or {}
    flat = records.flatten(cfg)
    parts = []
    for k in sorted(keys):
        if k in flat:
            short = k[len("policy.options."):] if k.startswith(
                "policy.options.") else k
            parts.append(f"{short}={_show(flat[k])}")
    name = (cfg.get("policy") or {}).get("name", "?")
    return name + (" " + " ".join(parts) if parts else "")


def _heap_label(spec):
    if "min_multiple" in spec:
        return f"{spec['min_multiple']:g}x min"
    if "multiple" in spec:
        return f"{spec['multiple']:g}x live"
    size = spec.get("size", 0)
    for unit, shift in (("G", 30), ("M", 20), ("K", 10)):
        if size >= 1 << shift:
            return f"{size / (1 << shift):g}{unit}"
    return f"{size}B"


def _show(v):
    """5000.0 -> "5000"; objects and lists as compact JSON."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (list, dict)):
        return records.canon(v)
    return str(v)


def _bench_label(rec, varying):
    w = rec.get("workload_cfg", {})
    params = w.get("params") or {}
    extra = [f"{k}={_show(params[k])}" for k in sorted(varying) if k in params]
    return w.get("name", "?") + (" " + " ".join(extra) if extra else "")


def slug(text):
    return re.sub(r"[^A-Za-z0-9_.=-]+", "_", text).strip("_") or "x"


class Cell:
    def __init__(self, bench, series, heap_key, heap_spec):
        self.bench, self.series = bench, series
        self.heap_key, self.heap_spec = heap_key, heap_spec
        self.heap_label = _heap_label(heap_spec)
        self.records = []

    @property
    def ok(self):
        return records.ok(self.records)

    def statuses(self):
        return collections.Counter(r.get("status", "?") for r in self.records)

    def x(self, axis):
        """Mean heap multiple (axis "live" or "min") over the runs."""
        key = "multiple" if axis == "live" else "min_multiple"
        xs = [(r.get("heap") or {}).get(key) for r in self.records]
        xs = [x for x in xs if isinstance(x, (int, float))]
        if xs:
            return stats.mean(xs)
        spec_key = "multiple" if axis == "live" else "min_multiple"
        return self.heap_spec.get(spec_key)

    def values(self, fn):
        return [v for v in (fn(r) for r in self.ok) if v is not None]

    def ci(self, fn):
        return stats.ci(self.values(fn))

    @property
    def policy(self):
        return ((self.records[0].get("config") or {}).get("policy")
                or {}).get("name", "?")

    @property
    def context(self):
        """The config without policy, seed and name: cells with the same
        context differ only in their policy (compare.py pairs them)."""
        cfg = dict(self.records[0].get("config") or {})
        for k in ("policy", "seed", "name"):
            cfg.pop(k, None)
        return records.canon(cfg)

    def survivors(self):
        """"ok/oom/timeout/crash[/other]" counts of the cell's runs."""
        st = self.statuses()
        main = ("ok", "oom", "timeout", "crash")
        other = sum(v for k, v in st.items() if k not in main)
        text = "/".join(str(st.get(k, 0)) for k in main)
        return text + (f"/{other}" if other else "")

    def survivors_only(self):
        """True when some runs failed, so means are over survivors only."""
        return len(self.ok) < len(self.records)

    def min_is_bound(self):
        """True when a run's reference minimum heap is a floor the search
        could not go below (heap.min_heap_is_bound), not a measurement."""
        return any((r.get("heap") or {}).get("min_heap_is_bound")
                   for r in self.records)

    def loaded(self):
        """How many of the cell's runs started on a busy machine."""
        return sum(1 for r in self.records if provenance.loaded(r))

    def pauses(self):
        """Every world-pause duration of every ok run, sorted (ns); holds
        of single mutators are not world pauses."""
        return sorted(d for r in self.ok for d in delays.world_pauses(r))

    def worst_delays(self):
        """[(mutator id, stats, merged delay lengths)] of each ok run's
        worst mutator (delays.worst)."""
        if getattr(self, "_worst", None) is None:
            self._worst = [delays.worst(r) for r in self.ok]
        return self._worst

    def delay_lengths(self):
        """The worst mutator's merged delay lengths of every ok run,
        pooled and sorted (ns)."""
        return sorted(d for _, _, ds in self.worst_delays() for d in ds)


class Benchmark:
    def __init__(self, key, label):
        self.key, self.label, self.slug = key, label, slug(label)
        self.cells = {}
        self.records = []

    def series(self):
        return sorted({c.series for c in self.cells.values()})

    def heaps(self):
        """Heap points in increasing order of size."""
        pts = {}
        for c in self.cells.values():
            sizes = [(r.get("heap") or {}).get("multiple", 0)
                     for r in c.records]
            pts.setdefault(c.heap_key, (c.heap_spec, c.heap_label, []))
            pts[c.heap_key][2].extend(s for s in sizes if s)
        order = sorted(pts.items(), key=lambda kv: (
            kv[1][0].get("min_multiple", 0), stats.mean(kv[1][2]) or 0,
            kv[1][0].get("size", 0)))
        return [(k, v[1]) for k, v in order]

    def axis(self):
        """"min" when every run knows its minimum heap, else "live"."""
        ok = records.ok(self.records)
        if ok and all((r.get("heap") or {}).get("min_multiple") for r in ok):
            return "min"
        return "live"

    def cell(self, series, heap_key):
        return self.cells.get((series, heap_key))


class Analysis:
    """Everything read from a set of results files."""

    def __init__(self, recs):
        self.records = recs
        self.benchmarks = []
        by_bench = collections.OrderedDict()
        for r in recs:
            cfg = r.get("config") or {}
            w = cfg.get("workload") or {}
            r["workload_cfg"] = w
            key = records.canon({"name": w.get("name"),
                                 "params": w.get("params")})
            by_bench.setdefault(key, []).append(r)
        by_bench = _merge_partial(by_bench)
        names = collections.defaultdict(list)
        for key, rs in by_bench.items():
            names[rs[0]["workload_cfg"].get("name")].append(rs[0])
        skeys = _series_keys(recs)
        for key, rs in by_bench.items():
            same = names[rs[0]["workload_cfg"].get("name")]
            varying = _varying_params(same)
            b = Benchmark(key, _bench_label(rs[0], varying))
            b.records = rs
            for r in rs:
                spec = (r.get("config") or {}).get("heap") or {}
                hk = records.canon(spec)
                series = _series_label(r, skeys)
                cell = b.cells.setdefault((series, hk),
                                          Cell(b, series, hk, spec))
                cell.records.append(r)
            cell_of = {id(r): key for key, c in b.cells.items()
                       for r in c.records}
            b.baselines = lbo.baselines(rs, key=lambda r: cell_of[id(r)])
            self.benchmarks.append(b)
        _unique_slugs(self.benchmarks)


def _merge_partial(by_bench):
    """Moves records whose workload params are a proper subset of exactly one
    other benchmark's (a config as written, where the others have every
    default filled in) into that benchmark."""
    def params(rs):
        p = rs[0]["workload_cfg"].get("params") or {}
        return {k: records.canon(v) for k, v in p.items()}
    out = collections.OrderedDict()
    for key, rs in by_bench.items():
        mine, name = params(rs), rs[0]["workload_cfg"].get("name")
        fits = [k for k, other in by_bench.items() if k != key
                and other[0]["workload_cfg"].get("name") == name
                and len(params(other)) > len(mine)
                and all(params(other).get(p) == v for p, v in mine.items())]
        target = fits[0] if len(fits) == 1 else key
        out.setdefault(target, []).extend(rs)
    return out


def _varying_params(recs):
    vals = collections.defaultdict(set)
    for r in recs:
        for k, v in ((r["workload_cfg"].get("params")) or {}).items():
            vals[k].add(records.canon(v))
    return {k for k, v in vals.items() if len(v) > 1}


def _unique_slugs(benches):
    seen = collections.Counter()
    for b in benches:
        seen[b.slug] += 1
        if seen[b.slug] > 1:
            b.slug = f"{b.slug}-{seen[b.slug]}"


# ---- per-run numbers ----

def run_lbo(bench, rec, kind):
    return lbo.lbo(rec, bench.baselines).get(kind)


def run_mmu(rec, windows_ns):
    """Per-mutator MMU and BMU of a run (mmu.run_curves)."""
    return mmu.run_curves(rec, windows_ns)


def baseline_cell(bench, cell, policy):
    """The cell of policy with the same context as cell, or None."""
    found = [c for c in bench.cells.values()
             if c.policy == policy and c.context == cell.context]
    return found[0] if found else None


def paired_ratio(bench, cell, policy, fn):
    """(pairs, unpaired, (ratio, low, high)) of fn over cell against the
    cell of the baseline policy (compare.py); None with no such cell."""
    base = baseline_cell(bench, cell, policy)
    if base is None:
        return None
    xy, unpaired = compare.pairs(cell.records, base.records, fn)
    return len(xy), unpaired, compare.fieller(xy)


def cell_latency(cell):
    """{kind: {percentile: (mean, ci)}} over the cell's ok runs."""
    per_run = [latency.of_record(r) for r in cell.ok]
    out = {}
    for kind in latency.KINDS:
        ps = sorted({p for lr in per_run for p in lr.get(kind, {})})
        if ps:
            out[kind] = {p: stats.ci([lr[kind][p] for lr in per_run
                                      if p in lr.get(kind, {})])
                         for p in ps}
    return out
