/* collector.c — the collection driver of collector.h. */
#include "collector.h"
#include "delay.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* An allocation that reached the ladder's last rung, waiting to be served
 * inside that rung's pause (c->waiters, under c->lock). */
struct gc_alloc_waiter {
  gc_alloc_waiter *next;
  gc_mutator *m;
  size_t bytes;
  uint64_t header;
  gc_try_alloc_fn try_alloc;
  void *ctx;
  gc_alloc_try at;
  gc_req_kind kind; /* served by a stop-the-world cycle this strong */
  bool claimed;     /* taken by a cycle's gc_collector_serve */
  bool served;      /* done: result is the allocation's */
  gc_ref result;
};

/* A waiter whose rung's cycle ran without serving it (the request was
 * folded into a weaker cycle) tries again: this many times at most. */
#define GC_MAX_UNSERVED 8

const char *gc_req_kind_name(gc_req_kind kind) {
  switch (kind) {
  case GC_REQ_YOUNG:
    return "young";
  case GC_REQ_CONCURRENT:
    return "concurrent";
  case GC_REQ_DEGENERATED:
    return "degenerated";
  case GC_REQ_FULL:
    return "full";
  default:
    return "none";
  }
}

/* ---- lifecycle ---- */

void gc_collector_init(gc_collector *c, gc_heap *heap,
                       const gc_collector_ops *ops, void *ctx) {
  memset(c, 0, sizeof *c);
  c->heap = heap;
  c->ops = *ops;
  c->ctx = ctx;
  pthread_mutex_init(&c->lock, NULL);
  pthread_cond_init(&c->served_cond, NULL);
}

bool gc_collector_start(gc_collector *c, gc_heap *heap,
                        const gc_collector_ops *ops, void *ctx, char *err,
                        size_t errlen) {
  gc_collector_init(c, heap, ops, ctx);
  gc_ct_ops ct = {.cycle = ops->cycle,
                  .still_wanted = ops->still_wanted,
                  .escalate = ops->escalate,
                  .subsume = ops->subsume};
  if (!gc_ct_start(&c->ct, heap, &ct, ctx, err, errlen))
    return false;
  c->threaded = true;
  heap->driver = c;
  return true;
}

void gc_collector_stop(gc_collector *c) {
  if (c->heap && c->heap->driver == c)
    c->heap->driver = NULL;
  if (c->ct.heap) /* started, or tried to */
    gc_ct_stop(&c->ct);
  c->threaded = false;
  pthread_mutex_destroy(&c->lock);
  pthread_cond_destroy(&c->served_cond);
}

void gc_collector_quiesce(gc_collector *c) {
  if (c->threaded)
    gc_ct_quiesce(&c->ct);
}

/* ---- requests ---- */

void gc_collector_trigger(gc_collector *c) {
  if (!gc_ct_pending(&c->ct, GC_REQ_CONCURRENT))
    gc_ct_trigger(&c->ct, GC_REQ_CONCURRENT);
}

uint64_t gc_collector_request(gc_collector *c, gc_req_kind kind,
                              const char *reason) {
  return gc_ct_request(&c->ct, kind, reason);
}

static void note_stall(gc_collector *c, uint64_t ns) {
  pthread_mutex_lock(&c->lock);
  c->totals.stalls++;
  c->totals.stall_ns += ns;
  if (ns > c->totals.stall_max_ns)
    c->totals.stall_max_ns = ns;
  pthread_mutex_unlock(&c->lock);
}

void gc_collector_wait(gc_collector *c, gc_mutator *m, uint64_t target,
                       const char *phase) {
  uint64_t t0 = gc_delay_begin();
  gc_ct_wait(&c->ct, m, target);
  gc_delay_end(m, GC_DELAY_STALL, phase, t0);
  if (strcmp(phase, "alloc") == 0)
    note_stall(c, gc_now_ns() - t0);
}

bool gc_collector_busy(gc_collector *c) { return gc_ct_busy(&c->ct); }
bool gc_collector_pending(gc_collector *c, gc_req_kind kind) {
  return gc_ct_pending(&c->ct, kind);
}
bool gc_collector_stopping(gc_collector *c) { return gc_ct_stopping(&c->ct); }
uint64_t gc_collector_finished(gc_collector *c) {
  return gc_ct_finished(&c->ct);
}

void gc_collector_collect(gc_collector *c, gc_mutator *m,
                          gc_collect_reason why) {
  if (why == GC_REASON_STRESS) { /* start one; the point is concurrency */
    gc_ct_request(&c->ct, GC_REQ_CONCURRENT, "stress");
    return;
  }
  uint64_t target =
      gc_ct_request(&c->ct, GC_REQ_CONCURRENT, gc_reason_name(why));
  gc_collector_wait(c, m, target, "collect");
}

/* ---- the allocation-failure protocol ---- */

/* Stop-the-world: try, collect, try again; give up after ladder.own
 * collections of this thread, or ladder.attempts attempts in all. */
gc_ref gc_stw_alloc(const gc_collector_ops *ops, gc_mutator *m, size_t bytes,
                    uint64_t header, gc_try_alloc_fn try_alloc, void *ctx) {
  const gc_ladder *l = &ops->ladder;
  gc_alloc_try at = {0};
  for (; !l->attempts || at.tries < l->attempts; at.tries++) {
    gc_ref r = try_alloc(m, bytes, header, &at, ctx);
    if (r)
      return r;
    if (at.own >= l->own)
      break;
    /* no policy lock may be held here: a mutator blocked on it could not
     * reach a safepoint, and the world would never stop */
    at.own += ops->collect_for_alloc
                  ? ops->collect_for_alloc(m, &at, ctx)
                  : gc_stw_collect(ops, m, GC_REASON_ALLOC, &at, ctx);
  }
  return GC_NULL;
}

/* ---- the stop-the-world cycle runner ---- */

typedef struct stw_run {
  const gc_collector_ops *ops;
  gc_stw_cycle c;
} stw_run;

/* World stopped (gc_collect_stw_named_after): the cycle around the
 * policy's collection. */
static void run_stopped(gc_heap *heap, void *arg) {
  stw_run *r = arg;
  gc_cycle *cy = &r->c.cy;
  gc_cpu_meter cpu = gc_cpu_meter_start(); /* the workers' CPU time too */
  cy->start_ns = gc_now_ns();
  cy->bytes_before = heap->policy->heap_used(heap);
  r->ops->stw_collect(heap, &r->c);
  cy->bytes_after = heap->policy->heap_used(heap);
  cy->end_ns = gc_now_ns();
  cy->gc_cpu_ns = gc_cpu_meter_read(&cpu);
  gc_events_cycle(&heap->events, cy);
}

bool gc_stw_collect(const gc_collector_ops *ops, gc_mutator *m,
                    gc_collect_reason why, const gc_alloc_try *at, void *arg) {
  stw_run r = {.ops = ops,
               .c = {.cy = {.kind = "full", .reason = gc_reason_name(why)},
                     .pause = ops->stw_pause,
                     .why = why,
                     .at = at,
                     .arg = arg}};
  return gc_collect_stw_named_after(m, &r.c.pause, run_stopped, &r);
}

gc_ref gc_stw_entry_alloc_slow(gc_mutator *m, size_t bytes, uint64_t header) {
  const gc_collector_ops *ops = m->policy->stw;
  return gc_stw_alloc(ops, m, bytes, header, ops->try_alloc,
                      m->heap->policy_state);
}

void gc_stw_entry_collect(gc_mutator *m, gc_collect_reason why) {
  gc_stw_collect(m->policy->stw, m, why, NULL, m->heap->policy_state);
}

gc_ref gc_collector_entry_alloc_slow(gc_mutator *m, size_t bytes,
                                     uint64_t header) {
  gc_collector *c = m->heap->driver;
  return gc_collector_alloc(c, m, bytes, header, c->ops.try_alloc, c->ctx);
}

void gc_collector_entry_collect(gc_mutator *m, gc_collect_reason why) {
  gc_collector_collect(m->heap->driver, m, why);
}

/* The strongest rung of the ladder: where allocations are served. */
static gc_req_kind last_rung(const gc_ladder *l) {
  return l->full          ? GC_REQ_FULL
         : l->degenerated ? GC_REQ_DEGENERATED
                          : GC_REQ_NONE;
}

/* The last rung: registers as a waiter, asks for the cycle and waits. True
 * with *out set if the cycle served the allocation (*out GC_NULL: it did
 * not fit even then: out-of-memory). */
static bool wait_served(gc_collector *c, gc_mutator *m, gc_alloc_waiter *w,
                        gc_ref *out) {
  pthread_mutex_lock(&c->lock);
  w->next = c->waiters;
  c->waiters = w;
  pthread_mutex_unlock(&c->lock);
  uint64_t target = gc_ct_request(&c->ct, w->kind, "alloc");
  gc_collector_wait(c, m, target, "alloc");
  pthread_mutex_lock(&c->lock);
  if (w->claimed) /* a later cycle is serving it right now */
    while (!w->served)
      pthread_cond_wait(&c->served_cond, &c->lock);
  bool served = w->served;
  if (!served) /* unlink: the cycle that ran did not serve this kind */
    for (gc_alloc_waiter **p = &c->waiters; *p; p = &(*p)->next)
      if (*p == w) {
        *p = w->next;
        break;
      }
  pthread_mutex_unlock(&c->lock);
  *out = w->result;
  return served;
}

gc_ref gc_collector_alloc(gc_collector *c, gc_mutator *m, size_t bytes,
                          uint64_t header, gc_try_alloc_fn try_alloc,
                          void *ctx) {
  if (!c->threaded)
    return gc_stw_alloc(&c->ops, m, bytes, header, try_alloc, c->ctx);
  const gc_ladder *l = &c->ops.ladder;
  gc_ladder used = {0};
  gc_req_kind last = last_rung(l);
  unsigned unserved = 0;
  gc_alloc_try at = {0};
  for (;; at.tries++) {
    uint64_t seen = gc_ct_finished(&c->ct);
    gc_ref r = try_alloc(m, bytes, header, &at, ctx);
    if (r)
      return r;
    uint64_t started, finished, target;
    gc_ct_counts(&c->ct, &started, &finished);
    if (finished != seen)
      continue; /* a cycle ended since we tried */
    if (started != finished && used.waits < l->waits) {
      used.waits++;
      target = started; /* the running cycle */
    } else if (used.concurrent < l->concurrent) {
      used.concurrent++;
      target = gc_ct_request(&c->ct, GC_REQ_CONCURRENT, "alloc");
    } else if (used.degenerated < l->degenerated &&
               (last != GC_REQ_DEGENERATED ||
                used.degenerated + 1 < l->degenerated)) {
      used.degenerated++;
      target = gc_ct_request(&c->ct, GC_REQ_DEGENERATED, "alloc");
    } else if (used.full + 1 < l->full) {
      used.full++;
      target = gc_ct_request(&c->ct, GC_REQ_FULL, "alloc");
    } else if (last != GC_REQ_NONE && unserved < GC_MAX_UNSERVED) {
      gc_alloc_waiter w = {.m = m,
                           .bytes = bytes,
                           .header = header,
                           .try_alloc = try_alloc,
                           .ctx = ctx,
                           .at = at,
                           .kind = last};
      w.at.in_pause = true;
      if (wait_served(c, m, &w, &r))
        return r;
      unserved++;
      continue;
    } else {
      return GC_NULL;
    }
    gc_collector_wait(c, m, target, "alloc");
  }
}

void gc_collector_serve(gc_collector *c, gc_req_kind kind) {
  /* each allocation runs on the mutator's behalf: it is blocked in
   * gc_collector_wait until this cycle finishes, or waits in wait_served
   * for a claimed allocation to be done */
  for (;;) {
    pthread_mutex_lock(&c->lock);
    gc_alloc_waiter **p = &c->waiters;
    while (*p && (*p)->kind > kind)
      p = &(*p)->next;
    gc_alloc_waiter *w = *p;
    if (w) {
      *p = w->next;
      w->claimed = true;
    }
    pthread_mutex_unlock(&c->lock);
    if (!w)
      return;
    gc_ref r = w->try_alloc(w->m, w->bytes, w->header, &w->at, w->ctx);
    pthread_mutex_lock(&c->lock);
    w->result = r;
    w->served = true;
    c->totals.served++;
    c->totals.served_failed += r == GC_NULL;
    pthread_cond_broadcast(&c->served_cond);
    pthread_mutex_unlock(&c->lock);
  }
}

/* ---- pacing ---- */

void gc_collector_pace(gc_collector *c, gc_mutator *m) {
  if (!c->ops.pace_ns)
    return;
  uint64_t ns = c->ops.pace_ns(c->ctx, m);
  if (!ns)
    return;
  uint64_t t0 = gc_now_ns();
  gc_enter_blocking(m);
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  uint64_t at = (uint64_t)ts.tv_nsec + ns;
  ts.tv_sec += (time_t)(at / 1000000000u);
  ts.tv_nsec = (long)(at % 1000000000u);
  if (gc_ct_busy(&c->ct))
    gc_ct_wait_until(&c->ct, &ts);
  gc_leave_blocking(m);
  gc_delay_end(m, GC_DELAY_PACE, "pace", t0);
  uint64_t took = gc_now_ns() - t0;
  pthread_mutex_lock(&c->lock);
  c->totals.paced++;
  c->totals.pace_ns += took;
  pthread_mutex_unlock(&c->lock);
}

/* ---- reporting and the LOS ---- */

void gc_collector_report(gc_collector *c, json_t *out, bool pacing) {
  pthread_mutex_lock(&c->lock);
  gc_collector_totals t = c->totals;
  pthread_mutex_unlock(&c->lock);
  json_object_set_new(out, "alloc_stalls", json_integer((json_int_t)t.stalls));
  json_object_set_new(out, "alloc_stall_ns",
                      json_integer((json_int_t)t.stall_ns));
  json_object_set_new(out, "alloc_stall_max_ns",
                      json_integer((json_int_t)t.stall_max_ns));
  if (pacing) {
    json_object_set_new(out, "paced", json_integer((json_int_t)t.paced));
    json_object_set_new(out, "pace_ns", json_integer((json_int_t)t.pace_ns));
  }
  if (c->threaded)
    json_object_set_new(out, "allocs_served_in_pause",
                        json_integer((json_int_t)t.served));
}

uintptr_t gc_los_alloc_object(gc_mutator *m, size_t bytes, uint64_t header,
                              bool black) {
  gc_los *los = &m->heap->los;
  /* zeroed, its header written before it is listed */
  uintptr_t a = gc_los_alloc_header(los, bytes, header);
  if (!a)
    return 0;
  if (black)
    gc_los_mark(los, a);
  m->stats.bytes_allocated += bytes;
  return a;
}
