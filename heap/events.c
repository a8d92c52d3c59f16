/* events.c — recording pauses, phases and cycles. Appends happen under a
 * lock: they are rare (one per pause) and may come from any thread. */
#include "events.h"
#include "runqueue.h"
#include "util.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

uint64_t gc_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t gc_thread_cpu_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void gc_events_init(gc_events *e) {
  memset(e, 0, sizeof *e);
  pthread_mutex_init(&e->lock, NULL);
  e->t0 = gc_now_ns();
}

static void free_logs(gc_events *e) {
  free(e->pauses);
  free(e->phases);
  free(e->cycles);
  for (size_t i = 0; i < e->nmlogs; i++) {
    pthread_mutex_destroy(&e->mlogs[i]->lock);
    free(e->mlogs[i]->delays);
    free(e->mlogs[i]->blocked);
    for (int k = 0; k < GC_TTSP_KINDS; k++)
      free(e->mlogs[i]->ttsp[k]);
    free(e->mlogs[i]);
  }
  free(e->mlogs);
}

void gc_events_destroy(gc_events *e) {
  free_logs(e);
  pthread_mutex_destroy(&e->lock);
}

/* Everything after the lock is zeroed, so a log or counter added later is
 * cleared too (its array must be freed in free_logs). */
_Static_assert(offsetof(gc_events, lock) == 0, "the lock comes first");

void gc_events_clear(gc_events *e) {
  pthread_mutex_lock(&e->lock);
  free_logs(e);
  memset((char *)e + sizeof e->lock, 0, sizeof *e - sizeof e->lock);
  e->t0 = gc_now_ns();
  pthread_mutex_unlock(&e->lock);
}

static void add_pause(gc_events *e, gc_pause p) {
  pthread_mutex_lock(&e->lock);
  if (gc_vec_reserve((void **)&e->pauses, &e->pauses_cap, e->npauses,
                     sizeof *e->pauses, 256))
    e->pauses[e->npauses++] = p;
  pthread_mutex_unlock(&e->lock);
}

void gc_events_pause_of(gc_events *e, const char *phase, uint64_t start,
                        uint64_t end, int mutator) {
  add_pause(e, (gc_pause){phase, start, end - start, mutator, GC_CPU_UNKNOWN});
}

void gc_events_pause(gc_events *e, const char *phase, uint64_t start,
                     uint64_t end) {
  gc_events_pause_of(e, phase, start, end, -1);
}

void gc_events_pause_cpu(gc_events *e, const char *phase, uint64_t start,
                         uint64_t end, uint64_t cpu_ns) {
  add_pause(e, (gc_pause){phase, start, end - start, -1, cpu_ns});
}

void gc_events_phase_cpu(gc_events *e, const char *name, uint64_t start,
                         uint64_t end, uint64_t cpu_ns) {
  pthread_mutex_lock(&e->lock);
  if (gc_vec_reserve((void **)&e->phases, &e->phases_cap, e->nphases,
                     sizeof *e->phases, 256))
    e->phases[e->nphases++] = (gc_phase){name, start, end, cpu_ns};
  pthread_mutex_unlock(&e->lock);
}

void gc_events_phase(gc_events *e, const char *name, uint64_t start,
                     uint64_t end) {
  gc_events_phase_cpu(e, name, start, end, GC_CPU_UNKNOWN);
}

void gc_events_cycle(gc_events *e, const gc_cycle *c) {
  __atomic_fetch_add(&e->gc_cpu_ns, c->gc_cpu_ns, __ATOMIC_RELAXED);
  pthread_mutex_lock(&e->lock);
  if (gc_vec_reserve((void **)&e->cycles, &e->cycles_cap, e->ncycles,
                     sizeof *e->cycles, 256))
    e->cycles[e->ncycles++] = *c;
  pthread_mutex_unlock(&e->lock);
}

void gc_events_add_cpu(gc_events *e, uint64_t ns) {
  __atomic_fetch_add(&e->gc_cpu_other_ns, ns, __ATOMIC_RELAXED);
  __atomic_fetch_add(&e->gc_cpu_ns, ns, __ATOMIC_RELAXED);
}

uint64_t gc_events_pause_total(gc_events *e) {
  uint64_t total = 0;
  pthread_mutex_lock(&e->lock);
  for (size_t i = 0; i < e->npauses; i++)
    total += e->pauses[i].duration_ns;
  pthread_mutex_unlock(&e->lock);
  return total;
}

gc_mutator_log *gc_events_mutator_log(gc_events *e, unsigned id, uint64_t now) {
  gc_mutator_log *log = calloc(1, sizeof *log);
  if (!log)
    return NULL;
  pthread_mutex_init(&log->lock, NULL);
  log->id = id;
  log->attached_ns = now;
  log->sched_fd = -1;
  pthread_mutex_lock(&e->lock);
  bool ok = gc_vec_reserve((void **)&e->mlogs, &e->mlogs_cap, e->nmlogs,
                           sizeof *e->mlogs, 8);
  if (ok)
    e->mlogs[e->nmlogs++] = log;
  pthread_mutex_unlock(&e->lock);
  if (!ok) {
    pthread_mutex_destroy(&log->lock);
    free(log);
    return NULL;
  }
  return log;
}

void gc_events_mutator_gone(gc_mutator_log *log, uint64_t now) {
  pthread_mutex_lock(&log->lock);
  gc_runqueue_detach_locked(log, now);
  log->detached_ns = now;
  pthread_mutex_unlock(&log->lock);
}

gc_phase_timer gc_phase_begin(void) {
  return (gc_phase_timer){gc_now_ns(), gc_cpu_meter_start()};
}

void gc_phase_end(gc_events *e, const char *name, const gc_phase_timer *t) {
  gc_events_phase_cpu(e, name, t->start_ns, gc_now_ns(),
                      gc_cpu_meter_read(&t->cpu));
}
