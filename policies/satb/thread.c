/* thread.c — the satb policy's GC thread: it waits for a request, runs one
 * cycle at a time, and wakes the mutators waiting for it.
 *
 * Every collection runs here, never on a mutator: a concurrent cycle's
 * phases span pauses and concurrent work, and one owner keeps them in
 * order. Requests carry a number: a request made now is satisfied by the
 * next cycle to start (started + 1), and a mutator that must wait for it
 * waits until that many cycles have finished. A stop-the-world request
 * goes before a concurrent one; either satisfies a waiter, since a cycle
 * started after the request frees everything unreachable at the request.
 * Lock order: heap->lock before s->lock; the GC thread never holds s->lock
 * while it stops the world. */
#include "../../heap/pin.h"
#include "satb.h"
#include <string.h>

/* Under s->lock: the request to run next, or NULL if none. A trigger
 * request is dropped if the last sweep brought occupancy back below the
 * threshold while it waited. */
static const char *next_request(satb_state *s, bool *degenerated) {
  if (s->want_degenerated) {
    __atomic_store_n(&s->want_degenerated, 0, __ATOMIC_RELAXED);
    *degenerated = true;
    return s->degenerated_reason;
  }
  if (s->want_concurrent) {
    __atomic_store_n(&s->want_concurrent, 0, __ATOMIC_RELAXED);
    *degenerated = false;
    if (strcmp(s->concurrent_reason, "trigger") == 0 && !satb_over_trigger(s))
      return NULL;
    return s->concurrent_reason;
  }
  return NULL;
}

/* Wakes a last mutator waiting in satb_quiesce (it waits on heap->cond). */
static void notify_heap(gc_heap *heap) {
  pthread_mutex_lock(&heap->lock);
  pthread_cond_broadcast(&heap->cond);
  pthread_mutex_unlock(&heap->lock);
}

static void *gc_main(void *arg) {
  satb_state *s = arg;
  /* after the worker pool's indices (heap/pin.h) */
  gc_thread_started(GC_THREAD_GC, s->heap->workers.nthreads);
  pthread_mutex_lock(&s->lock);
  for (;;) {
    bool degenerated = false;
    const char *reason = NULL;
    while (!s->shutdown && !(reason = next_request(s, &degenerated)))
      pthread_cond_wait(&s->wake, &s->lock);
    if (s->shutdown)
      break;
    s->started++;
    pthread_mutex_unlock(&s->lock);
    if (degenerated)
      satb_degenerated_cycle(s, reason);
    else
      satb_concurrent_cycle(s, reason);
    satb_hook(s, SATB_HOOK_CYCLE_END);
    pthread_mutex_lock(&s->lock);
    s->finished++;
    pthread_cond_broadcast(&s->done);
    pthread_mutex_unlock(&s->lock);
    notify_heap(s->heap);
    pthread_mutex_lock(&s->lock);
  }
  pthread_mutex_unlock(&s->lock);
  return NULL;
}

bool satb_thread_start(satb_state *s, char *err, size_t errlen) {
  if (pthread_create(&s->thread, NULL, gc_main, s)) {
    snprintf(err, errlen, "satb: cannot start the GC thread");
    return false;
  }
  s->thread_started = true;
  return true;
}

void satb_thread_stop(satb_state *s) {
  if (!s->thread_started)
    return;
  pthread_mutex_lock(&s->lock);
  __atomic_store_n(&s->shutdown, true, __ATOMIC_RELAXED);
  pthread_cond_broadcast(&s->wake);
  pthread_cond_broadcast(&s->done);
  pthread_mutex_unlock(&s->lock);
  pthread_join(s->thread, NULL);
  s->thread_started = false;
}

uint64_t satb_request(satb_state *s, bool degenerated, const char *reason) {
  pthread_mutex_lock(&s->lock);
  if (degenerated) {
    s->degenerated_reason = reason;
    __atomic_store_n(&s->want_degenerated, 1, __ATOMIC_RELAXED);
  } else if (!s->want_concurrent || strcmp(reason, "trigger") != 0) {
    /* a trigger never downgrades a pending request's reason */
    s->concurrent_reason = reason;
    __atomic_store_n(&s->want_concurrent, 1, __ATOMIC_RELAXED);
  }
  uint64_t target = s->started + 1;
  pthread_cond_signal(&s->wake);
  pthread_mutex_unlock(&s->lock);
  return target;
}

void satb_wait_for(gc_mutator *m, satb_state *s, uint64_t target) {
  gc_enter_blocking(m); /* the GC thread stops the world without us */
  pthread_mutex_lock(&s->lock);
  while (s->finished < target && !s->shutdown)
    pthread_cond_wait(&s->done, &s->lock);
  pthread_mutex_unlock(&s->lock);
  gc_leave_blocking(m);
}

/* Called from mutator_detach (heap->lock held, world running, the caller
 * blocked) for the last mutator: the result record must not be built while
 * the GC thread still appends events, so a running cycle is finished first;
 * requests nobody waits for are dropped. Waiting on heap->cond releases
 * heap->lock, so the GC thread can still stop the world (and reach this
 * mutator's caches and queue, which stay valid until we return). */
void satb_quiesce(satb_state *s) {
  gc_heap *heap = s->heap;
  pthread_mutex_lock(&s->lock);
  __atomic_store_n(&s->want_concurrent, 0, __ATOMIC_RELAXED);
  __atomic_store_n(&s->want_degenerated, 0, __ATOMIC_RELAXED);
  pthread_mutex_unlock(&s->lock);
  for (;;) {
    pthread_mutex_lock(&s->lock);
    bool busy = s->started != s->finished;
    pthread_mutex_unlock(&s->lock);
    if (!busy && !heap->stw_requested)
      return;
    pthread_cond_wait(&heap->cond, &heap->lock);
  }
}

void satb_hook(satb_state *s, satb_hook_point at) {
  pthread_mutex_lock(&s->lock);
  satb_hook_fn fn = s->hook;
  void *ctx = s->hook_ctx;
  pthread_mutex_unlock(&s->lock);
  if (fn)
    fn(s->heap, at, ctx);
}

void satb_set_hook(gc_heap *heap, satb_hook_fn fn, void *ctx) {
  satb_state *s = satb_of(heap);
  pthread_mutex_lock(&s->lock);
  s->hook = fn;
  s->hook_ctx = ctx;
  pthread_mutex_unlock(&s->lock);
}

void satb_start_cycle(gc_heap *heap) {
  satb_request(satb_of(heap), false, "requested");
}

uint64_t satb_cycles_finished(gc_heap *heap) {
  satb_state *s = satb_of(heap);
  pthread_mutex_lock(&s->lock);
  uint64_t n = s->finished;
  pthread_mutex_unlock(&s->lock);
  return n;
}
