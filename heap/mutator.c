/* mutator.c — attaching threads, the slow paths behind gctb.h's inline fast
 * paths, roots, and the stop-the-world collection wrapper. */
#include "heap.h"
#include "pin.h"
#include "runqueue.h"
#include <stdlib.h>
#include <string.h>

/* Stress mode counts every allocation, so it turns the fast paths off. */
static bool stress_on(const gc_heap *heap) {
  return heap->cfg.stress_allocs || heap->cfg.stress_bytes;
}

gc_family gc_heap_family(const gc_heap *heap) {
  return gc_family_of(&heap->c, stress_on(heap));
}

gc_mutator *gc_attach(gc_heap *heap) {
  gc_mutator *m = aligned_alloc(64, (sizeof *m + 63) & ~(size_t)63);
  struct gc_mutator_private *p = calloc(1, sizeof *p);
  gc_ref *roots = calloc(heap->cfg.root_slots, sizeof *roots);
  if (!m || !p || !roots) {
    free(m), free(p), free(roots);
    return NULL;
  }
  memset(m, 0, sizeof *m);
  const gc_constraints *c = &heap->c;
  m->alloc_style = c->alloc;
  if (stress_on(heap))
    m->alloc_style = GC_ALLOC_CALL; /* every allocation counts for stress */
  m->alloc_fast = gc_alloc_fast_kind(m->alloc_style, c->header_words);
  m->plain_access = c->read_barrier == GC_RB_NONE &&
                    c->write_barrier == GC_WB_NONE && c->header_words == 1;
  m->read_barrier = c->read_barrier;
  m->write_barrier = c->write_barrier;
  m->log_mask = GC_HDR_UNLOGGED; /* barrier_active off */
  m->hdr_words = c->header_words;
  /* stress mode runs the precise instances (gc_family_of) */
  m->conservative_roots = c->conservative_roots && !stress_on(heap);
  m->large_object_bytes = c->large_object_bytes;
  m->roots = roots;
  m->roots_cap = heap->cfg.root_slots;
  m->heap = heap;
  m->policy = heap->policy;
  m->priv = p;
  p->m = m;
  p->state = GC_MUTATOR_RUNNING;
  p->attached_ns = gc_now_ns();

  pthread_mutex_lock(&heap->lock);
  while (heap->stw_requested || heap->handshake_acks > 0)
    pthread_cond_wait(&heap->cond, &heap->lock);
  p->log = gc_events_mutator_log(&heap->events, heap->next_mutator_id,
                                 p->attached_ns);
  if (!p->log) {
    pthread_mutex_unlock(&heap->lock);
    free(m), free(p), free(roots);
    return NULL;
  }
  p->id = heap->next_mutator_id++;
  heap->policy->alloc_attach(m);
  heap->policy->mutator_attach(m);
  p->next = heap->mutators;
  if (p->next)
    p->next->prev = p;
  heap->mutators = p;
  heap->nmutators++;
  heap->nrunning++;
  unsigned id = p->id;
  pthread_mutex_unlock(&heap->lock);
  if (heap->runqueue)
    gc_runqueue_attach(p->log);
  gc_delay_set_thread_log(p->log);
  gc_thread_started(GC_THREAD_MUTATOR, id);
  return m;
}

static void add_stats(gc_mutator_stats *to, const gc_mutator_stats *s) {
  to->objects_allocated += s->objects_allocated;
  to->bytes_allocated += s->bytes_allocated;
  to->bytes_requested += s->bytes_requested;
  to->slow_allocs += s->slow_allocs;
  to->barrier_slow += s->barrier_slow;
  to->safepoints_taken += s->safepoints_taken;
}

void gc_detach(gc_mutator *m) {
  gc_heap *heap = m->heap;
  struct gc_mutator_private *p = m->priv;
  gc_enter_blocking(m); /* no collection waits for us from here on */
  pthread_mutex_lock(&heap->lock);
  while (heap->stw_requested)
    pthread_cond_wait(&heap->cond, &heap->lock);
  heap->policy->mutator_detach(m);
  add_stats(&heap->retired, &m->stats);
  if (p->prev)
    p->prev->next = p->next;
  else
    heap->mutators = p->next;
  if (p->next)
    p->next->prev = p->prev;
  heap->nmutators--;
  gc_events_mutator_gone(p->log, gc_now_ns());
  if (gc_delay_thread_log() == p->log)
    gc_delay_set_thread_log(NULL);
  pthread_cond_broadcast(&heap->cond);
  pthread_mutex_unlock(&heap->lock);
  free(m->roots);
  free(p);
  free(m);
}

void gc_heap_mutator_totals(gc_heap *heap, gc_mutator_stats *out) {
  pthread_mutex_lock(&heap->lock);
  *out = heap->retired;
  for (struct gc_mutator_private *p = heap->mutators; p; p = p->next)
    add_stats(out, &p->m->stats);
  pthread_mutex_unlock(&heap->lock);
}

void gc_mutator_retire_bump(gc_mutator *m) {
  m->stats.bytes_allocated += m->bump_cur - m->bump_start;
  m->bump_start = m->bump_cur = m->bump_limit = 0;
}

/* Stress mode: counts m's allocations; true when a collection is due. */
static bool stress_due(gc_mutator *m, size_t bytes) {
  const gc_heap_config *cfg = &m->heap->cfg;
  struct gc_mutator_private *p = m->priv;
  if (!cfg->stress_allocs && !cfg->stress_bytes)
    return false;
  p->stress_allocs++;
  p->stress_bytes += bytes;
  if ((cfg->stress_allocs && p->stress_allocs >= cfg->stress_allocs) ||
      (cfg->stress_bytes && p->stress_bytes >= cfg->stress_bytes)) {
    p->stress_allocs = p->stress_bytes = 0;
    return true;
  }
  return false;
}

gc_ref gc__alloc_slow(gc_mutator *m, const gc_type *t, size_t length,
                      size_t bytes) {
  gc_safepoint(m);
  m->stats.slow_allocs++;
  if (length > UINT32_MAX || bytes > m->heap->cfg.heap_bytes)
    gc_heap_oom(m, bytes);
  if (stress_due(m, bytes))
    m->policy->collect(m, GC_REASON_STRESS);
  gc_ref r = m->policy->alloc_slow(m, bytes, gc_header_make(t, length));
  if (r == GC_NULL)
    gc_heap_oom(m, bytes);
  m->stats.objects_allocated++;
  m->stats.bytes_requested += gc__requested_bytes(t, length);
  return r;
}

void gc__store_slow(gc_mutator *m, gc_ref obj, size_t off, uintptr_t val,
                    bool is_ref) {
  m->stats.barrier_slow++;
  m->policy->store_slow(m, obj, off, val, is_ref);
}

gc_ref gc__load_ref_slow(gc_mutator *m, gc_ref obj, size_t off, gc_ref val) {
  m->stats.barrier_slow++;
  return m->policy->load_ref_slow(m, obj, off, val);
}

void gc__roots_overflow(gc_mutator *m) {
  gc_fail(m,
          "shadow stack overflow: more than %zu root slots (config key "
          "\"roots\")",
          m->roots_cap);
}

void gc_collect(gc_mutator *m) {
  gc_safepoint(m);
  m->policy->collect(m, GC_REASON_REQUESTED);
}

void gc_for_each_mutator(gc_heap *heap, void (*fn)(gc_mutator *m, void *ctx),
                         void *ctx) {
  for (struct gc_mutator_private *p = heap->mutators; p; p = p->next)
    fn(p->m, ctx);
}

void gc_mutator_roots(gc_mutator *m, void (*fn)(gc_ref *slot, void *ctx),
                      void *ctx) {
  /* Relaxed loads: parallel workers may be rewriting other slots. */
  for (size_t i = 0; i < m->nroots; i++)
    if (__atomic_load_n(&m->roots[i], __ATOMIC_RELAXED) != GC_NULL)
      fn(&m->roots[i], ctx);
}

void gc_for_each_root(gc_heap *heap, void (*fn)(gc_ref *slot, void *ctx),
                      void *ctx) {
  for (struct gc_mutator_private *p = heap->mutators; p; p = p->next)
    gc_mutator_roots(p->m, fn, ctx);
}

bool gc_collect_stw(gc_mutator *self, const char *phase,
                    void (*fn)(gc_heap *heap, void *arg), void *arg) {
  return gc_collect_stw_named_after(self, &phase, fn, arg);
}

bool gc_collect_stw_named_after(gc_mutator *self, const char *const *phase,
                                void (*fn)(gc_heap *heap, void *arg),
                                void *arg) {
  gc_heap *heap = self->heap;
  if (!gc_stop_the_world(heap, self))
    return false;
  /* the collection's work is the pause's, not this mutator's assist */
  gc_mutator_log *log = gc_delay_thread_log();
  gc_delay_set_thread_log(NULL);
  if (heap->cfg.verify == GC_VERIFY_BEFORE_AND_AFTER)
    gc_verify(heap, "before-gc");
  fn(heap, arg);
  gc_delay_set_thread_log(log);
  heap->collections++;
  if (heap->cfg.verify != GC_VERIFY_NONE)
    gc_verify(heap, "after-gc");
  gc_resume_the_world(heap, *phase);
  return true;
}
