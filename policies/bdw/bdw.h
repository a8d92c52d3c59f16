/* bdw.h — the bdw policy's shared state: Debian's libgc (Boehm, Demers,
 * Weiser) behind the gctb API, as a reference baseline. See
 * docs/policies/bdw.md. */
#ifndef GCTB_BDW_H
#define GCTB_BDW_H

/* We register every mutator thread ourselves (GC_register_my_thread), so
 * gc.h must not redirect pthread_create and friends. */
#define GC_THREADS 1
#define GC_NO_THREAD_REDIRECTS 1
#include <gc/gc.h>
#include <gc/gc_inline.h> /* GC_generic_malloc_many, GC_I_NORMAL */

#include "../../heap/heap.h"

typedef struct bdw_state {
  gc_heap *heap;
  bool count_live;  /* enumerate reachable objects after each cycle */
  bool marks_valid; /* world held since the last collection: the verifier
                       may demand mark bits */
  bool world_held;  /* bdw_collect holds the world around GC_gcollect and
                       records that pause itself; atomic */
  struct GC_prof_stats_s at_init; /* libgc's counters are per process */

  /* Objects the verifier reached while marks_valid, checked for libgc's
   * mark bit once the walk is done (verify_heap). */
  uintptr_t *checked;
  size_t nchecked, checked_cap;

  /* The cycle in progress. Written only by libgc's collecting thread from
   * the event callback, under libgc's allocation lock. */
  gc_cycle cur;
  uint64_t stop_ns;       /* PRE_STOP_WORLD time */
  uint64_t proc_cpu_stop; /* process CPU time at PRE_STOP_WORLD */
  uint64_t thread_cpu_start, thread_cpu_stop, thread_cpu_stopped;
  uint64_t stw_cpu; /* process CPU while the world was stopped */

  /* Totals since init (read at the end; atomic). */
  uint64_t cycles, pauses, pause_ns;
} bdw_state;

/* The one bdw heap of this process: libgc is a process-wide collector and
 * its event callback carries no heap argument. */
extern gc_heap *bdw_current;

/* Set by the event callback on the thread that ran a collection, so that
 * thread can run the verifier after it (bdw_events.c). */
extern __thread bool bdw_collected_here;
/* Why the calling thread asked for a collection (NULL: allocation). */
extern __thread const char *bdw_reason;

/* A mutator's own state (gc_mutator.policy_data). */
typedef struct bdw_mutator {
  gc_mutator *m;
  struct bdw_mutator *prev, *next; /* bdw_lists.c's registry */
  bool registered_thread;          /* we registered it with libgc */
  bool lists;                      /* it allocates from free lists */
} bdw_mutator;

/* The free lists (bdw_lists.c): the marking hook, installed once; a
 * mutator's lists made roots and registered, or dropped; a refill and pop
 * of the list of g-granule cells of one kind (NULL: out of memory). */
void bdw_lists_install(void);
void bdw_lists_attach(bdw_mutator *b);
void bdw_lists_detach(bdw_mutator *b);
uint64_t *bdw_list_pop(gc_mutator *m, bool pointer_free, size_t g);

void bdw_events_install(void);
/* Bytes in heap blocks that hold objects (libgc's heap minus free blocks);
 * unsynchronised: call with libgc's lock held. */
size_t bdw_bytes_in_use(void);

bool bdw_verify_object(gc_heap *heap, gc_verifier *v, uintptr_t addr);
bool bdw_verify_heap(gc_heap *heap, gc_verifier *v);
size_t bdw_heap_used(gc_heap *heap);
void bdw_report(gc_heap *heap, json_t *out);

#endif
