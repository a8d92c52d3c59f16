/* sticky.h — internal interface of the sticky-immix policy: non-moving,
 * generational Immix through sticky mark bits (Demmers et al. 1990's
 * sticky marks; Blackburn and McKinley's sticky Immix; the Sticky Immix seed),
 * over the shared immix space (heap/immix_space.h). See
 * docs/policies/sticky-immix.md.
 *
 * Old objects are the marked ones. A nursery collection does not clear
 * marks: it traces from the roots and the remembered set, marks only
 * unmarked (young) objects, and sweeps lines, so young garbage is freed and
 * old objects stay put. The object-remembering write barrier
 * (GC_WB_OBJECT_LOG) logs an old object the first time a reference is
 * stored into it after a collection: tracing sets GC_HDR_UNLOGGED on every
 * object it marks, the barrier's fast path tests that bit, and the slow
 * path clears it and logs the object. */
#ifndef STICKY_H
#define STICKY_H

#include "../../heap/immix_space.h"

typedef struct sticky_log {
  uintptr_t *objs;
  size_t n, cap;
} sticky_log;

/* A mutator's state: its allocator and its part of the remembered set. */
typedef struct sticky_mutator {
  immix_allocator a;
  sticky_log log;
} sticky_mutator;

typedef struct sticky_state {
  gc_heap *heap;
  immix_space sp;
  uint64_t nursery_bytes; /* allocation between collections */
  double full_threshold;  /* free share below which the next one is full */
  unsigned full_every;    /* every Nth collection is full (0: never forced) */
  unsigned since_full;    /* nursery collections since the last full one */
  bool next_full;
  bool after_gc; /* the verifier runs right after a collection */
  /* logs of detached mutators (changed under heap->lock, or stopped) */
  sticky_log orphans;
  /* the logs a nursery collection scans, gathered before tracing */
  sticky_log **logs;
  size_t nlogs, logs_cap;
  /* totals over the run */
  uint64_t nursery_collections, full_collections, remembered;
} sticky_state;

static inline sticky_state *sticky_of(gc_heap *heap) {
  return heap->policy_state;
}

/* barrier.c */
void sticky_store_slow(gc_mutator *m, gc_ref obj, size_t off, uintptr_t val,
                       bool is_ref);
void sticky_log_push(sticky_log *l, uintptr_t obj);
/* Gathers every log (mutators' and orphans) into s->logs; returns the
 * number of entries. */
size_t sticky_gather_logs(sticky_state *s);
void sticky_clear_logs(sticky_state *s);

/* collect.c: one collection, world stopped (gc_stw_collect): nursery, or
 * full when required or due. */
void sticky_collect_stopped(gc_heap *heap, gc_stw_cycle *c);

/* verify.c */
bool sticky_verify_object(gc_heap *heap, gc_verifier *v, uintptr_t addr);
bool sticky_verify_heap(gc_heap *heap, gc_verifier *v);
size_t sticky_heap_used(gc_heap *heap);
void sticky_report(gc_heap *heap, json_t *out);

#endif
