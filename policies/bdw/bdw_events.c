/* bdw_events.c — libgc's collections and pauses, recorded from its own
 * collection-event callback (GC_set_on_collection_event, libgc >= 7.6).
 *
 * libgc 8.2 runs a non-incremental collection as
 *   START, PRE_STOP_WORLD, POST_STOP_WORLD, MARK_START, MARK_END,
 *   PRE_START_WORLD, POST_START_WORLD, RECLAIM_START, RECLAIM_END, END
 * on the thread that triggered it, with the allocation lock held throughout
 * (alloc.c: GC_try_to_collect_inner, GC_stopped_mark, GC_finish_collection).
 * A pause runs from PRE_STOP_WORLD (time to stop every thread included, as
 * the core counts time-to-safepoint) to POST_START_WORLD. Recording happens
 * only at events where the world runs again, so the malloc inside
 * gc_events_* cannot wait on a lock held by a stopped thread.
 *
 * The callback carries no heap: it finds the one bdw heap through
 * bdw_current (a process has one libgc, hence one bdw heap at a time). */
#include "bdw.h"
#include <gc/gc_mark.h>
#include <time.h>

gc_heap *bdw_current;
__thread bool bdw_collected_here;
__thread const char *bdw_reason;

static uint64_t process_cpu_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

size_t bdw_bytes_in_use(void) {
  /* Both getters are lock-free by design so that callbacks holding the
   * allocation lock may call them (gc.h). */
  return GC_get_heap_size() - GC_get_free_bytes();
}

static void on_start(bdw_state *s, uint64_t now) {
  s->cur = (gc_cycle){
      .kind = "full",
      .reason = bdw_reason ? bdw_reason : "alloc",
      .start_ns = now,
      .bytes_before = bdw_bytes_in_use(),
  };
  s->thread_cpu_start = gc_thread_cpu_ns();
  s->thread_cpu_stopped = 0;
  s->stw_cpu = 0;
}

static void on_stop(bdw_state *s, uint64_t now) {
  s->stop_ns = now;
  s->proc_cpu_stop = process_cpu_ns();
  s->thread_cpu_stop = gc_thread_cpu_ns();
}

/* While the world is stopped every CPU-second of the process is the
 * collector's (the initiating thread and the parallel markers); outside it
 * only the initiating thread's own time is. */
static void on_restart(bdw_state *s, uint64_t now) {
  uint64_t cpu = process_cpu_ns() - s->proc_cpu_stop;
  s->stw_cpu += cpu;
  s->thread_cpu_stopped += gc_thread_cpu_ns() - s->thread_cpu_stop;
  if (__atomic_load_n(&s->world_held, __ATOMIC_RELAXED))
    return; /* nested in bdw_collect's own pause */
  gc_events_pause_cpu(&s->heap->events, "bdw-stw", s->stop_ns, now, cpu);
  __atomic_fetch_add(&s->pauses, 1, __ATOMIC_RELAXED);
  __atomic_fetch_add(&s->pause_ns, now - s->stop_ns, __ATOMIC_RELAXED);
}

static void count_object(void *obj, size_t bytes, void *arg) {
  gc_cycle *c = arg;
  c->objects_traced++;
  c->live_bytes += bytes;
}

/* Mark bits are still those of this cycle at RECLAIM_END (sweeping is lazy;
 * free-list marks were just cleared). Cells on thread-local free lists stay
 * marked and are counted too: a few KiB per thread and size class. */
static void on_reclaimed(bdw_state *s) {
  if (s->count_live)
    GC_enumerate_reachable_objects_inner(count_object, &s->cur);
}

static void on_end(bdw_state *s, uint64_t now) {
  gc_cycle *c = &s->cur;
  c->end_ns = now;
  c->bytes_after = bdw_bytes_in_use();
  uint64_t thread_cpu = gc_thread_cpu_ns() - s->thread_cpu_start;
  c->gc_cpu_ns = s->stw_cpu + (thread_cpu - s->thread_cpu_stopped);
  gc_events_cycle(&s->heap->events, c);
  __atomic_fetch_add(&s->cycles, 1, __ATOMIC_RELAXED);
  __atomic_fetch_add(&s->heap->collections, 1, __ATOMIC_RELAXED);
  bdw_collected_here = true;
}

static void GC_CALLBACK bdw_on_event(GC_EventType e) {
  gc_heap *heap = __atomic_load_n(&bdw_current, __ATOMIC_ACQUIRE);
  if (!heap)
    return;
  bdw_state *s = heap->policy_state;
  uint64_t now = gc_now_ns();
  switch (e) {
  case GC_EVENT_START:
    on_start(s, now);
    break;
  case GC_EVENT_PRE_STOP_WORLD:
    on_stop(s, now);
    break;
  case GC_EVENT_POST_START_WORLD:
    on_restart(s, now);
    break;
  case GC_EVENT_RECLAIM_END:
    on_reclaimed(s);
    break;
  case GC_EVENT_END:
    on_end(s, now);
    break;
  default:
    break;
  }
}

void bdw_events_install(void) { GC_set_on_collection_event(bdw_on_event); }
