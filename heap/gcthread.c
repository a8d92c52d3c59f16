/* gcthread.c — the collector thread of gcthread.h. */
#include "gcthread.h"
#include "pin.h"
#include <stdio.h>
#include <string.h>

/* Under ct->lock: the reason of the request to run now, or NULL. */
static const char *take_request(gc_ct *ct) {
  if (!ct->want)
    return NULL;
  __atomic_store_n(&ct->want, 0, __ATOMIC_RELAXED);
  if (strcmp(ct->reason, "trigger") == 0 && ct->still_wanted &&
      !ct->still_wanted(ct->ctx))
    return NULL;
  return ct->reason;
}

/* Wakes a last mutator waiting in gc_ct_quiesce (on heap->cond). */
static void notify_heap(gc_heap *heap) {
  pthread_mutex_lock(&heap->lock);
  pthread_cond_broadcast(&heap->cond);
  pthread_mutex_unlock(&heap->lock);
}

static void *ct_main(void *arg) {
  gc_ct *ct = arg;
  gc_thread_started(GC_THREAD_GC, ct->heap->workers.nthreads);
  pthread_mutex_lock(&ct->lock);
  for (;;) {
    const char *reason = NULL;
    while (!ct->shutdown && !(reason = take_request(ct)))
      pthread_cond_wait(&ct->wake, &ct->lock);
    if (ct->shutdown)
      break;
    __atomic_store_n(&ct->started, ct->started + 1, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&ct->lock);
    ct->cycle(ct->ctx, reason);
    pthread_mutex_lock(&ct->lock);
    __atomic_store_n(&ct->finished, ct->finished + 1, __ATOMIC_RELAXED);
    pthread_cond_broadcast(&ct->done);
    pthread_mutex_unlock(&ct->lock);
    notify_heap(ct->heap);
    pthread_mutex_lock(&ct->lock);
  }
  pthread_mutex_unlock(&ct->lock);
  return NULL;
}

bool gc_ct_start(gc_ct *ct, gc_heap *heap, void (*cycle)(void *, const char *),
                 bool (*still_wanted)(void *), void *ctx, char *err,
                 size_t errlen) {
  memset(ct, 0, sizeof *ct);
  ct->heap = heap;
  ct->cycle = cycle;
  ct->still_wanted = still_wanted;
  ct->ctx = ctx;
  pthread_mutex_init(&ct->lock, NULL);
  pthread_cond_init(&ct->wake, NULL);
  pthread_cond_init(&ct->done, NULL);
  if (pthread_create(&ct->thread, NULL, ct_main, ct)) {
    snprintf(err, errlen, "cannot start the collector thread");
    return false;
  }
  ct->thread_started = true;
  return true;
}

void gc_ct_stop(gc_ct *ct) {
  if (ct->thread_started) {
    pthread_mutex_lock(&ct->lock);
    ct->shutdown = true;
    pthread_cond_broadcast(&ct->wake);
    pthread_cond_broadcast(&ct->done);
    pthread_mutex_unlock(&ct->lock);
    pthread_join(ct->thread, NULL);
    ct->thread_started = false;
  }
  pthread_mutex_destroy(&ct->lock);
  pthread_cond_destroy(&ct->wake);
  pthread_cond_destroy(&ct->done);
}

uint64_t gc_ct_request(gc_ct *ct, const char *reason) {
  pthread_mutex_lock(&ct->lock);
  /* a trigger never downgrades a pending request's reason */
  if (!ct->want || strcmp(reason, "trigger") != 0)
    ct->reason = reason;
  __atomic_store_n(&ct->want, 1, __ATOMIC_RELAXED);
  uint64_t target = ct->started + 1;
  pthread_cond_signal(&ct->wake);
  pthread_mutex_unlock(&ct->lock);
  return target;
}

void gc_ct_wait(gc_ct *ct, gc_mutator *m, uint64_t target) {
  gc_enter_blocking(m); /* handshakes run on our behalf meanwhile */
  pthread_mutex_lock(&ct->lock);
  while (ct->finished < target && !ct->shutdown)
    pthread_cond_wait(&ct->done, &ct->lock);
  pthread_mutex_unlock(&ct->lock);
  gc_leave_blocking(m);
}

uint64_t gc_ct_finished(gc_ct *ct) {
  return __atomic_load_n(&ct->finished, __ATOMIC_RELAXED);
}

bool gc_ct_busy(gc_ct *ct) {
  return __atomic_load_n(&ct->started, __ATOMIC_RELAXED) !=
         __atomic_load_n(&ct->finished, __ATOMIC_RELAXED);
}

void gc_ct_quiesce(gc_ct *ct) {
  gc_heap *heap = ct->heap;
  pthread_mutex_lock(&ct->lock);
  __atomic_store_n(&ct->want, 0, __ATOMIC_RELAXED);
  pthread_mutex_unlock(&ct->lock);
  while (gc_ct_busy(ct) || heap->stw_requested)
    pthread_cond_wait(&heap->cond, &heap->lock);
}
