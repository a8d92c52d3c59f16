/* semispace.c — the semispace policy's table, options and lifecycle.
 *
 * Stop-the-world copying between two semispaces (Fenichel & Yochelson 1969,
 * Cheney 1970), copied in parallel by the GC worker pool (Flood et al.
 * 2001). Allocation is a bump pointer into zeroed thread-local buffers;
 * objects of 8 KiB and more live in the shared large-object space and are
 * marked and swept, never copied. docs/policies/semispace.md. */
#include "semispace.h"
#include <stdlib.h>

static const gc_option_spec semi_options[] = {
    {"tlab_bytes", GC_OPT_SIZE,
     "mutator allocation buffer carved from to-space (zeroed on hand-out)",
     32768, 4096, 262144, NULL},
    {"gclab_bytes", GC_OPT_SIZE,
     "per-GC-worker copy buffer carved from to-space", 32768, 4096, 262144,
     NULL},
    {0}};

static void semi_free(semi_state *st) {
  if (!st)
    return;
  semi_space_destroy(&st->to);
  semi_space_destroy(&st->from);
  for (unsigned i = 0; st->labs && i < st->nlabs; i++)
    free(st->labs[i].kept);
  free(st->labs);
  free(st->pinned);
  pthread_mutex_destroy(&st->lock);
  free(st);
}

static bool semi_init(gc_heap *heap, const gc_options *opts, char *err,
                      size_t errlen) {
  gc_arena *a = &heap->arena;
  if (a->nchunks < 2) {
    snprintf(err, errlen,
             "semispace needs a heap of at least two %zu KiB chunks "
             "(one to allocate in, one to copy into)",
             GC_CHUNK_BYTES >> 10);
    return false;
  }
  semi_state *st = calloc(1, sizeof *st);
  if (!st) {
    snprintf(err, errlen, "out of memory for the semispace state");
    return false;
  }
  pthread_mutex_init(&st->lock, NULL);
  st->heap = heap;
  st->tlab_bytes = (size_t)gc_opt_int(opts, "tlab_bytes") & ~(size_t)7;
  st->gclab_bytes = (size_t)gc_opt_int(opts, "gclab_bytes") & ~(size_t)7;
  st->nlabs = heap->workers.nthreads;
  st->labs = calloc(st->nlabs, sizeof *st->labs);
  st->pinned = calloc(a->nchunks, 1);
  bool ok = st->labs && st->pinned &&
            semi_space_init(&st->to, a->nchunks,
                            gc_arena_add_space(a, "semispace-to")) &&
            semi_space_init(&st->from, a->nchunks,
                            gc_arena_add_space(a, "semispace-from"));
  if (!ok) {
    snprintf(err, errlen, "cannot set up the semispaces");
    semi_free(st);
    return false;
  }
  heap->policy_state = st;
  return true;
}

static void semi_destroy(gc_heap *heap) {
  semi_free(semi_of(heap));
  heap->policy_state = NULL;
}

/* The rest of the buffer is abandoned; the next collection reclaims it. */
static void semi_mutator_detach(gc_mutator *m) { gc_mutator_retire_bump(m); }

static size_t semi_heap_used(gc_heap *heap) {
  gc_los *l = &heap->los;
  pthread_mutex_lock(&l->lock);
  size_t los = l->bytes_in_use;
  pthread_mutex_unlock(&l->lock);
  return semi_space_used(semi_of(heap)) + los;
}

static void semi_report(gc_heap *heap, json_t *out) {
  semi_state *st = semi_of(heap);
  pthread_mutex_lock(&st->lock);
  size_t chunks = st->to.n;
  pthread_mutex_unlock(&st->lock);
#define SET(key, val)                                                          \
  json_object_set_new(out, key, json_integer((json_int_t)(val)))
  SET("chunks_held", chunks);
  SET("heap_used", semi_heap_used(heap));
  SET("collections", st->collections);
  SET("objects_copied", st->objects_copied);
  SET("bytes_copied", st->bytes_copied);
  SET("objects_kept_in_place", st->objects_kept);
  SET("bytes_kept_in_place", st->bytes_kept);
  SET("large_objects_traced", st->los_objects_traced);
  SET("gclab_waste_bytes", st->lab_waste);
  SET("copy_claim_waits", st->waits);
#undef SET
}

const gc_policy gc_policy_semispace = {
    GC_POLICY_DEFAULTS,
    .name = "semispace",
    .summary = "parallel Cheney-style copying between two semispaces",
    .constraints = {GC_FAST_PATHS(BUMP, 1, NONE, NONE), .moves_objects = true,
                    .large_object_bytes = 8192},
    .options = semi_options,
    .init = semi_init,
    .destroy = semi_destroy,
    .mutator_detach = semi_mutator_detach,
    GC_STW_DRIVEN(&semi_collector_ops),
    .resolve = semi_resolve,
    .verify_object = semi_verify_object,
    .verify_heap = semi_verify_heap,
    .heap_used = semi_heap_used,
    .report = semi_report,
};
