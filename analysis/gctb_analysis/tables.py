"""The numbers behind the figures, as text tables and CSV files
(``gctb report``; every column is explained in docs/analysis.md).
Standard library only."""
import csv
import os

from . import cells as cellmod
from . import compare, delays, latency, mmu, provenance, records, stats

PAUSE_PCTS = (50.0, 90.0, 99.0, 99.9, 100.0)
DELAY_PCTS = (50.0, 99.0, 100.0)
SURVIVORS = "ok/oom/to/crash"
DAGGER = "†"  # a mean over the surviving runs only


def ms(ns):
    return None if ns is None else ns / 1e6


def fmt(x, digits=3):
    if x is None:
        return "-"
    if isinstance(x, str):
        return x
    if x == 0:
        return "0"
    return f"{x:.{digits}g}" if abs(x) < 10 ** digits else f"{x:.0f}"


def fmt_ci(mean_ci, scale=1.0):
    m, h = mean_ci
    if m is None:
        return "-"
    return fmt(m * scale) + ("" if h is None else " ±" + fmt(h * scale, 2))


def fmt_interval(pairs, lo, hi):
    """"-" with fewer than two pairs (no interval), "unbounded" when the
    baseline's mean is not clearly above zero (compare.fieller)."""
    if pairs < 2:
        return "-"
    return "unbounded" if lo is None or hi is None else \
        f"[{lo:.3f}, {hi:.3f}]"


def _ordered_cells(b):
    for series in b.series():
        for hk, _ in b.heaps():
            c = b.cell(series, hk)
            if c:
                yield c


def _mmu_summary(cell):
    """{w_ms: {column: mean over runs}} at the report's windows: per-mutator
    MMU and BMU (minimum and mean over mutators), and the GC-CPU-share
    curve."""
    fixed = [w * 1e6 for w in cellmod.REPORT_WINDOWS_MS]
    per_run = [(cellmod.run_mmu(r, fixed), mmu.max_gc_cpu_share(r, fixed))
               for r in cell.ok]
    out = {}
    for i, w in enumerate(cellmod.REPORT_WINDOWS_MS):
        row = {}
        for name in ("mmu_min", "mmu_mean", "bmu_min", "bmu_mean"):
            row[name] = stats.mean([c[name][i] for c, _ in per_run
                                    if c[name][i] is not None])
        row["gc_cpu_share_max"] = stats.mean(
            [s[i] for _, s in per_run if s[i] is not None])
        out[w] = row
    return out


def _delay_columns(c):
    """The mutator-observed delay columns of a cell."""
    worst = c.worst_delays()
    pooled = c.delay_lengths()
    row = {"delay_source": ", ".join(sorted({delays.source(r)
                                             for r in c.ok})) or None,
           "mutators": stats.mean([len(delays.mutator_ids(r))
                                   for r in c.ok]),
           "worst_mutator": None}
    if worst:
        mid, st, _ = max(worst, key=lambda x: x[1]["max_ns"])
        row["worst_mutator"] = mid
    for p in DELAY_PCTS:
        row[f"delay_{latency.label(p)}_ms"] = ms(stats.percentile(pooled, p))
    m, h = stats.ci([st["max_ns"] for _, st, _ in worst])
    row["delay_max_mean_ms"], row["delay_max_mean_ms_ci95"] = ms(m), ms(h)
    totals = [delays.kind_totals(r) for r in c.ok]
    for k in delays.KINDS:
        row[f"{k}_ms"] = ms(stats.mean([t[k] for t in totals]))
    return row


def cell_row(b, c):
    """One cell's summary as an ordered dict of column -> value."""
    pauses = c.pauses()
    n_ok = len(c.ok)
    tp = [records.throughput(r) for r in c.ok]
    row = {
        "benchmark": b.label, "series": c.series, "heap": c.heap_label,
        "x_live": c.x("live"), "x_min": c.x("min"),
        "min_heap_is_bound": c.min_is_bound(),
        "runs": len(c.records), "ok": n_ok, SURVIVORS: c.survivors(),
        "survivors_only": c.survivors_only(),
        "failed": ", ".join(f"{k} {v}" for k, v in sorted(c.statuses().items())
                            if k != "ok"),
        "loaded_runs": c.loaded(),
    }
    row.update(_delay_columns(c))
    row["pauses_per_run"] = len(pauses) / n_ok if n_ok else None
    for p in PAUSE_PCTS:
        row[f"pause_{latency.label(p)}_ms"] = ms(stats.percentile(pauses, p))
    for name, fn in (("wall", lambda r: r.get("wall_ns")),
                     ("mutator", lambda r: r.get("mutator_ns")),
                     ("gc", lambda r: r.get("gc_ns")),
                     ("gc_cpu", lambda r: r.get("gc_cpu_ns")),
                     ("cpu", records.cpu_ns)):
        m, h = c.ci(fn)
        row[f"{name}_ms"], row[f"{name}_ms_ci95"] = ms(m), ms(h)
    m, h = c.ci(lambda r: records.throughput(r)[0])
    row["throughput"], row["throughput_ci95"] = m, h
    row["throughput_unit"] = tp[-1][1] if tp else ""
    row["throughput_source"] = ", ".join(sorted(
        {records.throughput_source(r) for r in c.ok}))
    for kind in ("wall", "cpu"):
        m, h = c.ci(lambda r, k=kind: cellmod.run_lbo(b, r, k))
        row[f"lbo_{kind}"], row[f"lbo_{kind}_ci95"] = m, h
    rss = c.values(lambda r: r.get("peak_rss_bytes"))
    row["peak_rss_mb"] = stats.mean(rss) / 2 ** 20 if rss else None
    for w, vals in _mmu_summary(c).items():
        for name, v in vals.items():
            row[f"{name}_{w:g}ms"] = v
    return row


# Metrics compared against the baseline policy.
RATIO_METRICS = (("wall", lambda r: r.get("wall_ns")),
                 ("cpu", records.cpu_ns))


def ratio_rows(analysis, policy):
    """Per cell of another policy: the paired ratio to the baseline policy's
    cell with the same context, per metric (compare.py)."""
    for b in analysis.benchmarks:
        for c in _ordered_cells(b):
            if c.policy == policy:
                continue
            base = cellmod.baseline_cell(b, c, policy)
            row = {"benchmark": b.label, "series": c.series,
                   "heap": c.heap_label, "baseline": policy,
                   SURVIVORS: c.survivors(),
                   "baseline_" + SURVIVORS: base.survivors() if base else None}
            for name, fn in RATIO_METRICS:
                got = cellmod.paired_ratio(b, c, policy, fn)
                n, unpaired, (r, lo, hi) = got if got else (0, None,
                                                            (None,) * 3)
                row[f"{name}_pairs"] = n
                row[f"{name}_unpaired"] = unpaired
                row[f"{name}_ratio"] = r
                row[f"{name}_ratio_lo95"], row[f"{name}_ratio_hi95"] = lo, hi
                row[f"{name}_verdict"] = compare.verdict(lo, hi) if got \
                    else "?"
            yield row


def run_rows(analysis):
    for b in analysis.benchmarks:
        for c in _ordered_cells(b):
            for r in c.records:
                tag = r.get("matrix") or {}
                ps = r.get("pause_stats") or {}
                ok = r.get("status") == "ok"
                lb = cellmod.lbo.lbo(r, b.baselines) if ok else {}
                worst = delays.worst(r) if ok else None
                yield {
                    "benchmark": b.label, "series": c.series,
                    "heap": c.heap_label,
                    "heap_bytes": (r.get("heap") or {}).get("size_bytes"),
                    "x_live": (r.get("heap") or {}).get("multiple"),
                    "x_min": (r.get("heap") or {}).get("min_multiple"),
                    "cell": tag.get("cell"), "invocation": tag.get("invocation"),
                    "status": r.get("status"),
                    "loaded": provenance.loaded(r),
                    "wall_ms": ms(r.get("wall_ns")),
                    "mutator_ms": ms(r.get("mutator_ns")),
                    "gc_ms": ms(r.get("gc_ns")),
                    "gc_cpu_ms": ms(r.get("gc_cpu_ns")),
                    "cpu_ms": ms(records.cpu_ns(r)) if ok else None,
                    "peak_rss_bytes": r.get("peak_rss_bytes"),
                    "pauses": ps.get("count"), "pause_max_ms": ms(ps.get("max_ns")),
                    "worst_mutator": worst[0] if worst else None,
                    "delay_max_ms": ms(worst[1]["max_ns"]) if worst else None,
                    "delay_source": delays.source(r),
                    "throughput": records.throughput(r)[0] if ok else None,
                    "throughput_source": records.throughput_source(r),
                    "lbo_wall": lb.get("wall"), "lbo_cpu": lb.get("cpu"),
                    "error": (r.get("error") or "").replace("\n", " ")[:300],
                    "source": f"{r.get('_source')}:{r.get('_line')}",
                }


def delay_rows(analysis):
    """One row per ok run and mutator: its merged delay statistics."""
    for b in analysis.benchmarks:
        for c in _ordered_cells(b):
            for r in c.ok:
                inv = (r.get("matrix") or {}).get("invocation")
                for mid, st in sorted(delays.per_mutator(r).items()):
                    yield {"benchmark": b.label, "series": c.series,
                           "heap": c.heap_label, "invocation": inv,
                           "mutator": mid, "source": delays.source(r),
                           "count": st["count"],
                           "total_ms": ms(st["total_ns"]),
                           "p50_ms": ms(st["p50_ns"]),
                           "p99_ms": ms(st["p99_ns"]),
                           "max_ms": ms(st["max_ns"]),
                           "record": f"{r.get('_source')}:{r.get('_line')}"}


def mmu_rows(analysis, per_decade=6):
    """Per cell and window: medians over the cell's runs of the per-mutator
    MMU and BMU (min over mutators, and mean), and of the GC CPU share."""
    for b in analysis.benchmarks:
        for c in _ordered_cells(b):
            if not c.ok:
                continue
            length = min(r.get("wall_ns") or 0 for r in c.ok)
            grid = mmu.windows(length, per_decade=per_decade)
            curves = [cellmod.run_mmu(r, grid) for r in c.ok]
            shares = [mmu.max_gc_cpu_share(r, grid) for r in c.ok]
            for i, w in enumerate(grid):
                row = {"benchmark": b.label, "series": c.series,
                       "heap": c.heap_label, "window_ms": w / 1e6}
                for name in ("mmu_min", "mmu_mean", "bmu_min", "bmu_mean"):
                    vs = sorted(cv[name][i] for cv in curves
                                if cv[name][i] is not None)
                    row[name + "_median"] = stats.percentile(vs, 50)
                    if name == "mmu_min":
                        row["mmu_min_lowest"] = vs[0] if vs else None
                vs = sorted(s[i] for s in shares if s[i] is not None)
                row["gc_cpu_share_max_median"] = stats.percentile(vs, 50)
                row["runs"] = len(curves)
                yield row


def latency_rows(analysis):
    for b in analysis.benchmarks:
        for c in _ordered_cells(b):
            for kind, pcts in cellmod.cell_latency(c).items():
                for p, (m, h) in sorted(pcts.items()):
                    yield {"benchmark": b.label, "series": c.series,
                           "heap": c.heap_label, "kind": kind,
                           "percentile": latency.label(p),
                           "latency_ms": ms(m), "latency_ms_ci95": ms(h)}


def write_csv(path, rows):
    rows = list(rows)
    if not rows:
        return None
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        for r in rows:
            w.writerow({k: ("" if v is None else v) for k, v in r.items()})
    return path


def print_table(out, title, header, rows):
    rows = [[fmt(v) if not isinstance(v, str) else v for v in r] for r in rows]
    widths = [max(len(str(h)), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(header)]
    print(f"\n{title}", file=out)
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)), file=out)
    print("  ".join("-" * w for w in widths), file=out)
    for r in rows:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths)), file=out)


def _key(r):
    return [r["benchmark"], r["series"], r["heap"]]


def _mark(r, text):
    """text with the survivors-only mark when the cell lost runs."""
    return text + DAGGER if r["survivors_only"] and text != "-" else text


def print_delays(out, cell_rows):
    """The lead table: what the mutators saw, world pauses beside it."""
    dl = [latency.label(p) for p in DELAY_PCTS]
    pl = [latency.label(p) for p in (50.0, 99.0, 100.0)]
    old = any("pauses" in (r["delay_source"] or "") for r in cell_rows)
    print_table(
        out, "Mutator-observed delays (ms): the worst mutator of each run, "
             "its merged world pauses, holds, stalls, paces and assists, "
             "pooled over invocations; world pauses beside"
             + ("\n  * old records without `delays`: world pauses and "
                "holds only" if old else ""),
        ["benchmark", "series", "heap", SURVIVORS, "muts", "worst"] +
        [f"delay {p}" for p in dl] + ["max/run ±CI", "|", "pauses/run"] +
        [f"pause {p}" for p in pl],
        [_key(r) + [r[SURVIVORS], fmt(r["mutators"]),
                    fmt(r["worst_mutator"]) +
                    ("*" if "pauses" in (r["delay_source"] or "") else "")] +
         [_mark(r, fmt(r[f"delay_{p}_ms"])) for p in dl] +
         [_mark(r, fmt_ci((r["delay_max_mean_ms"],
                           r["delay_max_mean_ms_ci95"]))), "|",
          fmt(r["pauses_per_run"])] +
         [_mark(r, fmt(r[f"pause_{p}_ms"])) for p in pl]
         for r in cell_rows])
    print_table(
        out, "Where the mutators' time went (ms per run, mean; pause: each "
             "world stop once; the other kinds summed over mutators)",
        ["benchmark", "series", "heap"] + list(delays.KINDS),
        [_key(r) + [_mark(r, fmt(r[f"{k}_ms"])) for k in delays.KINDS]
         for r in cell_rows])


def print_report(out, analysis, cell_rows, ratios=None, baseline=None):
    print_delays(out, cell_rows)
    print_table(
        out, "Time (ms; mean ±95% CI half-width over the ok invocations; "
             f"{DAGGER}: mean over survivors only; x min ≥: the minimum heap "
             "is a bound, not a measurement)",
        ["benchmark", "series", "heap", SURVIVORS, "loaded", "x live",
         "x min", "wall", "mutator", "GC", "GC CPU",
         "throughput", "unit (source)"],
        [_key(r) + [r[SURVIVORS], str(r["loaded_runs"]), fmt(r["x_live"]),
                    ("≥" if r["min_heap_is_bound"] and r["x_min"] else "")
                    + fmt(r["x_min"])] +
         [_mark(r, fmt_ci((r[f"{k}_ms"], r[f"{k}_ms_ci95"])))
          for k in ("wall", "mutator", "gc", "gc_cpu")] +
         [_mark(r, fmt_ci((r["throughput"], r["throughput_ci95"]))),
          f'{r["throughput_unit"]} ({r["throughput_source"]})'
          if r["throughput_source"] else "-"] for r in cell_rows])
    if ratios is not None:
        print_table(
            out, f"Paired ratios to {baseline} (policy / {baseline}, ratio of "
                 "means over invocations paired by matrix round; 95% Fieller "
                 "interval; higher/lower: the interval excludes 1)",
            ["benchmark", "series", "heap", SURVIVORS,
             f"{baseline} {SURVIVORS}", "pairs", "wall ratio", "95% interval",
             "", "CPU ratio", "95% interval", ""],
            [_key(r) + [r[SURVIVORS], r["baseline_" + SURVIVORS] or "none",
                        str(r["wall_pairs"]), fmt(r["wall_ratio"]),
                        fmt_interval(r["wall_pairs"], r["wall_ratio_lo95"],
                                     r["wall_ratio_hi95"]),
                        r["wall_verdict"], fmt(r["cpu_ratio"]),
                        fmt_interval(r["cpu_pairs"], r["cpu_ratio_lo95"],
                                     r["cpu_ratio_hi95"]),
                        r["cpu_verdict"]] for r in ratios])
    print_table(
        out, "Lower-bound overhead (Cai et al. 2022; 1.0 = the best "
             "configuration's mean distilled cost)",
        ["benchmark", "series", "heap", SURVIVORS, "LBO wall", "LBO CPU",
         "peak RSS MB"],
        [_key(r) + [r[SURVIVORS],
                    _mark(r, fmt_ci((r["lbo_wall"], r["lbo_wall_ci95"]))),
                    _mark(r, fmt_ci((r["lbo_cpu"], r["lbo_cpu_ci95"]))),
                    fmt(r["peak_rss_mb"])] for r in cell_rows])
    ws = [f"{w:g}ms" for w in cellmod.REPORT_WINDOWS_MS]
    print_table(
        out, "Per-mutator MMU and BMU, exact (mean over invocations of the "
             "minimum over mutators; after |, of the mean over mutators)",
        ["benchmark", "series", "heap"] + [f"MMU {w}" for w in ws] +
        [f"BMU {w}" for w in ws] + ["|"] + [f"MMU {w}" for w in ws],
        [_key(r) + [fmt(r[f"mmu_min_{w}"]) for w in ws] +
         [fmt(r[f"bmu_min_{w}"]) for w in ws] + ["|"] +
         [fmt(r[f"mmu_mean_{w}"]) for w in ws] for r in cell_rows])
    print_table(
        out, "GC CPU share (not an MMU): the largest share of the machine's "
             "CPUs GC used in any window (mean over invocations)",
        ["benchmark", "series", "heap"] + [f"max share {w}" for w in ws],
        [_key(r) + [fmt(r[f"gc_cpu_share_max_{w}"]) for w in ws]
         for r in cell_rows])


def print_latency(out, rows):
    """One line per cell and kind, percentiles across."""
    rows = list(rows)
    if not rows:
        return
    pcts = []
    lines = {}
    for r in rows:
        if r["percentile"] not in pcts:
            pcts.append(r["percentile"])
        key = (r["benchmark"], r["series"], r["heap"], r["kind"])
        lines.setdefault(key, {})[r["percentile"]] = fmt_ci(
            (r["latency_ms"], r["latency_ms_ci95"]))
    print_table(out, "Request latency (ms; mean ±95% CI over invocations)",
                ["benchmark", "series", "heap", "kind"] + pcts,
                [list(k) + [v.get(p, "-") for p in pcts]
                 for k, v in lines.items()])


def report(analysis, out, csv_dir=None, baseline=None):
    """Prints every table; writes CSV files into csv_dir. Returns the CSV
    paths written. baseline: a policy name for the paired ratio table."""
    cell_rows = [cell_row(b, c) for b in analysis.benchmarks
                 for c in _ordered_cells(b)]
    ratios = list(ratio_rows(analysis, baseline)) if baseline else None
    print_report(out, analysis, cell_rows, ratios, baseline)
    lat = list(latency_rows(analysis))
    print_latency(out, lat)
    if any(r["survivors_only"] for r in cell_rows):
        print(f"\n{DAGGER} some runs of the cell failed ({SURVIVORS} counts "
              "beside it): its means and percentiles are over the surviving "
              "runs only, which flatters it.", file=out)
    if ratios is None:
        print("\nNo --baseline: no comparisons. The per-cell ±intervals "
              "describe each cell; whether two cells' intervals overlap is "
              "not a test of a difference (use --baseline POLICY).", file=out)
    written = []
    if csv_dir:
        os.makedirs(csv_dir, exist_ok=True)
        for name, rows in (("cells.csv", cell_rows),
                           ("runs.csv", run_rows(analysis)),
                           ("delays.csv", delay_rows(analysis)),
                           ("mmu.csv", mmu_rows(analysis)),
                           ("latency.csv", lat),
                           ("ratios.csv", ratios or [])):
            p = write_csv(os.path.join(csv_dir, name), rows)
            if p:
                written.append(p)
    return written
