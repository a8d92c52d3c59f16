/* collector.h — the collection driver: what every collecting policy would
 * otherwise write for itself around its own cycles.
 *
 * A policy supplies hooks; the driver owns:
 *   - typed requests (gc_req_kind, ordered by strength: young < concurrent
 *     < degenerated < full) and, for concurrent policies, the one collector
 *     thread that runs them in order (heap/gcthread.h underneath);
 *   - the trigger: the policy says when it wants a cycle
 *     (gc_collector_trigger) and whether a queued trigger is still wanted
 *     when its turn comes (ops.still_wanted);
 *   - the allocation-failure protocol, in one place (gc_collector_alloc):
 *       try → retry if a cycle ended since → wait for the running cycle →
 *       ask for fresh concurrent cycles → degenerated (stop-the-world
 *       completion) → full → clean out-of-memory (GC_NULL);
 *     each rung has a count in gc_ladder, 0 meaning "this policy has no such
 *     rung". A stop-the-world policy's ladder is "try, collect, try again",
 *     with a bound on its own collections and on attempts in all;
 *   - collect-for-allocation: an allocation that reaches the last rung is
 *     served inside that rung's pause (gc_collector_serve, called by the
 *     policy's stop-the-world cycle before it resumes), so that mutators
 *     running after the pause cannot take what the collection freed before
 *     the requester retries. Out-of-memory then means: right after the
 *     strongest collection, with the world still stopped, the object did not
 *     fit;
 *   - explicit collections (gc_collector_collect): stress requests start a
 *     cycle and return, others wait for a cycle that started after them;
 *   - the mutator-visible delays (heap/delay.h, docs/delays.md): every wait
 *     of the protocol is a "stall" (phase "alloc" or "collect"), every pacer
 *     wait a "pace", recorded here and nowhere else, with the totals the
 *     policy reports (gc_collector_report: alloc_stalls, alloc_stall_ns,
 *     alloc_stall_max_ns, and paced, pace_ns for policies that pace).
 *
 * A policy's part, concurrent (satb, shenandoah, otf):
 *     s->gc: a gc_collector in its state, gc_collector_start in init,
 *            gc_collector_stop in destroy, gc_collector_quiesce when the last
 *            mutator detaches;
 *     ops.cycle(ctx, kind, reason): one cycle on the collector thread; a
 *            stop-the-world kind calls gc_collector_serve(c, kind) with the
 *            world still stopped, after it freed memory;
 *     ops.try_alloc: allocates or returns GC_NULL, never waits or
 *            collects; the table says GC_COLLECTOR_DRIVEN, which makes
 *            alloc_slow gc_collector_alloc(&s->gc, m, bytes, header,
 *            ops.try_alloc, s) and collect gc_collector_collect(&s->gc, m,
 *            why);
 *     the trigger: on allocation, if over the threshold,
 *            gc_collector_trigger(&s->gc).
 * Stop-the-world (segfit, semispace, immix, ...): no thread and no state:
 *     a static gc_collector_ops with stw_collect (the collection itself,
 *     world stopped), stw_pause (its pause's name) and ladder.own /
 *     .attempts, and try_alloc; its table says GC_STW_DRIVEN(&ops), which
 *     makes alloc_slow gc_stw_alloc and collect gc_stw_collect, with the
 *     policy's state as context. The runner (gc_stw_collect) stops the world,
 * verifies, records the cycle and the pause around stw_collect. A policy whose
 *     collection for an allocation is special (handle-copy's copy phase)
 *     gives collect_for_alloc instead: it runs one collection for the
 *     allocating mutator and says whether this thread collected (false:
 *     another thread's collection came first, which helps just as well).
 *
 * Lock order: heap->lock before the thread's lock before c->lock. */
#ifndef GCTB_COLLECTOR_H
#define GCTB_COLLECTOR_H

#include "gcthread.h"
#include "heap.h"

/* "young", "concurrent", "degenerated", "full": the record's cycle kinds. */
const char *gc_req_kind_name(gc_req_kind kind);

/* How far the allocation-failure protocol goes, rung by rung. */
typedef struct gc_ladder {
  unsigned waits;       /* waits for a cycle that was already running */
  unsigned concurrent;  /* fresh concurrent cycles asked for */
  unsigned degenerated; /* stop-the-world completions asked for */
  unsigned full;        /* full collections asked for */
  /* stop-the-world policies: collections by this thread before giving up,
   * and attempts in all (others collecting and refilling the heap before
   * this one gets to allocate; 0: no bound beyond own) */
  unsigned own, attempts;
} gc_ladder;

/* Where an allocation stands in the protocol, for try_alloc's judgement
 * (say, "grow past the trigger now that a collection ran"). */
typedef struct gc_alloc_try {
  unsigned tries; /* attempts so far, this one excluded */
  unsigned own;   /* collections this thread ran (stop-the-world) */
  bool in_pause;  /* served inside a stop-the-world cycle, on another
                     thread, the mutator blocked: no waiting, no trigger */
} gc_alloc_try;

/* The policy's allocation attempt: the object (header written, payload
 * zeroed) or GC_NULL. Never waits for or runs a collection. */
typedef gc_ref (*gc_try_alloc_fn)(gc_mutator *m, size_t bytes, uint64_t header,
                                  const gc_alloc_try *at, void *ctx);

/* One stop-the-world cycle, as gc_stw_collect hands it to the policy's
 * collection (ops.stw_collect, world stopped). The runner has set cy's
 * kind ("full"), reason, start and bytes_before, and sets its end,
 * bytes_after and GC CPU time after; the collection fills in live_bytes,
 * objects_traced (and objects/bytes_copied if it copies), and may rename
 * cy.kind ("nursery") and the pause. */
typedef struct gc_stw_cycle {
  gc_cycle cy;
  const char *pause;      /* the pause's name (ops.stw_pause unless renamed) */
  gc_collect_reason why;  /* why this cycle runs */
  const gc_alloc_try *at; /* why == GC_REASON_ALLOC: the failed allocation */
  void *arg;              /* the context given to gc_stw_alloc/collect */
} gc_stw_cycle;

typedef struct gc_collector_ops {
  /* Runs one cycle of kind (concurrent policies, on the collector thread).
   * Stop-the-world kinds call gc_collector_serve before resuming. */
  void (*cycle)(void *ctx, gc_req_kind kind, const char *reason);
  /* A queued trigger request, when its turn comes: still wanted? (NULL:
   * always) */
  bool (*still_wanted)(void *ctx);
  /* A request of kind while a cycle runs: true if the running cycle will
   * satisfy it (say, by finishing stopped); NULL: never. */
  bool (*escalate)(void *ctx, gc_req_kind kind);
  /* A cycle also satisfies the weaker requests pending when it starts. */
  bool subsume;
  /* Pacing (NULL: none): how long m should wait before taking more memory,
   * in ns (0: not at all). gc_collector_pace waits that long at most, or
   * until a cycle ends. */
  uint64_t (*pace_ns)(void *ctx, gc_mutator *m);
  /* Stop-the-world policies: one collection for an allocation that failed
   * (at->own collections of this thread so far); true if this thread ran
   * it. */
  bool (*collect_for_alloc)(gc_mutator *m, const gc_alloc_try *at, void *ctx);
  /* Stop-the-world policies: one collection, world stopped; gc_stw_collect
   * records the cycle and the pause (named stw_pause) around it. With
   * stw_collect, collect_for_alloc may be NULL: gc_stw_collect for
   * GC_REASON_ALLOC. */
  void (*stw_collect)(gc_heap *heap, gc_stw_cycle *c);
  const char *stw_pause;
  /* A policy table with GC_STW_DRIVEN or GC_COLLECTOR_DRIVEN: its
   * allocation attempt. */
  gc_try_alloc_fn try_alloc;
  gc_ladder ladder;
} gc_collector_ops;

typedef struct gc_collector_totals {
  uint64_t stalls, stall_ns, stall_max_ns; /* allocation waits */
  uint64_t paced, pace_ns;
  uint64_t served, served_failed; /* allocations done inside a pause */
} gc_collector_totals;

typedef struct gc_alloc_waiter gc_alloc_waiter;

typedef struct gc_collector {
  gc_heap *heap;
  gc_collector_ops ops;
  void *ctx;
  gc_ct ct;                   /* concurrent policies: the collector thread */
  bool threaded;              /* started with gc_collector_start */
  pthread_mutex_t lock;       /* totals and waiters */
  pthread_cond_t served_cond; /* a claimed waiter was served */
  gc_alloc_waiter *waiters;   /* allocations to serve in the next pause */
  gc_collector_totals totals;
} gc_collector;

/* A stop-the-world policy's driver: no thread. */
void gc_collector_init(gc_collector *c, gc_heap *heap,
                       const gc_collector_ops *ops, void *ctx);
/* A concurrent policy's driver, with its collector thread. */
bool gc_collector_start(gc_collector *c, gc_heap *heap,
                        const gc_collector_ops *ops, void *ctx, char *err,
                        size_t errlen);
/* Stops the thread (if any) and frees the driver. */
void gc_collector_stop(gc_collector *c);
/* The last mutator is detaching (heap->lock held): drop requests, wait for
 * the running cycle (gc_ct_quiesce). */
void gc_collector_quiesce(gc_collector *c);

/* The policy's trigger fired: a concurrent cycle, unless one is pending
 * (cheap then: an atomic hint). A trigger request the policy no longer
 * wants when its turn comes (ops.still_wanted) is dropped. */
void gc_collector_trigger(gc_collector *c);
/* Asks for a cycle of kind without waiting; returns the count of finished
 * cycles that satisfies it. */
uint64_t gc_collector_request(gc_collector *c, gc_req_kind kind,
                              const char *reason);
/* Waits for target cycles to finish, recorded as a stall of phase. */
void gc_collector_wait(gc_collector *c, gc_mutator *m, uint64_t target,
                       const char *phase);

/* The allocation-failure protocol (see the top of this file). GC_NULL: a
 * clean out-of-memory. */
gc_ref gc_collector_alloc(gc_collector *c, gc_mutator *m, size_t bytes,
                          uint64_t header, gc_try_alloc_fn try_alloc,
                          void *ctx);
/* The stop-the-world protocol alone: try, collect (ops->collect_for_alloc
 * with ctx), try again, within ops->ladder.own and .attempts. */
gc_ref gc_stw_alloc(const gc_collector_ops *ops, gc_mutator *m, size_t bytes,
                    uint64_t header, gc_try_alloc_fn try_alloc, void *ctx);
/* One stop-the-world cycle of ops->stw_collect, recorded: stops the world
 * (false, having waited, if another thread collected first: that frees
 * memory just as well), verifies before if the config asks, records the
 * cycle (start and end, bytes before and after by the policy's heap_used,
 * the GC CPU time with the workers'), verifies after, restarts the world
 * and records the pause. at: the failed allocation, if any; arg: the
 * collection's (gc_stw_cycle.arg). */
bool gc_stw_collect(const gc_collector_ops *ops, gc_mutator *m,
                    gc_collect_reason why, const gc_alloc_try *at, void *arg);
/* A stop-the-world policy's whole allocation slow path and collect entry:
 * its table says GC_STW_DRIVEN(&ops), and the driver runs ops.try_alloc and
 * ops.stw_collect with the policy's state (heap->policy_state) as context.
 * The policy writes one allocation attempt and one collection. */
gc_ref gc_stw_entry_alloc_slow(gc_mutator *m, size_t bytes, uint64_t header);
void gc_stw_entry_collect(gc_mutator *m, gc_collect_reason why);
#define GC_STW_DRIVEN(ops)                                                     \
  .stw = (ops), .alloc_slow = gc_stw_entry_alloc_slow,                         \
  .collect = gc_stw_entry_collect

/* A concurrent policy's allocation slow path and collect entry: its table
 * says GC_COLLECTOR_DRIVEN, and the driver its init started
 * (heap->driver) runs the protocol with ops.try_alloc and the driver's
 * context. */
gc_ref gc_collector_entry_alloc_slow(gc_mutator *m, size_t bytes,
                                     uint64_t header);
void gc_collector_entry_collect(gc_mutator *m, gc_collect_reason why);
#define GC_COLLECTOR_DRIVEN                                                    \
  .alloc_slow = gc_collector_entry_alloc_slow,                                 \
  .collect = gc_collector_entry_collect

/* In a stop-the-world cycle of kind, world stopped, after memory was freed:
 * allocates for the mutators whose protocol reached this kind's rung. */
void gc_collector_serve(gc_collector *c, gc_req_kind kind);
/* The pacer: waits ops.pace_ns(ctx, m) at most, or until a cycle ends,
 * outside the heap; recorded as a pace delay. */
void gc_collector_pace(gc_collector *c, gc_mutator *m);

/* gc_collect for the policy: stress starts a cycle and returns; other
 * reasons wait (a stall, phase "collect") for a concurrent cycle that
 * starts after the call (stop-the-world: runs ops.collect_for_alloc's
 * sibling, the policy's own collect). */
void gc_collector_collect(gc_collector *c, gc_mutator *m,
                          gc_collect_reason why);

/* Hints for the policy (atomic reads). */
bool gc_collector_busy(gc_collector *c); /* a cycle runs */
bool gc_collector_pending(gc_collector *c, gc_req_kind kind);
bool gc_collector_stopping(gc_collector *c); /* shutting down */
uint64_t gc_collector_finished(gc_collector *c);

/* The driver's totals into the policy's report; pacing adds paced and
 * pace_ns. */
void gc_collector_report(gc_collector *c, json_t *out, bool pacing);

/* One large object from the heap's LOS: zeroed, header written, counted in
 * m's bytes_allocated; marked if black (allocated during marking). 0 when
 * the LOS has no room. */
uintptr_t gc_los_alloc_object(gc_mutator *m, size_t bytes, uint64_t header,
                              bool black);

#endif
