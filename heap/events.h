/* events.h — what a run records: pauses, collection cycles, concurrent
 * phases, GC CPU time. All times are CLOCK_MONOTONIC nanoseconds. */
#ifndef GCTB_EVENTS_H
#define GCTB_EVENTS_H

#include "delay.h"
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
} gc_pause;

typedef struct gc_phase {
  const char *name; /* a concurrent phase: GC work while mutators run */
  uint64_t start_ns, end_ns;
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
  uint64_t gc_cpu_ns; /* total over the run */
  uint64_t t0;        /* run start */
} gc_events;

void gc_events_init(gc_events *e);
void gc_events_destroy(gc_events *e);
void gc_events_pause(gc_events *e, const char *phase, uint64_t start,
                     uint64_t end);
/* A pause of one mutator only (a handshake it answered). */
void gc_events_pause_of(gc_events *e, const char *phase, uint64_t start,
                        uint64_t end, int mutator);
void gc_events_phase(gc_events *e, const char *name, uint64_t start,
                     uint64_t end);
void gc_events_cycle(gc_events *e, const gc_cycle *c);
void gc_events_add_cpu(gc_events *e, uint64_t ns);
/* A new, empty delay log for mutator id, owned by e (NULL: no memory). */
gc_mutator_log *gc_events_mutator_log(gc_events *e, unsigned id, uint64_t now);
/* The mutator of log detached at now: its lifetime ends. */
void gc_events_mutator_gone(gc_mutator_log *log, uint64_t now);
/* Sum of pause durations. */
uint64_t gc_events_pause_total(gc_events *e);

#endif
