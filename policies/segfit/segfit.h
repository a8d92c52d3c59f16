/* segfit.h — internal interface of the segregated-fit mark-sweep policy
 * (seed 001). See docs/policies/segfit.md.
 *
 * A pool is one arena chunk given to one size class, cut into blocks of 64
 * cells. Its metadata lives outside the chunk, in side tables indexed by the
 * chunk's index in the arena: cells then start at the chunk's first byte (the
 * 4096-byte class keeps all 64 of its cells; cell address = chunk base +
 * index * size), and marking and sweeping touch only the dense side bitmaps,
 * never the objects' cache lines.
 */
#ifndef SEGFIT_H
#define SEGFIT_H

#include "../../heap/heap.h"
#include "../../heap/sizeclass.h"
#include "freebits.h"

/* Blocks in one chunk for the smallest class: 256 KiB / 16 B / 64. */
#define SEGFIT_MAX_BLOCKS (GC_CHUNK_BYTES / 16 / SEGFIT_BLOCK_CELLS)
#define SEGFIT_NO_CLASS 0xff
#define SEGFIT_SWEEPING UINT64_MAX /* pool->swept while a thread sweeps it */

typedef struct segfit_pool {
  uint64_t swept; /* atomic: epoch of the last sweep (lazy sweeping) */
  uint8_t cls;    /* size class, SEGFIT_NO_CLASS while the chunk is not ours */
} segfit_pool;

/* One size class: its geometry and its pools, in creation order. */
typedef struct segfit_class {
  uint32_t size, recip;     /* cell bytes; gc_sizeclass_div multiplier */
  uint32_t ncells, nblocks; /* per pool */
  uint64_t last_mask;       /* cells that exist in the last block */
  uint32_t *list;           /* chunk indices of this class's pools */
  size_t npools;            /* atomic; grows under lock, shrinks in pauses */
  /* atomic: list position * SEGFIT_MAX_BLOCKS + block where find_block
   * resumes. Every block before it was seen empty since the last sweep, and
   * emptied words stay empty until the next one, so nothing is missed. */
  uint64_t cursor;
  pthread_mutex_t lock;
} __attribute__((aligned(64))) segfit_class;

typedef enum segfit_sweep {
  SEGFIT_SWEEP_EAGER,
  SEGFIT_SWEEP_LAZY
} segfit_sweep;

typedef struct segfit_state {
  gc_heap *heap;
  uint8_t space; /* arena space id of our chunks */
  segfit_sweep sweep;
  double trigger;
  size_t nchunks;
  uint64_t epoch;       /* bumped by each collection; read in find_block */
  size_t grow_limit;    /* arena chunks in use above which we collect first */
  segfit_pool *pools;   /* per arena chunk */
  uint64_t *free_words; /* per arena chunk: SEGFIT_MAX_BLOCKS words */
  uint64_t *mark_words; /* likewise */
  size_t chunks_held;   /* atomic */
  uint64_t chunks_released; /* over the run, for the report */
  segfit_class cls[GC_SIZECLASS_COUNT];
} segfit_state;

static inline segfit_state *segfit_of(gc_heap *heap) {
  return heap->policy_state;
}
static inline uint64_t *segfit_free_of(segfit_state *s, size_t chunk) {
  return s->free_words + chunk * SEGFIT_MAX_BLOCKS;
}
static inline uint64_t *segfit_mark_of(segfit_state *s, size_t chunk) {
  return s->mark_words + chunk * SEGFIT_MAX_BLOCKS;
}
static inline uintptr_t segfit_chunk_base(const segfit_state *s, size_t chunk) {
  return s->heap->arena.base + (chunk << GC_CHUNK_LOG);
}
static inline bool segfit_owns(const segfit_state *s, uintptr_t addr) {
  return gc_arena_space_of(&s->heap->arena, addr) == s->space;
}

/* pool.c */
uint64_t segfit_find_block(segfit_state *s, unsigned c, uintptr_t *base);
uint64_t segfit_grow(segfit_state *s, unsigned c, uintptr_t *base);
void segfit_ensure_swept(segfit_state *s, size_t chunk);
bool segfit_over_trigger(segfit_state *s);
void segfit_set_trigger(segfit_state *s);
void segfit_release(segfit_state *s, size_t chunk);

/* alloc.c */
gc_ref segfit_alloc_slow(gc_mutator *m, size_t bytes, uint64_t header);
void segfit_collect(gc_mutator *m, gc_collect_reason why);
void segfit_drop_caches(gc_mutator *m);

/* mark.c: marks everything reachable; totals in *sum. */
void segfit_mark(gc_heap *heap, gc_worker *sum);

/* sweep.c: clears marks before marking, sweeps (or arms lazy sweeping)
 * after, returning empty chunks to the arena. */
void segfit_clear_marks(segfit_state *s);
void segfit_sweep_all(segfit_state *s);

/* collect.c: the whole collection, run inside gc_collect_stw. */
void segfit_collect_stw(gc_heap *heap, void *why);

/* verify.c */
bool segfit_cell_in_use(segfit_state *s, size_t chunk, uint32_t cell);
bool segfit_verify_object(gc_heap *heap, gc_verifier *v, uintptr_t addr);
bool segfit_verify_heap(gc_heap *heap, gc_verifier *v);
size_t segfit_heap_used(gc_heap *heap);
void segfit_report(gc_heap *heap, json_t *out);

#endif
