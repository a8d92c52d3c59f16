/* summary.c — pause percentiles and the one-screen summary of a run. The
 * record holds every pause; the summary is for the person at the terminal. */
#include "run.h"
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

/* Nearest-rank percentile of a sorted array (p in (0, 1]). */
static uint64_t percentile(const uint64_t *sorted, size_t n, double p) {
  if (n == 0)
    return 0;
  size_t rank = (size_t)ceil(p * (double)n);
  return sorted[rank ? rank - 1 : 0];
}

void gctb_pause_stats_compute(gc_events *e, gctb_pause_stats *out) {
  uint64_t *d;
  size_t n;
  pthread_mutex_lock(&e->lock);
  n = e->npauses;
  d = malloc((n ? n : 1) * sizeof *d);
  for (size_t i = 0; d && i < n; i++)
    d[i] = e->pauses[i].duration_ns;
  pthread_mutex_unlock(&e->lock);
  *out = (gctb_pause_stats){.count = d ? n : 0};
  if (!d)
    return;
  qsort(d, n, sizeof *d, cmp_u64);
  for (size_t i = 0; i < n; i++)
    out->total_ns += d[i];
  out->p50_ns = percentile(d, n, 0.50);
  out->p99_ns = percentile(d, n, 0.99);
  out->max_ns = n ? d[n - 1] : 0;
  free(d);
}

/* "812 ns", "3.41 ms", "1.203 s". */
static const char *fmt_ns(uint64_t ns, char *buf, size_t len) {
  if (ns < 1000)
    snprintf(buf, len, "%" PRIu64 " ns", ns);
  else if (ns < 1000000)
    snprintf(buf, len, "%.1f us", (double)ns / 1e3);
  else if (ns < 1000000000)
    snprintf(buf, len, "%.2f ms", (double)ns / 1e6);
  else
    snprintf(buf, len, "%.3f s", (double)ns / 1e9);
  return buf;
}

static const char *fmt_size(uint64_t bytes, char *buf, size_t len) {
  gctb_format_size(bytes, buf, len);
  return buf;
}

static double pct(uint64_t part, uint64_t whole) {
  return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static void print_header(FILE *f, const gctb_config *cfg) {
  char a[32], b[32];
  fprintf(f, "gctb run%s%s: policy %s, workload %s\n", cfg->name ? " " : "",
          cfg->name ? cfg->name : "", cfg->policy->name, cfg->workload->name);
  fprintf(f,
          "  heap       %s (%.2fx the declared live size %s), %u GC "
          "thread%s, verify %s\n",
          fmt_size(cfg->heap_bytes, a, sizeof a),
          cfg->live_bytes ? (double)cfg->heap_bytes / (double)cfg->live_bytes
                          : 0.0,
          fmt_size(cfg->live_bytes, b, sizeof b), cfg->gc_threads,
          cfg->gc_threads == 1 ? "" : "s", gctb_verify_name(cfg->verify));
}

static void print_times(FILE *f, const gctb_result *r) {
  char a[32], b[32], c[32];
  fprintf(f, "  wall       %s   mutator %s (%.1f%%)   GC pauses %s (%.1f%%)\n",
          fmt_ns(r->wall_ns, a, sizeof a), fmt_ns(r->mutator_ns, b, sizeof b),
          pct(r->mutator_ns, r->wall_ns), fmt_ns(r->gc_ns, c, sizeof c),
          pct(r->gc_ns, r->wall_ns));
  fprintf(f, "  GC CPU     %s\n", fmt_ns(r->gc_cpu_ns, a, sizeof a));
}

static void print_pauses(FILE *f, const gctb_result *r) {
  char a[32], b[32], c[32];
  fprintf(f, "  GC         %" PRIu64 " collection%s, %zu pause%s",
          r->collections, r->collections == 1 ? "" : "s", r->pauses.count,
          r->pauses.count == 1 ? "" : "s");
  if (r->pauses.count)
    fprintf(f, ": p50 %s  p99 %s  max %s",
            fmt_ns(r->pauses.p50_ns, a, sizeof a),
            fmt_ns(r->pauses.p99_ns, b, sizeof b),
            fmt_ns(r->pauses.max_ns, c, sizeof c));
  fprintf(f, "\n");
}

void gctb_summary_print(FILE *f, const gctb_run *run) {
  const gctb_result *r = &run->res;
  char a[32];
  print_header(f, run->cfg);
  fprintf(f, "  status     %s%s%s\n", r->status, *r->error ? ": " : "",
          r->error);
  print_times(f, r);
  print_pauses(f, r);
  fprintf(f, "  allocated  %" PRIu64 " objects, %s\n",
          r->totals.objects_allocated,
          fmt_size(r->totals.bytes_allocated, a, sizeof a));
  fprintf(f, "  peak RSS   %s\n", fmt_size(r->peak_rss_bytes, a, sizeof a));
  fprintf(f, "  record     %s\n", *r->record_path ? r->record_path : "(none)");
}
