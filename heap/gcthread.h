/* gcthread.h — a policy's own collector thread: it sleeps until a cycle is
 * requested, runs one cycle at a time, and wakes the mutators waiting for
 * it. For collectors whose cycles span handshakes, pauses and concurrent
 * work, so that one owner keeps their steps in order (the otf policies;
 * satb has an older copy of the same scheme with its degenerated mode).
 *
 * Requests carry a number: one made now is satisfied by the next cycle to
 * start (started + 1), and a mutator that needs it waits until that many
 * cycles have finished. A trigger request the policy no longer wants when
 * its turn comes (the last sweep freed enough) is dropped.
 *
 * Lock order: heap->lock before ct->lock; the thread never holds ct->lock
 * while it runs a cycle. */
#ifndef GCTB_GCTHREAD_H
#define GCTB_GCTHREAD_H

#include "heap.h"

typedef struct gc_ct {
  gc_heap *heap;
  /* runs one cycle on the thread */
  void (*cycle)(void *ctx, const char *reason);
  /* may drop a "trigger" request when its turn comes (NULL: never) */
  bool (*still_wanted)(void *ctx);
  void *ctx;
  pthread_mutex_t lock;
  pthread_cond_t wake, done;
  pthread_t thread;
  bool thread_started, shutdown;
  int want; /* atomic: a request is pending */
  const char *reason;
  uint64_t started, finished; /* under lock; read atomically as hints */
} gc_ct;

bool gc_ct_start(gc_ct *ct, gc_heap *heap, void (*cycle)(void *, const char *),
                 bool (*still_wanted)(void *), void *ctx, char *err,
                 size_t errlen);
void gc_ct_stop(gc_ct *ct);
/* Asks for a cycle; returns the count of finished cycles to wait for. */
uint64_t gc_ct_request(gc_ct *ct, const char *reason);
/* Waits outside the heap (handshakes run on m's behalf) until target
 * cycles have finished. */
void gc_ct_wait(gc_ct *ct, gc_mutator *m, uint64_t target);
uint64_t gc_ct_finished(gc_ct *ct);
/* True while a cycle runs. */
bool gc_ct_busy(gc_ct *ct);
/* The last mutator is detaching (heap->lock held): drops requests and waits
 * for the running cycle, so that the result record sees no late events. */
void gc_ct_quiesce(gc_ct *ct);

#endif
