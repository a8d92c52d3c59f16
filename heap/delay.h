/* delay.h — mutator-visible delays: every interval in which one mutator
 * could not run its own code although the world was not stopped.
 *
 * World stops are recorded as pauses (events.h) and apply to every mutator.
 * Everything else that holds up one mutator is a delay of that mutator,
 * logged here by kind (docs/delays.md says what each policy records):
 *   hold    the mutator answers a handshake (safepoint.c records these);
 *   stall   it waits for memory or for a collection to end;
 *   pace    a pacer makes it wait so that the collector keeps up;
 *   assist  it does GC work on the collector's behalf (copying in a
 *           barrier, marking, incremental copying);
 *   runqueue  it was ready to run but waited for a CPU, which GC threads
 *           (or other load) held (runqueue.c samples these).
 *
 * Each mutator has its own log, created when it attaches and kept by the
 * heap's event log after it detaches, so that the record can list it. An
 * append takes the log's own lock, which nobody else wants except the
 * record builder at the end: uncontended, so cheap. Assists can happen on
 * hot paths (a barrier's slow path), so those shorter than GC_ASSIST_LOG_NS
 * are only counted and summed; longer ones are logged one by one. */
#ifndef GCTB_DELAY_H
#define GCTB_DELAY_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

typedef struct gc_mutator gc_mutator;

typedef enum gc_delay_kind {
  GC_DELAY_HOLD,
  GC_DELAY_STALL,
  GC_DELAY_PACE,
  GC_DELAY_ASSIST,
  GC_DELAY_RUNQUEUE, /* ready to run, waiting for a CPU (runqueue.h) */
  GC_DELAY_KINDS
} gc_delay_kind;

/* "hold", "stall", "pace", "assist", "runqueue": the record's kind names. */
const char *gc_delay_kind_name(gc_delay_kind kind);

/* Assists shorter than this are aggregated (count and total), not logged. */
#define GC_ASSIST_LOG_NS 10000u

/* Time to safepoint: which request a mutator answered. */
typedef enum gc_ttsp_kind {
  GC_TTSP_STOP,      /* a world stop */
  GC_TTSP_HANDSHAKE, /* a handshake with this mutator */
  GC_TTSP_KINDS
} gc_ttsp_kind;

typedef struct gc_delay {
  const char *phase; /* static string */
  uint64_t start_ns, duration_ns;
  gc_delay_kind kind;
} gc_delay;

typedef struct gc_span {
  uint64_t start_ns, end_ns;
} gc_span;

typedef struct gc_mutator_log {
  pthread_mutex_t lock;
  unsigned id;
  uint64_t attached_ns, detached_ns; /* detached_ns 0: still attached */
  gc_delay *delays;                  /* in the order they ended */
  size_t ndelays, cap;
  uint64_t total_ns[GC_DELAY_KINDS]; /* logged and aggregated */
  uint64_t count[GC_DELAY_KINDS];
  uint64_t small_assists, small_assist_ns; /* aggregated, not in delays */
  /* Spans the mutator spent outside the heap (gc_enter_blocking, sleeping
   * or waiting by its own choice) while the world stopped: a world stop
   * delays it only from the moment it wants to run again. Only spans that
   * a world stop overlapped are kept. */
  gc_span *blocked;
  size_t nblocked, blocked_cap;
  /* the run-queue sampler's state (runqueue.c): the mutator's schedstat
   * file (-1: none), its run_delay when last read, and where the last wait
   * it logged ended (or the attach time) */
  int sched_fd;
  uint64_t run_delay_seen, logged_until_ns;
  /* Time to safepoint (safepoint.c): for every request that reached the
   * mutator while it ran, the time from the request to its arrival at a
   * poll or at a blocking region (what a stop or a handshake waits for
   * before it can start), by request kind, in nanoseconds. */
  uint64_t *ttsp[GC_TTSP_KINDS];
  size_t nttsp[GC_TTSP_KINDS], ttsp_cap[GC_TTSP_KINDS];
} gc_mutator_log;

/* Records [start, end) as a delay of kind for the mutator that owns log. */
void gc_delay_log(gc_mutator_log *log, gc_delay_kind kind, const char *phase,
                  uint64_t start, uint64_t end);
/* gc_delay_log for a caller that holds log->lock. */
void gc_delay_log_locked(gc_mutator_log *log, gc_delay_kind kind,
                         const char *phase, uint64_t start, uint64_t end);

/* Records that the mutator of log was outside the heap over [start, end)
 * while the world stopped (safepoint.c). */
void gc_delay_blocked(gc_mutator_log *log, uint64_t start, uint64_t end);

/* Records one time to safepoint of the mutator of log. */
void gc_delay_ttsp(gc_mutator_log *log, gc_ttsp_kind kind, uint64_t ns);

/* The log of the mutator this thread is, while it runs on its own behalf:
 * NULL on GC threads and inside a world stop this thread made. Lets shared
 * code that a mutator may run (a lazy sweep on allocation) record an assist
 * without being handed the mutator. */
gc_mutator_log *gc_delay_thread_log(void);
void gc_delay_set_thread_log(gc_mutator_log *log);

/* The one call a policy makes: t = gc_delay_begin(); ... wait or work ...;
 * gc_delay_end(m, kind, phase, t) records the interval for mutator m. */
uint64_t gc_delay_begin(void);
void gc_delay_end(gc_mutator *m, gc_delay_kind kind, const char *phase,
                  uint64_t start);

#endif
