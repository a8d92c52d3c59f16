/* heap.h — the heap core's internal interface: the heap object, stopping the
 * world, handshakes, roots, collection wrapper, verifier hooks.
 * Policies and the harness include this; workloads include only gctb.h. */
#ifndef GCTB_HEAP_H
#define GCTB_HEAP_H

#include "arena.h"
#include "events.h"
#include "gctb.h"
#include "los.h"
#include "options.h"
#include "policy.h"
#include "workers.h"
#include <pthread.h>
#include <stdio.h>

typedef enum gc_verify_mode {
  GC_VERIFY_NONE,
  GC_VERIFY_AFTER,
  GC_VERIFY_BEFORE_AND_AFTER
} gc_verify_mode;

typedef struct gc_heap_config {
  size_t heap_bytes;
  unsigned gc_threads;
  gc_verify_mode verify;
  uint64_t stress_allocs; /* collect every N allocations (0: off) */
  uint64_t stress_bytes;  /* collect every N bytes allocated (0: off) */
  size_t root_slots;      /* shadow-stack capacity per mutator (0: 65536) */
  /* period of the run-queue sampler (runqueue.h); 0: no sampling */
  uint64_t runqueue_sample_ns;
} gc_heap_config;

typedef enum gc_mutator_state {
  GC_MUTATOR_RUNNING,
  GC_MUTATOR_STOPPED, /* parked at a safepoint */
  GC_MUTATOR_BLOCKED  /* outside the heap (gc_enter_blocking) */
} gc_mutator_state;

typedef void (*gc_handshake_fn)(gc_mutator *m, void *arg);

struct gc_mutator_private {
  gc_mutator *m;
  struct gc_mutator_private *next, *prev;
  gc_mutator_state state;
  unsigned id;
  gc_handshake_fn handshake_fn; /* pending handshake, or NULL */
  void *handshake_arg;
  const char *handshake_name; /* record the hold as a pause, or NULL */
  uint64_t stress_allocs, stress_bytes; /* since the last stress collection */
  uint64_t attached_ns;
  gc_mutator_log *log; /* its delays (delay.h); outlives the mutator */
  uint64_t blocked_since, blocked_epoch; /* gc_enter_blocking's time, epoch */
  /* when the request it has not answered yet reached it (0: none), and
   * its kind: time to safepoint (safepoint.c) */
  uint64_t asked_ns;
  gc_ttsp_kind asked_kind;
};

struct gc_heap {
  gc_heap_config cfg;
  const gc_policy *policy;
  void *policy_state;
  /* A concurrent policy's collection driver (heap/collector.h), set by
   * gc_collector_start: GC_COLLECTOR_DRIVEN's entries find it here. */
  struct gc_collector *driver;
  gc_constraints c;
  gc_options policy_options;

  gc_arena arena; /* unused by policies that manage memory elsewhere (bdw) */
  gc_los los;
  gc_events events;
  struct gc_runqueue_sampler *runqueue; /* NULL: not sampling */
  gc_workers workers;

  /* mutators and coordination, under lock */
  pthread_mutex_t lock;
  pthread_cond_t cond;
  struct gc_mutator_private *mutators;
  unsigned nmutators, nrunning, next_mutator_id;
  bool stw_requested;      /* a stop-the-world pause is wanted or in progress */
  bool collecting;         /* a thread owns the current pause */
  gc_mutator *collector;   /* that thread's mutator (NULL: a GC thread) */
  uint64_t stw_epoch;      /* bumped at every resume */
  unsigned handshake_acks; /* mutators still to answer a handshake */
  uint64_t pause_start_ns;
  gc_cpu_meter pause_cpu; /* started by the thread that stopped the world */
  pthread_t pause_thread;

  /* totals retired from detached mutators */
  gc_mutator_stats retired;
  uint64_t collections;
  uint64_t verifications;

  /* Called on out-of-memory and on gc_fail; must not return. Set by the
   * harness; the defaults print and exit(3) / exit(1). */
  void (*on_oom)(gc_heap *heap, gc_mutator *m, size_t bytes);
  void (*on_fail)(gc_heap *heap, gc_mutator *m, const char *msg);
  void *user; /* the harness's run context */
};

/* Creates a heap for policy with validated options; NULL with err set when
 * the configuration is impossible. */
gc_heap *gc_heap_create(const gc_heap_config *cfg, const gc_policy *policy,
                        const gc_options *opts, char *err, size_t errlen);
void gc_heap_destroy(gc_heap *heap);

/* ---- stop-the-world ---- */
/* Stops every other mutator at a safepoint (self may be NULL for a GC
 * thread). Returns false without stopping anything if another thread is
 * already collecting; self then waited for that collection to end. */
bool gc_stop_the_world(gc_heap *heap, gc_mutator *self);
/* True if self stopped the world and has not restarted it. */
bool gc_world_stopped_by(gc_heap *heap, gc_mutator *self);
/* Restarts the world and records the pause (time-to-safepoint included). */
void gc_resume_the_world(gc_heap *heap, const char *phase);

/* A whole stop-the-world collection: stop, verify (before) if configured,
 * fn, verify (after), resume, record the pause as phase. Returns false if
 * another thread collected instead (the caller should simply retry). */
bool gc_collect_stw(gc_mutator *self, const char *phase,
                    void (*fn)(gc_heap *heap, void *arg), void *arg);
/* The same, with the pause's name read after fn ran: for policies that
 * decide inside the pause what kind of collection it was (nursery or full,
 * with or without evacuation). */
bool gc_collect_stw_named_after(gc_mutator *self, const char *const *phase,
                                void (*fn)(gc_heap *heap, void *arg),
                                void *arg);

/* ---- handshakes ---- */
/* Asks every mutator to run fn(m, arg) at its next safepoint, and returns
 * when all have. Blocked mutators have fn run on their behalf by the caller;
 * the caller's own mutator (self, may be NULL) runs it directly. Each
 * mutator's hold, from its safepoint taking the request to fn's return, is
 * recorded as a delay of kind hold (delay.h), phase "handshake". */
void gc_handshake(gc_heap *heap, gc_mutator *self, gc_handshake_fn fn,
                  void *arg);

/* The same, with the holds' phase named name; each hold is also recorded
 * in the legacy list of pauses with the mutator's id (gc_events_pause_of).
 * A run on behalf of a blocked mutator is not recorded: that thread was
 * outside the heap, not held. */
void gc_handshake_named(gc_heap *heap, gc_mutator *self, const char *name,
                        gc_handshake_fn fn, void *arg);

/* ---- mutators and roots (only while the world is stopped, or from a
 * handshake for the mutator itself) ---- */
void gc_for_each_mutator(gc_heap *heap, void (*fn)(gc_mutator *m, void *ctx),
                         void *ctx);
/* Visits every root slot of every mutator. */
void gc_for_each_root(gc_heap *heap, void (*fn)(gc_ref *slot, void *ctx),
                      void *ctx);
/* Visits the root slots of one mutator. */
void gc_mutator_roots(gc_mutator *m, void (*fn)(gc_ref *slot, void *ctx),
                      void *ctx);
/* Retires m's bump buffer (its unused tail is no longer m's), so that the
 * bytes m allocated in it are counted. */
void gc_mutator_retire_bump(gc_mutator *m);

/* Totals over attached and detached mutators (world stopped or at end). */
void gc_heap_mutator_totals(gc_heap *heap, gc_mutator_stats *out);

/* ---- verification ---- */
/* Walks the graph from the roots and checks every object (heap/verify.c).
 * On a failure the run ends with status "error" via on_fail. */
void gc_verify(gc_heap *heap, const char *when);
void gc_verify_fail(gc_verifier *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A policy's verify_object, for an address outside its own space: it must
 * be the start of a large object in the heap's LOS, at least
 * heap->c.large_object_bytes long by its header of hw words; with unmarked
 * set (a concurrent marker's check after tracing), it must also be marked,
 * else the failure reads "0x... is reachable but unmarked <unmarked>". */
bool gc_verify_large_object(gc_heap *heap, gc_verifier *v, uintptr_t addr,
                            unsigned hw, const char *unmarked);
/* That failure, for an object of the policy's own space. Returns false. */
bool gc_verify_unmarked(gc_verifier *v, uintptr_t addr, const char *unmarked);

/* Out of memory: hands over to heap->on_oom; never returns. */
_Noreturn void gc_heap_oom(gc_mutator *m, size_t bytes);

/* The mutator owning this thread's attachment check (checked builds). */
#ifdef GCTB_CHECKED
#define GC_CHECK(cond)                                                         \
  ((cond) ? (void)0 : gc_check_failed(#cond, __FILE__, __LINE__))
#else
#define GC_CHECK(cond) ((void)0)
#endif
_Noreturn void gc_check_failed(const char *what, const char *file, int line);

#endif
