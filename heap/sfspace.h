/* sfspace.h — the segregated-fit space: size-class pools of 64-cell
 * free-bits blocks (the "My GC" seed), shared by the segfit policy
 * (stop-the-world mark-sweep) and the satb and otf policies (concurrent
 * marking). See docs/spaces/sfspace.md.
 *
 * A pool is one page (GC_SF_PAGE_BYTES, 32 KiB: an eighth of an arena
 * chunk) given to one size class, cut into blocks of 64 cells. The space
 * takes whole chunks from the arena and carves them into pages; a page
 * that a sweep leaves wholly free goes back to the space's shared page
 * pool, where any class takes it (re-purposed), and a chunk whose pages
 * are all free goes back to the arena (for the LOS and other spaces).
 * Pages rather than chunks keep a class that runs out from starving while
 * other classes hold free memory: with 256 KiB pools, 28 classes needed 7
 * MiB before holding a byte, and a pool emptied only when every one of its
 * cells did.
 *
 * Metadata lives outside the page, in side tables indexed by the page's
 * index in the arena (address - arena base >> GC_SF_PAGE_LOG): cells then
 * start at the page's first byte (cell address = page base + index *
 * size), and marking and sweeping touch only the dense side bitmaps,
 * never the objects' cache lines.
 *
 * What the space does: find a block with free cells and claim its word
 * (find_block, which also re-purposes a free page), take a fresh chunk
 * (grow), fill and drop mutators' free-bits caches (optionally "black":
 * the claimed cells are marked as they are handed out, for a collector
 * that marks while mutators allocate), mark bits, sweeping (eager in a
 * pause, lazy on an allocator's first look, or by a background thread
 * racing allocators through the same per-pool claim), releasing empty
 * pools, and the verifier's and statistics' views of cells. What it leaves
 * to the policy: when to collect, tracing, roots, the LOS.
 */
#ifndef GCTB_SFSPACE_H
#define GCTB_SFSPACE_H

#include "freebits.h"
#include "heap.h"
#include "sizeclass.h"

#define GC_SF_PAGE_LOG 15 /* 32 KiB pools */
#define GC_SF_PAGE_BYTES ((size_t)1 << GC_SF_PAGE_LOG)
#define GC_SF_CHUNK_PAGES (GC_CHUNK_BYTES / GC_SF_PAGE_BYTES)
/* Blocks in one page for the smallest class: 32 KiB / 16 B / 64. */
#define GC_SF_MAX_BLOCKS (GC_SF_PAGE_BYTES / 16 / GC_FB_BLOCK_CELLS)
_Static_assert(GC_SF_CHUNK_PAGES >= 1 && GC_SF_CHUNK_PAGES <= 32,
               "gc_sf_space.chunk_free holds a chunk's pages in 32 bits");
#define GC_SF_SWEEPING UINT64_MAX /* pool->swept while a thread sweeps it */

typedef struct gc_sf_pool {
  uint64_t swept; /* atomic: epoch of the last sweep */
  /* size class; a free page keeps its last one (a valid index, so that a
   * marker handed a bad reference indexes no class table out of bounds) */
  uint8_t cls;
  uint8_t free; /* in the space's page pool (or its chunk is not ours) */
  /* atomic: set when a mark bit of the pool is set, cleared with them, so
   * that finding the pools a collection left empty reads one byte per pool
   * (in the pause) instead of their mark words. Never clear while a mark
   * is set; may stay set after an unmark (the pool is then kept a cycle). */
  uint8_t marked;
} gc_sf_pool;

/* One size class: its geometry and its pools, in creation order. */
typedef struct gc_sf_class {
  uint32_t size, recip;     /* cell bytes; gc_sizeclass_div multiplier */
  uint32_t ncells, nblocks; /* per pool */
  uint64_t last_mask;       /* cells that exist in the last block */
  uint32_t *list;           /* page indices of this class's pools */
  size_t npools;            /* atomic; grows under lock, shrinks in pauses */
  /* atomic: list position * GC_SF_MAX_BLOCKS + block where find_block
   * resumes. Every block before it was seen empty since the last sweep, and
   * emptied words stay empty until the next one, so nothing is missed. */
  uint64_t cursor;
  pthread_mutex_t lock;
} __attribute__((aligned(64))) gc_sf_class;

typedef enum gc_sf_sweep {
  GC_SF_SWEEP_EAGER, /* every pool swept in the pause */
  GC_SF_SWEEP_LAZY   /* pause releases empty pools; the rest swept later */
} gc_sf_sweep;

typedef struct gc_sf_space {
  gc_arena *arena;
  uint8_t space; /* arena space id of our chunks */
  /* Sweeping zeroes the mark words it reads (gc_fb_sweep's clear): set by a
   * policy that cannot clear them in a pause. */
  bool clear_on_sweep;
  /* Header GC bits of objects allocated in black (marked) cells: what the
   * fast path ORs in from the cache (gc_freebits_cache.hdr_bits); otf-gen's
   * GC_HDR_UNLOGGED, since a black object is old. */
  uint32_t black_hdr_bits;
  size_t nchunks; /* arena chunks */
  size_t npages;  /* pages they hold: the pool tables' length */
  uint64_t epoch; /* bumped by each collection (in a pause, or by
                   * gc_sf_begin_sweep while mutators run); atomic */
  /* atomic: while set, no thread sweeps a pool and find_block skips the
   * unswept ones (gc_sf_begin_sweep: a sweep started with no pause) */
  int sweep_gate;
  gc_sf_pool *pools;    /* per page */
  uint64_t *free_words; /* per page: GC_SF_MAX_BLOCKS words */
  uint64_t *mark_words; /* likewise */
  size_t pages_held;    /* atomic: pages listed in some class */
  /* The shared page pool (sfspace_pages.c), under page_lock: per arena
   * chunk, bit i set when page i of the chunk is ours and free; the chunks
   * with some but not all pages free, as a set (partial, with each chunk's
   * position in partial_at). */
  pthread_mutex_t page_lock;
  uint32_t *chunk_free;
  uint32_t *partial, *partial_at;
  size_t npartial;
  uint64_t pages_released;  /* over the run, for the report: to the pool */
  uint64_t pages_reused;    /* taken from the pool by a class */
  uint64_t chunks_released; /* given back to the arena */
  gc_sf_class cls[GC_SIZECLASS_COUNT];
} gc_sf_space;

static inline uint64_t *gc_sf_free_of(gc_sf_space *sp, size_t page) {
  return sp->free_words + page * GC_SF_MAX_BLOCKS;
}
static inline uint64_t *gc_sf_mark_of(gc_sf_space *sp, size_t page) {
  return sp->mark_words + page * GC_SF_MAX_BLOCKS;
}
static inline uintptr_t gc_sf_page_base(const gc_sf_space *sp, size_t page) {
  return sp->arena->base + (page << GC_SF_PAGE_LOG);
}
static inline size_t gc_sf_page_index(const gc_sf_space *sp, uintptr_t addr) {
  return (addr - sp->arena->base) >> GC_SF_PAGE_LOG;
}
static inline bool gc_sf_owns(const gc_sf_space *sp, uintptr_t addr) {
  return gc_arena_space_of(sp->arena, addr) == sp->space;
}

/* Entry li of a class's pool list: atomic, since the otf policy compacts
 * lists while allocators read them (sfspace_retire.c). */
static inline uint32_t gc_sf_listed(const gc_sf_class *k, size_t li) {
  return __atomic_load_n(&k->list[li], __ATOMIC_RELAXED);
}

/* Where an address of the space lies: its page, class and cell. */
typedef struct gc_sf_cell {
  size_t page;
  uint32_t cell;
  const gc_sf_class *k;
} gc_sf_cell;

static inline gc_sf_cell gc_sf_cell_of(gc_sf_space *sp, uintptr_t addr) {
  size_t page = gc_sf_page_index(sp, addr);
  /* atomic: a concurrent marker may meet an object in a page another
   * thread has just given to a class */
  const gc_sf_class *k =
      &sp->cls[__atomic_load_n(&sp->pools[page].cls, __ATOMIC_RELAXED)];
  uint32_t off = (uint32_t)(addr - gc_sf_page_base(sp, page));
  return (gc_sf_cell){page, gc_sizeclass_div(off, k->recip), k};
}
static inline uintptr_t gc_sf_cell_addr(gc_sf_space *sp, gc_sf_cell c) {
  return gc_sf_page_base(sp, c.page) + (uintptr_t)c.cell * c.k->size;
}
static inline uint64_t *gc_sf_mark_word(gc_sf_space *sp, gc_sf_cell c) {
  return &gc_sf_mark_of(sp, c.page)[c.cell / GC_FB_BLOCK_CELLS];
}
/* The load first keeps the pool's line shared among markers. */
static inline void gc_sf_note_marked(gc_sf_space *sp, size_t page) {
  uint8_t *f = &sp->pools[page].marked;
  if (!__atomic_load_n(f, __ATOMIC_RELAXED))
    __atomic_store_n(f, 1, __ATOMIC_RELAXED);
}

/* Marks the cell holding addr (an address the space owns); returns the
 * cell's start if this call marked it, 0 if it was marked already. */
static inline uintptr_t gc_sf_mark(gc_sf_space *sp, uintptr_t addr) {
  gc_sf_cell c = gc_sf_cell_of(sp, addr);
  if (!gc_fb_mark(gc_sf_mark_word(sp, c), c.cell % GC_FB_BLOCK_CELLS))
    return 0;
  gc_sf_note_marked(sp, c.page);
  return gc_sf_cell_addr(sp, c);
}
static inline bool gc_sf_is_marked(gc_sf_space *sp, uintptr_t addr) {
  gc_sf_cell c = gc_sf_cell_of(sp, addr);
  return gc_fb_is_set(gc_sf_mark_word(sp, c), c.cell % GC_FB_BLOCK_CELLS);
}

/* A marker's view of the space and the LOS together (the concurrent
 * policies' satb_mark_fn and satb_is_marked_fn): mark returns the object's
 * address if this call marked it, 0 if it was marked already or is in
 * neither space (the verifier reports such a reference). */
static inline uintptr_t gc_sf_los_mark(gc_sf_space *sp, gc_los *los, gc_ref r) {
  uint8_t space = gc_arena_space_of(sp->arena, r);
  if (space == sp->space)
    return gc_sf_mark(sp, r);
  if (space == los->space)
    return gc_los_mark(los, r) ? r : 0;
  return 0;
}
static inline bool gc_sf_los_is_marked(gc_sf_space *sp, gc_los *los, gc_ref r) {
  uint8_t space = gc_arena_space_of(sp->arena, r);
  if (space == sp->space)
    return gc_sf_is_marked(sp, r);
  if (space == los->space)
    return gc_los_is_marked(los, r);
  return true; /* nothing to record */
}

/* sfspace.c: set-up, blocks, pools, mutator caches */
bool gc_sf_init(gc_sf_space *sp, gc_arena *arena, const char *name, char *err,
                size_t errlen);
void gc_sf_destroy(gc_sf_space *sp);
/* Claims a block of class c with free cells, from the class's pools or
 * else from a free page of the space's page pool (memory the space holds
 * already: no arena chunk is taken); its first cell in *base. Returns the
 * claimed free bits, 0 when every pool of the class is full and no page is
 * free. */
uint64_t gc_sf_find_block(gc_sf_space *sp, unsigned c, uintptr_t *base);
/* Takes a page for class c (a free one, else from a fresh arena chunk) and
 * claims its first block; 0 when the arena is exhausted. */
uint64_t gc_sf_grow(gc_sf_space *sp, unsigned c, uintptr_t *base);
/* Sweeps the pool (if this epoch has not) before anyone allocates in it. */
void gc_sf_ensure_swept(gc_sf_space *sp, size_t page);
/* Gives an unlisted pool's page back to the page pool, and its chunk to
 * the arena when all the chunk's pages are free (world stopped, or every
 * mutator has passed a safepoint since the page was unlisted). */
void gc_sf_release(gc_sf_space *sp, size_t page);
/* Arena chunks in use, by every space. */
size_t gc_sf_arena_used(const gc_sf_space *sp);

/* sfspace_pages.c: the shared page pool (under sp->page_lock) */
bool gc_sf_pages_init(gc_sf_space *sp);
void gc_sf_pages_destroy(gc_sf_space *sp);
/* A free page of a chunk the space holds, or SIZE_MAX; with from_arena,
 * takes and carves a fresh chunk when none is free (SIZE_MAX when the
 * arena is exhausted). The page is the caller's, marked not free. */
size_t gc_sf_page_take(gc_sf_space *sp, bool from_arena);
/* Pages in the pool (free pages of held chunks). */
size_t gc_sf_pages_free(gc_sf_space *sp);

/* sfspace_cache.c: the mutator's per-class caches (m->fb, gctb.h) */
/* Points m's cache of class c at a claimed block; with black, marks the
 * claimed cells first (allocation during concurrent marking) and gives
 * their objects black_hdr_bits. */
void gc_sf_cache_set(gc_sf_space *sp, gc_mutator *m, unsigned c, uintptr_t base,
                     uint64_t bits, bool black);
/* Marks the cells still in m's caches (a marking cycle starts: what m
 * allocates from them from now on is black, with black_hdr_bits). */
void gc_sf_cache_blacken(gc_sf_space *sp, gc_mutator *m);
/* Empties m's caches; with unmark, clears the marks of the cells never
 * handed out (they were allocated black and hold no object). */
void gc_sf_cache_drop(gc_sf_space *sp, gc_mutator *m, bool unmark);
/* Hands out the next cell of m's (non-empty) cache of class c, zeroed
 * (freed cells hold stale objects), with its header written. */
gc_ref gc_sf_cache_take(gc_mutator *m, unsigned c, uint64_t header);
/* Sets m's size-class table and empty caches (mutator_attach). */
void gc_sf_cache_attach(gc_mutator *m);

/* sfspace_sweep.c */
void gc_sf_clear_marks(gc_sf_space *sp);
/* The same while mutators run, with atomic stores: for a collector whose
 * mutators only read marks between cycles (otf-gen before a full one). */
void gc_sf_clear_marks_concurrent(gc_sf_space *sp);
/* After marking, in the pause, with sp->epoch already bumped: sweeps every
 * pool (eager) or only checks it (lazy), releasing pools with no mark. */
void gc_sf_sweep_all(gc_sf_space *sp, gc_sf_sweep mode);
/* Sweeps every pool not yet swept in this epoch, racing allocators through
 * the per-pool claim; returns the pools this call swept. */
size_t gc_sf_sweep_rest(gc_sf_space *sp);
/* True if no listed pool has a mark bit set (between concurrent cycles). */
bool gc_sf_marks_clear(gc_sf_space *sp);
/* A sweep started while mutators allocate (the otf policy): every pool
 * becomes unswept, but nobody may sweep one yet — an allocator that read
 * the old epoch may still be claiming cells from the old free bits, and a
 * sweep would hand them out again. The gate stays shut until the caller has
 * seen every mutator pass a safepoint (a handshake), then
 * gc_sf_open_sweep lets allocators and gc_sf_sweep_rest sweep. */
void gc_sf_begin_sweep(gc_sf_space *sp);
void gc_sf_open_sweep(gc_sf_space *sp);
/* sfspace_retire.c: claims every wholly free pool (at most cap; sp->npages
 * covers them all), drops it from its class and writes its page to out;
 * returns how many. Mutators may run; give the pages back (gc_sf_release)
 * only after every mutator has passed a safepoint since. */
size_t gc_sf_retire_free(gc_sf_space *sp, uint32_t *out, size_t cap);
/* True if the pool holding addr has been swept in the given epoch (an
 * object given out there now is not freed by that epoch's sweep). */
bool gc_sf_swept_in(gc_sf_space *sp, uintptr_t addr, uint64_t epoch);

/* sfspace_verify.c: the verifier's and statistics' view */
bool gc_sf_cell_in_use(gc_sf_space *sp, size_t page, uint32_t cell);
bool gc_sf_verify_object(gc_sf_space *sp, gc_verifier *v, uintptr_t addr);
bool gc_sf_verify_space(gc_sf_space *sp, gc_verifier *v);
/* verify_object for a policy whose heap is this space and the LOS: a cell
 * in use of the space or a large object's start (gc_verify_large_object);
 * with unmarked set, also marked (see there). */
bool gc_sf_los_verify_object(gc_sf_space *sp, gc_heap *heap, gc_verifier *v,
                             uintptr_t addr, const char *unmarked);
/* Cell bytes holding objects (cached, unallocated cells count). */
size_t gc_sf_used_bytes(gc_sf_space *sp);
/* Adds per-class pools, cells and fragmentation to out. */
void gc_sf_report(gc_sf_space *sp, json_t *out);

#endif
