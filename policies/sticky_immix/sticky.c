/* sticky.c — the sticky-immix policy's table, options and lifecycle.
 *
 * Sticky Immix as its seed describes it, made generational by sticky mark bits
 * and parallel: bump allocation into holes of the shared immix space, nursery
 * collections that trace only young survivors, full collections now and
 * then, never moving anything. docs/policies/sticky-immix.md. */
#include "sticky.h"
#include <stdlib.h>

static const gc_option_spec sticky_options[] = {
    IMMIX_SPACE_OPTIONS,
    {"nursery", GC_OPT_DOUBLE,
     "share of the heap mutators may allocate between collections (the "
     "nursery size; 1: all the free space, as the Sticky Immix seed)",
     1.0, 0.01, 1.0, NULL},
    {"full_threshold", GC_OPT_DOUBLE,
     "a nursery collection that leaves less than this share of the heap "
     "free makes the next collection full",
     0.2, 0.0, 1.0, NULL},
    {"full_every", GC_OPT_INT,
     "every Nth collection is full (0: only when needed; 1: always)", 0, 0,
     1000000, NULL},
    {0}};

static void sticky_free(sticky_state *s) {
  if (!s)
    return;
  if (s->sp.blocks)
    immix_space_destroy(&s->sp);
  free(s->orphans.objs);
  free(s->logs);
  free(s);
}

static bool sticky_init(gc_heap *heap, const gc_options *opts, char *err,
                        size_t errlen) {
  immix_config c;
  if (!immix_config_read(&c, opts, err, errlen))
    return false;
  c.reserve = 0; /* nothing moves: no copy headroom */
  sticky_state *s = calloc(1, sizeof *s);
  if (!s) {
    snprintf(err, errlen, "sticky-immix: out of memory");
    return false;
  }
  s->heap = heap;
  s->full_threshold = gc_opt_double(opts, "full_threshold");
  s->full_every = (unsigned)gc_opt_int(opts, "full_every");
  if (!immix_space_init(&s->sp, heap, &c, "sticky-immix", err, errlen)) {
    sticky_free(s);
    return false;
  }
  s->nursery_bytes =
      (uint64_t)(gc_opt_double(opts, "nursery") * (double)heap->cfg.heap_bytes);
  /* 1: the nursery is all the free space, and nothing need be counted */
  if (gc_opt_double(opts, "nursery") < 1.0)
    s->sp.handout_limit = s->nursery_bytes;
  heap->c.large_object_bytes = c.large_object_bytes;
  heap->policy_state = s;
  return true;
}

static void sticky_destroy(gc_heap *heap) {
  sticky_free(sticky_of(heap));
  heap->policy_state = NULL;
}

static void sticky_mutator_attach(gc_mutator *m) {
  sticky_mutator *sm = calloc(1, sizeof *sm);
  if (!sm) {
    fprintf(stderr, "gctb: sticky-immix: out of memory attaching a mutator\n");
    abort();
  }
  immix_allocator_reset(&sm->a);
  m->policy_data = sm;
}

/* Called under heap->lock with no collection running: the mutator's log
 * joins the orphans, which the next nursery collection scans. */
static void sticky_mutator_detach(gc_mutator *m) {
  sticky_state *s = sticky_of(m->heap);
  sticky_mutator *sm = m->policy_data;
  immix_mutator_retire(&s->sp, &sm->a, m);
  for (size_t i = 0; i < sm->log.n; i++)
    sticky_log_push(&s->orphans, sm->log.objs[i]);
  free(sm->log.objs);
  free(sm);
  m->policy_data = NULL;
}

static gc_ref try_alloc(gc_mutator *m, size_t bytes, uint64_t header,
                        const gc_alloc_try *at, void *s) {
  sticky_mutator *sm = m->policy_data;
  return immix_try_alloc(&((sticky_state *)s)->sp, &sm->a, m, bytes, header,
                         at);
}

/* An allocation that failed collects: a nursery collection, then a full
 * one (collect.c, want_full); out of memory after those two. */
static const gc_collector_ops sticky_collector_ops = {
    .try_alloc = try_alloc,
    .stw_collect = sticky_collect_stopped,
    .stw_pause = "sticky-nursery",
    .ladder = {.own = 2, .attempts = IMMIX_ALLOC_ATTEMPTS}};

const gc_policy gc_policy_sticky_immix = {
    GC_POLICY_DEFAULTS,
    .name = "sticky-immix",
    .summary = "non-moving generational Immix: sticky mark bits, nursery "
               "collections from an object-remembering barrier's log, full "
               "collections when the old generation fills the heap (the Sticky "
               "Immix seed)",
    .constraints = {GC_FAST_PATHS(BUMP, 1, NONE, OBJECT_LOG),
                    .moves_objects = false, .large_object_bytes = 8192},
    .options = sticky_options,
    .init = sticky_init,
    .destroy = sticky_destroy,
    .mutator_attach = sticky_mutator_attach,
    .mutator_detach = sticky_mutator_detach,
    GC_STW_DRIVEN(&sticky_collector_ops),
    .store_slow = sticky_store_slow,
    .verify_object = sticky_verify_object,
    .verify_heap = sticky_verify_heap,
    .heap_used = sticky_heap_used,
    .report = sticky_report,
};
