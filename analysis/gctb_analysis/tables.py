"""The numbers behind the figures, as text tables and CSV files
(``gctb report``). Standard library only."""
import csv
import os

from . import cells as cellmod
from . import latency, mmu, records, stats

PAUSE_PCTS = (50.0, 90.0, 99.0, 99.9, 100.0)


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


def _ordered_cells(b):
    for series in b.series():
        for hk, _ in b.heaps():
            c = b.cell(series, hk)
            if c:
                yield c


def _mmu_summary(cell):
    """{w_ms: (mmu, bmmu)}: means over the cell's runs, BMMU taken over a
    grid of windows from w to the run length."""
    per_run = []
    fixed = [w * 1e6 for w in cellmod.REPORT_WINDOWS_MS]
    for r in cell.ok:
        length = r.get("wall_ns") or 0
        grid = sorted(set(mmu.windows(length, per_decade=4) + fixed))
        curve = dict(zip(grid, cellmod.run_mmu(r, grid)))
        row = {}
        for w in fixed:
            above = [v for g, v in curve.items() if g >= w and v is not None]
            row[w] = (curve.get(w), min(above) if above else None)
        per_run.append(row)
    out = {}
    for w in fixed:
        m = [row[w][0] for row in per_run if row[w][0] is not None]
        b = [row[w][1] for row in per_run if row[w][1] is not None]
        out[w / 1e6] = (stats.mean(m), stats.mean(b))
    return out


def cell_row(b, c):
    """One cell's summary as an ordered dict of column -> value."""
    pauses = c.pauses()
    n_ok = len(c.ok)
    unit = None
    for r in c.ok:
        unit = records.throughput(r)[1]
    row = {
        "benchmark": b.label, "series": c.series, "heap": c.heap_label,
        "x_live": c.x("live"), "x_min": c.x("min"),
        "runs": len(c.records), "ok": n_ok,
        "failed": ", ".join(f"{k} {v}" for k, v in sorted(c.statuses().items())
                            if k != "ok"),
    }
    for name, fn in (("wall", lambda r: r.get("wall_ns")),
                     ("mutator", lambda r: r.get("mutator_ns")),
                     ("gc", lambda r: r.get("gc_ns")),
                     ("gc_cpu", lambda r: r.get("gc_cpu_ns")),
                     ("cpu", records.cpu_ns)):
        m, h = c.ci(fn)
        row[f"{name}_ms"], row[f"{name}_ms_ci95"] = ms(m), ms(h)
    for kind in ("wall", "cpu"):
        m, h = c.ci(lambda r, k=kind: cellmod.run_lbo(b, r, k))
        row[f"lbo_{kind}"], row[f"lbo_{kind}_ci95"] = m, h
    m, h = c.ci(lambda r: records.throughput(r)[0])
    row["throughput"], row["throughput_ci95"] = m, h
    row["throughput_unit"] = unit or ""
    rss = c.values(lambda r: r.get("peak_rss_bytes"))
    row["peak_rss_mb"] = stats.mean(rss) / 2 ** 20 if rss else None
    row["pauses_per_run"] = len(pauses) / n_ok if n_ok else None
    for p in PAUSE_PCTS:
        row[f"pause_{latency.label(p)}_ms"] = ms(stats.percentile(pauses, p))
    for w, (m, bm) in _mmu_summary(c).items():
        row[f"mmu_{w:g}ms"], row[f"bmmu_{w:g}ms"] = m, bm
    return row


def run_rows(analysis):
    for b in analysis.benchmarks:
        for c in _ordered_cells(b):
            for r in c.records:
                tag = r.get("matrix") or {}
                ps = r.get("pause_stats") or {}
                lb = cellmod.lbo.lbo(r, b.baselines) if r.get(
                    "status") == "ok" else {}
                yield {
                    "benchmark": b.label, "series": c.series,
                    "heap": c.heap_label,
                    "heap_bytes": (r.get("heap") or {}).get("size_bytes"),
                    "x_live": (r.get("heap") or {}).get("multiple"),
                    "x_min": (r.get("heap") or {}).get("min_multiple"),
                    "cell": tag.get("cell"), "invocation": tag.get("invocation"),
                    "status": r.get("status"),
                    "wall_ms": ms(r.get("wall_ns")),
                    "mutator_ms": ms(r.get("mutator_ns")),
                    "gc_ms": ms(r.get("gc_ns")),
                    "gc_cpu_ms": ms(r.get("gc_cpu_ns")),
                    "cpu_ms": ms(records.cpu_ns(r)) if r.get("status") == "ok" else None,
                    "peak_rss_bytes": r.get("peak_rss_bytes"),
                    "pauses": ps.get("count"), "pause_max_ms": ms(ps.get("max_ns")),
                    "lbo_wall": lb.get("wall"), "lbo_cpu": lb.get("cpu"),
                    "error": (r.get("error") or "").replace("\n", " ")[:300],
                    "source": f"{r.get('_source')}:{r.get('_line')}",
                }


def mmu_rows(analysis, per_decade=6):
    """Per cell and window: median MMU and BMMU over the cell's runs."""
    for b in analysis.benchmarks:
        for c in _ordered_cells(b):
            if not c.ok:
                continue
            length = min(r.get("wall_ns") or 0 for r in c.ok)
            grid = mmu.windows(length, per_decade=per_decade)
            curves = [cellmod.run_mmu(r, grid) for r in c.ok]
            bounded = [mmu.bounded(cv) for cv in curves]
            for i, w in enumerate(grid):
                mv = sorted(cv[i] for cv in curves if cv[i] is not None)
                bv = sorted(bc[i] for bc in bounded if bc[i] is not None)
                yield {"benchmark": b.label, "series": c.series,
                       "heap": c.heap_label, "window_ms": w / 1e6,
                       "mmu_median": stats.percentile(mv, 50),
                       "mmu_min": mv[0] if mv else None,
                       "bmmu_median": stats.percentile(bv, 50),
                       "runs": len(mv)}


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


def print_report(out, analysis, cell_rows):
    tp_unit = next((r["throughput_unit"] for r in cell_rows
                    if r["throughput_unit"]), "")
    print_table(out, "Runs", ["benchmark", "series", "heap", "runs", "ok",
                              "not ok"],
                [[r["benchmark"], r["series"], r["heap"], str(r["runs"]),
                  str(r["ok"]), r["failed"] or "-"] for r in cell_rows])
    print_table(
        out, "Time (ms; mean ±95% CI half-width over invocations)",
        ["benchmark", "series", "heap", "x live", "x min", "wall", "mutator",
         "GC", "GC CPU", f"throughput ({tp_unit})"],
        [[r["benchmark"], r["series"], r["heap"], fmt(r["x_live"]),
          fmt(r["x_min"]),
          fmt_ci((r["wall_ms"], r["wall_ms_ci95"])),
          fmt_ci((r["mutator_ms"], r["mutator_ms_ci95"])),
          fmt_ci((r["gc_ms"], r["gc_ms_ci95"])),
          fmt_ci((r["gc_cpu_ms"], r["gc_cpu_ms_ci95"])),
          fmt_ci((r["throughput"], r["throughput_ci95"]))] for r in cell_rows])
    print_table(
        out, "Lower-bound overhead (Cai et al. 2022; 1.0 = the benchmark's "
             "best distilled cost)",
        ["benchmark", "series", "heap", "LBO wall", "LBO CPU", "peak RSS MB"],
        [[r["benchmark"], r["series"], r["heap"],
          fmt_ci((r["lbo_wall"], r["lbo_wall_ci95"])),
          fmt_ci((r["lbo_cpu"], r["lbo_cpu_ci95"])), fmt(r["peak_rss_mb"])]
         for r in cell_rows])
    pcts = [latency.label(p) for p in PAUSE_PCTS]
    print_table(out, "Pauses (ms; all invocations pooled)",
                ["benchmark", "series", "heap", "per run"] + pcts,
                [[r["benchmark"], r["series"], r["heap"],
                  fmt(r["pauses_per_run"])] +
                 [fmt(r[f"pause_{p}_ms"]) for p in pcts] for r in cell_rows])
    ws = [f"{w:g}ms" for w in cellmod.REPORT_WINDOWS_MS]
    print_table(out, "Minimum mutator utilisation (mean over invocations)",
                ["benchmark", "series", "heap"] +
                [f"MMU {w}" for w in ws] + [f"BMMU {w}" for w in ws],
                [[r["benchmark"], r["series"], r["heap"]] +
                 [fmt(r[f"mmu_{w}"]) for w in ws] +
                 [fmt(r[f"bmmu_{w}"]) for w in ws] for r in cell_rows])


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


def report(analysis, out, csv_dir=None):
    """Prints every table; writes CSV files into csv_dir. Returns the CSV
    paths written."""
    cell_rows = [cell_row(b, c) for b in analysis.benchmarks
                 for c in _ordered_cells(b)]
    print_report(out, analysis, cell_rows)
    lat = list(latency_rows(analysis))
    print_latency(out, lat)
    written = []
    if csv_dir:
        os.makedirs(csv_dir, exist_ok=True)
        for name, rows in (("cells.csv", cell_rows),
                           ("runs.csv", run_rows(analysis)),
                           ("mmu.csv", mmu_rows(analysis)),
                           ("latency.csv", lat)):
            p = write_csv(os.path.join(csv_dir, name), rows)
            if p:
                written.append(p)
    return written
