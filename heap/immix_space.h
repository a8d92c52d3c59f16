/* immix_space.h — the immix space: blocks of lines in arena chunks, shared by
 * the sticky-immix and immix policies and meant for later ones (SATB marking,
 * region collectors). See docs/spaces/immix.md.
 *
 * Blackburn and McKinley's mark-region design (PLDI 2008): memory is cut into
 * blocks (32 KiB) of lines (128 B); mutators bump-allocate into holes (runs of
 * free lines) of recyclable blocks, then into free blocks; objects bigger
 * than a line that do not fit the current hole overflow into a free block of
 * their own (the "overflow allocator"); the collector marks objects and the
 * lines they occupy, and a line that holds no live object is free again
 * after the collection. Blocks are whole blocks of arena chunks (8 of 32 KiB
 * per 256 KiB chunk), and all metadata lives in side tables indexed by the
 * address's offset in the arena, as segfit's do:
 *   - one object mark bit per 8-byte word (objects are 8-byte aligned), so a
 *     mark is found without touching the object and cleared with a memset;
 *   - one mark byte per line, and one per block ("this block has a marked
 *     line", which lets the sweep skip empty blocks without a line scan);
 *   - per block: state, defragmentation-candidate flag, and the last
 *     sweep's census (marked lines, free lines, holes).
 *
 * Conservative line marking (the paper, section 3.2; the Sticky Immix seed): an
 * object of at most one line marks only its first line, and a larger one all
 * its lines but the last; the hole finder then treats the line after any marked
 * line as used too. An object spans at most one line past its last marked one,
 * so this is safe, and it saves computing every small object's extent.
 * Exact marking, the default here, marks every line an object touches: the
 * scan reads each object's size anyway, so the saving is nil, and the
 * implied lines cost space (immix_lines.c has the numbers).
 *
 * Thread safety: object marks, line marks and block marks are set with
 * atomics by parallel GC workers; the free list and chunk acquisition are
 * under sp->lock; mutators take recyclable blocks with a fetch_add on a
 * cursor. Everything else (census, lists, states read for statistics) is
 * written with the world stopped. */
#ifndef GCTB_IMMIX_SPACE_H
#define GCTB_IMMIX_SPACE_H

#include "collector.h"
#include "forward.h"
#include "heap.h"

#define IMMIX_NO_BLOCK UINT32_MAX

/* An evacuating collector uses the header bits of forward.h
 * (immix_defrag.c); GC_HDR_UNLOGGED (0x80) belongs to the sticky write
 * barrier. */

typedef enum immix_block_state {
  IMMIX_UNOWNED = 0, /* its chunk does not belong to the space */
  IMMIX_FREE,        /* no marked line; on the free list */
  IMMIX_RECYCLABLE,  /* some free lines; on the recyclable list */
  IMMIX_FULL,        /* no usable hole */
  IMMIX_IN_USE       /* taken by an allocator since the last sweep */
} immix_block_state;

typedef struct immix_block {
  uint8_t state;     /* immix_block_state */
  uint8_t candidate; /* defragmentation source in this or the last GC */
  uint16_t marked;   /* census of the last sweep: marked lines, */
  uint16_t free;     /* usable free lines (conservative rule applied), */
  uint16_t holes;    /* and runs of usable free lines */
} immix_block;

/* The census of one block's line marks (immix_lines.c). */
typedef struct immix_census {
  unsigned marked, free, holes;
} immix_census;

/* What one sweep found, for the cycle record and the report. */
#define IMMIX_HOLE_BINS 9 /* holes per recyclable block: 1..8, 9 or more */
typedef struct immix_sweep_stats {
  uint32_t free_blocks, recyclable_blocks, full_blocks;
  uint32_t chunks_released;
  uint64_t holes; /* over recyclable blocks */
  uint32_t max_holes;
  uint32_t hole_hist[IMMIX_HOLE_BINS];
  uint64_t free_line_bytes;    /* usable free lines in recyclable blocks */
  uint64_t marked_line_bytes;  /* marked lines over all blocks */
  uint64_t block_bytes_in_use; /* recyclable + full blocks */
} immix_sweep_stats;

/* One collection, as the report lists it. */
typedef struct immix_cycle_log {
  const char *kind; /* "full", "nursery" */
  bool defrag;
  uint32_t candidates;
  uint64_t live_bytes; /* traced (a nursery collection traces survivors) */
  uint64_t objects_copied, bytes_copied, objects_kept; /* evacuation */
  uint64_t remembered; /* remembered-set entries scanned */
  immix_sweep_stats sweep;
} immix_cycle_log;
#define IMMIX_LOG_MAX 10000 /* cycles listed in the report (totals: all) */

typedef struct immix_config {
  size_t block_bytes, line_bytes, large_object_bytes;
  bool conservative;
  double reserve; /* share of the heap mutators leave to the collector */
} immix_config;

typedef struct immix_space {
  gc_heap *heap;
  gc_arena *arena;
  uint8_t id;
  bool conservative;
  unsigned block_log, line_log;
  unsigned lines_per_block, blocks_per_chunk;
  size_t block_bytes, line_bytes;
  uintptr_t base;      /* the arena's base: side tables are indexed from it */
  size_t nblocks;      /* blocks the arena could hold */
  immix_block *blocks; /* per arena block */
  uint8_t *line_mark;  /* per arena line */
  uint8_t *block_mark; /* per arena block */
  uint64_t *obj_mark;  /* one bit per arena word */

  pthread_mutex_t lock; /* free list, chunk acquisition */
  uint32_t *free_list;
  size_t nfree;         /* written under lock; read atomically */
  uint32_t *recyclable; /* filled by the sweep, consumed by mutators */
  size_t nrecyclable;
  size_t recycle_next;    /* atomic cursor into recyclable */
  size_t chunks_held;     /* atomic */
  size_t reserve_blocks;  /* free blocks mutators must leave alone */
  uint64_t handed_out;    /* atomic: bytes given to mutators since the sweep */
  uint64_t handout_limit; /* mutators get no more once handed_out reaches it */

  int evac_exhausted;     /* atomic: this collection's copy space ran out */
  immix_sweep_stats last; /* the last sweep's */
  immix_cycle_log *log;   /* the first IMMIX_LOG_MAX collections */
  size_t nlog, log_cap;
  uint64_t ncycles, sum_in_use, max_in_use; /* block bytes after sweeps */
} immix_space;

/* One allocator: a mutator's (its hole is m->bump_cur/bump_limit) or a GC
 * worker's copy allocator (cur/limit). */
typedef struct immix_allocator {
  uint32_t block;       /* block whose holes we walk; IMMIX_NO_BLOCK if none */
  uint32_t line;        /* line where the next hole search starts */
  uintptr_t cur, limit; /* copy allocators only */
  uintptr_t ov_cur, ov_limit; /* overflow block for medium objects */
  uint64_t kept;              /* copy allocators: objects kept in place */
} immix_allocator;

/* ---- geometry ---- */
static inline size_t immix_block_of(const immix_space *sp, uintptr_t a) {
  return (a - sp->base) >> sp->block_log;
}
static inline uintptr_t immix_block_addr(const immix_space *sp, size_t b) {
  return sp->base + ((uintptr_t)b << sp->block_log);
}
static inline size_t immix_line_of(const immix_space *sp, uintptr_t a) {
  return (a - sp->base) >> sp->line_log;
}
/* A block's line marks. */
static inline uint8_t *immix_lines_of(const immix_space *sp, size_t b) {
  return sp->line_mark + (b << (sp->block_log - sp->line_log));
}
static inline bool immix_owns(const immix_space *sp, uintptr_t a) {
  return gc_arena_space_of(sp->arena, a) == sp->id;
}

/* ---- object marks (set by parallel workers) ---- */
static inline bool immix_is_marked(const immix_space *sp, uintptr_t a) {
  size_t bit = (a - sp->base) >> 3;
  return (__atomic_load_n(&sp->obj_mark[bit >> 6], __ATOMIC_RELAXED) >>
          (bit & 63)) &
         1;
}
/* Sets a's mark bit; true if this call set it. The plain load first skips
 * the locked RMW for objects already marked (shared subgraphs). */
static inline bool immix_mark(immix_space *sp, uintptr_t a) {
  size_t bit = (a - sp->base) >> 3;
  uint64_t *w = &sp->obj_mark[bit >> 6], mask = (uint64_t)1 << (bit & 63);
  if (__atomic_load_n(w, __ATOMIC_RELAXED) & mask)
    return false;
  return !(__atomic_fetch_or(w, mask, __ATOMIC_RELAXED) & mask);
}

/* ---- lines (immix_lines.c: pure functions on a block's mark bytes) ---- */
/* Whether line i can take new objects: unmarked and, under the conservative
 * rule, not right after a marked line. */
static inline bool immix_line_usable(const uint8_t *marks, unsigned i,
                                     bool conservative) {
  return !marks[i] && !(conservative && i > 0 && marks[i - 1]);
}
/* The next hole at or after line `from` of a block of n lines: its lines
 * [*lo, *hi). False if there is none. */
bool immix_hole_find(const uint8_t *marks, unsigned n, unsigned from,
                     bool conservative, unsigned *lo, unsigned *hi);
void immix_census_of(const uint8_t *marks, unsigned n, bool conservative,
                     immix_census *out);
/* The lines [*first, *last] an object at byte offset off (from a line
 * boundary that starts the block) of bytes bytes marks: under the
 * conservative rule its first line if it fits in a line, else all its lines
 * but the last; exactly, every line it touches. */
static inline void immix_lines_to_mark(size_t off, size_t bytes,
                                       unsigned line_log, bool conservative,
                                       size_t *first, size_t *last) {
  size_t end = (off + bytes - 1) >> line_log;
  *first = off >> line_log;
  if (!conservative)
    *last = end;
  else if (bytes <= ((size_t)1 << line_log))
    *last = *first;
  else /* more than a line: end > first */
    *last = end - 1;
}

/* Object size from a header read atomically: evacuating workers may CAS the
 * header of an object another worker is scanning. */
static inline size_t immix_object_bytes(uintptr_t a) {
  uint64_t h = __atomic_load_n((uint64_t *)a, __ATOMIC_RELAXED);
  return gc_object_bytes(gc_type_by_id(gc_header_type(h)), gc_header_length(h),
                         1);
}

/* ---- the space (immix_space.c) ---- */
/* line_marking's choices; exact is the default: see immix_lines.c. */
enum { IMMIX_CONSERVATIVE, IMMIX_EXACT };
extern const char *const immix_line_marking_choices[];
/* The options both immix policies declare (a table fragment). */
// clang-format off
#define IMMIX_SPACE_OPTIONS                                                    \
  {"block_bytes", GC_OPT_SIZE,                                                 \
   "block size: a power of two dividing the 256 KiB arena chunk",              \
   32768, 4096, 262144, NULL},                                                 \
  {"line_bytes", GC_OPT_SIZE,                                                  \
   "line size: a power of two, at most a quarter of a block",                  \
   128, 32, 65536, NULL},                                                      \
  {"large_object_bytes", GC_OPT_SIZE,                                          \
   "objects at least this big go to the large-object space (at most a "       \
   "block)", 8192, 1024, 262144, NULL},                                        \
  {"line_marking", GC_OPT_ENUM,                                                \
   "exact: every line an object touches is marked; conservative: a small "     \
   "object marks its first line and the next is assumed used (the paper, "     \
   "the Sticky Immix seed)", IMMIX_EXACT, 0, 0, immix_line_marking_choices}
// clang-format on

/* Reads the shared options (reserve set by the caller); false with a
 * message on an impossible geometry. */
bool immix_config_read(immix_config *c, const gc_options *opts, char *err,
                       size_t errlen);
bool immix_space_init(immix_space *sp, gc_heap *heap, const immix_config *c,
                      const char *name, char *err, size_t errlen);
void immix_space_destroy(immix_space *sp);
/* Free blocks on the list plus those the arena's free chunks would give. */
size_t immix_free_blocks(immix_space *sp);
/* Takes a free block for an allocator (state IN_USE); a mutator
 * (for_mutator) leaves sp->reserve_blocks alone. IMMIX_NO_BLOCK if none. */
uint32_t immix_take_free(immix_space *sp, bool for_mutator);
/* Takes the next recyclable block; IMMIX_NO_BLOCK if none is left. */
uint32_t immix_take_recyclable(immix_space *sp);
/* Bytes of blocks that are not free, plus the LOS (the footprint). */
size_t immix_bytes_in_use(immix_space *sp);

/* ---- allocation (immix_alloc.c) ---- */
void immix_allocator_reset(immix_allocator *a);
/* A mutator's slow path: the current hole, the overflow block for medium
 * objects, the next hole. Returns zeroed memory, or 0 when the space has
 * no room the mutator may use (collect, then retry). */
uintptr_t immix_mutator_alloc(immix_space *sp, immix_allocator *a,
                              gc_mutator *m, size_t bytes);
/* Drops m's hole and overflow block (before a collection, at detach). */
void immix_mutator_retire(immix_space *sp, immix_allocator *a, gc_mutator *m);
/* A large object from the LOS, within the handout limit and leaving the
 * reserve (unless after_gc: then any room will do). 0 if none. */
uintptr_t immix_los_alloc(immix_space *sp, gc_mutator *m, size_t bytes,
                          bool after_gc);
/* One allocation attempt for the driver (heap/collector.h, gc_stw_alloc):
 * small and medium objects in the space, large ones in the LOS (past the
 * reserve once this thread collected, at->own > 0). Header written, payload
 * zeroed; GC_NULL when there is no room. Never collects. */
gc_ref immix_try_alloc(immix_space *sp, immix_allocator *a, gc_mutator *m,
                       size_t bytes, uint64_t header, const gc_alloc_try *at);
/* The immix policies' bound on attempts in all per allocation (other
 * threads filling the space between our collection and our retry). */
#define IMMIX_ALLOC_ATTEMPTS 16
/* A GC worker's copy allocation, from free blocks only (the reserve
 * included); 0 when none is left. Not zeroed: a copy fills its bytes. */
uintptr_t immix_copy_alloc(immix_space *sp, immix_allocator *a, size_t bytes);
void immix_log_cycle(immix_space *sp, const immix_cycle_log *c);
/* Clears object, line and block marks of every block (full collections). */
void immix_clear_marks(immix_space *sp);
/* Clears the LOS's marks: sticky collections keep them between nursery
 * collections, so a full one must start from none. */
void immix_los_clear_marks(gc_los *l);
/* After tracing: census every block, rebuild the free and recyclable lists,
 * give wholly free chunks back to the arena. */
void immix_sweep(immix_space *sp, immix_sweep_stats *st);

/* ---- defragmentation (immix_defrag.c) ---- */
typedef enum immix_defrag_mode {
  IMMIX_DEFRAG_OFF,
  IMMIX_DEFRAG_NORMAL,
  IMMIX_DEFRAG_EVERY
} immix_defrag_mode;
extern const char *const immix_defrag_choices[];
/* The hole count above which blocks are evacuated: walking from the most
 * fragmented bin down, the live lines of the bins taken must fit in
 * available_lines. mark_hist[h]: marked lines of blocks with h holes. */
unsigned immix_defrag_threshold(const uint64_t *mark_hist, unsigned nbins,
                                uint64_t available_lines);
/* Flags this collection's candidates (clearing the last ones); every:
 * every block holding live data. Returns how many. */
size_t immix_select_candidates(immix_space *sp, immix_defrag_mode mode);
static inline bool immix_is_candidate(const immix_space *sp, uintptr_t a) {
  return sp->blocks[immix_block_of(sp, a)].candidate;
}
/* The address a reference to obj (in a candidate block) must hold: its
 * copy, made here if no worker has claimed it, or obj itself, marked in
 * place, once the copy space is exhausted. Pushes what must be scanned. */
uintptr_t immix_evacuate(immix_space *sp, gc_worker *w, immix_allocator *ca,
                         uintptr_t obj);

/* ---- verification and statistics (immix_verify.c) ---- */
/* Checks the object at addr (in the space): lines agree with its mark,
 * header bits clean; after_gc: it must be marked. */
bool immix_verify_object(immix_space *sp, gc_verifier *v, uintptr_t addr,
                         bool after_gc);
/* Block states against line marks and lists, chunk accounting. */
bool immix_verify_space(immix_space *sp, gc_verifier *v);
json_t *immix_sweep_json(const immix_sweep_stats *st);
/* The space, its last sweep, the cycle log and its summary. */
void immix_report_space(immix_space *sp, json_t *out);

#endif
