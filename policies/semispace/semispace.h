/* semispace.h — the semispace policy's shared state (private to the policy).
 *
 * Two semispaces built from 256 KiB arena chunks rather than two fixed
 * halves: the allocation space ("to-space" between collections) holds a list
 * of chunks; a collection retags them "semispace-from", copies the live
 * objects into fresh chunks tagged "semispace-to" and gives the old chunks
 * back to the arena, where the large-object space can use them too. See
 * docs/policies/semispace.md for the algorithm, the copy reserve rule and
 * the invariants the verifier checks.
 */
#ifndef SEMI_SEMISPACE_H
#define SEMI_SEMISPACE_H

#include "../../heap/collector.h"
#include "../../heap/forward.h"

/* GC bits of the header word (bits 0..7 belong to the policy): the two of
 * the forwarding protocol (heap/forward.h) and one of our own. Between
 * collections every reachable object has all three clear. */
#define SEMI_KEPT 0x4u /* to-space was full: the object stays in place */
#define SEMI_GC_BITS (GC_FWD_BUSY | GC_FWD_FORWARDED | SEMI_KEPT)

/* A space: the chunks it holds and the unclaimed rest of the newest one. */
typedef struct semi_space {
  uint8_t id;        /* arena space id its chunks carry */
  uintptr_t *chunks; /* capacity: every chunk of the arena */
  size_t n;
  uintptr_t cur, limit; /* [cur, limit): not yet claimed */
} semi_space;

/* A GC worker's copy buffer (GC-LAB) and the objects it had to keep. */
typedef struct semi_lab {
  uintptr_t cur, limit;
  uintptr_t *kept; /* objects left in from-space (to-space was full) */
  size_t nkept, kept_cap;
  uint64_t kept_bytes;
  uint64_t waste; /* tails of retired buffers */
  uint64_t waits; /* objects found BUSY: another worker was copying them */
} semi_lab;

typedef struct semi_state {
  gc_heap *heap;
  pthread_mutex_t lock; /* guards `to` (claims, chunk list) */
  semi_space to;        /* allocation space; copy target while collecting */
  semi_space from;      /* empty except during a collection */
  size_t tlab_bytes, gclab_bytes;
  semi_lab *labs; /* one per GC worker */
  unsigned nlabs;
  uint8_t *pinned; /* per arena chunk: holds a kept object (collection) */
  /* totals over the run */
  uint64_t collections, objects_copied, bytes_copied;
  uint64_t objects_kept, bytes_kept, los_objects_traced, lab_waste, waits;
} semi_state;

static inline semi_state *semi_of(gc_heap *heap) {
  return (semi_state *)heap->policy_state;
}

/* space.c — chunks, claims, the copy reserve rule, flip and release. */
bool semi_space_init(semi_space *s, size_t capacity, uint8_t id);
void semi_space_destroy(semi_space *s);
/* Claims between min and max bytes (8-aligned) from the allocation space,
 * taking a new chunk if needed (only within the copy reserve unless
 * collecting). Returns 0 when there is no room; *got is the size claimed. */
uintptr_t semi_claim(semi_state *st, size_t min, size_t max, bool collecting,
                     size_t *got);
/* Whether k more chunks may leave the arena (for the LOS), keeping enough
 * free to copy everything the allocation space holds. */
bool semi_reserve_allows(semi_state *st, size_t k);
/* Bytes claimed in the allocation space (buffer tails included). */
size_t semi_space_used(semi_state *st);
void semi_flip(semi_state *st);
/* Gives from-space back to the arena, except chunks with kept objects,
 * which join to-space. */
void semi_release_from(semi_state *st);

/* alloc.c */
/* the driver's: try_alloc, the collection, the ladder (GC_STW_DRIVEN) */
extern const gc_collector_ops semi_collector_ops;

/* copy.c — the collection itself, run with the world stopped by the
 * driver's runner (gc_stw_collect), which records the cycle. */
void semi_collect_stopped(gc_heap *heap, gc_stw_cycle *c);

/* verify.c */
uintptr_t semi_resolve(gc_heap *heap, gc_ref r);
bool semi_verify_object(gc_heap *heap, gc_verifier *v, uintptr_t addr);
bool semi_verify_heap(gc_heap *heap, gc_verifier *v);

#endif
