/* thread.c — the shenandoah GC thread: requests, one cycle at a time, and
 * the mutators waiting for one.
 *
 * Requests are kinds in increasing strength (1 concurrent, 2 degenerated,
 * 3 full); a stronger one replaces a weaker one still pending. A request
 * made while a concurrent cycle runs and asking for more than a concurrent
 * cycle also sets `degenerate`, so the running cycle completes in a pause at
 * its next step instead of making the mutator wait for it to finish
 * concurrently. As in the satb policy, a request is satisfied by the next
 * cycle to start (its number is returned), and lock order is heap->lock
 * before s->lock; the GC thread never holds s->lock while stopping the
 * world. */
#include "../../heap/pin.h"
#include "shen.h"
#include <string.h>

/* Under s->lock. */
static int next_request(shen_state *s, const char **reason) {
  int kind = s->want;
  if (!kind)
    return 0;
  __atomic_store_n(&s->want, 0, __ATOMIC_RELAXED);
  *reason = s->reason;
  if (kind == 1 && strcmp(s->reason, "trigger") == 0 && !shen_over_trigger(s))
    return 0;
  return kind;
}

static void notify_heap(gc_heap *heap) {
  pthread_mutex_lock(&heap->lock);
  pthread_cond_broadcast(&heap->cond);
  pthread_mutex_unlock(&heap->lock);
}

static void *gc_main(void *arg) {
  shen_state *s = arg;
  gc_thread_started(GC_THREAD_GC, s->heap->workers.nthreads);
  pthread_mutex_lock(&s->lock);
  for (;;) {
    const char *reason = NULL;
    int kind = 0;
    while (!s->shutdown && !(kind = next_request(s, &reason)))
      pthread_cond_wait(&s->wake, &s->lock);
    if (s->shutdown)
      break;
    s->started++;
    pthread_mutex_unlock(&s->lock);
    if (kind == 1)
      shen_concurrent_cycle(s, reason);
    else
      shen_stw_cycle(s, kind == 2 ? "degenerated" : "full", reason);
    pthread_mutex_lock(&s->lock);
    s->finished++;
    pthread_cond_broadcast(&s->done);
    pthread_cond_broadcast(&s->progress);
    pthread_mutex_unlock(&s->lock);
    notify_heap(s->heap);
    pthread_mutex_lock(&s->lock);
  }
  pthread_mutex_unlock(&s->lock);
  return NULL;
}

bool shen_thread_start(shen_state *s, char *err, size_t errlen) {
  if (pthread_create(&s->thread, NULL, gc_main, s)) {
    snprintf(err, errlen, "shenandoah: cannot start the GC thread");
    return false;
  }
  s->thread_started = true;
  return true;
}

void shen_thread_stop(shen_state *s) {
  if (!s->thread_started)
    return;
  pthread_mutex_lock(&s->lock);
  __atomic_store_n(&s->shutdown, true, __ATOMIC_RELAXED);
  pthread_cond_broadcast(&s->wake);
  pthread_cond_broadcast(&s->done);
  pthread_cond_broadcast(&s->progress);
  pthread_mutex_unlock(&s->lock);
  pthread_join(s->thread, NULL);
  s->thread_started = false;
}

uint64_t shen_request(shen_state *s, int kind, const char *reason) {
  pthread_mutex_lock(&s->lock);
  bool running = s->started != s->finished;
  uint64_t target = s->started + 1;
  if (kind > 1 && running) {
    /* finish the running cycle stopped; waiting for it is enough */
    __atomic_store_n(&s->degenerate, 1, __ATOMIC_RELAXED);
    target = s->started;
  } else if (kind > s->want ||
             (kind == s->want && strcmp(reason, "trigger") != 0)) {
    s->reason = reason;
    __atomic_store_n(&s->want, kind, __ATOMIC_RELAXED);
  }
  pthread_cond_signal(&s->wake);
  pthread_mutex_unlock(&s->lock);
  return target;
}

void shen_wait_for(gc_mutator *m, shen_state *s, uint64_t target) {
  gc_enter_blocking(m);
  pthread_mutex_lock(&s->lock);
  while (s->finished < target && !s->shutdown)
    pthread_cond_wait(&s->done, &s->lock);
  pthread_mutex_unlock(&s->lock);
  gc_leave_blocking(m);
}

/* The last mutator detaching (heap->lock held, world running, the caller
 * blocked): pending requests are dropped and a running cycle finished, so
 * that the result record is not built while the GC thread adds events. */
void shen_quiesce(shen_state *s) {
  gc_heap *heap = s->heap;
  pthread_mutex_lock(&s->lock);
  __atomic_store_n(&s->want, 0, __ATOMIC_RELAXED);
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
