/* common_rng.c — seeding and the distributions workloads draw from. */
#include "common.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

void wl_rng_seed(wl_rng *r, uint64_t seed, uint64_t stream) {
  /* Seed and stream go through separate mixes so that (s, t) and (t, s)
   * differ; splitmix64 steps fill the state, which is never all zero. */
  uint64_t x = wl_mix64(seed) ^ wl_mix64(stream * 0xd1342543de82ef95ull + 1);
  for (int i = 0; i < 4; i++) {
    x += 0x9e3779b97f4a7c15ull;
    r->s[i] = wl_mix64(x);
  }
}

uint64_t wl_rng_below(wl_rng *r, uint64_t n) {
  if (n == 0)
    return 0;
  unsigned __int128 p = (unsigned __int128)wl_rng_next(r) * n;
  uint64_t low = (uint64_t)p;
  if (low < n) {
    uint64_t threshold = -n % n;
    while (low < threshold) {
      p = (unsigned __int128)wl_rng_next(r) * n;
      low = (uint64_t)p;
    }
  }
  return (uint64_t)(p >> 64);
}

uint64_t wl_rng_range(wl_rng *r, uint64_t lo, uint64_t hi) {
  if (hi <= lo)
    return lo;
  if (hi - lo == UINT64_MAX)
    return wl_rng_next(r);
  return lo + wl_rng_below(r, hi - lo + 1);
}

double wl_rng_unit(wl_rng *r) {
  return (double)(wl_rng_next(r) >> 11) * 0x1.0p-53;
}

bool wl_rng_chance(wl_rng *r, double p) {
  if (p <= 0)
    return false;
  if (p >= 1)
    return true;
  return (wl_rng_next(r) >> 11) < (uint64_t)(p * 0x1.0p53);
}

/* floor(2^64 x) for x in [0, 1], saturated. */
static uint64_t wl_scaled64(double x) {
  return x >= 1 ? UINT64_MAX : (uint64_t)(x * 0x1.0p64);
}

void wl_geometric_init(wl_geometric *g, double p, uint64_t cap) {
  double q = p <= 0 ? 1 : p >= 1 ? 0 : 1 - p;
  /* (1-p)^j by repeated multiplication: portable, and its relative error
   * after j steps (about j ulps) is far below what the draw resolves. The
   * table ends at the cap or where 2^64 (1-p)^j drops below 1. */
  uint64_t n = 0;
  for (double qj = q; n < cap && wl_scaled64(qj) > 0; qj *= q)
    n++;
  g->above = malloc((n + 2) * sizeof *g->above);
  if (!g->above) {
    fprintf(stderr, "gctb: out of memory for a geometric table of %llu\n",
            (unsigned long long)n);
    exit(2);
  }
  g->n = n;
  g->above[0] = UINT64_MAX;
  double qj = 1;
  for (uint64_t j = 1; j <= n; j++) {
    qj *= q;
    g->above[j] = wl_scaled64(qj);
  }
  g->above[n + 1] = 0;
  /* guide[b]: k of the largest x in bucket b, the smallest k in it; it can
   * only grow as b falls. */
  uint64_t k = 0;
  for (int b = 255; b >= 0; b--) {
    uint64_t top = (uint64_t)b << 56 | (((uint64_t)1 << 56) - 1);
    while (top < g->above[k + 1])
      k++;
    g->guide[b] = (uint32_t)k;
  }
}

void wl_geometric_free(wl_geometric *g) {
  free(g->above);
  g->above = NULL;
}

double wl_rng_exponential(wl_rng *r, double mean) {
  /* 1 - unit is in (0, 1]: the logarithm is finite. */
  return -mean * log(1.0 - wl_rng_unit(r));
}

uint64_t wl_rng_power_law(wl_rng *r, uint64_t lo, uint64_t hi, double alpha) {
  if (hi <= lo)
    return lo;
  double u = wl_rng_unit(r), a = 1.0 - alpha, x;
  /* Continuous density x^-alpha on [lo, hi + 1), floored: the last integer
   * gets its full share. */
  double l = (double)lo, h = (double)hi + 1.0;
  if (fabs(a) < 1e-9)
    x = l * exp(u * log(h / l));
  else
    x = pow(pow(l, a) + u * (pow(h, a) - pow(l, a)), 1.0 / a);
  uint64_t v = (uint64_t)x;
  return v < lo ? lo : v > hi ? hi : v;
}

double wl_power_law_mean(uint64_t lo, uint64_t hi, double alpha) {
  double l = (double)lo, h = (double)hi + 1.0;
  if (hi <= lo)
    return l;
  /* E[x] = int x^(1-alpha) / int x^-alpha over [l, h]. */
  double num, den;
  if (fabs(alpha - 1) < 1e-9) {
    num = h - l;
    den = log(h / l);
  } else if (fabs(alpha - 2) < 1e-9) {
    num = log(h / l);
    den = (pow(h, -1.0) - pow(l, -1.0)) / -1.0;
  } else {
    num = (pow(h, 2 - alpha) - pow(l, 2 - alpha)) / (2 - alpha);
    den = (pow(h, 1 - alpha) - pow(l, 1 - alpha)) / (1 - alpha);
  }
  return num / den - 0.5; /* the floor takes half a unit off on average */
}
