/* events.h — what a run records: pauses, collection cycles, concurrent
 * phases, GC CPU time. All times are CLOCK_MONOTONIC nanoseconds. */
#ifndef GCTB_EVENTS_H
#define GCTB_EVENTS_H

#include "delay.h"
#include "workers.h"
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

uint64_t gc_now_ns(void);
uint64_t gc_thread_cpu_ns(void);

typedef struct gc_pause {
  const char *phase; /* static string */
  uint64_t start_ns, duration_ns;
  /* -1: the world was stopped; otherwise the id of the one mutator held
   * (a handshake of an on-the-fly collector) */
  int mutator;
  uint64_t cpu_ns; /* GC CPU time in it (gc_cpu_meter), or GC_CPU_UNKNOWN */
} gc_pause;

#define GC_CPU_UNKNOWN UINT64_MAX

typedef struct gc_phase {
  const char *name; /* a concurrent phase: GC work while mutators run */
  uint64_t start_ns, end_ns;
  uint64_t cpu_ns; /* GC CPU time in it (gc_cpu_meter), or GC_CPU_UNKNOWN */
} gc_phase;

typedef struct gc_cycle {
  const char *kind; /* "full", "nursery", "degenerated" ... */
  const char *reason;
  uint64_t start_ns, end_ns;
  uint64_t bytes_before, bytes_after, live_bytes;
  uint64_t objects_traced, objects_copied, bytes_copied;
  uint64_t gc_cpu_ns; /* CPU time of all GC threads in this cycle */
} gc_cycle;

typedef struct gc_events {
  pthread_mutex_t lock;
  gc_pause *pauses;
  size_t npauses, pauses_cap;
  gc_phase *phases;
  size_t nphases, phases_cap;
  gc_cycle *cycles;
  size_t ncycles, cycles_cap;
  /* one delay log per mutator that ever attached, in attach order */
  gc_mutator_log **mlogs;
  size_t nmlogs, mlogs_cap;
  /* GC CPU over the run: the cycles' gc_cpu_ns (added by gc_events_cycle)
   * plus GC work outside any cycle (gc_events_add_cpu), which is also
   * kept apart in gc_cpu_other_ns */
  uint64_t gc_cpu_ns, gc_cpu_other_ns;
  uint64_t t0; /* run start */
} gc_events;

void gc_events_init(gc_events *e);
void gc_events_destroy(gc_events *e);
/* Empties every log and counter (t0 becomes now): the harness's warm-up
 * iterations end here (harness/run/iterations.c). Safe while others record. */
void gc_events_clear(gc_events *e);
void gc_events_pause(gc_events *e, const char *phase, uint64_t start,
                     uint64_t end);
/* A world stop whose GC CPU time the stopping thread measured. */
void gc_events_pause_cpu(gc_events *e, const char *phase, uint64_t start,
                         uint64_t end, uint64_t cpu_ns);
/* A pause of one mutator only (a handshake it answered). */
void gc_events_pause_of(gc_events *e, const char *phase, uint64_t start,
                        uint64_t end, int mutator);
void gc_events_phase(gc_events *e, const char *name, uint64_t start,
                     uint64_t end);
/* A concurrent phase with the GC CPU time the thread running it measured
 * (gc_cpu_meter: its own and its helper workers'). */
void gc_events_phase_cpu(gc_events *e, const char *name, uint64_t start,
                         uint64_t end, uint64_t cpu_ns);
/* Records a cycle and adds its gc_cpu_ns to the run's. A cycle's gc_cpu_ns
 * is all the GC CPU time of its work (in and out of pauses: marking,
 * clearing, sweeping, concurrent threads), measured with a gc_cpu_meter
 * (workers.h) by the thread that runs it, so that it is counted once. */
void gc_events_cycle(gc_events *e, const gc_cycle *c);

/* A concurrent phase measured by the thread that runs it:
 *   gc_phase_timer t = gc_phase_begin(); ...; gc_phase_end(e, "mark", &t); */
typedef struct gc_phase_timer {
  uint64_t start_ns;
  gc_cpu_meter cpu;
} gc_phase_timer;
gc_phase_timer gc_phase_begin(void);
void gc_phase_end(gc_events *e, const char *name, const gc_phase_timer *t);
/* GC CPU time spent outside any cycle's accounting. */
void gc_events_add_cpu(gc_events *e, uint64_t ns);
/* A new, empty delay log for mutator id, owned by e (NULL: no memory). */
gc_mutator_log *gc_events_mutator_log(gc_events *e, unsigned id, uint64_t now);
/* The mutator of log detached at now: its lifetime ends. */
void gc_events_mutator_gone(gc_mutator_log *log, uint64_t now);
/* Sum of pause durations. */
uint64_t gc_events_pause_total(gc_events *e);

#endif
