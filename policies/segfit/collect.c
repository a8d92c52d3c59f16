/* collect.c — one full collection, run by the driver's stop-the-world
 * runner (heap/collector.h, gc_stw_collect, which records the cycle): drop
 * the mutators' caches, clear marks, mark in parallel, sweep, and set the
 * trigger for the next one.
 *
 * Trigger: allocation collects when the arena is exhausted (trigger = 1,
 * the default) or, with trigger < 1, once the chunks taken since the last
 * collection reach that fraction of what was free after it. In a fixed,
 * pre-touched arena an earlier collection frees no memory for anyone else
 * and costs a mark phase, so for throughput the default waits for
 * exhaustion; the option is there to study footprint against GC time and to
 * keep headroom for the LOS, whose objects need contiguous chunks. */
#include "segfit.h"

static void drop_caches(gc_mutator *m, void *ctx) {
  gc_sf_cache_drop(ctx, m, false);
}

void segfit_collect_stw(gc_heap *heap, gc_stw_cycle *c) {
  segfit_state *s = segfit_of(heap);
  gc_for_each_mutator(heap, drop_caches, &s->sf);
  gc_sf_clear_marks(&s->sf);
  gc_worker sum = {0};
  segfit_mark(heap, &sum);
  s->sf.epoch++; /* lazy mode: every pool is now unswept */
  gc_sf_sweep_all(&s->sf, s->sweep);
  gc_los_sweep(&heap->los);
  segfit_set_trigger(s);
  c->cy.live_bytes = sum.bytes_traced;
  c->cy.objects_traced = sum.objects_traced;
}
