/* gcthread.c — the collector thread of gcthread.h. */
#include "gcthread.h"
#include "pin.h"
#include <stdio.h>
#include <string.h>

/* Under ct->lock: the kind of the request to run now (its reason in
 * *reason), or GC_REQ_NONE. */
static gc_req_kind take_request(gc_ct *ct, const char **reason) {
  for (int k = GC_REQ_KINDS - 1; k > GC_REQ_NONE; k--) {
    unsigned bit = 1u << k;
    if (!(ct->wanted & bit))
      continue;
    unsigned left = ct->ops.subsume ? 0 : ct->wanted & ~bit;
    __atomic_store_n(&ct->wanted, left, __ATOMIC_RELAXED);
    if (ct->trigger[k] && ct->ops.still_wanted &&
        !ct->ops.still_wanted(ct->ctx))
      continue;
    *reason = ct->reason[k];
    return (gc_req_kind)k;
  }
  return GC_REQ_NONE;
}

/* Wakes a last mutator waiting in gc_ct_quiesce (on heap->cond). */
static void notify_heap(gc_heap *heap) {
  pthread_mutex_lock(&heap->lock);
  pthread_cond_broadcast(&heap->cond);
  pthread_mutex_unlock(&heap->lock);
}

static void *ct_main(void *arg) {
  gc_ct *ct = arg;
  /* after the worker pool's indices (heap/pin.h) */
  gc_thread_started(GC_THREAD_GC, ct->heap->workers.nthreads);
  pthread_mutex_lock(&ct->lock);
  for (;;) {
    const char *reason = NULL;
    gc_req_kind kind = GC_REQ_NONE;
    while (!ct->shutdown && !(kind = take_request(ct, &reason)))
      pthread_cond_wait(&ct->wake, &ct->lock);
    if (ct->shutdown)
      break;
    __atomic_store_n(&ct->started, ct->started + 1, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&ct->lock);
    ct->ops.cycle(ct->ctx, kind, reason);
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

bool gc_ct_start(gc_ct *ct, gc_heap *heap, const gc_ct_ops *ops, void *ctx,
                 char *err, size_t errlen) {
  memset(ct, 0, sizeof *ct);
  ct->heap = heap;
  ct->ops = *ops;
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
    __atomic_store_n(&ct->shutdown, true, __ATOMIC_RELAXED);
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

static uint64_t request(gc_ct *ct, gc_req_kind kind, const char *reason,
                        bool trigger) {
  unsigned bit = 1u << kind;
  pthread_mutex_lock(&ct->lock);
  uint64_t target = ct->started + 1;
  if (ct->started != ct->finished && ct->ops.escalate &&
      ct->ops.escalate(ct->ctx, kind)) {
    target = ct->started; /* the running cycle will do */
  } else if (!(ct->wanted & bit) || !trigger) {
    /* a trigger never replaces a pending request's reason */
    ct->reason[kind] = reason;
    ct->trigger[kind] = trigger;
    __atomic_store_n(&ct->wanted, ct->wanted | bit, __ATOMIC_RELAXED);
  }
  pthread_cond_signal(&ct->wake);
  pthread_mutex_unlock(&ct->lock);
  return target;
}

uint64_t gc_ct_request(gc_ct *ct, gc_req_kind kind, const char *reason) {
  return request(ct, kind, reason, false);
}

uint64_t gc_ct_trigger(gc_ct *ct, gc_req_kind kind) {
  return request(ct, kind, "trigger", true);
}

bool gc_ct_pending(gc_ct *ct, gc_req_kind kind) {
  return __atomic_load_n(&ct->wanted, __ATOMIC_RELAXED) & (1u << kind);
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

void gc_ct_counts(gc_ct *ct, uint64_t *started, uint64_t *finished) {
  pthread_mutex_lock(&ct->lock);
  *started = ct->started;
  *finished = ct->finished;
  pthread_mutex_unlock(&ct->lock);
}

bool gc_ct_busy(gc_ct *ct) {
  return __atomic_load_n(&ct->started, __ATOMIC_RELAXED) !=
         __atomic_load_n(&ct->finished, __ATOMIC_RELAXED);
}

bool gc_ct_stopping(gc_ct *ct) {
  return __atomic_load_n(&ct->shutdown, __ATOMIC_RELAXED);
}

void gc_ct_wait_until(gc_ct *ct, const struct timespec *deadline) {
  pthread_mutex_lock(&ct->lock);
  uint64_t seen = ct->finished;
  while (ct->finished == seen && !ct->shutdown &&
         pthread_cond_timedwait(&ct->done, &ct->lock, deadline) == 0)
    ;
  pthread_mutex_unlock(&ct->lock);
}

/* Called from mutator_detach (heap->lock held, world running, the caller
 * blocked) for the last mutator. Waiting on heap->cond releases heap->lock,
 * so the thread can still stop the world (and reach this mutator, which
 * stays valid until we return). */
void gc_ct_quiesce(gc_ct *ct) {
  gc_heap *heap = ct->heap;
  pthread_mutex_lock(&ct->lock);
  __atomic_store_n(&ct->wanted, 0, __ATOMIC_RELAXED);
  pthread_mutex_unlock(&ct->lock);
  while (gc_ct_busy(ct) || heap->stw_requested)
    pthread_cond_wait(&heap->cond, &heap->lock);
}
