/* tutorial_ms.c — docs/adding-a-policy.md's stop-the-world, non-moving
 * mark-sweep: the segregated-fit space (heap/sfspace.h) for small objects,
 * the LOS for large ones, the GC workers to trace. */
#include "heap/collector.h"
#include "heap/heap.h"
#include "heap/sfspace.h"
#include "heap/trace.h"
#include "heap/util.h"
#include <stdlib.h>

/* The policy's state is the small objects' space. */
static gc_sf_space *space_of(gc_heap *heap) { return heap->policy_state; }

static bool tms_init(gc_heap *heap, const gc_options *opts, char *err,
                     size_t errlen) {
  gc_sf_space *sf = calloc(1, sizeof *sf);
  if (!sf)
    return gc_errorf(err, errlen, "tutorial-ms: out of memory");
  if (!gc_sf_init(sf, &heap->arena, "tutorial-ms", err, errlen)) {
    free(sf);
    return false;
  }
  heap->policy_state = sf;
  return true;
}

static void tms_destroy(gc_heap *heap) {
  if (space_of(heap)) /* NULL if init failed */
    gc_sf_destroy(space_of(heap));
  free(space_of(heap));
}

/* ---- Marking: mark bits in the spaces' side tables ---- */
static void mark_slot(gc_ref *slot, void *ctx) {
  gc_worker *w = ctx;
  uintptr_t obj =
      *slot ? gc_sf_los_mark(space_of(w->heap), &w->heap->los, *slot) : 0;
  if (obj) /* this thread marked it first: it alone scans it */
    gc_worker_push(w, obj);
}

/* Each worker pushes its share of the roots. */
static void seed(gc_worker *w, void *arg) { gc_worker_roots(w, mark_slot, w); }

static void scan(gc_worker *w, uintptr_t obj, void *arg) {
  w->objects_traced++;
  w->bytes_traced += gc_object_size(obj, 1); /* the cycle's live size */
  gc_for_each_slot(obj, 1, mark_slot, w);
}

static size_t tms_heap_used(gc_heap *heap) {
  return gc_sf_used_bytes(space_of(heap)) + gc_los_bytes_in_use(&heap->los);
}

/* ---- One collection, world stopped (the driver records the cycle) ---- */
static void drop(gc_mutator *m, void *sf) { gc_sf_cache_drop(sf, m, false); }

static void collect_stw(gc_heap *heap, gc_stw_cycle *c) {
  gc_sf_space *sf = space_of(heap);
  gc_for_each_mutator(heap, drop, sf); /* cached cells are no objects */
  gc_sf_clear_marks(sf);
  gc_worker sum = {0};
  gc_workers_run(&heap->workers, &(gc_trace_job){.seed = seed, .scan = scan},
                 &sum);
  sf->epoch++; /* a new sweep epoch: every pool is unswept */
  gc_sf_sweep_all(sf, GC_SF_SWEEP_EAGER);
  gc_los_sweep(&heap->los);
  c->cy.live_bytes = sum.bytes_traced;
  c->cy.objects_traced = sum.objects_traced;
}

/* ---- Allocation: the inline fast path missed ---- */
/* One attempt, never collecting: a large object, or a cell from m's cache,
 * refilled from a block with free cells or a new chunk (stress mode sends
 * every allocation here, cache or not). */
static gc_ref try_alloc(gc_mutator *m, size_t bytes, uint64_t header,
                        const gc_alloc_try *at, void *sf) {
  if (bytes > GC_SIZECLASS_MAX_BYTES)
    return gc_los_alloc_object(m, bytes, header, false); /* not black */
  unsigned c = gc_sizeclass_of(bytes);
  uintptr_t base = 0;
  uint64_t bits = m->fb[c].bits;
  if (!bits && !(bits = gc_sf_find_block(sf, c, &base)) &&
      !(bits = gc_sf_grow(sf, c, &base)))
    return GC_NULL;
  if (base)
    gc_sf_cache_set(sf, m, c, base, bits, false);
  return gc_sf_cache_take(m, c, header);
}

/* ---- What the driver runs: the allocation attempt, the collection, the
 * pause's name, and the ladder: an allocation collects and retries twice at
 * most (another thread may take what our collection freed before we
 * retry), then is out of memory ---- */
static const gc_collector_ops tms_ops = {.try_alloc = try_alloc,
                                         .stw_collect = collect_stw,
                                         .stw_pause = "tutorial-ms",
                                         .ladder.own = 2};

static void tms_detach(gc_mutator *m) { drop(m, space_of(m->heap)); }

/* ---- What the verifier asks ---- */
static bool tms_verify_object(gc_heap *heap, gc_verifier *v, uintptr_t addr) {
  return gc_sf_los_verify_object(space_of(heap), heap, v, addr, NULL);
}

static bool tms_verify_heap(gc_heap *heap, gc_verifier *v) {
  return gc_sf_verify_space(space_of(heap), v);
}

const gc_policy gc_policy_tutorial_ms = {
    GC_POLICY_DEFAULTS,
    .name = "tutorial-ms",
    .summary = "the tutorial of docs/adding-a-policy.md: stop-the-world "
               "mark-sweep over the segregated-fit space and the LOS",
    .constraints = {GC_FAST_PATHS(FREEBITS, 1, NONE, NONE),
                    .large_object_bytes = GC_SIZECLASS_MAX_BYTES + 1},
    .init = tms_init,
    .destroy = tms_destroy,
    .alloc_attach = gc_sf_cache_attach,
    .mutator_detach = tms_detach,
    GC_STW_DRIVEN(&tms_ops), /* alloc_slow and collect: the driver's */
    .verify_object = tms_verify_object,
    .verify_heap = tms_verify_heap,
    .heap_used = tms_heap_used,
};
