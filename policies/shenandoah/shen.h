/* shen.h — internal interface of the shenandoah policies: concurrent
 * evacuation over the region space (heap/regions.h), marking with the SATB
 * component (heap/satb_marking.h), in two barrier modes (the Shenandoah seed;
 * Flood et al., PPPJ 2016; Kennke's load-reference barriers, JDK 12-13):
 *
 *   shenandoah         lrb: one header word; the forwarding pointer replaces
 *                      a from-space copy's header; references loaded from the
 *                      heap are resolved (and copied, and the slot healed) by
 *                      the load-reference barrier: mutators only ever hold
 *                      to-space references.
 *   shenandoah-brooks  brooks: two header words, the second the Brooks
 *                      forwarding pointer (to itself until moved); every
 *                      access goes through it; while evacuation is on, every
 *                      store calls the policy, which copies a cset object
 *                      before writing the copy.
 *
 * A cycle, run by one GC thread (docs/policies/shenandoah.md):
 *   reset (concurrent)   clear the mark bitmaps of regions in use
 *   init-mark pause      labs retired, tams := top, SATB on, roots greyed
 *   mark (concurrent)    SATB trace on the worker pool, pre-cleaning
 *   final-mark pause     drain, free regions with no live object, choose the
 *                        collection set, evacuate the roots' referents,
 *                        evacuation on
 *   evacuate (conc.)     GC workers copy every marked cset object; mutators
 *                        copy those they touch
 *   init-update-refs     labs retired, watermark := top, evacuation off
 *   update-refs (conc.)  every live object's references into the cset
 *                        replaced by the forwardee (CAS)
 *   final-update-refs    roots updated, the cset regions freed
 * A mutator that finds no memory waits (pacing); past that the running
 * cycle is completed stop-the-world ("degenerated"); if that frees too
 * little, a "full" stop-the-world collection evacuates every region with
 * garbage; then out-of-memory.
 */
#ifndef SHEN_H
#define SHEN_H

#include "../../heap/collector.h"
#include "../../heap/heap.h"
#include "../../heap/regions.h"
#include "../../heap/satb_marking.h"
#include "../../heap/trigger.h"

/* gc_state bits, read by the barriers' slow paths; set in pauses only. */
enum {
  SHEN_MARKING = 1,
  SHEN_EVACUATING = 2,
  SHEN_UPDATING = 4,
};

/* LRB mode: a from-space copy's header, once forwarded: the copy's address
 * with both low bits set. Shenandoah keeps it in the mark word the same way.
 * A header never has them set otherwise (type ids start at bit 8). */
#define SHEN_FWD_TAG ((uint64_t)3)
/* Both modes: header GC bit of an object that could not be copied (no
 * to-space left); it stays where it is and its region is kept. */
#define SHEN_EVAC_FAILED ((uint64_t)4)

/* Verify mode: one evacuation, for the contents check. */
typedef struct shen_copy_record {
  uintptr_t from, to;
  size_t bytes;
  uint64_t hash; /* of the payload as copied */
} shen_copy_record;

typedef enum shen_mode { SHEN_LRB, SHEN_BROOKS } shen_mode;

typedef struct shen_mutator {
  satb_queue q;
  gc_lab gclab; /* copies this mutator makes in its barriers */
  uint64_t copies, copy_bytes, copies_lost;
} shen_mutator;

/* Per GC worker (gc_worker.local). */
typedef struct shen_worker {
  gc_lab gclab;
  uint64_t copies, copy_bytes, copies_lost, refs_updated;
} shen_worker;

typedef struct shen_cycle_log {
  const char *kind;
  uint64_t cset_regions, cset_live, immediate_regions;
  uint64_t gc_copies, gc_copy_bytes, mutator_copies, mutator_copy_bytes;
  uint64_t copies_lost, evac_failures, refs_updated;
  uint64_t ttsp_max_ns, work_max_ns;
  /* work done stopped, per pause: init-mark, final-mark, init-update-refs,
   * final-update-refs (a degenerated or full pause counts as final-mark) */
  uint64_t pause_work_ns[4];
  gc_trigger_decision trigger; /* what the trigger saw at the start */
} shen_cycle_log;

typedef struct shen_totals {
  uint64_t concurrent, degenerated, full;
  uint64_t gc_copies, gc_copy_bytes, mutator_copies, mutator_copy_bytes;
  uint64_t copies_lost, evac_failures;
  uint64_t regions_freed;
} shen_totals;

typedef struct shen_state {
  gc_heap *heap;
  shen_mode mode;
  unsigned hw; /* header words */
  gc_regions rs;
  satb_marker marker;
  /* options */
  double garbage_threshold, evac_reserve, evac_budget;
  size_t lab_bytes, reserve_regions, max_regions;
  bool pacing;
  uint64_t fail_every;    /* test: every Nth copy fails as if out of space */
  uint64_t copy_attempts; /* atomic, for fail_every */
  bool skip_update_refs;  /* test: no update-refs; the verifier must fail */
  bool no_copy_on_write;  /* test (brooks): writes may land in from-space */
  /* allocation, under rs.lock */
  gc_region *mutator_region, *gc_region;
  int gc_state;         /* atomic SHEN_* */
  int cycle_active;     /* atomic: from reset to the end of the cycle */
  uint64_t alloc_since; /* atomic: bytes allocated since the cycle ended */
  /* the collection set, fixed from final-mark to final-update-refs */
  gc_region **cset;
  size_t ncset, cset_cap;
  gc_region **trash; /* freed in a pause, given back after it */
  size_t ntrash, trash_cap;
  gc_region **update; /* regions in use when update-refs began */
  size_t nupdate, update_cap;
  uint64_t cset_live;
  uint64_t evac_failures; /* atomic */
  /* verifier modes */
  bool verify_copies; /* record every copy (verify on) */
  pthread_mutex_t copied_lock;
  shen_copy_record *copied;
  size_t ncopied, copied_cap;
  bool check_marked;        /* final-mark: every reachable object marked */
  bool check_no_cset;       /* no reachable reference into the cset */
  bool check_roots_tospace; /* lrb: no root into the cset */
  gc_collector gc;          /* the driver: GC thread, requests, waits */
  gc_trigger trigger;       /* when a concurrent cycle starts */
  pthread_mutex_t lock;     /* the statistics */
  int degenerate;      /* atomic: the running cycle should finish stopped */
  uint64_t precleaned; /* atomic: SATB entries the last handshake took */
  /* statistics, under lock */
  shen_totals totals;
  shen_cycle_log *log;
  size_t nlog, log_cap;
  shen_cycle_log cur; /* the running cycle's, GC thread only */
  gc_lab gc_gclab;    /* the GC thread's own copies (roots) */
} shen_state;

static inline shen_state *shen_of(gc_heap *heap) { return heap->policy_state; }
static inline shen_mutator *shen_mutator_of(gc_mutator *m) {
  return m->policy_data;
}
static inline satb_queue *shen_queue_of(gc_mutator *m) {
  return &shen_mutator_of(m)->q;
}
static inline int shen_gc_state(shen_state *s) {
  return __atomic_load_n(&s->gc_state, __ATOMIC_ACQUIRE);
}
static inline bool shen_in_cset(shen_state *s, uintptr_t a) {
  return gc_regions_in_cset(&s->rs, a);
}

/* forward.c: forwarding, copying */
/* The object's current copy (itself when not forwarded). */
uintptr_t shen_forwardee(shen_state *s, uintptr_t obj);
/* Makes sure a cset object is copied (into lab, refilled as needed) and
 * returns the copy, or obj itself if no to-space could be had. */
uintptr_t shen_evacuate(shen_state *s, gc_lab *lab, uintptr_t obj,
                        uint64_t *copies, uint64_t *bytes, uint64_t *lost);
/* Hash of an object's payload words (the verifier's contents check). */
uint64_t shen_payload_hash(shen_state *s, uintptr_t obj, size_t bytes);
/* Clears SHEN_EVAC_FAILED on the objects of a region kept after a failure. */
void shen_clear_failed(shen_state *s, gc_region *r);

/* alloc.c */
/* The driver's allocation attempt (ops.try_alloc; GC_COLLECTOR_DRIVEN). */
gc_ref shen_try_alloc(gc_mutator *m, size_t bytes, uint64_t header,
                      const gc_alloc_try *at, void *ctx);
/* A GC lab; false when no region can be had (GC copies may use the
 * reserve). */
bool shen_gclab_refill(shen_state *s, gc_lab *lab, size_t bytes);
bool shen_over_trigger(shen_state *s);
/* The trigger's occupancy: bytes of the arena in use. */
uint64_t shen_occupancy(shen_state *s);
void shen_retire_mutator_labs(shen_state *s);
size_t shen_free_regions(shen_state *s);
/* The pacer's wait for m, in ns (heap/collector.h's pace_ns). */
uint64_t shen_pace_ns(void *ctx, gc_mutator *m);

/* barrier.c */
/* Sets m's barrier_active and lrb_active from the cycle's state (arg: the
 * shen_state); a gc_for_each_mutator function. */
void shen_barriers_follow(gc_mutator *m, void *arg);
gc_ref shen_load_ref_slow(gc_mutator *m, gc_ref obj, size_t off, gc_ref val);
void shen_store_slow(gc_mutator *m, gc_ref obj, size_t off, uintptr_t val,
                     bool is_ref);

/* cycle.c */
void shen_concurrent_cycle(shen_state *s, const char *reason);
void shen_stw_cycle(shen_state *s, gc_req_kind kind, const char *reason);

/* evac.c: the phases' parallel work, concurrent or in a pause */
void shen_evacuate_cset(shen_state *s);
void shen_update_refs(shen_state *s);
void shen_update_roots(shen_state *s);
void shen_evacuate_roots(shen_state *s);

/* thread.c: what the collector thread (heap/collector.h) runs */
extern const gc_collector_ops shen_collector_ops;

/* verify.c */
bool shen_verify_object(gc_heap *heap, gc_verifier *v, uintptr_t addr);
bool shen_verify_heap(gc_heap *heap, gc_verifier *v);
size_t shen_heap_used(gc_heap *heap);
void shen_report(gc_heap *heap, json_t *out);
/* Checks every evacuated cset object (pause, verify mode): forwardee valid,
 * same header, brooks words linked. Ends the run on a failure. */
void shen_verify_forwarding(shen_state *s);
void shen_verify_roots_tospace(shen_state *s);

#endif
