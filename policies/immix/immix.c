/* immix.c — the immix policy's table, options and lifecycle.
 *
 * Mutators bump-allocate into holes of the shared immix space (inline fast
 * path, GC_ALLOC_BUMP); objects of large_object_bytes and more go to the
 * LOS. Every collection is full-heap and stop-the-world, traced by the GC
 * workers; when defragmentation is on, the most fragmented blocks are
 * evacuated into the headroom the mutators leave free. No barriers, one
 * header word. docs/policies/immix.md. */
#include "immix.h"
#include <stdlib.h>
#include <string.h>

static const gc_option_spec ix_options[] = {
    IMMIX_SPACE_OPTIONS,
    {"headroom", GC_OPT_DOUBLE,
     "share of the heap mutators leave free for evacuation (the paper's "
     "defragmentation headroom)",
     0.025, 0.0, 0.5, NULL},
    {"defrag", GC_OPT_ENUM,
     "off: never move; normal: evacuate the most fragmented blocks when a "
     "collection follows a failed allocation or left recyclable space "
     "unused; every: evacuate every block in every collection (stress)",
     IMMIX_DEFRAG_NORMAL, 0, 0, immix_defrag_choices},
    {"line_waste", GC_OPT_DOUBLE,
     "defrag normal also evacuates when the last collection's marked lines "
     "exceeded the space's live bytes by more than this share (sparse lines "
     "the hole counts cannot see)",
     0.2, 0.0, 100.0, NULL},
    {0}};

static void ix_free(ix_state *s) {
  if (!s)
    return;
  if (s->sp.blocks)
    immix_space_destroy(&s->sp);
  free(s->copy);
  free(s);
}

static bool ix_init(gc_heap *heap, const gc_options *opts, char *err,
                    size_t errlen) {
  immix_config c;
  if (!immix_config_read(&c, opts, err, errlen))
    return false;
  const char *d = gc_opt_enum(opts, "defrag");
  immix_defrag_mode mode = strcmp(d, "off") == 0     ? IMMIX_DEFRAG_OFF
                           : strcmp(d, "every") == 0 ? IMMIX_DEFRAG_EVERY
                                                     : IMMIX_DEFRAG_NORMAL;
  c.reserve = mode == IMMIX_DEFRAG_OFF ? 0.0 : gc_opt_double(opts, "headroom");
  ix_state *s = calloc(1, sizeof *s);
  if (!s) {
    snprintf(err, errlen, "immix: out of memory");
    return false;
  }
  s->heap = heap;
  s->defrag = mode;
  s->line_waste = gc_opt_double(opts, "line_waste");
  s->copy = calloc(heap->workers.nthreads, sizeof *s->copy);
  if (!s->copy || !immix_space_init(&s->sp, heap, &c, "immix", err, errlen)) {
    if (!s->copy)
      snprintf(err, errlen, "immix: out of memory");
    ix_free(s);
    return false;
  }
  /* mutators read the LOS threshold from heap->c when they attach */
  heap->c.large_object_bytes = c.large_object_bytes;
  heap->policy_state = s;
  return true;
}

static void ix_destroy(gc_heap *heap) {
  ix_free(ix_of(heap));
  heap->policy_state = NULL;
}

static void ix_mutator_attach(gc_mutator *m) {
  immix_allocator *a = malloc(sizeof *a);
  if (!a) {
    fprintf(stderr, "gctb: immix: out of memory attaching a mutator\n");
    abort();
  }
  immix_allocator_reset(a);
  m->policy_data = a;
}

/* The rest of the hole is abandoned; the next collection reclaims it. */
static void ix_mutator_detach(gc_mutator *m) {
  immix_mutator_retire(&ix_of(m->heap)->sp, m->policy_data, m);
  free(m->policy_data);
  m->policy_data = NULL;
}

static gc_ref try_alloc(gc_mutator *m, size_t bytes, uint64_t header,
                        const gc_alloc_try *at, void *s) {
  ix_state *ix = s;
  return immix_try_alloc(&ix->sp, m->policy_data, m, bytes, header, at);
}

/* An allocation that failed collects: a normal collection, then emergency
 * ones that evacuate all they can (collect.c), each freeing the blocks it
 * emptied and giving the next more room to copy into; out of memory after
 * IX_OWN_COLLECTIONS of this thread's own. */
static const gc_collector_ops ix_collector_ops = {
    .try_alloc = try_alloc,
    .stw_collect = ix_collect_stopped,
    .stw_pause = "immix",
    .ladder = {.own = IX_OWN_COLLECTIONS, .attempts = IMMIX_ALLOC_ATTEMPTS}};

const gc_policy gc_policy_immix = {
    GC_POLICY_DEFAULTS,
    .name = "immix",
    .summary = "mark-region Immix: bump allocation into free lines of 32 KiB "
               "blocks, parallel marking, opportunistic evacuation of "
               "fragmented blocks (Blackburn & McKinley 2008)",
    .constraints = {GC_FAST_PATHS(BUMP, 1, NONE, NONE), .moves_objects = true,
                    .large_object_bytes = 8192},
    .options = ix_options,
    .init = ix_init,
    .destroy = ix_destroy,
    .mutator_attach = ix_mutator_attach,
    .mutator_detach = ix_mutator_detach,
    GC_STW_DRIVEN(&ix_collector_ops),
    .verify_object = ix_verify_object,
    .verify_heap = ix_verify_heap,
    .heap_used = ix_heap_used,
    .report = ix_report,
};
