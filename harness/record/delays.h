/* delays.h — what each mutator saw: world pauses and its own delays
 * (heap/delay.h) merged into one timeline per mutator, and the statistics
 * the record and the summary lead with (docs/delays.md). */
#ifndef GCTB_HARNESS_DELAYS_H
#define GCTB_HARNESS_DELAYS_H

#include "heap/heap.h"

/* count, sum and nearest-rank percentiles of a set of durations */
typedef struct gctb_pause_stats {
  size_t count;
  uint64_t total_ns, p50_ns, p99_ns, max_ns;
} gctb_pause_stats;

/* Statistics of d[0..n) (sorted in place). */
void gctb_stats_of(uint64_t *d, size_t n, gctb_pause_stats *out);

typedef struct gctb_mutator_delays {
  unsigned id;
  uint64_t lifetime_ns; /* attach to detach (or the end of the run) */
  uint64_t mutator_ns;  /* lifetime less every delay it saw */
  uint64_t paused_ns;   /* world pauses within its lifetime, not blocked */
  uint64_t kind_ns[GC_DELAY_KINDS]; /* its own delays by kind */
  uint64_t small_assists;           /* aggregated assists (not intervals) */
  gctb_pause_stats stats; /* over the union of pauses and its delays */
  gc_span *blocked;       /* outside the heap while the world stopped */
  size_t nblocked;

  uint64_t attached_ns, detached_ns; /* the lifetime's ends (monotonic) */
} gctb_mutator_delays;

typedef struct gctb_delays {
  gctb_mutator_delays *mutators; /* in attach order */
  size_t nmutators;
  uint64_t kind_ns[GC_DELAY_KINDS]; /* sums over mutators */
  int worst;                        /* index of the largest max, -1: none */
  gctb_pause_stats world;           /* world pauses only */
} gctb_delays;

/* Computes d from the event log, with lifetimes of mutators still attached
 * ending at end. gctb_delays_free releases d's array. */
bool gctb_delays_compute(gc_events *e, uint64_t end, gctb_delays *d);
void gctb_delays_free(gctb_delays *d);

/* The union of world pauses and the delays of the mutator'th mutator (in
 * attach order) within [from, to) on the monotonic clock: how much of that
 * window the mutator lost to what the record accounts for. */
uint64_t gctb_delays_within(gc_events *e, size_t mutator, uint64_t from,
                            uint64_t to);

/* The record's "delays" list (world pauses and every mutator's logged
 * delays in start order, times relative to t0) and its "mutators" list. */
json_t *gctb_delays_list_json(gc_events *e, uint64_t t0);
json_t *gctb_mutators_json(const gctb_delays *d, uint64_t t0);
json_t *gctb_pause_stats_json(const gctb_pause_stats *p);
/* The record's "ttsp": time to safepoint over every mutator (statistics of
 * both request kinds, then "stop" and "handshake"), and per mutator. */
json_t *gctb_ttsp_json(gc_events *e);

#endif
