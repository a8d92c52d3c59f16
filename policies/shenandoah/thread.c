/* thread.c — what the shenandoah collector thread (heap/collector.h) runs.
 *
 * Requests are kinds in increasing strength (concurrent, degenerated,
 * full); the strongest pending one runs and satisfies the weaker ones. A
 * request made while a cycle runs and asking for more than a concurrent
 * cycle sets `degenerate` instead, so the running cycle completes in a
 * pause at its next step, and the requester waits for that cycle rather
 * than for it to finish concurrently. */
#include "shen.h"

static void run_cycle(void *ctx, gc_req_kind kind, const char *reason) {
  shen_state *s = ctx;
  if (kind == GC_REQ_CONCURRENT)
    shen_concurrent_cycle(s, reason);
  else
    shen_stw_cycle(s, kind, reason);
}

static bool still_wanted(void *ctx) { return shen_over_trigger(ctx); }

/* Under the thread's lock, a cycle running. */
static bool escalate(void *ctx, gc_req_kind kind) {
  shen_state *s = ctx;
  if (kind <= GC_REQ_CONCURRENT)
    return false;
  __atomic_store_n(&s->degenerate, 1, __ATOMIC_RELAXED);
  return true;
}

/* Waits for the running cycle twice, then one degenerated and one full
 * collection (the full one allocates for the requester in its pause). */
const gc_collector_ops shen_collector_ops = {
    .cycle = run_cycle,
    .still_wanted = still_wanted,
    .escalate = escalate,
    .subsume = true,
    .pace_ns = shen_pace_ns,
    .try_alloc = shen_try_alloc,
    .ladder = {.waits = 2, .degenerated = 1, .full = 1}};
