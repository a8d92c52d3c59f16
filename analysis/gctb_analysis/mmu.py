"""Minimum mutator utilisation, computed exactly, per mutator.

MMU(w) is the smallest fraction of any window of length w during which a
mutator ran (Cheng and Blelloch, "A parallel, real-time garbage collector",
PLDI 2001). Bounded MMU, BMU(w) = min over w' >= w of MMU(w'), is monotone
and so easier to read (Sachindran, Moss and Berger, "MC2", OOPSLA 2004).

Each mutator is measured on its own timeline (``delays.timelines``): world
pauses plus its own holds, stalls, paces and assists, merged. A hold of
mutator 1 is not a stop of mutator 0. ``Load`` computes MMU(w) exactly: the
lost time in [t, t + w] is G(t + w) - G(t), G the integral of the 0/1 (or,
for the CPU-share curve, fractional) load g; as a function of t it is
piecewise linear with breakpoints where t or t + w meets a boundary of g,
so its maximum is at one of those positions or at an end of [0, T - w].

``bmu`` is exact too (not a running minimum over a grid of windows, which
is only an upper bound): the worst window of length >= w either has length
exactly w (MMU(w)) or starts at the start of a delay and ends at the end
of one (a window starting in mutator time loses utilisation by starting at
the next delay instead, unless that makes it shorter than w, the first
case). So BMU(w) = min(MMU(w), min over delay pairs k <= m with
e_m - s_k >= w of 1 - (delay time in [s_k, e_m]) / (e_m - s_k)).

The GC-CPU-share curve (``cpu_share_intervals``) is a different quantity
and is never called MMU: world pauses at load 1 and concurrent phases at
the share of the machine's CPUs their GC threads used; ``max_gc_cpu_share``
is the largest share of the machine GC took in any window of length w.
Concurrent phase CPU: a phase's own ``gc_cpu_ns``; otherwise its cycle's
``gc_cpu_ns`` minus the pauses' share (pause time x GC threads), spread
over the cycle's phases by duration; with no cycle, one busy GC thread.
"""
import bisect


def _phase_weights(rec):
    """[(start, end, load)] of the record's concurrent phases."""
    phases = rec.get("phases") or []
    if not phases:
        return []
    machine = rec.get("machine") or {}
    ncpus = machine.get("ncpus_allowed") or machine.get("ncpus") or 1
    gc_threads = (rec.get("config") or {}).get("gc_threads", 1)
    pauses = rec.get("pauses") or []
    out = []
    cycles = rec.get("cycles") or []
    for ph in phases:
        s, e = ph.get("start_ns", 0), ph.get("end_ns", 0)
        if e <= s:
            continue
        cpu = ph.get("gc_cpu_ns")
        if cpu is None:
            cpu = _estimate_phase_cpu(ph, phases, cycles, pauses,
                                      min(gc_threads, ncpus))
        load = 1.0 / ncpus if cpu is None else cpu / ((e - s) * ncpus)
        out.append((s, e, min(max(load, 0.0), 1.0)))
    return out


def _estimate_phase_cpu(ph, phases, cycles, pauses, threads):
    s, e = ph["start_ns"], ph["end_ns"]
    for c in cycles:
        cs, ce = c.get("start_ns", 0), c.get("end_ns", 0)
        if not (cs <= s and e <= ce) or c.get("gc_cpu_ns") is None:
            continue
        in_pauses = sum(p["duration_ns"] for p in pauses
                        if cs <= p["start_ns"] < ce)
        conc = max(c["gc_cpu_ns"] - in_pauses * threads, 0)
        mine = [q for q in phases
                if cs <= q.get("start_ns", 0) and q.get("end_ns", 0) <= ce]
        total = sum(q["end_ns"] - q["start_ns"] for q in mine) or 1
        return conc * (e - s) / total
    return None


def cpu_share_intervals(rec):
    """[(start, end, load)] of the machine's CPU that GC used, times in ns
    from the start of the workload: world pauses at load 1 (holds of one
    mutator are not machine-wide), concurrent phases partial."""
    out = [(p["start_ns"], p["start_ns"] + p["duration_ns"], 1.0)
           for p in rec.get("pauses") or []
           if p.get("duration_ns", 0) > 0 and "mutator" not in p]
    return out + _phase_weights(rec)


class Load:
    """The GC load g over [0, T] and its integral G at g's boundaries."""

    def __init__(self, intervals, length):
        self.T = float(length)
        events = {}
        for s, e, w in intervals:
            s, e = max(0.0, float(s)), min(self.T, float(e))
            if e > s and w > 0:
                events[s] = events.get(s, 0.0) + w
                events[e] = events.get(e, 0.0) - w
        xs = sorted(set([0.0, self.T]) | set(events))
        self.xs, self.G = xs, [0.0]
        level = 0.0
        for a, b in zip(xs, xs[1:]):
            level += events.get(a, 0.0)
            # Overlapping intervals cannot take more than the whole machine.
            self.G.append(self.G[-1] + min(max(level, 0.0), 1.0) * (b - a))

    def integral(self, t):
        """G(t): GC time in [0, t]."""
        i = bisect.bisect_right(self.xs, t) - 1
        if i >= len(self.xs) - 1:
            return self.G[-1]
        x0, x1 = self.xs[i], self.xs[i + 1]
        return self.G[i] + (self.G[i + 1] - self.G[i]) * (t - x0) / (x1 - x0)

    def candidates(self, w):
        hi = self.T - w
        ts = {0.0, hi}
        for x in self.xs:
            for t in (x, x - w):
                if 0.0 <= t <= hi:
                    ts.add(t)
        return ts

    def mmu(self, w):
        """Exact MMU for window w (None when w exceeds the run)."""
        if w <= 0 or w > self.T:
            return None
        worst = max(self.integral(t + w) - self.integral(t)
                    for t in self.candidates(w))
        return max(0.0, 1.0 - worst / w)


def mmu_curve(intervals, length, windows):
    """[MMU(w) for w in windows] (None for windows longer than the run)."""
    load = Load(intervals, length)
    return [load.mmu(w) for w in windows]


def windows(length_ns, lo_ns=100_000, per_decade=12):
    """Log-spaced windows from lo (0.1 ms) to the run length, ending with
    the run length itself."""
    if length_ns <= lo_ns:
        return [float(length_ns)]
    out, w, step = [], float(lo_ns), 10 ** (1.0 / per_decade)
    while w < length_ns:
        out.append(w)
        w *= step
    return out + [float(length_ns)]


def mmu_brute(intervals, length, w, step=1):
    """MMU by the definition, sliding the window by step: for tests (exact
    when every boundary and w are multiples of step)."""
    def gc_in(a, b):
        total = 0.0
        pts = sorted({a, b} | {x for s, e, _ in intervals for x in (s, e)
                              if a < x < b})
        for x0, x1 in zip(pts, pts[1:]):
            mid = (x0 + x1) / 2
            level = sum(wt for s, e, wt in intervals if s <= mid < e)
            total += min(level, 1.0) * (x1 - x0)
        return total
    if w <= 0 or w > length:
        return None
    worst, t = 0.0, 0
    while t + w <= length:
        worst = max(worst, gc_in(t, t + w))
        t += step
    return max(0.0, 1.0 - worst / w)


def mmu_curve_np(intervals, length, windows_ns):
    """mmu_curve vectorised with numpy (for plots of long runs)."""
    import numpy as np
    load = Load(intervals, length)
    xs, G = np.array(load.xs), np.array(load.G)
    out = []
    for w in windows_ns:
        if w <= 0 or w > load.T:
            out.append(None)
            continue
        t = np.concatenate([xs, xs - w, [0.0, load.T - w]])
        t = t[(t >= 0) & (t <= load.T - w)]
        gc = np.interp(t + w, xs, G) - np.interp(t, xs, G)
        out.append(max(0.0, 1.0 - float(gc.max()) / w))
    return out


# ---- exact BMU on a 0/1 timeline ----

def _clip(intervals, length):
    """Merged [(s, e)] within [0, length] (delays.merge already merged)."""
    out = []
    for s, e in intervals:
        s, e = max(0.0, float(s)), min(float(length), float(e))
        if e > s:
            out.append((s, e))
    return out


def _worst_pairs_py(iv, windows):
    """[max over delay pairs k <= m with e_m - s_k >= w of the lost share of
    [s_k, e_m]] for each w (0.0 when no pair is long enough). For each
    start k, the ends m are in increasing order of length, so the pairs
    long enough for w are a suffix: a suffix maximum and a bisection."""
    best = [0.0] * len(windows)
    for k, (sk, _) in enumerate(iv):
        lengths, shares, lost = [], [], 0.0
        for sm, em in iv[k:]:
            lost += em - sm
            lengths.append(em - sk)
            shares.append(lost / (em - sk))
        for j in range(len(shares) - 2, -1, -1):
            shares[j] = max(shares[j], shares[j + 1])
        for i, w in enumerate(windows):
            j = bisect.bisect_left(lengths, w)
            if j < len(lengths) and shares[j] > best[i]:
                best[i] = shares[j]
    return best


def _worst_pairs_np(iv, windows):
    """_worst_pairs_py with numpy, one start at a time (memory O(n))."""
    import numpy as np
    s = np.array([a for a, _ in iv])
    e = np.array([b for _, b in iv])
    cum = np.cumsum(e - s)
    before = np.concatenate([[0.0], cum[:-1]])
    ws = np.array(windows, dtype=float)
    best = np.zeros(len(ws))
    for k in range(len(iv)):
        length = e[k:] - s[k]  # increasing: the intervals are disjoint
        share = (cum[k:] - before[k]) / length
        suffix = np.maximum.accumulate(share[::-1])[::-1]
        idx = np.searchsorted(length, ws, side="left")
        ok = idx < len(length)
        best[ok] = np.maximum(best[ok], suffix[idx[ok]])
    return [float(x) for x in best]


def _have_numpy():
    try:
        import numpy  # noqa: F401
        return True
    except ImportError:
        return False


class Timeline:
    """One mutator's merged delays over a run of length T: exact MMU and
    BMU (module docstring)."""

    def __init__(self, intervals, length):
        self.T = float(length)
        self.iv = _clip(intervals, length)
        self.load = Load([(s, e, 1.0) for s, e in self.iv], length)

    def mmu(self, w):
        return self.load.mmu(w)

    def curves(self, windows, use_numpy=None):
        """([MMU(w)], [BMU(w)]) for windows (None where w > T)."""
        windows = [float(w) for w in windows]
        mmus = [self.load.mmu(w) for w in windows]
        if use_numpy is None:
            use_numpy = len(self.iv) > 300 and _have_numpy()
        valid = [w for w in windows if 0 < w <= self.T]
        worst = (_worst_pairs_np if use_numpy else _worst_pairs_py)(
            self.iv, valid) if self.iv and valid else [0.0] * len(valid)
        pair = dict(zip(valid, worst))
        bmus = [None if m is None else min(m, max(0.0, 1.0 - pair[w]))
                for w, m in zip(windows, mmus)]
        return mmus, bmus

    def bmu(self, w):
        return self.curves([w])[1][0]


def bmu_brute(intervals, length, w, step=1):
    """BMU by its definition on a grid: the smallest utilisation of any
    window [a, b] with b - a >= w, a and b multiples of step (exact when
    every boundary and w are): for the tests. O(n^2) in length / step."""
    iv = _clip(intervals, length)
    n = int(length // step)
    # lost[i]: delay time in [0, i * step]
    lost = [sum(max(0.0, min(e, i * step) - s) for s, e in iv)
            for i in range(n + 1)]
    worst = None
    for i in range(n + 1):
        for j in range(i + 1, n + 1):
            if (j - i) * step >= w:
                u = 1.0 - (lost[j] - lost[i]) / ((j - i) * step)
                worst = u if worst is None or u < worst else worst
    return worst


# ---- per record ----

def run_curves(rec, windows_ns, timelines=None):
    """Per-mutator MMU and BMU of one run on windows_ns:
    {"mmu_min", "mmu_mean", "bmu_min", "bmu_mean"}: lists over windows
    (min and mean over the record's mutators; None where w > the run)."""
    from . import delays
    length = rec.get("wall_ns") or 0
    tls = timelines if timelines is not None else delays.timelines(rec)
    if length <= 0 or not tls:
        empty = [None] * len(windows_ns)
        return {k: list(empty) for k in
                ("mmu_min", "mmu_mean", "bmu_min", "bmu_mean")}
    per = []
    for mid, iv in tls.items():
        # each mutator over its own lifetime, shifted to start at 0
        lo, hi = delays.lifetime(rec, mid)
        hi = length if hi is None else hi
        shifted = [(s - lo, e - lo) for s, e in iv]
        per.append(Timeline(shifted, max(hi - lo, 0)).curves(windows_ns))
    out = {}
    for i, name in ((0, "mmu"), (1, "bmu")):
        cols = [[v for v in c if v is not None]
                for c in zip(*(p[i] for p in per))]
        out[name + "_min"] = [min(c) if c else None for c in cols]
        out[name + "_mean"] = [sum(c) / len(c) if c else None for c in cols]
    return out


def max_gc_cpu_share(rec, windows_ns, use_numpy=False):
    """[largest share of the machine's CPU that GC used in any window of
    length w] for windows_ns: the GC-CPU-share curve (not an MMU)."""
    length = rec.get("wall_ns") or 0
    if length <= 0:
        return [None] * len(windows_ns)
    iv = cpu_share_intervals(rec)
    curve = (mmu_curve_np if use_numpy else mmu_curve)(iv, length,
                                                        windows_ns)
    return [None if u is None else 1.0 - u for u in curve]
