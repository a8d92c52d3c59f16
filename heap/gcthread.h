/* gcthread.h — a policy's own collector thread: it sleeps until a cycle is
 * requested, runs one cycle at a time, and wakes the mutators waiting for
 * it. For collectors whose cycles span handshakes, pauses and concurrent
 * work, so that one owner keeps their steps in order (satb, shenandoah,
 * otf).
 *
 * Requests have a kind, ordered by strength, and a number: one made now is
 * satisfied by the next cycle to start (started + 1), and a mutator that
 * needs it waits until that many cycles have finished. The strongest
 * pending kind runs first. A trigger request (gc_ct_trigger) the policy no
 * longer wants when its turn comes (the last sweep freed enough) is
 * dropped, and never replaces another request's reason.
 *
 * Lock order: heap->lock before ct->lock; the thread never holds ct->lock
 * while it runs a cycle. */
#ifndef GCTB_GCTHREAD_H
#define GCTB_GCTHREAD_H

#include "heap.h"
#include <time.h>

typedef enum gc_req_kind {
  GC_REQ_NONE = 0,
  GC_REQ_YOUNG,
  GC_REQ_CONCURRENT,
  GC_REQ_DEGENERATED, /* a concurrent cycle finished stop-the-world */
  GC_REQ_FULL,
  GC_REQ_KINDS
} gc_req_kind;

typedef struct gc_ct_ops {
  /* runs one cycle on the thread */
  void (*cycle)(void *ctx, gc_req_kind kind, const char *reason);
  /* may drop a trigger request when its turn comes (NULL: never) */
  bool (*still_wanted)(void *ctx);
  /* Under ct->lock, a request of `kind` while a cycle runs: true if the
   * running cycle will satisfy it (say, by finishing stopped), so the
   * requester waits for that one and nothing is queued. NULL: never. */
  bool (*escalate)(void *ctx, gc_req_kind kind);
  /* a cycle also satisfies the weaker requests pending when it starts
   * (false: they run after it) */
  bool subsume;
} gc_ct_ops;

typedef struct gc_ct {
  gc_heap *heap;
  gc_ct_ops ops;
  void *ctx;
  pthread_mutex_t lock;
  pthread_cond_t wake, done;
  pthread_t thread;
  bool thread_started;
  bool shutdown;   /* atomic reads outside lock */
  unsigned wanted; /* atomic: a bit per pending kind */
  const char *reason[GC_REQ_KINDS];
  bool trigger[GC_REQ_KINDS]; /* the pending request is a trigger's */
  uint64_t started, finished; /* under lock; read atomically as hints */
} gc_ct;

bool gc_ct_start(gc_ct *ct, gc_heap *heap, const gc_ct_ops *ops, void *ctx,
                 char *err, size_t errlen);
void gc_ct_stop(gc_ct *ct);
/* Asks for a cycle; returns the count of finished cycles to wait for. */
uint64_t gc_ct_request(gc_ct *ct, gc_req_kind kind, const char *reason);
/* The same for the policy's trigger (reason "trigger"). */
uint64_t gc_ct_trigger(gc_ct *ct, gc_req_kind kind);
/* True if a request of this kind is pending (a hint). */
bool gc_ct_pending(gc_ct *ct, gc_req_kind kind);
/* Waits outside the heap (handshakes run on m's behalf) until target
 * cycles have finished. */
void gc_ct_wait(gc_ct *ct, gc_mutator *m, uint64_t target);
uint64_t gc_ct_finished(gc_ct *ct);
/* Cycles started and finished, read together. */
void gc_ct_counts(gc_ct *ct, uint64_t *started, uint64_t *finished);
/* True while a cycle runs. */
bool gc_ct_busy(gc_ct *ct);
/* True once gc_ct_stop began: a running cycle should wind down. */
bool gc_ct_stopping(gc_ct *ct);
/* Waits (the caller blocked) until a cycle finishes or the deadline
 * (CLOCK_REALTIME) passes, whichever is first: a pacer's bounded wait. */
void gc_ct_wait_until(gc_ct *ct, const struct timespec *deadline);
/* The last mutator is detaching (heap->lock held): drops requests and waits
 * for the running cycle, so that the result record sees no late events. */
void gc_ct_quiesce(gc_ct *ct);

#endif
