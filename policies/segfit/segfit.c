/* segfit.c — the "My GC" seed as a segregated-fit, non-moving mark-sweep
 * collector: the policy table, options and lifecycle. See
 * docs/policies/segfit.md.
 *
 * Small objects (up to 4096 bytes) live in pools of one size class each,
 * allocated from per-thread caches of 64-cell blocks by tzcnt over a claimed
 * free-bits word (the FREEBITS fast path in gctb.h); larger ones go to the
 * heap's LOS, which stands in for the seed's large and huge pools. The
 * pools themselves are the segregated-fit space's (heap/sfspace.h). */
#include "segfit.h"
#include <stdlib.h>
#include <string.h>

static const char *const sweep_choices[] = {"eager", "lazy", NULL};

static const gc_option_spec segfit_options[] = {
    {"sweep", GC_OPT_ENUM,
     "eager: recompute free bits from marks in the pause; lazy: each pool "
     "when an allocator first looks at it after the collection",
     GC_SF_SWEEP_EAGER, 0, 0, sweep_choices},
    {"trigger", GC_OPT_DOUBLE,
     "share of the chunks left free by a collection that allocation may take "
     "before collecting again (1: collect only when the arena is exhausted)",
     1.0, 0.05, 1.0, NULL},
    {0}};

static void segfit_destroy(gc_heap *heap) {
  segfit_state *s = segfit_of(heap);
  if (!s)
    return;
  gc_sf_destroy(&s->sf);
  free(s);
  heap->policy_state = NULL;
}

static bool segfit_init(gc_heap *heap, const gc_options *opts, char *err,
                        size_t errlen) {
  segfit_state *s = aligned_alloc(64, (sizeof *s + 63) & ~(size_t)63);
  if (!s) {
    snprintf(err, errlen, "segfit: out of memory");
    return false;
  }
  memset(s, 0, sizeof *s);
  s->heap = heap;
  s->sweep = strcmp(gc_opt_enum(opts, "sweep"), "lazy") == 0
                 ? GC_SF_SWEEP_LAZY
                 : GC_SF_SWEEP_EAGER;
  s->trigger = gc_opt_double(opts, "trigger");
  if (!gc_sf_init(&s->sf, &heap->arena, "segfit", err, errlen)) {
    free(s);
    return false;
  }
  heap->policy_state = s;
  segfit_set_trigger(s);
  return true;
}

static void segfit_mutator_detach(gc_mutator *m) {
  gc_sf_cache_drop(&segfit_of(m->heap)->sf, m, false);
}

const gc_policy gc_policy_segfit = {
    GC_POLICY_DEFAULTS,
    .name = "segfit",
    .summary = "segregated-fit mark-sweep: size classes, 64-cell free-bits "
               "blocks, parallel marking, eager or lazy sweeping (after "
               "Olshansky's \"My GC\")",
    .constraints = {GC_FAST_PATHS(FREEBITS, 1, NONE, NONE),
                    .moves_objects = false,
                    .large_object_bytes = GC_SIZECLASS_MAX_BYTES + 1},
    .options = segfit_options,
    .init = segfit_init,
    .destroy = segfit_destroy,
    .alloc_attach = gc_sf_cache_attach,
    .mutator_detach = segfit_mutator_detach,
    GC_STW_DRIVEN(&segfit_collector_ops),
    .verify_object = segfit_verify_object,
    .verify_heap = segfit_verify_heap,
    .heap_used = segfit_heap_used,
    .report = segfit_report,
};
