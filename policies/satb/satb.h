/* satb.h — internal interface of the satb policy: concurrent
 * snapshot-at-the-beginning mark-sweep over the segregated-fit space (seed
 * 004's marking, as Shenandoah does it). See docs/policies/satb.md.
 *
 * One dedicated GC thread runs every collection. A concurrent cycle is:
 *   init-mark pause   barriers on, caches and new allocations black, roots
 *                     copied to the marker;
 *   concurrent mark   the GC thread (and the worker pool) traces and drains
 *                     full SATB buffers while mutators run; handshakes flush
 *                     partial buffers ("pre-cleaning") before the pause;
 *   final-mark pause  every partial buffer, roots again, the rest of the
 *                     trace; barriers off; empty pools and dead large
 *                     objects freed;
 *   concurrent sweep  the GC thread sweeps every pool allocators have not.
 * A mutator that runs out of memory waits for the running cycle; if that
 * does not free enough, it asks for a stop-the-world collection (kind
 * "degenerated") and, after two of those, reports out-of-memory.
 */
#ifndef SATB_POLICY_H
#define SATB_POLICY_H

#include "../../heap/collector.h"
#include "../../heap/heap.h"
#include "../../heap/satb_marking.h"
#include "../../heap/sfspace.h"
#include "../../heap/trigger.h"

typedef enum satb_phase {
  SATB_IDLE,
  SATB_MARKING,  /* from init-mark to final-mark */
  SATB_SWEEPING, /* after final-mark, until every pool is swept */
  SATB_DEGENERATED
} satb_phase;

/* Test hooks, called on the GC thread (tests/unit/test_satb.c forces
 * interleavings with them). */
typedef enum satb_hook_point {
  SATB_HOOK_MARKING,    /* init-mark is over, the world runs again */
  SATB_HOOK_FINAL_MARK, /* concurrent marking is done, before final-mark */
  SATB_HOOK_CYCLE_END   /* the cycle (concurrent or degenerated) is over */
} satb_hook_point;
typedef void (*satb_hook_fn)(gc_heap *heap, satb_hook_point at, void *ctx);

/* Per-mutator data (m->policy_data). */
typedef struct satb_mutator {
  satb_queue q;
} satb_mutator;

/* What one cycle did, for the report. */
typedef struct satb_cycle_log {
  const char *kind;
  uint64_t buffers, entries; /* SATB buffers drained, all phases */
  uint64_t final_buffers;    /* of which in the final-mark pause */
  uint64_t objects, bytes;   /* marked and scanned */
  uint64_t final_objects;    /* of which scanned in final-mark */
  uint64_t preclean_rounds;
  /* the pauses, split: time to stop the world (mutators reaching a
   * safepoint: scheduling, not GC work) and the work done stopped */
  uint64_t init_ttsp_ns, init_work_ns, final_ttsp_ns, final_work_ns;
  gc_trigger_decision trigger; /* what the trigger saw at the start */
} satb_cycle_log;

typedef struct satb_totals {
  uint64_t concurrent, degenerated;
  uint64_t buffers, entries, objects, bytes;
  uint64_t enqueued, filtered; /* barrier records of detached mutators */
  uint64_t gc_thread_cpu_ns;
  uint64_t max_pause_work_ns, max_ttsp_ns;
} satb_totals;

typedef struct satb_state {
  gc_sf_space sf; /* first: 64-byte aligned */
  gc_heap *heap;
  satb_marker marker;
  /* options */
  gc_trigger trigger;  /* when a concurrent cycle starts (heap/trigger.h) */
  int preclean;        /* most pre-cleaning handshakes per cycle */
  uint64_t precleaned; /* atomic: entries the last handshake flushed */
  bool no_barrier;     /* test only: marking without the barrier */
  bool verify_marks;   /* re-trace after final mark */
  /* allocation; the flags change only with the world stopped */
  int alloc_black;      /* atomic: new objects are marked */
  uint64_t live_base;   /* atomic: bytes in use after the last sweep */
  uint64_t alloc_since; /* atomic: bytes handed out since */
  int phase;            /* atomic satb_phase */
  /* verifier modes (world stopped) */
  bool checking_marks;  /* reachable objects must be marked */
  bool marks_clear;     /* no mark bit may be set */
  gc_collector gc;      /* the driver: GC thread, requests, allocation waits */
  pthread_mutex_t lock; /* the hook and the statistics */
  satb_hook_fn hook;
  void *hook_ctx;
  /* statistics, under lock */
  satb_totals totals;
  satb_cycle_log *log;
  size_t nlog, log_cap;
} satb_state;

static inline satb_state *satb_of(gc_heap *heap) { return heap->policy_state; }
static inline satb_mutator *satb_mutator_of(gc_mutator *m) {
  return m->policy_data;
}
static inline satb_queue *satb_queue_of(gc_mutator *m) {
  return &satb_mutator_of(m)->q;
}

/* thread.c: what the GC thread (heap/collector.h) runs: concurrent cycles,
 * and degenerated ones before any concurrent one pending; hooks */
extern const gc_collector_ops satb_collector_ops;
void satb_hook(satb_state *s, satb_hook_point at);

/* cycle.c */
void satb_concurrent_cycle(satb_state *s, const char *reason);
void satb_degenerated_cycle(satb_state *s, const char *reason);

/* alloc.c */
/* The driver's allocation attempt (ops.try_alloc; GC_COLLECTOR_DRIVEN). */
gc_ref satb_try_alloc(gc_mutator *m, size_t bytes, uint64_t header,
                      const gc_alloc_try *at, void *ctx);
bool satb_over_trigger(satb_state *s);
/* The trigger's occupancy: bytes in use after the last sweep plus bytes
 * handed out since. */
uint64_t satb_occupancy(satb_state *s);

/* verify.c */
bool satb_verify_object(gc_heap *heap, gc_verifier *v, uintptr_t addr);
bool satb_verify_heap(gc_heap *heap, gc_verifier *v);
size_t satb_heap_used(gc_heap *heap);
void satb_report(gc_heap *heap, json_t *out);

/* For tests (tests/unit/test_satb.c): hooks, non-blocking requests, the
 * count of finished cycles. */
void satb_set_hook(gc_heap *heap, satb_hook_fn fn, void *ctx);
void satb_start_cycle(gc_heap *heap);
uint64_t satb_cycles_finished(gc_heap *heap);

#endif
