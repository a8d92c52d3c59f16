/* immix.h — internal interface of the immix policy: full-heap Immix with
 * opportunistic evacuation (Blackburn and McKinley, PLDI 2008) over the
 * shared immix space (heap/immix_space.h). See docs/policies/immix.md. */
#ifndef IX_IMMIX_H
#define IX_IMMIX_H

#include "../../heap/immix_space.h"

typedef struct ix_state {
  gc_heap *heap;
  immix_space sp;
  immix_defrag_mode defrag;
  double line_waste;     /* option: marked-line excess that asks for defrag */
  bool lines_wasted;     /* the last collection left more than that */
  immix_allocator *copy; /* one copy allocator per GC worker */
  bool evacuating;       /* this collection has candidates */
  bool after_gc;         /* the verifier runs right after a collection */
  /* totals over the run */
  uint64_t collections, defrag_collections, candidates;
  uint64_t objects_copied, bytes_copied, objects_kept;
} ix_state;

/* Collections an allocation may make before it reports out-of-memory
 * (immix.c's ladder). */
#define IX_OWN_COLLECTIONS 4

static inline ix_state *ix_of(gc_heap *heap) { return heap->policy_state; }

/* collect.c: one collection, world stopped (gc_stw_collect); the first
 * for an allocation is normal, later ones emergencies. */
void ix_collect_stopped(gc_heap *heap, gc_stw_cycle *c);

/* verify.c */
bool ix_verify_object(gc_heap *heap, gc_verifier *v, uintptr_t addr);
bool ix_verify_heap(gc_heap *heap, gc_verifier *v);
size_t ix_heap_used(gc_heap *heap);
void ix_report(gc_heap *heap, json_t *out);

#endif
