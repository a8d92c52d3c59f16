"""Minimum mutator utilisation, computed exactly from a run's GC intervals.

MMU(w) is the smallest fraction of any window of length w during which the
mutators ran (Cheng and Blelloch, "A parallel, real-time garbage
collector", PLDI 2001). Bounded MMU, BMMU(w) = min over w' >= w of MMU(w'),
is monotone and so easier to read (Sachindran, Moss and Berger, "MC2:
high-performance garbage collection for memory-constrained environments",
OOPSLA 2004).

GC activity is a piecewise-constant load g(t) in [0, 1]: 1 during a
stop-the-world pause, and during a concurrent phase the share of the
machine its GC threads used (below). The GC time inside the window
[t, t + w] is G(t + w) - G(t), with G the integral of g, a piecewise-linear
function. As a function of t this is piecewise linear with breakpoints where
t or t + w crosses a boundary of g, so its maximum is at one of those
breakpoints or at an end of [0, T - w]: evaluating those candidates gives
MMU(w) exactly, with no sampling. ``mmu_brute`` is the definition applied
on a grid, for the tests.

Concurrent phases: a record's phase may carry ``gc_cpu_ns``; otherwise the
concurrent CPU of its cycle is estimated as the cycle's ``gc_cpu_ns`` minus
the pauses' share (pause time x GC threads) and spread over the cycle's
phases by duration; with no cycle to go by, one busy GC thread is assumed.
The load is that CPU time over (phase duration x CPUs available).
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


def gc_intervals(rec):
    """[(start, end, load)] of GC activity in a record, times in ns from the
    start of the workload: pauses at load 1, concurrent phases partial."""
    out = [(p["start_ns"], p["start_ns"] + p["duration_ns"], 1.0)
           for p in rec.get("pauses") or [] if p.get("duration_ns", 0) > 0]
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


def bounded(curve):
    """BMMU from an MMU curve on increasing windows: the running minimum
    from the right, over the windows evaluated."""
    out, best = [None] * len(curve), None
    for i in range(len(curve) - 1, -1, -1):
        if curve[i] is not None:
            best = curve[i] if best is None else min(best, curve[i])
        out[i] = best if curve[i] is not None else None
    return out


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
