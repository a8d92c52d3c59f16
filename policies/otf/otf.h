/* otf.h — internal interface of the otf policies: the on-the-fly
 * mark-sweep of Doligez, Leroy and Gonthier (POPL 1993, 1994) as Domani,
 * Kolodner, Lewis, Salant, Barabash, Lahan, Levanoni, Petrank and Yanover
 * built it for Java (ISMM 2000; the on-the-fly seed), over the segregated-fit
 * space, and its generational variant (Domani, Kolodner and Petrank, PLDI
 * 2000). See docs/policies/otf.md.
 *
 * No pause stops every mutator. The collector thread posts a status and
 * moves every mutator through it one handshake at a time:
 *   sync1   barrier on, marking the old and the new value of every
 *           reference store ("sync" mode);
 *   sync2   every mutator is in sync mode (the second round closes the
 *           window in which some were and some were not);
 *   roots   "async" mode (old value only), allocation black, and each
 *           mutator shades its own roots: the snapshot is taken one thread
 *           at a time;
 *   trace   GC threads trace; flush handshakes collect what the barriers
 *           shaded until a round brings nothing;
 *   end     barrier off;
 *   sweep   the space's sweep gate is shut and the epoch bumped; after one
 *           more handshake every allocator sees the new epoch and the GC
 *           thread sweeps, racing allocators pool by pool.
 * Shading is heap/satb_marking.h's buffer: a mutator records the reference in
 * its own queue (unless it is null or marked); the marker marks and scans.
 *
 * otf-gen (gen.c) keeps the marks between cycles: a marked object is old
 * (sticky mark bits, nothing moves), an unmarked one young. A young cycle
 * is the same cycle without clearing marks first, so it traces only young
 * objects, plus the old objects the barrier remembered because a reference
 * to a young object was stored into them; a full cycle clears every mark
 * first (between cycles, when mutators only read marks).
 */
#ifndef OTF_POLICY_H
#define OTF_POLICY_H

#include "../../heap/collector.h"
#include "../../heap/satb_marking.h"
#include "../../heap/sfspace.h"

typedef enum otf_phase {
  OTF_IDLE,
  OTF_SYNC1,
  OTF_SYNC2,
  OTF_TRACE, /* from the roots handshake to the end of tracing */
  OTF_SWEEP  /* the sweep gate shut, then the sweep under way */
} otf_phase;

/* A mutator's write-barrier mode (DLG's mutator status). */
typedef enum otf_mode { OTF_MODE_OFF, OTF_MODE_SYNC, OTF_MODE_ASYNC } otf_mode;

/* Test-only faults: each must make the mark check fail (tests/unit). */
typedef enum otf_skip {
  OTF_SKIP_NONE,
  OTF_SKIP_SYNC,          /* no sync1/sync2 handshakes */
  OTF_SKIP_ASYNC_BARRIER, /* async mode shades nothing */
  OTF_SKIP_ROOTS,         /* the roots handshake shades no root */
  OTF_SKIP_REMSET         /* otf-gen: remembered objects are not scanned */
} otf_skip;

typedef enum otf_hook_point {
  OTF_HOOK_TRACING,     /* every mutator has shaded its roots, before tracing */
  OTF_HOOK_SWEEP_BEGUN, /* gate shut and epoch moved, "sweep" not posted yet */
  OTF_HOOK_CYCLE_END    /* the cycle is over */
} otf_hook_point;
typedef void (*otf_hook_fn)(gc_heap *heap, otf_hook_point at, void *ctx);

/* Per-mutator data (m->policy_data). mode and black are the mutator's own:
 * set by handshakes it runs, or that run on its behalf under heap->lock
 * while it is blocked. */
typedef struct otf_mutator {
  satb_queue q;
  satb_queue rq; /* otf-gen: old objects remembered */
  otf_mode mode;
  bool black; /* allocation colour since the roots handshake */
} otf_mutator;

typedef struct otf_totals {
  uint64_t cycles, young_cycles, full_cycles, degenerated_cycles;
  uint64_t handshakes, flush_rounds;
  uint64_t objects, bytes, entries, remembered;
  uint64_t gc_thread_cpu_ns;
} otf_totals;

typedef struct otf_state {
  gc_sf_space sf; /* first: 64-byte aligned */
  gc_heap *heap;
  satb_marker marker;
  gc_collector gc; /* the driver: collector thread, requests, waits */
  /* options */
  double trigger;
  size_t trigger_bytes;
  otf_skip skip;
  bool verify_marks;
  /* otf-gen */
  bool gen;
  int full_every;            /* a full cycle after this many young ones */
  satb_marker remset;        /* buffers of remembered old objects */
  uint64_t young_since_full; /* collector thread only */
  bool pressure;             /* collector thread: a mutator is out of memory */
  bool full;                 /* collector thread: this cycle is full */
  uint64_t sweep_epoch;      /* collector thread: the epoch this cycle's sweep
                              * gives the pools */
  /* posted status */
  /* atomic: the phase (low OTF_PHASE_BITS) and the cycle's sweep_epoch above
   * it, in one word so that an allocator reads the two together (alloc.c on
   * colour) */
  uint64_t status;
  uint64_t live_base;   /* atomic: bytes in use after the last sweep */
  uint64_t alloc_since; /* atomic: bytes handed out since */
  uint64_t flushed;     /* atomic: entries the last flush round brought */
  /* large objects: allocation and sweep exclusive (los_lock), so that a
   * black object is marked before the sweep can see it */
  pthread_mutex_t los_lock;
  bool los_swept; /* under los_lock: this cycle's LOS sweep is done */
  bool checking_marks;
  uint32_t *retired; /* npages entries: pools waiting to be given back */
  /* the collector thread's own counts for the running cycle */
  uint64_t cycle_handshakes, cycle_flush_rounds;
  /* under lock */
  pthread_mutex_t lock;
  otf_hook_fn hook;
  void *hook_ctx;
  otf_totals totals;
} otf_state;

static inline otf_state *otf_of(gc_heap *heap) { return heap->policy_state; }
static inline otf_mutator *otf_mutator_of(gc_mutator *m) {
  return m->policy_data;
}
#define OTF_PHASE_BITS 3
_Static_assert(OTF_SWEEP < 1 << OTF_PHASE_BITS, "otf_state.status: phase bits");
static inline uint64_t otf_status_now(otf_state *s) {
  return __atomic_load_n(&s->status, __ATOMIC_ACQUIRE);
}
static inline otf_phase otf_status_phase(uint64_t status) {
  return (otf_phase)(status & ((1u << OTF_PHASE_BITS) - 1));
}
static inline uint64_t otf_status_sweep_epoch(uint64_t status) {
  return status >> OTF_PHASE_BITS;
}
static inline otf_phase otf_phase_now(otf_state *s) {
  return otf_status_phase(otf_status_now(s));
}

/* otf.c */
void otf_shade(otf_state *s, gc_mutator *m, gc_ref r);
bool otf_init_common(gc_heap *heap, const gc_options *opts, bool gen, char *err,
                     size_t errlen);
void otf_destroy(gc_heap *heap);
void otf_mutator_attach(gc_mutator *m);
void otf_mutator_detach(gc_mutator *m);
void otf_store_slow(gc_mutator *m, gc_ref obj, size_t off, uintptr_t val,
                    bool is_ref);
extern const char *const otf_skip_choices[];

/* gen.c */
void otf_gen_init(otf_state *s);
/* Decides whether the cycle about to start is full (clearing the marks if
 * so) or young. */
void otf_gen_begin(otf_state *s, const char *reason);
void otf_gen_end(otf_state *s);
/* After a reference store of val into obj: logs obj if it is old and
 * unlogged and val young. */
void otf_gen_log(otf_state *s, gc_mutator *m, gc_ref obj, gc_ref val);
/* The object is old from now on (the marker marked it). */
void otf_gen_made_old(otf_state *s, gc_ref obj);
/* Scans the remembered objects (after the roots handshake). */
void otf_gen_rescan(otf_state *s);

/* cycle.c: an on-the-fly cycle, or (degenerated) a stop-the-world one */
void otf_cycle(void *ctx, gc_req_kind kind, const char *reason);
void otf_hook(otf_state *s, otf_hook_point at);

/* alloc.c */
/* The driver's allocation attempt (ops.try_alloc; GC_COLLECTOR_DRIVEN). */
gc_ref otf_try_alloc(gc_mutator *m, size_t bytes, uint64_t header,
                     const gc_alloc_try *at, void *ctx);
bool otf_over_trigger(void *ctx);

/* verify.c */
bool otf_verify_object(gc_heap *heap, gc_verifier *v, uintptr_t addr);
bool otf_verify_heap(gc_heap *heap, gc_verifier *v);
size_t otf_heap_used(gc_heap *heap);
void otf_report(gc_heap *heap, json_t *out);

/* For tests: hooks and cycle counts. */
void otf_set_hook(gc_heap *heap, otf_hook_fn fn, void *ctx);
void otf_start_cycle(gc_heap *heap);
/* otf-gen: a cycle that is young unless one is due to be full. */
void otf_start_young(gc_heap *heap);
uint64_t otf_cycles_finished(gc_heap *heap);

/* What otf and otf-gen share in their policy tables: the same constraints
 * but the write barrier (each table declares its fast paths) and the same
 * slow paths (otf-gen differs in options and init only). */
#define OTF_CONSTRAINTS                                                        \
  .moves_objects = false, .large_object_bytes = GC_SIZECLASS_MAX_BYTES + 1
#define OTF_POLICY_COMMON                                                      \
  GC_POLICY_DEFAULTS,                                                          \
      .destroy = otf_destroy, .alloc_attach = gc_sf_cache_attach,              \
      .mutator_attach = otf_mutator_attach,                                    \
      .mutator_detach = otf_mutator_detach, GC_COLLECTOR_DRIVEN,               \
      .store_slow = otf_store_slow, .verify_object = otf_verify_object,        \
      .verify_heap = otf_verify_heap, .heap_used = otf_heap_used,              \
      .report = otf_report

#endif
