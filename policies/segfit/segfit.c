/* segfit.c — seed 001 as a segregated-fit, non-moving mark-sweep collector:
 * the policy table, options and lifecycle. See docs/policies/segfit.md.
 *
 * Small objects (up to 4096 bytes) live in pools of one size class each,
 * allocated from per-thread caches of 64-cell blocks by tzcnt over a claimed
 * free-bits word (the FREEBITS fast path in gctb.h); larger ones go to the
 * heap's LOS, which stands in for the seed's large and huge pools. */
#include "segfit.h"
#include <stdlib.h>
#include <string.h>

static const char *const sweep_choices[] = {"eager", "lazy", NULL};

static const gc_option_spec segfit_options[] = {
    {"sweep", GC_OPT_ENUM,
     "eager: recompute free bits from marks in the pause; lazy: each pool "
     "when an allocator first looks at it after the collection",
     SEGFIT_SWEEP_EAGER, 0, 0, sweep_choices},
    {"trigger", GC_OPT_DOUBLE,
     "share of the chunks left free by a collection that allocation may take "
     "before collecting again (1: collect only when the arena is exhausted)",
     1.0, 0.05, 1.0, NULL},
    {0}};

/* Side tables are touched page by page once, here, so no collection pays
 * first-touch faults on them; their contents are set when a pool is made. */
static void *alloc_touched(size_t bytes) {
  char *p = malloc(bytes);
  for (size_t i = 0; p && i < bytes; i += GC_PAGE_BYTES)
    ((volatile char *)p)[i] = 0;
  return p;
}

static bool init_class(segfit_state *s, unsigned c) {
  segfit_class *k = &s->cls[c];
  k->size = gc_sizeclass_bytes[c];
  k->recip = gc_sizeclass_recip[c];
  k->ncells = (uint32_t)(GC_CHUNK_BYTES / k->size);
  k->nblocks = (k->ncells + SEGFIT_BLOCK_CELLS - 1) / SEGFIT_BLOCK_CELLS;
  k->last_mask =
      segfit_fb_mask(k->ncells - (k->nblocks - 1) * SEGFIT_BLOCK_CELLS);
  pthread_mutex_init(&k->lock, NULL);
  return (k->list = malloc(s->nchunks * sizeof *k->list)) != NULL;
}

static void segfit_destroy(gc_heap *heap) {
  segfit_state *s = segfit_of(heap);
  if (!s)
    return;
  for (unsigned c = 0; c < GC_SIZECLASS_COUNT; c++) {
    free(s->cls[c].list);
    pthread_mutex_destroy(&s->cls[c].lock);
  }
  free(s->pools);
  free(s->free_words);
  free(s->mark_words);
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
  heap->policy_state = s;
  s->heap = heap;
  s->nchunks = heap->arena.nchunks;
  s->space = gc_arena_add_space(&heap->arena, "segfit");
  s->sweep = strcmp(gc_opt_enum(opts, "sweep"), "lazy") == 0
                 ? SEGFIT_SWEEP_LAZY
                 : SEGFIT_SWEEP_EAGER;
  s->trigger = gc_opt_double(opts, "trigger");
  s->epoch = 1;
  size_t words = s->nchunks * SEGFIT_MAX_BLOCKS * sizeof(uint64_t);
  s->pools = malloc(s->nchunks * sizeof *s->pools);
  s->free_words = alloc_touched(words);
  s->mark_words = alloc_touched(words);
  bool ok = s->space && s->pools && s->free_words && s->mark_words;
  for (size_t i = 0; ok && i < s->nchunks; i++)
    s->pools[i] = (segfit_pool){.swept = 0, .cls = SEGFIT_NO_CLASS};
  for (unsigned c = 0; c < GC_SIZECLASS_COUNT; c++)
    ok = init_class(s, c) && ok;
  if (!ok) {
    snprintf(err, errlen, "segfit: cannot set up pools for %zu chunks",
             s->nchunks);
    segfit_destroy(heap);
    return false;
  }
  segfit_set_trigger(s);
  return true;
}

static void segfit_mutator_attach(gc_mutator *m) {
  m->size_class_of = gc_sizeclass_of_table;
  for (unsigned c = 0; c < GC_SIZECLASS_COUNT; c++)
    m->fb[c] = (gc_freebits_cache){.size = gc_sizeclass_bytes[c]};
}

static void segfit_mutator_detach(gc_mutator *m) { segfit_drop_caches(m); }

const gc_policy gc_policy_segfit = {
    GC_POLICY_DEFAULTS,
    .name = "segfit",
    .summary = "segregated-fit mark-sweep: size classes, 64-cell free-bits "
               "blocks, parallel marking, eager or lazy sweeping (seed 001)",
    .constraints = {.alloc = GC_ALLOC_FREEBITS,
                    .read_barrier = GC_RB_NONE,
                    .write_barrier = GC_WB_NONE,
                    .header_words = 1,
                    .moves_objects = false,
                    .large_object_bytes = GC_SIZECLASS_MAX_BYTES + 1},
    .options = segfit_options,
    .init = segfit_init,
    .destroy = segfit_destroy,
    .mutator_attach = segfit_mutator_attach,
    .mutator_detach = segfit_mutator_detach,
    .alloc_slow = segfit_alloc_slow,
    .collect = segfit_collect,
    .verify_object = segfit_verify_object,
    .verify_heap = segfit_verify_heap,
    .heap_used = segfit_heap_used,
    .report = segfit_report,
};
