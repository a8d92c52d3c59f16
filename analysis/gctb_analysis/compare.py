"""Paired comparison of a policy with a baseline policy: the ratio of their
mean costs with a 95% Fieller interval (docs/analysis.md, "Paired ratios").

Runs are paired by invocation: the i-th invocation of the policy's cell and
the i-th invocation of the baseline's cell in the same matrix run (the
record's matrix.id and matrix.invocation). A matrix runs invocation i of
every cell in the same round, so both saw the same machine state as nearly
as gctb can arrange, and the pairing takes that shared variation out.

Fieller's theorem (Fieller 1954; for paired data as in Franz, "Ratios: a
short guide to confidence limits and proper use", 2007): with x the
policy's costs and y the baseline's over n pairs, the 95% interval for
R = mean(x) / mean(y) is every R for which the paired t test of
d_i = x_i - R y_i does not reject mean(d) = 0 at 5%:

    (xbar - R ybar)^2 <= t^2 (Sxx - 2 R Sxy + R^2 Syy) / n

with S the sample (co)variances and t Student's 0.975 quantile with n - 1
degrees of freedom. This is a quadratic inequality in R; when the baseline's
mean is not clearly non-zero (ybar^2 <= t^2 Syy / n) the interval is
unbounded and reported as such. It is exact under normal errors and needs
no resampling, which matters with 3 to 10 invocations, where a bootstrap
percentile interval is too narrow.
"""
import math

from . import stats


def pair_key(rec):
    """(matrix id, invocation), or None for a record outside a matrix."""
    tag = rec.get("matrix") or {}
    if tag.get("id") is None or tag.get("invocation") is None:
        return None
    return (tag["id"], tag["invocation"])


def pairs(recs, base_recs, fn):
    """[(fn(rec), fn(base))] for ok records paired by pair_key, and the
    number of the policy's records that found no ok partner with a value."""
    base = {}
    for r in base_recs:
        k = pair_key(r)
        if k is not None and r.get("status") == "ok" and k not in base:
            v = fn(r)
            if v is not None:
                base[k] = v
    out, unpaired, seen = [], 0, set()
    for r in recs:
        k = pair_key(r)
        v = fn(r) if r.get("status") == "ok" else None
        if k is None or k in seen or k not in base or v is None:
            unpaired += 1
            continue
        seen.add(k)
        out.append((v, base[k]))
    return out, unpaired


def fieller(xy, level=0.95):
    """(ratio of means, low, high) for paired [(x, y)]; low and high are
    None with fewer than two pairs or when the interval is unbounded."""
    n = len(xy)
    if n == 0:
        return None, None, None
    xs, ys = [x for x, _ in xy], [y for _, y in xy]
    mx, my = stats.mean(xs), stats.mean(ys)
    ratio = mx / my if my else None
    if n < 2 or ratio is None:
        return ratio, None, None
    sxx = sum((x - mx) ** 2 for x in xs) / (n - 1)
    syy = sum((y - my) ** 2 for y in ys) / (n - 1)
    sxy = sum((x - mx) * (y - my) for x, y in xy) / (n - 1)
    t2 = stats.t_quantile(0.5 + level / 2, n - 1) ** 2
    a = my * my - t2 * syy / n
    b = -2 * (mx * my - t2 * sxy / n)
    c = mx * mx - t2 * sxx / n
    disc = b * b - 4 * a * c
    if a <= 0 or disc < 0:
        return ratio, None, None
    root = math.sqrt(disc)
    return ratio, (-b - root) / (2 * a), (-b + root) / (2 * a)


def verdict(lo, hi):
    """"higher" or "lower" when the interval excludes 1, "~" when it holds
    1, "?" when there is none."""
    if lo is None or hi is None:
        return "?"
    if lo > 1:
        return "higher"
    if hi < 1:
        return "lower"
    return "~"
