"""Percentiles and confidence intervals (analysis/gctb_analysis/stats.py)."""
import os
import random
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                "analysis"))
from gctb_analysis import stats  # noqa: E402


class Percentiles(unittest.TestCase):
    def test_nearest_rank(self):
        xs = list(range(1, 11))
        self.assertEqual(stats.percentile(xs, 50), 5)
        self.assertEqual(stats.percentile(xs, 90), 9)
        self.assertEqual(stats.percentile(xs, 99), 10)
        self.assertEqual(stats.percentile(xs, 100), 10)
        self.assertEqual(stats.percentile(xs, 0.001), 1)
        self.assertIsNone(stats.percentile([], 50))
        self.assertEqual(stats.percentile([7], 99.9), 7)

    def test_against_definition(self):
        """The smallest value with at least p% of values at or below it."""
        rng = random.Random(7)
        for _ in range(200):
            xs = sorted(rng.randint(0, 50) for _ in range(rng.randint(1, 40)))
            p = rng.choice([1, 25, 50, 90, 99, 99.9, 100, rng.uniform(0.1, 100)])
            want = min(x for x in xs
                       if sum(1 for y in xs if y <= x) >= p / 100 * len(xs)
                       - 1e-9)
            self.assertEqual(stats.percentile(xs, p), want, (xs, p))


class TDistribution(unittest.TestCase):
    # Two-sided 95% critical values from standard tables.
    TABLE = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 9: 2.262,
             10: 2.228, 20: 2.086, 30: 2.042, 120: 1.980}

    def test_quantiles(self):
        for df, t in self.TABLE.items():
            self.assertAlmostEqual(stats.t_quantile(0.975, df), t, places=3)
        self.assertAlmostEqual(stats.t_quantile(0.995, 9), 3.250, places=3)
        self.assertAlmostEqual(stats.t_quantile(0.025, 4), -2.776, places=3)

    def test_cdf_symmetry(self):
        for df in (1, 3, 17):
            for t in (0.3, 1.0, 2.5):
                self.assertAlmostEqual(stats.t_cdf(t, df) + stats.t_cdf(-t, df),
                                       1.0, places=12)

    def test_ci(self):
        m, h = stats.ci([1.0, 2.0, 3.0, 4.0])
        self.assertAlmostEqual(m, 2.5)
        # t(0.975, 3) * s / sqrt(n), s = sqrt(5/3)
        self.assertAlmostEqual(h, 3.18245 * (5 / 3) ** 0.5 / 2, places=4)
        self.assertEqual(stats.ci([5.0]), (5.0, None))
        self.assertEqual(stats.ci([]), (None, None))


if __name__ == "__main__":
    unittest.main()
