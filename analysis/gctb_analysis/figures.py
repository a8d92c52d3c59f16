"""The figures of ``gctb plot`` (docs/analysis.md), one set per benchmark,
each written as PNG and SVG. Needs matplotlib."""
import math
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402

from . import cells as cellmod  # noqa: E402
from . import latency, mmu, records, stats  # noqa: E402

MARKED = (50.0, 90.0, 99.0, 99.9, 100.0)
MARKERS = {50.0: "o", 90.0: "s", 99.0: "^", 99.9: "D", 100.0: "*"}
LOGIT_TICKS = (0.01, 0.1, 0.5, 0.9, 0.99, 0.999, 0.9999)


class Palette:
    """One colour per series across every figure."""

    def __init__(self, names):
        cmap = plt.get_cmap("tab10" if len(names) <= 10 else "tab20")
        self.colors = {n: cmap(i % cmap.N) for i, n in enumerate(sorted(names))}

    def __call__(self, name):
        return self.colors.get(name, "black")


def _save(fig, outdir, name):
    paths = []
    for ext in ("png", "svg"):
        p = os.path.join(outdir, f"{name}.{ext}")
        fig.savefig(p, dpi=120, bbox_inches="tight")
        paths.append(p)
    plt.close(fig)
    return paths


def _grid(n, cols=3, w=4.6, h=3.4):
    cols = min(cols, max(n, 1))
    rows = math.ceil(max(n, 1) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(w * cols, h * rows),
                             squeeze=False)
    flat = [a for row in axes for a in row]
    for a in flat[n:]:
        a.set_visible(False)
    return fig, flat[:max(n, 1)]


def _axis_label(bench):
    return ("heap size (x minimum heap)" if bench.axis() == "min"
            else "heap size (x declared live size)")


# ---- pause-time distribution ----

def _cdf_figure(bench, pal, outdir, data, what, title, name):
    """One panel per heap point with ok runs, one CDF per series of
    data(cell)."""
    heaps = [(hk, hl) for hk, hl in bench.heaps()
             if any(c.ok for c in bench.cells.values() if c.heap_key == hk)]
    fig, axes = _grid(len(heaps))
    drawn = 0
    for ax, (hk, hlabel) in zip(axes, heaps):
        for s in bench.series():
            c = bench.cell(s, hk)
            d = data(c) if c else []
            if not d:
                continue
            n = len(d)
            xs = [v / 1e6 for v in d]
            ys = [(i + 0.5) / n for i in range(n)]  # plotting positions
            ax.step(xs, ys, where="post", color=pal(s), label=f"{s} ({n})")
            for p in MARKED:
                if p == 99.9 and n < 1000:
                    continue
                v = stats.percentile(d, p) / 1e6
                ax.plot([v], [min(max(p / 100 - 0.5 / n, 0.5 / n), 1 - 0.5 / n)],
                        MARKERS[p], color=pal(s), ms=5)
            drawn += 1
        ax.set_xscale("log")
        # logit spreads the tail: 0.5, 0.9, 0.99, 0.999 are evenly spaced.
        ax.set_yscale("logit")
        most = max((len(data(c)) for c in (bench.cell(s, hk)
                                            for s in bench.series()) if c),
                   default=0)
        ticks = [t for t in LOGIT_TICKS if t < 1 - 0.5 / max(most, 1)
                 or t <= 0.9]
        ax.yaxis.set_major_locator(matplotlib.ticker.FixedLocator(ticks))
        ax.yaxis.set_major_formatter(matplotlib.ticker.FixedFormatter(
            [f"{t:g}" for t in ticks]))
        ax.yaxis.set_minor_locator(matplotlib.ticker.NullLocator())
        ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax.set_title(hlabel)
        ax.set_xlabel(f"{what} (ms)")
        ax.set_ylabel(f"fraction of {what}s ≤ x")
        ax.grid(True, which="both", alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=6, loc="best", framealpha=0.6)
        else:
            ax.text(0.5, 0.5, f"no {what}s", ha="center",
                    transform=ax.transAxes)
    handles = [plt.Line2D([], [], ls="", marker=MARKERS[p], color="gray",
                          label=latency.label(p)) for p in MARKED]
    fig.suptitle(f"{bench.label}: {title}")
    fig.tight_layout()
    fig.legend(handles=handles, loc="upper center", ncol=len(handles),
               fontsize=8, title="marked percentiles",
               bbox_to_anchor=(0.5, 0.0))
    return _save(fig, outdir, f"{name}-{bench.slug}")


def delay_cdf(bench, pal, outdir):
    return _cdf_figure(
        bench, pal, outdir, lambda c: c.delay_lengths(), "delay",
        "mutator-observed delays (CDF of the worst mutator's merged pauses, "
        "holds, stalls, paces and assists; invocations pooled)", "delays")


def pause_cdf(bench, pal, outdir):
    return _cdf_figure(
        bench, pal, outdir, lambda c: c.pauses(), "pause",
        "world-pause distribution (CDF, invocations pooled)", "pauses")


# ---- MMU ----

def _band(ax, per_run, grid, color, label):
    """Median line and min-max band over runs of per_run[i][j] (window j),
    at the windows every run has (no longer than the shortest run: a median
    over fewer runs would make a monotone BMU look as if it fell)."""
    xs, med, lo, hi = [], [], [], []
    for j, w in enumerate(grid):
        vs = sorted(c[j] for c in per_run if c[j] is not None)
        if vs and len(vs) == len(per_run):
            xs.append(w / 1e6)
            med.append(stats.percentile(vs, 50))
            lo.append(vs[0])
            hi.append(vs[-1])
    if xs:
        ax.plot(xs, med, color=color, label=label)
        ax.fill_between(xs, lo, hi, color=color, alpha=0.15, lw=0)


def _heap_rows(bench):
    """[(heap label, [(series, cell)], window grid)] with ok runs."""
    out = []
    for hk, hlabel in bench.heaps():
        cells = [(s, bench.cell(s, hk)) for s in bench.series()]
        cells = [(s, c) for s, c in cells if c and c.ok]
        longest = max((r.get("wall_ns") or 0 for _, c in cells for r in c.ok),
                      default=0)
        if cells:
            out.append((hlabel, cells, mmu.windows(longest, per_decade=10)))
    return out


def mmu_figure(bench, pal, outdir):
    rows = _heap_rows(bench)
    fig, axes = plt.subplots(len(rows), 2, figsize=(10, 3.2 * len(rows)),
                             squeeze=False)
    for row, (hlabel, cells, grid) in zip(axes, rows):
        for s, c in cells:
            curves = [cellmod.run_mmu(r, grid) for r in c.ok]
            for key, ax in (("mmu_min", row[0]), ("bmu_min", row[1])):
                _band(ax, [cv[key] for cv in curves], grid, pal(s), s)
        for ax, name in zip(row, ("MMU", "BMU")):
            ax.set_xscale("log")
            ax.set_ylim(-0.02, 1.02)
            ax.set_xlabel("window (ms)")
            ax.set_ylabel(f"{name}, worst mutator")
            ax.set_title(f"{hlabel}: {name} (exact, per mutator)")
            ax.grid(True, which="both", alpha=0.3)
        if cells:
            row[0].legend(fontsize=7, loc="lower right")
    fig.suptitle(f"{bench.label}: minimum mutator utilisation, each mutator "
                 "on its own timeline, minimum over mutators (median, band: "
                 "min–max over invocations)")
    fig.tight_layout()
    return _save(fig, outdir, f"mmu-{bench.slug}")


def gc_cpu_share_figure(bench, pal, outdir):
    rows = _heap_rows(bench)
    fig, axes = plt.subplots(len(rows), 1, figsize=(6, 3.2 * len(rows)),
                             squeeze=False)
    for (ax,), (hlabel, cells, grid) in zip(axes, rows):
        for s, c in cells:
            _band(ax, [mmu.max_gc_cpu_share(r, grid, use_numpy=True)
                       for r in c.ok], grid, pal(s), s)
        ax.set_xscale("log")
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlabel("window (ms)")
        ax.set_ylabel("largest GC share of CPUs")
        ax.set_title(hlabel)
        ax.grid(True, which="both", alpha=0.3)
        if cells:
            ax.legend(fontsize=7, loc="upper right")
    fig.suptitle(f"{bench.label}: GC CPU share, not an MMU (world pauses "
                 "count 1, concurrent\nphases their GC CPU / (length × "
                 "CPUs); median, band: min–max over invocations)")
    fig.tight_layout()
    return _save(fig, outdir, f"gccpu-{bench.slug}")


# ---- time, throughput, LBO against heap size ----

def _series_points(bench, fn, axis):
    """{series: [(x, mean, ci)]} over heap points, ok runs only."""
    out = {}
    for s in bench.series():
        pts = []
        for hk, _ in bench.heaps():
            c = bench.cell(s, hk)
            if not c or not c.ok:
                continue
            m, h = c.ci(fn)
            x = c.x(axis)
            if m is not None and x is not None:
                pts.append((x, m, h or 0.0))
        if pts:
            out[s] = sorted(pts)
    return out


def _lines(ax, pts, pal):
    for s, p in pts.items():
        ax.errorbar([x for x, _, _ in p], [m for _, m, _ in p],
                    yerr=[h for _, _, h in p], color=pal(s), marker="o",
                    ms=3, capsize=3, label=s)


def time_figure(bench, pal, outdir):
    axis = bench.axis()
    fig, axes = plt.subplots(1, 3, figsize=(15, 4))
    for ax, (title, fn) in zip(axes, (
            ("wall time", lambda r: r.get("wall_ns")),
            ("mutator time", lambda r: r.get("mutator_ns")),
            ("GC time (world pauses)", lambda r: r.get("gc_ns")))):
        _lines(ax, _series_points(bench, lambda r: fn(r) / 1e6, axis), pal)
        ax.set_title(title)
        ax.set_xlabel(_axis_label(bench))
        ax.set_ylabel("ms")
        ax.set_ylim(bottom=0)
        ax.grid(True, alpha=0.3)
    axes[0].legend(fontsize=7)
    fig.suptitle(f"{bench.label}: time against heap size "
                 "(mean, 95% CI over invocations)")
    fig.tight_layout()
    return _save(fig, outdir, f"time-{bench.slug}")


def throughput_figure(bench, pal, outdir):
    heaps, series = bench.heaps(), bench.series()
    fig, ax = plt.subplots(figsize=(max(6, 1.2 * len(heaps) * max(
        1, len(series)) / 2), 4))
    width = 0.8 / max(len(series), 1)
    unit = ""
    for i, s in enumerate(series):
        xs, ms, hs = [], [], []
        for j, (hk, _) in enumerate(heaps):
            c = bench.cell(s, hk)
            if not c or not c.ok:
                continue
            m, h = c.ci(lambda r: records.throughput(r)[0])
            unit = records.throughput(c.ok[0])[1]
            src = records.throughput_source(c.ok[0])
            if src != records.TP_WORK:
                unit += f"; {src}"
            xs.append(j + (i - (len(series) - 1) / 2) * width)
            ms.append(m)
            hs.append(h or 0.0)
        ax.bar(xs, ms, width, yerr=hs, capsize=3, color=pal(s), label=s)
    ax.set_xticks(range(len(heaps)))
    ax.set_xticklabels([h for _, h in heaps])
    ax.set_ylabel(f"throughput ({unit})")
    ax.set_title(f"{bench.label}: throughput (mean, 95% CI)")
    ax.legend(fontsize=7)
    ax.grid(True, axis="y", alpha=0.3)
    return _save(fig, outdir, f"throughput-{bench.slug}")


def lbo_figure(bench, pal, outdir):
    axis = bench.axis()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for ax, kind in zip(axes, ("wall", "cpu")):
        pts = _series_points(bench, lambda r, k=kind: cellmod.run_lbo(
            bench, r, k), axis)
        _lines(ax, pts, pal)
        ax.axhline(1.0, color="gray", lw=0.8, ls="--")
        ax.set_title(f"LBO, {'wall-clock' if kind == 'wall' else 'CPU'} time")
        ax.set_xlabel(_axis_label(bench))
        ax.set_ylabel("cost / best distilled cost")
        ax.grid(True, alpha=0.3)
    axes[0].legend(fontsize=7)
    fig.suptitle(f"{bench.label}: lower-bound overhead (Cai et al. 2022)")
    fig.tight_layout()
    return _save(fig, outdir, f"lbo-{bench.slug}")


def has_latency(bench):
    return any(latency.of_record(r) for r in records.ok(bench.records))


def latency_figure(bench, pal, outdir):
    heaps = [(hk, hl) for hk, hl in bench.heaps()
             if any(bench.cell(s, hk) and cellmod.cell_latency(bench.cell(s, hk))
                    for s in bench.series())]
    fig, axes = plt.subplots(len(heaps), 2, figsize=(11, 3.4 * len(heaps)),
                             squeeze=False)
    for row, (hk, hlabel) in zip(axes, heaps):
        for kind, ax in zip(latency.KINDS, row):
            ticks = set()
            for s in bench.series():
                c = bench.cell(s, hk)
                pcts = cellmod.cell_latency(c).get(kind, {}) if c else {}
                if not pcts:
                    continue
                ps = sorted(pcts)
                # x: "nines", -log10(1 - p), so p50 p90 p99 p99.9 are even.
                xs = [-math.log10(1 - min(p, 99.999) / 100) for p in ps]
                ticks.update(zip(xs, ps))
                ax.errorbar(xs, [pcts[p][0] / 1e6 for p in ps],
                            yerr=[(pcts[p][1] or 0) / 1e6 for p in ps],
                            marker="o", ms=3, capsize=2, color=pal(s), label=s,
                            elinewidth=0.8, alpha=0.85)
            ax.set_xticks([x for x, _ in sorted(ticks)])
            ax.set_xticklabels([latency.label(p) for _, p in sorted(ticks)])
            ax.set_yscale("log")
            ax.set_ylabel("latency (ms)")
            ax.set_title(f"{hlabel}: {kind} latency")
            ax.grid(True, which="both", alpha=0.3)
            if ax.get_legend_handles_labels()[0]:
                ax.legend(fontsize=7)
    fig.suptitle(f"{bench.label}: request latency percentiles "
                 "(simple: from actual start; metered: from scheduled start)")
    fig.tight_layout()
    return _save(fig, outdir, f"latency-{bench.slug}")


KINDS = (("delays", delay_cdf), ("pauses", pause_cdf), ("mmu", mmu_figure),
         ("gccpu", gc_cpu_share_figure), ("time", time_figure),
         ("throughput", throughput_figure), ("lbo", lbo_figure),
         ("latency", latency_figure))


def plot_all(analysis, outdir, log=print):
    """Draws every figure; returns [{"kind", "benchmark", "files"}]."""
    os.makedirs(outdir, exist_ok=True)
    pal = Palette({s for b in analysis.benchmarks for s in b.series()})
    made = []
    for b in analysis.benchmarks:
        if not records.ok(b.records):
            log(f"{b.label}: no successful runs, no figures")
            continue
        for kind, fn in KINDS:
            if kind == "latency" and not has_latency(b):
                continue
            files = fn(b, pal, outdir)
            made.append({"kind": kind, "benchmark": b.label, "files": files})
    return made
