/* server_latency.c — latency percentiles and a log-scale histogram.
 *
 * Percentiles are exact (nearest rank over every request), not read off a
 * histogram: p99.9 of 10^4 requests is the 10th worst, and a coarse bucket
 * would blur exactly the tail a pause produces. The histogram (power-of-two
 * buckets from 1 us) is for plotting the shape. */
#include "server.h"
#include <stdlib.h>

static int sv_cmp(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

/* Nearest rank: the smallest value with at least p of the samples at or
 * below it. */
static uint64_t sv_rank(const uint64_t *v, size_t n, double p) {
  if (n == 0)
    return 0;
  size_t k = (size_t)(p * (double)n + 0.999999999);
  return v[(k == 0 ? 1 : k > n ? n : k) - 1];
}

static json_t *sv_summary(uint64_t *v, size_t n) {
  qsort(v, n, sizeof *v, sv_cmp);
  return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "count", (json_int_t)n,
                   "p50_ns", (json_int_t)sv_rank(v, n, 0.5), "p90_ns",
                   (json_int_t)sv_rank(v, n, 0.9), "p99_ns",
                   (json_int_t)sv_rank(v, n, 0.99), "p999_ns",
                   (json_int_t)sv_rank(v, n, 0.999), "max_ns",
                   (json_int_t)(n ? v[n - 1] : 0));
}

#define SV_BUCKETS 28 /* 1 us .. 2^27 us (134 s), the last open-ended */

static json_t *sv_counts(const uint64_t *v, size_t n) {
  uint64_t count[SV_BUCKETS] = {0};
  for (size_t i = 0; i < n; i++) {
    uint64_t us = v[i] / 1000;
    int b = us == 0 ? 0 : 64 - __builtin_clzll(us);
    count[b < SV_BUCKETS ? b : SV_BUCKETS - 1]++;
  }
  json_t *a = json_array();
  for (int b = 0; b < SV_BUCKETS; b++)
    json_array_append_new(a, json_integer((json_int_t)count[b]));
  return a;
}

void sv_latency_json(json_t *out, uint64_t *simple, uint64_t *metered,
                     size_t n) {
  json_object_set_new(out, "latency",
                      json_pack("{s:o, s:o}", "simple", sv_summary(simple, n),
                                "metered", sv_summary(metered, n)));
  /* Bucket b holds latencies in [2^(b-1), 2^b) microseconds (bucket 0:
   * under 1 us); upper_ns lists each bucket's exclusive upper bound. */
  json_t *upper = json_array();
  for (int b = 0; b < SV_BUCKETS; b++)
    json_array_append_new(upper, json_integer((json_int_t)1000 << b));
  json_object_set_new(out, "latency_histogram",
                      json_pack("{s:o, s:o, s:o}", "upper_ns", upper, "simple",
                                sv_counts(simple, n), "metered",
                                sv_counts(metered, n)));
}
