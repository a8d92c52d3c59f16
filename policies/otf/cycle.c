/* cycle.c — one on-the-fly collection on the collector thread: the
 * handshakes that move the mutators through DLG's modes, the trace and its
 * termination, and the sweep (otf.h lists the steps).
 *
 * Termination. The marker is empty; a flush handshake takes every
 * mutator's partial queue. If the round brought no entry and no full
 * buffer was published meanwhile, tracing is over: suppose a mutator A
 * shaded (recorded) an object during the round, and take the first such
 * shade. A mutator that had not answered yet would flush it, so A had
 * answered; at that instant no queue held anything (those not yet flushed
 * brought nothing, those flushed had recorded nothing since) and the
 * marker was idle, so nothing was grey, so every reachable object was
 * marked (DLG's invariant, once every mutator has shaded its roots) and
 * the shade found its object marked and recorded nothing. */
#include "../../heap/object_log.h"
#include "../../heap/util.h"
#include "otf.h"
#include <string.h>

static void set_phase(otf_state *s, otf_phase p) {
  __atomic_store_n(&s->status, s->sweep_epoch << OTF_PHASE_BITS | p,
                   __ATOMIC_RELEASE);
}

/* A handshake is also a collector phase: recorded with its span (request
 * to last answer), beside the per-mutator holds. */
static void handshake(otf_state *s, const char *name, gc_handshake_fn fn) {
  gc_phase_timer phase = gc_phase_begin();
  gc_handshake_named(s->heap, NULL, name, fn, s);
  gc_phase_end(&s->heap->events, name, &phase);
  s->cycle_handshakes++;
}

void otf_hook(otf_state *s, otf_hook_point at) {
  pthread_mutex_lock(&s->lock);
  otf_hook_fn fn = s->hook;
  void *ctx = s->hook_ctx;
  pthread_mutex_unlock(&s->lock);
  if (fn)
    fn(s->heap, at, ctx);
}

/* ---- the handshakes' functions (each runs on one mutator) ---- */

static void to_sync(gc_mutator *m, void *arg) {
  otf_mutator *md = otf_mutator_of(m);
  md->mode = OTF_MODE_SYNC;
  md->black = false;
  gc_object_log_set_active(m, true);
}

static void nothing(gc_mutator *m, void *arg) {}

static void shade_root(gc_ref *slot, void *ctx) {
  gc_mutator *m = ctx;
  otf_shade(otf_of(m->heap), m, __atomic_load_n(slot, __ATOMIC_RELAXED));
}

/* The flush is part of the handshake so the marker starts from every
 * root at once; the others keep running meanwhile. */
static void flush_queue(gc_mutator *m, void *arg) {
  otf_state *s = arg;
  satb_queue *q = &otf_mutator_of(m)->q;
  if (q->buf)
    __atomic_add_fetch(&s->flushed, q->buf->n, __ATOMIC_RELAXED);
  satb_flush(&s->marker, q);
}

/* DLG's async handshake: old values only from now, new objects black
 * (the cells already in the caches too), and the roots shaded. When a
 * mutator is out of memory the caches are dropped instead: their cells
 * are then free after the sweep, and a pool no cache pins can go back to
 * the arena for the class or the LOS that needs it (what satb's
 * stop-the-world fallback gets by dropping every cache). */
static void to_async(gc_mutator *m, void *arg) {
  otf_state *s = arg;
  otf_mutator *md = otf_mutator_of(m);
  md->mode = OTF_MODE_ASYNC;
  md->black = true;
  gc_object_log_set_active(m, true);
  if (s->pressure)
    gc_sf_cache_drop(&s->sf, m, true);
  else
    gc_sf_cache_blacken(&s->sf, m);
  if (s->skip != OTF_SKIP_ROOTS)
    gc_mutator_roots(m, shade_root, m);
  flush_queue(m, s);
  satb_flush(&s->remset, &md->rq); /* otf-gen: what it remembered */
}

/* otf-gen keeps logging stores into old objects between cycles: its fast
 * path tests their GC_HDR_UNLOGGED without the flag (gen.c). */
static void to_off(gc_mutator *m, void *arg) {
  otf_mutator_of(m)->mode = OTF_MODE_OFF;
  gc_object_log_set_active(m, false);
}

/* ---- steps ---- */

static void start(otf_state *s) {
  s->sweep_epoch = s->sf.epoch + 1; /* posted with each phase */
  satb_start(&s->marker);
  pthread_mutex_lock(&s->los_lock);
  s->los_swept = false;
  pthread_mutex_unlock(&s->los_lock);
  if (s->skip != OTF_SKIP_SYNC) {
    set_phase(s, OTF_SYNC1);
    handshake(s, "sync1", to_sync);
    set_phase(s, OTF_SYNC2);
    handshake(s, "sync2", nothing);
  }
  set_phase(s, OTF_TRACE);
  handshake(s, "roots", to_async);
  if (s->gen)
    otf_gen_rescan(s);
  otf_hook(s, OTF_HOOK_TRACING);
}

/* Drains, then flush rounds until one brings nothing (see the header). */
static void trace(otf_state *s) {
  gc_phase_timer phase = gc_phase_begin();
  for (;;) {
    while (satb_drain(&s->marker))
      ;
    __atomic_store_n(&s->flushed, 0, __ATOMIC_RELAXED);
    handshake(s, "flush", flush_queue);
    s->cycle_flush_rounds++;
    if (!__atomic_load_n(&s->flushed, __ATOMIC_RELAXED) &&
        !satb_has_work(&s->marker))
      break;
  }
  gc_phase_end(&s->heap->events, "trace", &phase);
}

/* Checked mode: the world is stopped for this check only (recorded as a
 * pause "verify-marks"; a correctness mode, not a timing one). */
static void check_marks(otf_state *s) {
  gc_stop_the_world(s->heap, NULL);
  s->checking_marks = true;
  gc_verify(s->heap, "after-trace");
  s->checking_marks = false;
  gc_resume_the_world(s->heap, "verify-marks");
}

static void sweep_los(otf_state *s) {
  pthread_mutex_lock(&s->los_lock);
  if (s->gen)
    gc_los_sweep_sticky(&s->heap->los); /* marked: old */
  else
    gc_los_sweep(&s->heap->los);
  s->los_swept = true;
  pthread_mutex_unlock(&s->los_lock);
}

/* Wholly free pools go back to the page pool (for other classes and the LOS)
 * once a handshake shows no allocator still looks at them. */
static void release_free_pools(otf_state *s) {
  size_t n = gc_sf_retire_free(&s->sf, s->retired, s->sf.npages);
  if (!n)
    return;
  handshake(s, "release", nothing);
  for (size_t i = 0; i < n; i++)
    gc_sf_release(&s->sf, s->retired[i]);
}

/* The gate keeps everyone from sweeping until the handshake has shown that
 * no allocator still works from the old epoch (heap/sfspace.h). */
static void sweep(otf_state *s) {
  gc_phase_timer phase = gc_phase_begin();
  gc_sf_begin_sweep(&s->sf); /* first: see alloc.c on colour */
  otf_hook(s, OTF_HOOK_SWEEP_BEGUN);
  set_phase(s, OTF_SWEEP);
  handshake(s, "sweep-start", nothing);
  gc_sf_open_sweep(&s->sf);
  sweep_los(s);
  gc_sf_sweep_rest(&s->sf);
  release_free_pools(s);
  __atomic_store_n(&s->alloc_since, 0, __ATOMIC_RELAXED);
  __atomic_store_n(&s->live_base, otf_heap_used(s->heap), __ATOMIC_RELAXED);
  set_phase(s, OTF_IDLE);
  gc_phase_end(&s->heap->events, "sweep", &phase);
}

/* Records the cycle: its GC CPU is this thread's time since the cycle began
 * plus the helper workers' in its jobs (gc_cpu_meter). */
static void finish(otf_state *s, gc_cycle *cy, const gc_cpu_meter *cpu) {
  gc_heap *heap = s->heap;
  const satb_stats *st = &s->marker.cycle;
  uint64_t own = gc_thread_cpu_ns() - cpu->thread0;
  cy->end_ns = gc_now_ns();
  cy->bytes_after = otf_heap_used(heap);
  cy->live_bytes = st->bytes;
  cy->objects_traced = st->objects;
  cy->gc_cpu_ns = gc_cpu_meter_read(cpu);
  gc_events_cycle(&heap->events, cy);
  __atomic_add_fetch(&heap->collections, 1, __ATOMIC_RELAXED);
  pthread_mutex_lock(&s->lock);
  otf_totals *t = &s->totals;
  t->cycles++;
  t->full_cycles += s->full;
  t->young_cycles += !s->full;
  t->degenerated_cycles += cy->kind == gc_req_kind_name(GC_REQ_DEGENERATED);
  t->handshakes += s->cycle_handshakes;
  t->flush_rounds += s->cycle_flush_rounds;
  t->entries += st->entries;
  t->objects += st->objects;
  t->bytes += st->bytes;
  t->gc_thread_cpu_ns += own;
  pthread_mutex_unlock(&s->lock);
}

/* ---- the stop-the-world fallback ---- */

static void drop_cache(gc_mutator *m, void *arg) {
  otf_state *s = arg;
  gc_sf_cache_drop(&s->sf, m, true); /* the cells hold no object */
  if (s->gen) /* what it remembered goes to the rescan below */
    satb_flush(&s->remset, &otf_mutator_of(m)->rq);
}

/* A whole collection in one pause (kind "degenerated"), between on-the-fly
 * cycles, on the collector thread: what a mutator asks for when fresh
 * on-the-fly cycles did not free enough (heap/collector.h's ladder). Every
 * pool is swept and the mutators' barriers are off (otf-gen: logging
 * only), so it is satb's degenerated collection: drop the caches, mark
 * from the roots with the marker, sweep everything. otf-gen makes it full:
 * marks cleared first; the remembered objects are re-armed by the
 * rescan, which keeps their young referents (conservatively: a remembered
 * object may itself be dead) until the next cycle. */
static void stw_cycle(otf_state *s, gc_req_kind kind, const char *reason) {
  gc_heap *heap = s->heap;
  gc_cpu_meter cpu = gc_cpu_meter_start();
  gc_stop_the_world(heap, NULL);
  const char *name = gc_req_kind_name(kind);
  gc_cycle cy = {.kind = name, .reason = reason, .start_ns = gc_now_ns()};
  cy.bytes_before = otf_heap_used(heap);
  if (heap->cfg.verify == GC_VERIFY_BEFORE_AND_AFTER)
    gc_verify(heap, "before-gc");
  s->full = true;
  s->cycle_handshakes = s->cycle_flush_rounds = 0;
  gc_for_each_mutator(heap, drop_cache, s);
  if (s->gen) {
    gc_sf_clear_marks(&s->sf);
    gc_los_clear_marks(&heap->los);
  }
  satb_start(&s->marker);
  if (s->gen)
    otf_gen_rescan(s);
  satb_grey_roots(&s->marker);
  while (satb_drain(&s->marker))
    ;
  satb_stop(&s->marker);
  s->sf.epoch++;
  gc_sf_sweep_all(&s->sf, GC_SF_SWEEP_EAGER);
  sweep_los(s);
  __atomic_store_n(&s->alloc_since, 0, __ATOMIC_RELAXED);
  __atomic_store_n(&s->live_base, otf_heap_used(heap), __ATOMIC_RELAXED);
  if (heap->cfg.verify != GC_VERIFY_NONE)
    gc_verify(heap, "after-gc");
  gc_collector_serve(&s->gc, kind); /* still stopped */
  gc_resume_the_world(heap, name);
  finish(s, &cy, &cpu);
  otf_gen_end(s);
  otf_hook(s, OTF_HOOK_CYCLE_END);
}

void otf_cycle(void *ctx, gc_req_kind kind, const char *reason) {
  otf_state *s = ctx;
  if (kind >= GC_REQ_DEGENERATED) {
    stw_cycle(s, kind, reason);
    return;
  }
  gc_cpu_meter cpu = gc_cpu_meter_start();
  gc_cycle cy = {.reason = reason, .start_ns = gc_now_ns()};
  cy.bytes_before = otf_heap_used(s->heap);
  otf_gen_begin(s, reason);
  s->pressure = strcmp(reason, "alloc") == 0;
  cy.kind = s->full ? "full" : "young";
  s->cycle_handshakes = s->cycle_flush_rounds = 0;
  start(s);
  trace(s);
  handshake(s, "end", to_off);
  satb_stop(&s->marker);
  if (s->verify_marks)
    check_marks(s);
  sweep(s);
  finish(s, &cy, &cpu);
  otf_gen_end(s);
  otf_hook(s, OTF_HOOK_CYCLE_END);
}
