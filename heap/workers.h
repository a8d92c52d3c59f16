/* workers.h — the pool of GC worker threads and the parallel tracing queue
 * every tracing policy reuses.
 *
 * A trace job is a seed step (push the roots) and a scan step (process one
 * queued item, pushing more). Each worker has a private stack; when it holds
 * plenty and the shared pool runs low it publishes a packet of items that idle
 * workers take (work sharing through packets, as in Endo/Taura/Yonezawa and
 * bdwgc's parallel marker). The job ends when every worker is idle and no
 * packet is left.
 */
#ifndef GCTB_WORKERS_H
#define GCTB_WORKERS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct gc_heap gc_heap;
typedef struct gc_workers gc_workers;

#define GC_PACKET_ITEMS 256
#define GC_SHARE_MIN 4 /* fewest entries a worker keeps before sharing */

typedef struct gc_worker {
  gc_heap *heap;
  gc_workers *pool;
  unsigned id, count; /* this worker's index, number of workers in the job */
  uintptr_t *stack;
  size_t top, cap;
  void *local; /* policy scratch for this worker (e.g. copy buffer) */
  uint64_t objects_traced, bytes_traced, objects_copied, bytes_copied;
  uint64_t cpu_ns;
} gc_worker;

typedef struct gc_trace_job {
  /* Called once on every worker before scanning; w->id / w->count tell
   * which share of the roots to push. May be NULL. */
  void (*seed)(gc_worker *w, void *arg);
  void (*scan)(gc_worker *w, uintptr_t item, void *arg);
  /* Called once on every worker after the queue has drained. May be NULL. */
  void (*finish)(gc_worker *w, void *arg);
  void *arg;
  /* If set, called instead of scan to empty w's stack: a loop with the
   * scan inlined saves an indirect call per item (heap/immix_trace.h). May be
   * NULL. Last, so that positional initialisers need not name it. */
  void (*drain)(gc_worker *w, void *arg);
} gc_trace_job;

typedef struct gc_packet {
  struct gc_packet *next;
  size_t n;
  uintptr_t items[GC_PACKET_ITEMS];
} gc_packet;

struct gc_workers {
  gc_heap *heap;
  unsigned nthreads; /* workers including the calling thread */
  pthread_t *threads;
  gc_worker *workers;
  pthread_mutex_t lock;
  pthread_cond_t wake, done;
  const gc_trace_job *job;
  uint64_t generation; /* bumped for each job */
  unsigned finished;   /* helper threads done with this generation */
  bool shutdown;
  /* shared packets */
  pthread_mutex_t pool_lock;
  pthread_cond_t pool_cond;
  gc_packet *full;  /* packets of work */
  gc_packet *empty; /* recycled packets */
  size_t nfull;     /* written under pool_lock, read atomically */
  unsigned idle;    /* workers waiting for work */
};

/* Root partitioning, for a job's seed step: calls visit(slot, ctx) on this
 * worker's share of every mutator's non-null root slots, dealt in blocks of
 * GC_ROOT_BLOCK consecutive slots so that no two workers rewrite one cache
 * line of a shadow stack. visit reads the slot with an atomic load: other
 * workers may be rewriting its neighbours. */
#define GC_ROOT_BLOCK 64
void gc_worker_roots(gc_worker *w, void (*visit)(uintptr_t *slot, void *ctx),
                     void *ctx);

bool gc_workers_init(gc_workers *p, gc_heap *heap, unsigned nthreads);
void gc_workers_destroy(gc_workers *p);
/* Runs job on every worker (the calling thread is worker 0) until the queue
 * is empty everywhere. Returns totals in *sum (objects traced/copied, CPU
 * time of all workers); the helpers' CPU time is also credited to the
 * calling thread's CPU meter (below). */
void gc_workers_run(gc_workers *p, const gc_trace_job *job, gc_worker *sum);

/* GC CPU time as one thread sees it: its own CPU time plus that of the
 * helper workers in the jobs it ran (gc_workers_run), over an interval.
 * The thread that runs a collection (or a pause, or a phase) measures it
 * with a meter, so every CPU-nanosecond of a cycle is counted once:
 * worker 0's time is part of the thread's own, the helpers' time is added.
 * Start and read on the same thread. */
typedef struct gc_cpu_meter {
  uint64_t thread0, helpers0;
} gc_cpu_meter;
gc_cpu_meter gc_cpu_meter_start(void);
uint64_t gc_cpu_meter_read(const gc_cpu_meter *m);

void gc_worker__share(gc_worker *w);
void gc_worker__grow(gc_worker *w);

static inline void gc_worker_push(gc_worker *w, uintptr_t item) {
  if (__builtin_expect(w->top == w->cap, 0))
    gc_worker__grow(w);
  w->stack[w->top++] = item;
  /* Share only when someone is idle and nothing is already waiting for
   * them: a depth-first trace of a tree keeps only ~depth entries, so a
   * fixed high-water mark would never be reached. A lone worker has no one
   * to share with, and skips the two loads of the pool's counters. */
  if (__builtin_expect(w->count > 1 && w->top >= GC_SHARE_MIN, 0) &&
      __atomic_load_n(&w->pool->idle, __ATOMIC_RELAXED) >
          __atomic_load_n(&w->pool->nfull, __ATOMIC_RELAXED))
    gc_worker__share(w);
}

/* The most recently pushed item; the stack must not be empty. */
static inline uintptr_t gc_worker_pop(gc_worker *w) {
  return w->stack[--w->top];
}

#endif
