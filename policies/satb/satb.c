/* satb.c — the satb policy: table, options, lifecycle, mutators, and the
 * SATB write barrier's slow path. See satb.h and docs/policies/satb.md. */
#include "satb.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const gc_option_spec satb_options[] = {
    GC_TRIGGER_OPTIONS("fixed: start a concurrent cycle once the bytes in use "
                       "after the last sweep plus those allocated since pass "
                       "this share of the heap"),
    {"preclean", GC_OPT_INT,
     "most handshakes that collect the mutators' partial SATB buffers before "
     "the final-mark pause; another follows while one still brings a "
     "buffer's worth of entries (0: the pause takes them all)",
     4, 0, 64, NULL},
    {"unsafe_no_barrier", GC_OPT_BOOL,
     "TEST ONLY: mark without the SATB write barrier, so that objects can be "
     "lost; the final-mark verifier must then fail",
     0, 0, 0, NULL},
    {0}};

/* The marker's view of the space and the LOS. */
static uintptr_t mark_ref(void *ctx, gc_ref r) {
  satb_state *s = ctx;
  return gc_sf_los_mark(&s->sf, &s->heap->los, r);
}

static bool is_marked(void *ctx, gc_ref r) {
  satb_state *s = ctx;
  return gc_sf_los_is_marked(&s->sf, &s->heap->los, r);
}

static void satb_destroy(gc_heap *heap) {
  satb_state *s = satb_of(heap);
  if (!s)
    return;
  gc_collector_stop(&s->gc);
  satb_marker_destroy(&s->marker);
  gc_sf_destroy(&s->sf);
  pthread_mutex_destroy(&s->lock);
  gc_trigger_destroy(&s->trigger);
  free(s->log);
  free(s);
  heap->policy_state = NULL;
}

static void read_options(satb_state *s, gc_heap *heap, const gc_options *o) {
  gc_trigger_config tc = {.capacity = heap->cfg.heap_bytes};
  gc_trigger_read_options(&tc, o);
  gc_trigger_init(&s->trigger, &tc);
  s->preclean = (int)gc_opt_int(o, "preclean");
  s->no_barrier = gc_opt_bool(o, "unsafe_no_barrier");
#ifdef GCTB_CHECKED
  s->verify_marks = true;
#else
  s->verify_marks = heap->cfg.verify != GC_VERIFY_NONE;
#endif
}

static bool satb_init(gc_heap *heap, const gc_options *opts, char *err,
                      size_t errlen) {
  satb_state *s = aligned_alloc(64, (sizeof *s + 63) & ~(size_t)63);
  if (!s) {
    snprintf(err, errlen, "satb: out of memory");
    return false;
  }
  memset(s, 0, sizeof *s);
  s->heap = heap;
  read_options(s, heap, opts);
  if (!gc_sf_init(&s->sf, &heap->arena, "satb", err, errlen)) {
    gc_trigger_destroy(&s->trigger);
    free(s);
    return false;
  }
  s->sf.clear_on_sweep = true; /* no pause clears marks: see cycle.c */
  satb_marker_init(&s->marker, heap, 1, mark_ref, is_marked, s);
  pthread_mutex_init(&s->lock, NULL);
  heap->policy_state = s;
  if (!gc_collector_start(&s->gc, heap, &satb_collector_ops, s, err, errlen)) {
    satb_destroy(heap);
    return false;
  }
  return true;
}

/* Under heap->lock, world running: marking cannot start or end meanwhile,
 * so the new mutator's barrier follows the marker. */
static void satb_mutator_attach(gc_mutator *m) {
  satb_state *s = satb_of(m->heap);
  satb_mutator *md = calloc(1, sizeof *md);
  if (!md) {
    fprintf(stderr, "gctb: satb: out of memory attaching a mutator\n");
    abort();
  }
  m->policy_data = md;
  if (!s->no_barrier && satb_active(&s->marker))
    __atomic_store_n(&m->barrier_active, 1, __ATOMIC_RELAXED);
}

/* Under heap->lock, m blocked, world running. While marking, the cells left
 * in m's caches were marked black and hold no object: unmark them. */
static void satb_mutator_detach(gc_mutator *m) {
  satb_state *s = satb_of(m->heap);
  if (m->heap->nmutators == 1)
    gc_collector_quiesce(&s->gc);
  satb_mutator *md = satb_mutator_of(m);
  gc_sf_cache_drop(&s->sf, m,
                   __atomic_load_n(&s->alloc_black, __ATOMIC_RELAXED));
  satb_queue_release(&s->marker, &md->q);
  pthread_mutex_lock(&s->lock);
  s->totals.enqueued += md->q.enqueued;
  s->totals.filtered += md->q.filtered;
  pthread_mutex_unlock(&s->lock);
  free(md);
  m->policy_data = NULL;
}

/* Yuasa's deletion barrier: record the value being overwritten, then
 * store. The store is a release so that the marker, which loads slots with
 * acquire, sees a new object's mark (set when it was allocated black) and
 * its pool before it sees the object. */
static void satb_store_slow(gc_mutator *m, gc_ref obj, size_t off,
                            uintptr_t val, bool is_ref) {
  uintptr_t *slot = (uintptr_t *)(obj + off);
  if (!is_ref) {
    __atomic_store_n(slot, val, __ATOMIC_RELAXED);
    return;
  }
  gc_ref old = __atomic_load_n(slot, __ATOMIC_RELAXED);
  satb_enqueue(&satb_of(m->heap)->marker, satb_queue_of(m), old);
  __atomic_store_n(slot, val, __ATOMIC_RELEASE);
}

const gc_policy gc_policy_satb = {
    GC_POLICY_DEFAULTS,
    .name = "satb",
    .summary = "concurrent mark-sweep: snapshot-at-the-beginning marking "
               "with a Yuasa deletion barrier and per-thread SATB buffers, "
               "init-mark/final-mark pauses, concurrent sweep, over the "
               "segregated-fit space (the Shenandoah seed)",
    .constraints = {GC_FAST_PATHS(FREEBITS, 1, NONE, SATB),
                    .moves_objects = false,
                    .large_object_bytes = GC_SIZECLASS_MAX_BYTES + 1},
    .options = satb_options,
    .init = satb_init,
    .destroy = satb_destroy,
    .alloc_attach = gc_sf_cache_attach,
    .mutator_attach = satb_mutator_attach,
    .mutator_detach = satb_mutator_detach,
    GC_COLLECTOR_DRIVEN,
    .store_slow = satb_store_slow,
    .verify_object = satb_verify_object,
    .verify_heap = satb_verify_heap,
    .heap_used = satb_heap_used,
    .report = satb_report,
};
