/* regions.h — a region-based space: equal regions of whole arena chunks,
 * bump allocation of thread-local buffers (labs) out of a current region, a
 * side mark bitmap with a top-at-mark-start per region, a collection-set
 * map, and walking a region's objects. The shenandoah policy is built on it;
 * any region collector (a G1-like one, say) can reuse it.
 *
 * Regions come from the arena when needed and go back to it when freed, so
 * the large-object space and the regions share the heap. A region's objects
 * lie between start and top, contiguous: a lab's unused tail is filled when
 * the lab is retired (gc_regions_fill), so the part of a region no marking
 * has seen can be walked object by object (gc_regions_walk). Below the
 * region's tams (top at mark start, Printezis and Detlefs, ISMM 2000, as
 * Shenandoah keeps it) liveness is the mark bitmap; at or above it every
 * object counts as live (allocated during marking).
 *
 * Threads: take/release and lab carving are under the space's lock; top,
 * tams, live, the bitmap and the cset map are read and written atomically.
 */
#ifndef GCTB_REGIONS_H
#define GCTB_REGIONS_H

#include "arena.h"
#include "gctb.h"
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum gc_region_state {
  GC_REGION_FREE, /* in the arena */
  GC_REGION_USED, /* holds objects */
  GC_REGION_CSET  /* being evacuated; freed at the end of the cycle */
} gc_region_state;

typedef struct gc_region {
  uintptr_t start, end;
  uintptr_t top;       /* atomic; end of the last lab or object carved */
  uintptr_t tams;      /* atomic; top at mark start */
  uintptr_t watermark; /* top when updating references began */
  uint64_t live;       /* atomic; bytes marked below tams this cycle */
  int state;        /* gc_region_state; changes under the lock or in pauses */
  bool evac_failed; /* an object of this cset region could not be copied */
  uint32_t index;   /* in the space's in-use list */
} gc_region;

typedef struct gc_regions {
  gc_arena *arena;
  uint8_t space;
  size_t region_bytes, region_chunks;
  unsigned region_log;
  gc_region *by_chunk; /* descriptor of the region starting at each chunk */
  uint32_t *region_at; /* per chunk: 1 + first chunk of its region, 0 none */
  uint8_t *cset;       /* per chunk: in the collection set */
  uint64_t *bitmap;    /* one bit per word of the arena */
  pthread_mutex_t lock;
  gc_region **used; /* regions in use, in no order */
  size_t nused, used_cap;
  uint64_t hdr_words;
} gc_regions;

/* region_bytes: a power of two, at least one chunk. */
bool gc_regions_init(gc_regions *rs, gc_arena *a, const char *name,
                     size_t region_bytes, unsigned hdr_words, char *err,
                     size_t errlen);
void gc_regions_destroy(gc_regions *rs);

/* A fresh region (top = tams = start, no marks), or NULL: the arena is full.
 * Takes the lock. */
gc_region *gc_regions_take(gc_regions *rs);
/* Gives a region back to the arena: marks cleared, cset bit cleared. */
void gc_regions_release(gc_regions *rs, gc_region *r);
/* Regions in use; stable only under the lock or while nothing takes or
 * releases (a pause, or the one thread that does). */
static inline size_t gc_regions_count(gc_regions *rs) {
  return __atomic_load_n(&rs->nused, __ATOMIC_RELAXED);
}

static inline bool gc_regions_owns(const gc_regions *rs, uintptr_t addr) {
  return gc_arena_space_of(rs->arena, addr) == rs->space;
}
/* The region holding addr (which the space must own). */
static inline gc_region *gc_region_of(const gc_regions *rs, uintptr_t addr) {
  size_t c = gc_arena_chunk_index(rs->arena, addr);
  return &rs->by_chunk[rs->region_at[c] - 1];
}

/* ---- the collection set ---- */
static inline bool gc_regions_in_cset(const gc_regions *rs, uintptr_t addr) {
  return gc_arena_contains(rs->arena, addr) &&
         __atomic_load_n(&rs->cset[gc_arena_chunk_index(rs->arena, addr)],
                         __ATOMIC_RELAXED);
}
void gc_regions_set_cset(gc_regions *rs, gc_region *r, bool on);

/* ---- marking ---- */
static inline uint64_t *gc__regions_word(const gc_regions *rs, uintptr_t a,
                                         uint64_t *bit) {
  size_t i = (a - rs->arena->base) >> 3;
  *bit = (uint64_t)1 << (i & 63);
  return &rs->bitmap[i >> 6];
}
/* Sets addr's mark bit; true if this call set it. */
static inline bool gc_regions_mark(gc_regions *rs, uintptr_t addr) {
  uint64_t bit, *w = gc__regions_word(rs, addr, &bit);
  if (__atomic_load_n(w, __ATOMIC_RELAXED) & bit)
    return false;
  return !(__atomic_fetch_or(w, bit, __ATOMIC_RELAXED) & bit);
}
static inline bool gc_regions_bit(const gc_regions *rs, uintptr_t addr) {
  uint64_t bit, *w = gc__regions_word(rs, addr, &bit);
  return (__atomic_load_n(w, __ATOMIC_RELAXED) & bit) != 0;
}
/* Live for this cycle's marking: marked, or allocated since it began. */
static inline bool gc_regions_is_marked(const gc_regions *rs, uintptr_t addr) {
  gc_region *r = gc_region_of(rs, addr);
  return addr >= __atomic_load_n(&r->tams, __ATOMIC_RELAXED) ||
         gc_regions_bit(rs, addr);
}
/* Clears the marks of [r->start, r->top) and its live count. */
void gc_regions_clear_marks(gc_regions *rs, gc_region *r);

typedef void (*gc_region_object_fn)(uintptr_t obj, void *ctx);
/* Calls fn for every marked object in [from, to). */
void gc_regions_each_marked(gc_regions *rs, uintptr_t from, uintptr_t to,
                            gc_region_object_fn fn, void *ctx);
/* Calls fn for every object in [from, to), which must be parsable: whole
 * objects, fillers (skipped) and zero words (skipped). */
void gc_regions_walk(gc_regions *rs, uintptr_t from, uintptr_t to,
                     gc_region_object_fn fn, void *ctx);

/* ---- labs ---- */
typedef struct gc_lab {
  uintptr_t cur, end;
} gc_lab;

/* Makes [from, to) parsable: a filler object, or zero words when it is too
 * small for one. */
void gc_regions_fill(gc_regions *rs, uintptr_t from, uintptr_t to);
/* Carves between min and want bytes from *cur (taking a new region into
 * *cur when it has less than min left and may_take(ctx) agrees). Returns
 * the start (size in *got), 0 when no region can be had. Under the lock. */
uintptr_t gc_regions_carve(gc_regions *rs, gc_region **cur, size_t min,
                           size_t want, size_t *got,
                           bool (*may_take)(void *ctx), void *ctx);
/* Retires a lab: fills its unused tail. */
void gc_regions_retire_lab(gc_regions *rs, gc_lab *lab);

/* Bytes in use by regions (whole regions). */
static inline size_t gc_regions_bytes(gc_regions *rs) {
  return gc_regions_count(rs) * rs->region_bytes;
}

#endif
