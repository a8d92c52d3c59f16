/* summary.c — the one-screen summary of a run. The record holds every
 * pause and delay; the summary is for the person at the terminal, and leads
 * with what the mutators saw (docs/delays.md): a concurrent collector's
 * 25 ms allocation stall shows on the first line, not only in the record. */
#include "harness/record/worst_step.h"
#include "harness/run/run.h"
#include <inttypes.h>
#include <stdlib.h>

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

/* The mutator that lost the largest share of its lifetime; NULL if none. */
static const gctb_mutator_delays *most_delayed(const gctb_delays *d) {
  const gctb_mutator_delays *best = NULL;
  double worst = -1;
  for (size_t i = 0; i < d->nmutators; i++) {
    const gctb_mutator_delays *m = &d->mutators[i];
    double lost = m->lifetime_ns
                      ? 1.0 - (double)m->mutator_ns / (double)m->lifetime_ns
                      : 0.0;
    if (lost > worst)
      worst = lost, best = m;
  }
  return best;
}

static void print_times(FILE *f, const gctb_result *r) {
  char a[32], b[32];
  fprintf(f, "  wall       %s   world stopped %s (%.1f%%)",
          fmt_ns(r->wall_ns, a, sizeof a), fmt_ns(r->gc_ns, b, sizeof b),
          pct(r->gc_ns, r->wall_ns));
  const gctb_mutator_delays *m = most_delayed(&r->delays);
  if (m) {
    uint64_t lost = m->lifetime_ns - m->mutator_ns;
    fprintf(f, "   mutator %u lost %s (%.1f%%)", m->id,
            fmt_ns(lost, a, sizeof a), pct(lost, m->lifetime_ns));
  }
  fprintf(f, "\n  GC CPU     %s\n", fmt_ns(r->gc_cpu_ns, a, sizeof a));
}

/* "max 25.31 ms  p99 1.20 ms  p50 310.0 us" */
static void print_stats(FILE *f, const gctb_pause_stats *p) {
  char a[32], b[32], c[32];
  fprintf(f, "max %s  p99 %s  p50 %s", fmt_ns(p->max_ns, a, sizeof a),
          fmt_ns(p->p99_ns, b, sizeof b), fmt_ns(p->p50_ns, c, sizeof c));
}

/* First: the worst mutator's distribution of lost intervals (world pauses
 * and its own holds, stalls, paces and assists, merged); then the world
 * pauses alone, then what the mutators' own delays add up to. */
static void print_delays(FILE *f, const gctb_result *r) {
  const gctb_delays *d = &r->delays;
  fprintf(f, "  delays     ");
  if (d->worst >= 0) {
    const gctb_mutator_delays *w = &d->mutators[d->worst];
    print_stats(f, &w->stats);
    fprintf(f, "  (mutator-observed: %zu, worst mutator %u of %zu)\n",
            w->stats.count, w->id, d->nmutators);
  } else {
    fprintf(f, "none recorded\n");
  }
  fprintf(f, "  world      %zu pause%s", r->pauses.count,
          r->pauses.count == 1 ? "" : "s");
  if (r->pauses.count) {
    fprintf(f, ": ");
    print_stats(f, &r->pauses);
  }
  fprintf(f, "  (%" PRIu64 " collection%s)\n", r->collections,
          r->collections == 1 ? "" : "s");
  char a[32], b[32], c[32], e[32], q[32];
  fprintf(f,
          "  waits      held %s  stalled %s  paced %s  assist %s  "
          "runqueue %s\n",
          fmt_ns(d->kind_ns[GC_DELAY_HOLD], a, sizeof a),
          fmt_ns(d->kind_ns[GC_DELAY_STALL], b, sizeof b),
          fmt_ns(d->kind_ns[GC_DELAY_PACE], c, sizeof c),
          fmt_ns(d->kind_ns[GC_DELAY_ASSIST], e, sizeof e),
          fmt_ns(d->kind_ns[GC_DELAY_RUNQUEUE], q, sizeof q));
}

/* The workload's longest step, split into what the record accounts for
 * (worst_step.h), so a delay the testbed missed shows as "unaccounted". */
static void print_worst_step(FILE *f, const gctb_run *run) {
  gctb_worst_step w = run->res.worst_step;
  if (!w.known)
    return;
  char a[32], b[32], c[32], d[32], e[32], g[32];
  fprintf(f, "  worst step %s: delays %s", fmt_ns(w.ns, a, sizeof a),
          fmt_ns(w.delays_ns, b, sizeof b));
  if (w.cpu_known)
    fprintf(f, " + own CPU %s + unaccounted %s", fmt_ns(w.cpu_ns, c, sizeof c),
            fmt_ns(w.unaccounted_ns, d, sizeof d));
  fprintf(f, "  (median step %s", fmt_ns(w.median_ns, e, sizeof e));
  if (w.median_like_ns)
    fprintf(f, ", %s of steps doing the same work",
            fmt_ns(w.median_like_ns, g, sizeof g));
  fprintf(f, ")\n");
}

void gctb_summary_print(FILE *f, const gctb_run *run) {
  const gctb_result *r = &run->res;
  char a[32];
  print_header(f, run->cfg);
  fprintf(f, "  status     %s%s%s\n", r->status, *r->error ? ": " : "",
          r->error);
  print_delays(f, r);
  print_worst_step(f, run);
  print_times(f, r);
  fprintf(f, "  allocated  %" PRIu64 " objects, %s\n",
          r->totals.objects_allocated,
          fmt_size(r->totals.bytes_requested, a, sizeof a));
  fprintf(f, "  peak RSS   %s\n", fmt_size(r->peak_rss_bytes, a, sizeof a));
  fprintf(f, "  record     %s\n", *r->record_path ? r->record_path : "(none)");
}
