/* segfit.h — internal interface of the segregated-fit mark-sweep policy
 * (the "My GC" seed). See docs/policies/segfit.md.
 *
 * The pools, blocks, free and mark bits, caches and sweeping are the
 * segregated-fit space's (heap/sfspace.h), which the satb policy shares;
 * what is left here is the stop-the-world collector: when to collect,
 * parallel marking, the LOS beside the space, and the statistics.
 */
#ifndef SEGFIT_H
#define SEGFIT_H

#include "../../heap/collector.h"
#include "../../heap/sfspace.h"

typedef struct segfit_state {
  gc_heap *heap;
  gc_sf_space sf;
  gc_sf_sweep sweep;
  double trigger;
  size_t grow_limit; /* arena chunks in use above which we collect first */
} segfit_state;

static inline segfit_state *segfit_of(gc_heap *heap) {
  return heap->policy_state;
}

/* alloc.c */
/* the driver's: try_alloc, the collection, the ladder (GC_STW_DRIVEN) */
extern const gc_collector_ops segfit_collector_ops;
bool segfit_over_trigger(segfit_state *s);
void segfit_set_trigger(segfit_state *s);

/* mark.c: marks everything reachable; totals in *sum. */
void segfit_mark(gc_heap *heap, gc_worker *sum);

/* collect.c: the whole collection, world stopped (gc_stw_collect). */
void segfit_collect_stw(gc_heap *heap, gc_stw_cycle *c);

/* verify.c */
bool segfit_verify_object(gc_heap *heap, gc_verifier *v, uintptr_t addr);
bool segfit_verify_heap(gc_heap *heap, gc_verifier *v);
size_t segfit_heap_used(gc_heap *heap);
void segfit_report(gc_heap *heap, json_t *out);

#endif
