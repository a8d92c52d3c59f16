/* thread.c — what the satb policy's GC thread (heap/collector.h) runs.
 *
 * Every collection runs there, never on a mutator: a concurrent cycle's
 * phases span pauses and concurrent work, and one owner keeps them in
 * order. A degenerated (stop-the-world) request goes before a concurrent
 * one, which stays pending and runs after it; either satisfies a waiter,
 * since a cycle started after the request frees everything unreachable at
 * the request. A trigger request is dropped if the last sweep brought
 * occupancy back below the threshold while it waited. */
#include "satb.h"

static void run_cycle(void *ctx, gc_req_kind kind, const char *reason) {
  satb_state *s = ctx;
  if (kind == GC_REQ_DEGENERATED)
    satb_degenerated_cycle(s, reason);
  else
    satb_concurrent_cycle(s, reason);
  satb_hook(s, SATB_HOOK_CYCLE_END);
}

static bool still_wanted(void *ctx) { return satb_over_trigger(ctx); }

const gc_collector_ops satb_collector_ops = {
    .cycle = run_cycle,
    .still_wanted = still_wanted,
    .try_alloc = satb_try_alloc,
    .ladder = {.waits = 2, .degenerated = 2}};

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
  gc_collector_request(&satb_of(heap)->gc, GC_REQ_CONCURRENT, "requested");
}

uint64_t satb_cycles_finished(gc_heap *heap) {
  return gc_collector_finished(&satb_of(heap)->gc);
}
