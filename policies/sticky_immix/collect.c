/* collect.c — sticky-immix collections, with the world stopped.
 *
 * Nursery: marks are kept. Tracing starts from the roots and from every
 * logged object (the remembered set: old objects that may now point at
 * young ones), marks only what is unmarked, and stops at marked (old)
 * objects, so it costs what survives, not what is old. The line sweep then
 * frees young garbage; large objects are not swept (their marks are sticky
 * too) and wait for a full collection.
 * Full: marks, line marks and the LOS's marks are cleared, the remembered
 * set is dropped, and everything reachable is traced, as immix without
 * evacuation does.
 * Both set GC_HDR_UNLOGGED on every object they scan: everything that
 * survives a collection is old, and its next reference store is logged.
 *
 * Which kind: full when the allocation that triggered it already failed
 * after a nursery collection, when asked for (gc_collect), every
 * full_every-th collection if set, or when the previous nursery collection
 * left less than full_threshold of the heap free (the old generation has
 * filled the heap and only a full collection frees it). */
#include "../../heap/immix_trace.h"
#include "../../heap/object_log.h"
#include "../../heap/trace.h"
#include "sticky.h"

static void retire(gc_mutator *m, void *ctx) {
  immix_mutator_retire(ctx, &((sticky_mutator *)m->policy_data)->a, m);
}

/* Sticky collections never move objects. */
static void visit_slot(uintptr_t *slot, void *ctx) {
  gc_worker *w = ctx;
  immix_trace_one_slot(w, &sticky_of(w->heap)->sp, slot, false);
}

typedef struct seed_ctx {
  gc_worker *w;
  size_t i;
} seed_ctx;

static void seed_root(gc_ref *slot, void *ctx) {
  seed_ctx *sc = ctx;
  if (sc->i++ % sc->w->count == sc->w->id)
    visit_slot((uintptr_t *)slot, sc->w);
}

/* This worker's share of the remembered set: each logged object is scanned
 * (it is old and marked, so marking would not queue it). */
static void seed_remembered(gc_worker *w, sticky_state *s) {
  size_t i = 0;
  for (size_t k = 0; k < s->nlogs; k++) {
    const sticky_log *l = s->logs[k];
    for (size_t j = 0; j < l->n; j++, i++)
      if (i % w->count == w->id) {
        gc_object_log_arm(l->objs[j]); /* its next store is logged again */
        gc_for_each_slot(l->objs[j], 1, visit_slot, w);
      }
  }
}

static void seed(gc_worker *w, void *arg) {
  seed_ctx sc = {w, 0};
  gc_for_each_root(w->heap, seed_root, &sc);
  seed_remembered(w, arg); /* empty for a full collection */
}

/* Children first, lines next, then the object is old
 * (heap/immix_trace.h). */
static void scan(gc_worker *w, uintptr_t item, void *arg) {
  sticky_state *s = arg;
  immix_trace_one_item(w, &s->sp, item, false, true);
}

/* The tracing loop, with the scan inlined. */
static void drain(gc_worker *w, void *arg) {
  sticky_state *s = arg;
  immix_drain(w, &s->sp, false, true);
}

/* A full collection is required when the program asks for one, or for an
 * allocation that failed right after a (nursery) collection of this
 * thread's own: that one did not free enough. */
static bool want_full(sticky_state *s, const gc_stw_cycle *c) {
  bool required = c->why == GC_REASON_REQUESTED || (c->at && c->at->own > 0);
  return required || s->next_full ||
         (s->full_every && s->since_full + 1 >= s->full_every);
}

/* Sets up the trace: a full collection starts from no marks and no log. */
static uint64_t prepare(sticky_state *s, bool full) {
  if (!full)
    return sticky_gather_logs(s);
  sticky_clear_logs(s);
  immix_clear_marks(&s->sp);
  immix_los_clear_marks(&s->heap->los);
  return 0;
}

/* After the sweep: counts, and whether the next collection must be full. */
static void settle(sticky_state *s, bool full, const immix_sweep_stats *st) {
  if (full) {
    s->full_collections++;
    s->since_full = 0;
    s->next_full = false;
    return;
  }
  s->nursery_collections++;
  s->since_full++;
  double avail =
      (double)((uint64_t)immix_free_blocks(&s->sp) << s->sp.block_log) +
      (double)st->free_line_bytes;
  s->next_full = avail < s->full_threshold * (double)s->heap->cfg.heap_bytes;
}

void sticky_collect_stopped(gc_heap *heap, gc_stw_cycle *c) {
  sticky_state *s = sticky_of(heap);
  bool full = want_full(s, c);
  immix_cycle_log lg = {.kind = full ? "full" : "nursery"};
  gc_for_each_mutator(heap, retire, &s->sp);
  lg.remembered = prepare(s, full);
  gc_trace_job job = {.seed = seed, .scan = scan, .drain = drain, .arg = s};
  gc_worker sum;
  gc_workers_run(&heap->workers, &job, &sum);
  sticky_clear_logs(s);
  immix_sweep(&s->sp, &lg.sweep);
  if (full)
    gc_los_sweep(&heap->los);
  settle(s, full, &lg.sweep);
  s->remembered += lg.remembered;
  lg.live_bytes = sum.bytes_traced;
  immix_log_cycle(&s->sp, &lg);
  s->after_gc = heap->cfg.verify != GC_VERIFY_NONE;
  c->pause = full ? "sticky-full" : "sticky-nursery";
  c->cy.kind = lg.kind;
  c->cy.live_bytes = sum.bytes_traced;
  c->cy.objects_traced = sum.objects_traced;
}
