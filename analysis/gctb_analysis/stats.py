"""Summary statistics: nearest-rank percentiles and confidence intervals
over invocations, with only the standard library (no scipy).

Confidence intervals use Student's t distribution: invocations are few (3 to
10 is typical) and their spread is estimated from the same sample, so the
normal 1.96 would claim more confidence than the data gives (Georges,
Buytaert, Eeckhout, "Statistically rigorous Java performance evaluation",
OOPSLA 2007).
"""
import math


def percentile(sorted_values, p):
    """Nearest-rank percentile, p in (0, 100]: the smallest value with at
    least p% of the values at or below it. The same definition as
    gctb's pause_stats (harness/record/summary.c), so the numbers agree."""
    n = len(sorted_values)
    if n == 0:
        return None
    # p/100 * n is off by an ulp for values like 99.9% of 1000 (999.0000…1):
    # allow for that rather than skip a rank.
    x = p / 100.0 * n
    rank = math.ceil(x - 1e-9 * max(x, 1.0))
    return sorted_values[max(rank, 1) - 1]


def mean(xs):
    return sum(xs) / len(xs) if xs else None


def stdev(xs):
    """Sample standard deviation (n - 1)."""
    n = len(xs)
    if n < 2:
        return None
    m = mean(xs)
    return math.sqrt(sum((x - m) ** 2 for x in xs) / (n - 1))


def geomean(xs):
    xs = [x for x in xs if x is not None and x > 0]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None


def _betacf(a, b, x):
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    tiny, eps = 1e-300, 1e-15
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 500):
        m2 = 2 * m
        for num in (m * (b - m) * x / ((a + m2 - 1) * (a + m2)),
                    -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1))):
            d = 1.0 + num * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + num / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < eps:
            break
    return h


def betainc(a, b, x):
    """Regularised incomplete beta I_x(a, b)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    lbt = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
           + a * math.log(x) + b * math.log(1 - x))
    if x < (a + 1) / (a + b + 2):
        return math.exp(lbt) * _betacf(a, b, x) / a
    return 1.0 - math.exp(lbt) * _betacf(b, a, 1 - x) / b


def t_cdf(t, df):
    """P(T <= t) for Student's t with df degrees of freedom."""
    x = df / (df + t * t)
    tail = 0.5 * betainc(df / 2.0, 0.5, x)
    return 1.0 - tail if t > 0 else tail


def t_quantile(p, df):
    """The t value with P(T <= t) = p, by bisection on t_cdf."""
    if not 0 < p < 1:
        raise ValueError("p must be in (0, 1)")
    if p < 0.5:
        return -t_quantile(1 - p, df)
    lo, hi = 0.0, 1.0
    while t_cdf(hi, df) < p:
        hi *= 2
    for _ in range(200):
        mid = (lo + hi) / 2
        if t_cdf(mid, df) < p:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-12 * max(1.0, hi):
            break
    return (lo + hi) / 2


def ci(xs, level=0.95):
    """(mean, half-width) of the level confidence interval of the mean;
    half-width None with fewer than two values."""
    xs = [x for x in xs if x is not None]
    if not xs:
        return None, None
    m = mean(xs)
    if len(xs) < 2:
        return m, None
    s = stdev(xs)
    t = t_quantile(0.5 + level / 2, len(xs) - 1)
    return m, t * s / math.sqrt(len(xs))
