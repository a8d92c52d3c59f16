/* hc.h — the handle-copy policy's shared state (private to the policy).
 *
 * The handle-table seed (docs/policies/handle-copy.md): references are handles,
 * indices into a table whose entry holds the object's address and a lock; two
 * semispaces; objects are copied from one to the other by the mutators
 * themselves, a few at a time, while reads go on through the table.
 *
 * Memory: each space is a list of arena extents (runs of 256 KiB chunks).
 * Every object is a *record*: one prefix word holding its handle, then the
 * object. The prefix words make a space parseable from start to end, which
 * is the seed's "linked list of all objects with type and size": next =
 * this + 8 + size, type and size come from the header, and an object is "on
 * the list" of the space its handle points into (moving it is one store to
 * the handle). Gaps are covered by filler records so a space can be parsed
 * at any safepoint.
 */
#ifndef HC_HC_H
#define HC_HC_H

#include "../../heap/heap.h"

/* Low bits of an entry's address word (word 0). The inline read path masks
 * them off (gctb.h: gc_ref_address). */
#define HC_E_BUSY                                                              \
  0x1u /* locked (8-byte entries) or being copied (lock-free)                  \
        */
#define HC_E_FREE                                                              \
  0x2u /* free slot: the word holds the next free index << 3                   \
        */

/* Prefix word of a record: handle << 1 for an object, bytes << 1 | 1 for a
 * filler covering bytes (prefix included). */
#define HC_PREFIX_FILLER 0x1u

typedef enum hc_writes { HC_WRITES_LOCK, HC_WRITES_LOCKFREE } hc_writes;
typedef enum hc_place { HC_PLACE_BUFFER, HC_PLACE_COMPACT } hc_place;
typedef enum hc_order { HC_ORDER_LIST, HC_ORDER_TRAVERSAL } hc_order;
typedef enum hc_pacing { HC_PACE_FIXED, HC_PACE_PROPORTIONAL } hc_pacing;
enum { HC_IDLE = 0, HC_COPYING = 1 }; /* hc_state.phase */

typedef struct hc_extent {
  uintptr_t start;
  size_t chunks;
} hc_extent;

typedef struct hc_space {
  uint8_t id;     /* arena space id of its chunks */
  hc_extent *ext; /* capacity: every chunk of the arena */
  size_t n, chunks;
  uintptr_t cur, limit; /* unclaimed rest of the newest extent */
} hc_space;

/* Per mutator: its allocation buffer and its cache of free handles. */
typedef struct hc_mutator {
  uintptr_t cur, limit; /* [cur, limit) is covered by one filler */
  uint32_t hfree;       /* chain of free handles (through the entries) */
  uint32_t nhfree;
  uint64_t since_copy; /* allocations since the last copy step */
  double debt;         /* proportional pacing: bytes still to copy */
  uint64_t copied;
} hc_mutator;

typedef struct hc_table {
  uintptr_t base; /* mmap'ed, MAP_NORESERVE: untouched pages cost nothing */
  size_t stride;  /* 16 (address word + lock word) or 8 (address word) */
  size_t cap;     /* entries */
  size_t map_bytes;
  size_t hw;         /* entries [1, hw) have been handed out at least once */
  uint32_t free;     /* global chain of free handles, ascending */
  size_t nfree;      /* its length */
  uint64_t *marks;   /* one bit per entry */
  bool release;      /* give fully free table chunks back to the OS */
  size_t chunk_ents; /* entries per table chunk (64 KiB) */
  uint8_t *released; /* per table chunk: pages given back */
  size_t *rstack;    /* released chunks below hw, lowest on top */
  size_t nrstack;
  uint64_t handed; /* slots given to caches since the last sweep */
  uint64_t chunks_released, chunks_reused;
} hc_table;

typedef struct hc_state {
  gc_heap *heap;
  pthread_mutex_t lock; /* spaces, the table's free chain and high water */
  hc_table t;
  hc_space sp[2];
  uint8_t table_space; /* arena space of the chunks charged for the table */
  size_t table_chunks; /* arena chunks charged for the table (its budget) */
  unsigned cur; /* index of the allocation space (to-space while copying) */
  int phase;    /* atomic; changes only with the world stopped */
  /* options */
  size_t tlab_bytes;
  unsigned copy_every, copy_batch, handle_batch;
  hc_writes writes;
  hc_place place;
  hc_order order;
  hc_pacing pacing;
  double copy_ratio; /* proportional pacing: copy bytes per allocated byte */
  /* the copy cycle */
  uint32_t *copy; /* live handles of from-space, in copy order */
  uintptr_t *dst; /* compact placement: each one's to-space record */
  size_t ncopy, copy_cap, dst_cap;
  size_t cursor;         /* atomic: next copy-list index to claim */
  uint64_t copy_bytes;   /* records on the copy list, prefix words included */
  uint64_t copied_bytes; /* atomic */
  bool compact_now;      /* this cycle's records were placed at the flip */
  gc_cycle cy;           /* the cycle's record, emitted when it ends */
  /* traversal order: per GC worker, the handles it scanned, in order */
  uint32_t **mvec;
  size_t *mvec_n, *mvec_cap;
  uint64_t *mvec_bytes; /* their records' bytes */
  unsigned nworkers;
  /* totals over the run */
  uint64_t cycles, finishes, objects_copied, bytes_copied, assists;
  uint64_t max_assist_ns; /* longest stall of a mutator finishing a copy */
  uint64_t handles_freed, filler_bytes_at_finish, compact_fallbacks;
  uint64_t live_handles, max_live_handles, peak_table_bytes;
  uint64_t table_before_sweep, table_after_sweep; /* at the last mark */
} hc_state;

static inline hc_state *hc_of(gc_heap *heap) {
  return (hc_state *)heap->policy_state;
}
static inline hc_mutator *hc_mut(gc_mutator *m) {
  return (hc_mutator *)m->policy_data;
}
static inline uintptr_t *hc_entry(const hc_table *t, uint32_t h) {
  return (uintptr_t *)(t->base + (uintptr_t)h * t->stride);
}
static inline uintptr_t hc_entry_load(const hc_table *t, uint32_t h) {
  return __atomic_load_n(hc_entry(t, h), __ATOMIC_ACQUIRE);
}
static inline uintptr_t hc_addr(uintptr_t e) { return e & ~(uintptr_t)7; }
static inline int hc_phase(hc_state *s) {
  return __atomic_load_n(&s->phase, __ATOMIC_RELAXED);
}
static inline uint64_t hc_word(uintptr_t a) {
  return __atomic_load_n((uint64_t *)a, __ATOMIC_RELAXED);
}
static inline void hc_set_word(uintptr_t a, uint64_t v) {
  __atomic_store_n((uint64_t *)a, v, __ATOMIC_RELAXED);
}
/* Bytes of the object whose header is h. */
static inline size_t hc_object_bytes(uint64_t h) {
  const gc_type *t = gc_type_by_id(gc_header_type(h));
  return gc_object_bytes(t, gc_header_length(h), 1);
}
/* A filler record covering [p, end). */
static inline void hc_fill(uintptr_t p, uintptr_t end) {
  if (end > p)
    hc_set_word(p, ((uint64_t)(end - p) << 1) | HC_PREFIX_FILLER);
}

/* table.c — the handle table. */
bool hc_table_init(hc_table *t, size_t cap, size_t stride, bool release,
                   char *err, size_t errlen);
void hc_table_destroy(hc_table *t);
/* A free handle from m's cache (refilled in batches); 0 if none is left. */
uint32_t hc_handle_alloc(hc_state *s, hc_mutator *hm);
bool hc_mark(hc_table *t, uint32_t h);
bool hc_is_marked(const hc_table *t, uint32_t h);
/* With the world stopped, after marking: frees every unmarked handle,
 * clears the marks, empties every mutator's cache. Returns handles freed. */
uint64_t hc_table_sweep(hc_state *s);
/* Gives m's cached handles back to the global chain (detach). */
void hc_handle_cache_return(hc_state *s, hc_mutator *hm);
size_t hc_table_resident_bytes(const hc_table *t);

/* space.c — extents, claims, the copy reserve, parsing, flip, release. */
bool hc_space_init(hc_space *sp, size_t nchunks, uint8_t id);
void hc_space_destroy(hc_space *sp);
/* Room for a record of bytes in m's buffer, claiming a new buffer from the
 * allocation space if needed; copying claims ignore the reserve. 0 when
 * the reserve (or the arena) says no. */
uintptr_t hc_buffer_alloc(hc_state *s, hc_mutator *hm, size_t bytes,
                          bool copying);
/* Under the lock: charges the handle table, grown to hw entries, against
 * the heap size (one arena chunk per 256 KiB of table); false when the
 * arena (or its copy reserve) cannot give more. */
bool hc_table_charge(hc_state *s, size_t hw);
/* Whether k chunks may leave the arena for allocation (reserve rule). */
bool hc_reserve_allows(hc_state *s, size_t k);
/* A contiguous extent of at least bytes for the allocation space; 0 if the
 * arena has no such run. The tail is covered by a filler. */
uintptr_t hc_space_take_extent(hc_state *s, size_t bytes);
/* Bytes of the record at rec (prefix word included); 0 if it is corrupt. */
size_t hc_record_bytes(uintptr_t rec);
typedef void (*hc_record_fn)(uintptr_t rec, uint64_t prefix, size_t bytes,
                             void *ctx);
/* Calls fn for every record of space sp (its bytes, prefix included),
 * fillers included (world stopped);
 * prefix 0 means a corrupt record, after which that extent is not parsed. */
void hc_space_parse(hc_space *sp, hc_record_fn fn, void *ctx);
/* Makes the other space the allocation space; drops every buffer. */
void hc_flip(hc_state *s);
/* Gives the non-allocation space's extents back to the arena. */
void hc_release_from(hc_state *s);
size_t hc_space_bytes(const hc_space *sp);
static inline hc_space *hc_to(hc_state *s) { return &s->sp[s->cur]; }
static inline hc_space *hc_from(hc_state *s) { return &s->sp[s->cur ^ 1]; }

/* copy.c — the seed's copy loop. */
/* Builds the copy list from the marks (list or traversal order) and, for
 * compact placement, the to-space records (world stopped, before sweep). */
void hc_copy_list_build(hc_state *s);
void hc_copy_place(hc_state *s);
/* Copies the next batch if a cycle is copying (*copied: its bytes); true
 * if this call copied the last entry. */
bool hc_copy_step(hc_state *s, gc_mutator *m, size_t batch, uint64_t *copied);
/* Proportional pacing: bytes to copy per byte allocated this cycle, from
 * the room left for allocation (world stopped, after the flip). */
void hc_pacing_set(hc_state *s);
/* Copies until the copy list is exhausted. */
void hc_copy_all(hc_state *s, gc_mutator *m);

/* cycle.c — the pauses. */
/* Starts a copy cycle (mark, sweep handles, flip); finishes the running
 * one first. False if another thread collected instead. */
bool hc_start_cycle(gc_mutator *m, gc_collect_reason why);
/* Completes the running copy cycle: copies what is left, then a pause
 * releases from-space. */
void hc_finish_cycle(gc_mutator *m);
void hc_collect(gc_mutator *m, gc_collect_reason why);
/* Sets the phase (world stopped) and, for lock-free writes, every
 * mutator's barrier_active flag with it. */
void hc_set_phase(hc_state *s, int phase);

/* alloc.c */
gc_ref hc_alloc_slow(gc_mutator *m, size_t bytes, uint64_t header);
void hc_store_slow(gc_mutator *m, gc_ref obj, size_t off, uintptr_t val,
                   bool is_ref);
/* Handle locking (the seed's LockObj / UnlockObj). */
void hc_lock(hc_state *s, uint32_t h);
void hc_unlock(hc_state *s, uint32_t h);

/* verify.c */
uintptr_t hc_resolve(gc_heap *heap, gc_ref r);
bool hc_verify_object(gc_heap *heap, gc_verifier *v, uintptr_t addr);
bool hc_verify_heap(gc_heap *heap, gc_verifier *v);

#endif
