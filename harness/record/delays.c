/* delays.c — per-mutator timelines: world pauses and the mutator's own
 * delays, clipped to its lifetime and merged where they overlap (a stall
 * that a world pause interrupts is one interval of lost time, not two), and
 * statistics over the merged intervals. */
#include "harness/record/delays.h"
#include <math.h>
#include <stdlib.h>

typedef struct span {
  uint64_t start, end;
} span;

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

static int cmp_span(const void *a, const void *b) {
  const span *x = a, *y = b;
  return (x->start > y->start) - (x->start < y->start);
}

/* Nearest-rank percentile of a sorted array (p in (0, 1]). */
static uint64_t percentile(const uint64_t *sorted, size_t n, double p) {
  if (n == 0)
    return 0;
  size_t rank = (size_t)ceil(p * (double)n);
  return sorted[rank ? rank - 1 : 0];
}

void gctb_stats_of(uint64_t *d, size_t n, gctb_pause_stats *out) {
  *out = (gctb_pause_stats){.count = n};
  qsort(d, n, sizeof *d, cmp_u64);
  for (size_t i = 0; i < n; i++)
    out->total_ns += d[i];
  out->p50_ns = percentile(d, n, 0.50);
  out->p99_ns = percentile(d, n, 0.99);
  out->max_ns = n ? d[n - 1] : 0;
}

/* Adds [start, start + len) clipped to [lo, hi), less the blocked spans bl
 * (in order, disjoint), to s; returns the length added. */
static uint64_t add_clipped(span *s, size_t *n, uint64_t start, uint64_t len,
                            uint64_t lo, uint64_t hi, const gc_span *bl,
                            size_t nb) {
  uint64_t a = start > lo ? start : lo, b = start + len < hi ? start + len : hi;
  uint64_t added = 0;
  for (size_t i = 0; i < nb && a < b; i++) {
    if (bl[i].end_ns <= a)
      continue;
    if (bl[i].start_ns >= b)
      break;
    if (bl[i].start_ns > a) {
      s[(*n)++] = (span){a, bl[i].start_ns};
      added += bl[i].start_ns - a;
    }
    a = bl[i].end_ns;
  }
  if (a < b) {
    s[(*n)++] = (span){a, b};
    added += b - a;
  }
  return added;
}

/* Merges overlapping spans (sorted in place) and puts the merged lengths
 * in out (room for n); returns how many. */
static size_t merge(span *s, size_t n, uint64_t *out) {
  qsort(s, n, sizeof *s, cmp_span);
  size_t k = 0;
  for (size_t i = 0; i < n;) {
    uint64_t a = s[i].start, b = s[i].end;
    for (i++; i < n && s[i].start <= b; i++)
      if (s[i].end > b)
        b = s[i].end;
    out[k++] = b - a;
  }
  return k;
}

/* One mutator's figures; world holds the world pauses (count nw). */
static bool one_mutator(gc_mutator_log *log, const gc_pause *world, size_t nw,
                        uint64_t end, gctb_mutator_delays *md) {
  pthread_mutex_lock(&log->lock);
  uint64_t lo = log->attached_ns,
           hi = log->detached_ns ? log->detached_ns : end;
  if (hi < lo)
    hi = lo;
  size_t cap = nw + log->nblocked + log->ndelays;
  span *s = malloc((cap ? cap : 1) * sizeof *s);
  uint64_t *len = malloc((cap ? cap : 1) * sizeof *len);
  if (!s || !len) {
    pthread_mutex_unlock(&log->lock);
    free(s), free(len);
    return false;
  }
  gc_span *blocked =
      malloc((log->nblocked ? log->nblocked : 1) * sizeof *blocked);
  if (!blocked) {
    pthread_mutex_unlock(&log->lock);
    free(s), free(len);
    return false;
  }
  *md = (gctb_mutator_delays){.id = log->id,
                              .lifetime_ns = hi - lo,
                              .attached_ns = lo,
                              .detached_ns = hi,
                              .blocked = blocked,
                              .nblocked = log->nblocked};
  for (size_t i = 0; i < log->nblocked; i++)
    blocked[i] = log->blocked[i];
  size_t n = 0;
  /* a world stop delays the mutator only while it is not blocked */
  for (size_t i = 0; i < nw; i++)
    md->paused_ns += add_clipped(s, &n, world[i].start_ns, world[i].duration_ns,
                                 lo, hi, blocked, md->nblocked);
  for (size_t i = 0; i < log->ndelays; i++)
    add_clipped(s, &n, log->delays[i].start_ns, log->delays[i].duration_ns, lo,
                hi, NULL, 0);
  for (int k = 0; k < GC_DELAY_KINDS; k++)
    md->kind_ns[k] = log->total_ns[k];
  md->small_assists = log->small_assists;
  uint64_t small_ns = log->small_assist_ns;
  pthread_mutex_unlock(&log->lock);
  gctb_stats_of(len, merge(s, n, len), &md->stats);
  uint64_t lost = md->stats.total_ns + small_ns;
  md->mutator_ns = md->lifetime_ns > lost ? md->lifetime_ns - lost : 0;
  free(s);
  free(len);
  return true;
}

/* The world pauses (entries of e->pauses with no mutator), copied. */
static gc_pause *world_pauses(gc_events *e, size_t *n);

uint64_t gctb_delays_within(gc_events *e, size_t mutator, uint64_t from,
                            uint64_t to) {
  size_t nw;
  gc_pause *world = world_pauses(e, &nw);
  pthread_mutex_lock(&e->lock);
  gc_mutator_log *log = mutator < e->nmlogs ? e->mlogs[mutator] : NULL;
  pthread_mutex_unlock(&e->lock);
  if (!world || !log) {
    free(world);
    return 0;
  }
  pthread_mutex_lock(&log->lock);
  size_t cap = nw + log->nblocked + log->ndelays;
  span *s = malloc((cap ? cap : 1) * sizeof *s);
  uint64_t *len = malloc((cap ? cap : 1) * sizeof *len);
  uint64_t total = 0;
  if (s && len) {
    size_t n = 0;
    for (size_t i = 0; i < nw; i++)
      add_clipped(s, &n, world[i].start_ns, world[i].duration_ns, from, to,
                  log->blocked, log->nblocked);
    for (size_t i = 0; i < log->ndelays; i++)
      add_clipped(s, &n, log->delays[i].start_ns, log->delays[i].duration_ns,
                  from, to, NULL, 0);
    size_t k = merge(s, n, len);
    for (size_t i = 0; i < k; i++)
      total += len[i];
  }
  pthread_mutex_unlock(&log->lock);
  free(s), free(len), free(world);
  return total;
}

static gc_pause *world_pauses(gc_events *e, size_t *n) {
  pthread_mutex_lock(&e->lock);
  gc_pause *w = malloc((e->npauses ? e->npauses : 1) * sizeof *w);
  *n = 0;
  for (size_t i = 0; w && i < e->npauses; i++)
    if (e->pauses[i].mutator < 0)
      w[(*n)++] = e->pauses[i];
  pthread_mutex_unlock(&e->lock);
  return w;
}

bool gctb_delays_compute(gc_events *e, uint64_t end, gctb_delays *d) {
  *d = (gctb_delays){.worst = -1};
  size_t nw;
  gc_pause *world = world_pauses(e, &nw);
  uint64_t *wlen = malloc((nw ? nw : 1) * sizeof *wlen);
  pthread_mutex_lock(&e->lock);
  size_t nm = e->nmlogs;
  gc_mutator_log **logs = malloc((nm ? nm : 1) * sizeof *logs);
  for (size_t i = 0; logs && i < nm; i++)
    logs[i] = e->mlogs[i];
  pthread_mutex_unlock(&e->lock);
  d->mutators = calloc(nm ? nm : 1, sizeof *d->mutators);
  bool ok = world && wlen && logs && d->mutators;
  for (size_t i = 0; ok && i < nw; i++)
    wlen[i] = world[i].duration_ns;
  if (ok)
    gctb_stats_of(wlen, nw, &d->world);
  for (size_t i = 0; ok && i < nm; i++) {
    gctb_mutator_delays *md = &d->mutators[i];
    ok = one_mutator(logs[i], world, nw, end, md);
    d->nmutators += ok;
    for (int k = 0; ok && k < GC_DELAY_KINDS; k++)
      d->kind_ns[k] += md->kind_ns[k];
    if (ok &&
        (d->worst < 0 || md->stats.max_ns > d->mutators[d->worst].stats.max_ns))
      d->worst = (int)i;
  }
  free(world);
  free(wlen);
  free(logs);
  return ok;
}

void gctb_delays_free(gctb_delays *d) {
  for (size_t i = 0; i < d->nmutators; i++)
    free(d->mutators[i].blocked);
  free(d->mutators);
  *d = (gctb_delays){.worst = -1};
}
