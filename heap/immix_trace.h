/* immix_trace.h — the tracing loop of the immix policies (immix and
 * sticky-immix), inline so that each policy's drain compiles to one loop:
 * pop an object, read its header once, visit its reference slots (marking,
 * or evacuating, what they refer to), mark its lines. See "Tracing loop"
 * in docs/spaces/immix.md for the instruction counts that shaped it.
 *
 * What the generic path (gc_for_each_slot with a visitor, a scan callback
 * per object) paid and this one does not, per object traced on mt-gcbench:
 * an indirect call to scan and one to the visitor per slot, the type table
 * read twice and the size computed twice from two header loads, an arena
 * lookup to tell an immix object from a large one (the queue says so now:
 * large objects are queued with IMMIX_ITEM_LOS set), the state reached
 * through w->heap->policy_state per slot, a locked RMW per mark bit with a
 * lone worker, and a look at the sharing pool per push (workers.h). */
#ifndef GCTB_IMMIX_TRACE_H
#define GCTB_IMMIX_TRACE_H

#include "immix_space.h"
#include "workers.h"

#define IMMIX_INLINE static inline __attribute__((always_inline))

/* Tag of a queued large object (objects are 8-byte aligned). */
#define IMMIX_ITEM_LOS ((uintptr_t)1)

/* Everything the loop reads, copied out of the space, the arena, the LOS
 * and the worker into one local struct that is never addressed outside
 * inlined code, so that its fields live in registers. Through the
 * structures themselves, every line-mark store (a byte store, which may
 * alias anything) made the compiler reload sp->base, the logs, the table
 * pointers and w->stack / w->top before the next use: a fifth of the
 * loop's instructions. The worker's stack is cached too (stack, top, cap)
 * and written back around the few out-of-line calls (immix_tracer_sync). */
typedef struct immix_tracer {
  gc_worker *w;
  immix_space *sp;
  uintptr_t base; /* the arena's (and the side tables') */
  size_t arena_bytes;
  const uint8_t *space_of; /* per chunk */
  uint8_t id, los_id;
  bool serial;       /* a lone worker: no one races for a mark word */
  bool conservative; /* line marking rule */
  unsigned line_log, block_log;
  uint64_t *obj_mark;
  uint8_t *line_mark, *block_mark;
  const immix_block *blocks;
  gc_los *los;
  uintptr_t *stack;
  size_t top, cap;
  uint64_t objects, bytes; /* traced */
} immix_tracer;

IMMIX_INLINE immix_tracer immix_tracer_start(gc_worker *w, immix_space *sp) {
  gc_arena *a = sp->arena;
  return (immix_tracer){.w = w,
                        .sp = sp,
                        .base = sp->base,
                        .arena_bytes = a->nchunks << GC_CHUNK_LOG,
                        .space_of = a->space_of,
                        .id = sp->id,
                        .los_id = w->heap->los.space,
                        .serial = w->count == 1,
                        .conservative = sp->conservative,
                        .line_log = sp->line_log,
                        .block_log = sp->block_log,
                        .obj_mark = sp->obj_mark,
                        .line_mark = sp->line_mark,
                        .block_mark = sp->block_mark,
                        .blocks = sp->blocks,
                        .los = &w->heap->los,
                        .stack = w->stack,
                        .top = w->top,
                        .cap = w->cap};
}
/* Writes the cached stack back before an out-of-line call that may use it
 * (evacuation pushes, growing, sharing); immix_tracer_reload after. */
IMMIX_INLINE void immix_tracer_sync(immix_tracer *t) { t->w->top = t->top; }
IMMIX_INLINE void immix_tracer_reload(immix_tracer *t) {
  t->stack = t->w->stack;
  t->top = t->w->top;
  t->cap = t->w->cap;
}
/* At the end of a drain: the stack and the counts go back to the worker. */
IMMIX_INLINE void immix_tracer_finish(immix_tracer *t) {
  immix_tracer_sync(t);
  t->w->objects_traced += t->objects;
  t->w->bytes_traced += t->bytes;
}

/* gc_worker_push on the cached stack. */
IMMIX_INLINE void immix_tracer_push(immix_tracer *t, uintptr_t item) {
  if (__builtin_expect(t->top == t->cap, 0)) {
    immix_tracer_sync(t);
    gc_worker__grow(t->w);
    immix_tracer_reload(t);
  }
  t->stack[t->top++] = item;
  gc_workers *p = t->w->pool;
  if (__builtin_expect(!t->serial && t->top >= GC_SHARE_MIN, 0) &&
      __atomic_load_n(&p->idle, __ATOMIC_RELAXED) >
          __atomic_load_n(&p->nfull, __ATOMIC_RELAXED)) {
    immix_tracer_sync(t);
    gc_worker__share(t->w);
    immix_tracer_reload(t);
  }
}

/* Sets a's mark bit; true if this call set it. With a lone worker no one
 * races for the word: a plain load and store, not a locked RMW. */
IMMIX_INLINE bool immix_tracer_mark(immix_tracer *t, uintptr_t a) {
  size_t bit = (a - t->base) >> 3;
  uint64_t *w = &t->obj_mark[bit >> 6], mask = (uint64_t)1 << (bit & 63);
  uint64_t v = __atomic_load_n(w, __ATOMIC_RELAXED);
  if (v & mask)
    return false;
  if (t->serial) {
    __atomic_store_n(w, v | mask, __ATOMIC_RELAXED);
    return true;
  }
  return !(__atomic_fetch_or(w, mask, __ATOMIC_RELAXED) & mask);
}

/* Marks (evacuating: or moves, from a candidate block) the object r refers
 * to, queuing it if this call marked it; returns where it now lives. r is
 * not null; what is neither in the space nor in the LOS is not a heap
 * reference and is left alone (the verifier reports it). */
IMMIX_INLINE uintptr_t immix_trace_ref(immix_tracer *t, uintptr_t r,
                                       bool evacuating) {
  uintptr_t off = r - t->base;
  uint8_t space =
      off < t->arena_bytes
          ? __atomic_load_n(&t->space_of[off >> GC_CHUNK_LOG], __ATOMIC_RELAXED)
          : GC_SPACE_FREE;
  if (__builtin_expect(space == t->id, 1)) {
    if (evacuating && t->blocks[off >> t->block_log].candidate) {
      immix_tracer_sync(t);
      uintptr_t to = immix_evacuate(t->sp, t->w, t->w->local, r);
      immix_tracer_reload(t);
      return to;
    }
    if (immix_tracer_mark(t, r))
      immix_tracer_push(t, r);
  } else if (space == t->los_id && gc_los_mark(t->los, r)) {
    immix_tracer_push(t, r | IMMIX_ITEM_LOS);
  }
  return r;
}

/* Traces what one slot holds, and updates the slot if it moved. */
IMMIX_INLINE void immix_trace_slot(immix_tracer *t, uintptr_t *slot,
                                   bool evacuating) {
  uintptr_t r = __atomic_load_n(slot, __ATOMIC_RELAXED);
  if (r == GC_NULL)
    return;
  uintptr_t n = immix_trace_ref(t, r, evacuating);
  if (evacuating && n != r)
    __atomic_store_n(slot, n, __ATOMIC_RELAXED);
}

/* Traces every reference slot of the object at obj (header h, one header
 * word); returns its size in bytes. */
IMMIX_INLINE size_t immix_trace_slots(immix_tracer *t, uintptr_t obj,
                                      uint64_t h, bool evacuating) {
  const gc_type *ty = gc__type_table[gc_header_type(h)];
  uintptr_t *payload = (uintptr_t *)obj + 1;
  if (__builtin_expect(ty->kind == GC_TYPE_FIXED, 1)) {
    for (uint64_t map = ty->ref_map; map; map &= map - 1)
      immix_trace_slot(t, payload + __builtin_ctzll(map), evacuating);
    return ty->base_bytes[1];
  }
  size_t n = gc_header_length(h);
  if (ty->kind == GC_TYPE_REF_ARRAY)
    for (size_t i = 0; i < n; i++)
      immix_trace_slot(t, payload + i, evacuating);
  return gc_object_bytes(ty, n, 1);
}

/* Marks the lines of the object at obj (bytes long) and its block. */
IMMIX_INLINE void immix_tracer_mark_lines(immix_tracer *t, uintptr_t obj,
                                          size_t bytes) {
  size_t first, last;
  immix_lines_to_mark(obj - t->base, bytes, t->line_log, t->conservative,
                      &first, &last);
  for (size_t l = first; l <= last; l++)
    if (!__atomic_load_n(&t->line_mark[l], __ATOMIC_RELAXED))
      __atomic_store_n(&t->line_mark[l], 1, __ATOMIC_RELAXED);
  uint8_t *bm = &t->block_mark[(obj - t->base) >> t->block_log];
  if (!__atomic_load_n(bm, __ATOMIC_RELAXED))
    __atomic_store_n(bm, 1, __ATOMIC_RELAXED);
}

/* Scans one queued item: its slots first (their prefetches then overlap the
 * line-mark loads and stores, which miss too: a third of gcbench's marking
 * time the other way round), then the lines of an object in the space.
 * make_old (sticky marks): sets GC_HDR_UNLOGGED, so that the object's next
 * reference store is logged; the scanner that marked it is its only writer
 * with the world stopped, so a plain store does. */
IMMIX_INLINE void immix_trace_item(immix_tracer *t, uintptr_t item,
                                   bool evacuating, bool make_old) {
  uintptr_t obj = item & ~IMMIX_ITEM_LOS;
  /* atomic: evacuating workers may CAS the header of an object another
   * worker is scanning (only its GC bits change) */
  uint64_t h = __atomic_load_n((uint64_t *)obj, __ATOMIC_RELAXED);
  size_t bytes = immix_trace_slots(t, obj, h, evacuating);
  if (!(item & IMMIX_ITEM_LOS))
    immix_tracer_mark_lines(t, obj, bytes);
  if (make_old && !(h & GC_HDR_UNLOGGED))
    __atomic_store_n((uint64_t *)obj, h | GC_HDR_UNLOGGED, __ATOMIC_RELAXED);
  t->objects++;
  t->bytes += bytes;
}

/* Objects popped ahead of their scan, each prefetched as it is popped
 * (Cher, Hosking and Vijaykumar, "Software prefetching for mark-sweep
 * garbage collection", ASPLOS 2004): the stack alone is LIFO, so the object
 * popped next is nearly always the one pushed last, whose prefetch (at
 * mark time) had no time to complete. A power of two. */
#ifndef IMMIX_PREFETCH_DEPTH
#define IMMIX_PREFETCH_DEPTH 32
#endif

/* Empties w's stack: the whole loop, for one mode. */
IMMIX_INLINE void immix_drain(gc_worker *w, immix_space *sp, bool evacuating,
                              bool make_old) {
  immix_tracer t = immix_tracer_start(w, sp);
  uintptr_t ring[IMMIX_PREFETCH_DEPTH];
  unsigned head = 0, n = 0;
  for (;;) {
    if (t.top && n < IMMIX_PREFETCH_DEPTH) {
      uintptr_t item = t.stack[--t.top];
      __builtin_prefetch((void *)(item & ~IMMIX_ITEM_LOS));
      ring[(head + n++) & (IMMIX_PREFETCH_DEPTH - 1)] = item;
      continue;
    }
    if (!n)
      break;
    uintptr_t item = ring[head];
    head = (head + 1) & (IMMIX_PREFETCH_DEPTH - 1);
    n--;
    immix_trace_item(&t, item, evacuating, make_old);
  }
  immix_tracer_finish(&t);
}

/* One slot outside the loop (roots, remembered objects). */
IMMIX_INLINE void immix_trace_one_slot(gc_worker *w, immix_space *sp,
                                       uintptr_t *slot, bool evacuating) {
  immix_tracer t = immix_tracer_start(w, sp);
  immix_trace_slot(&t, slot, evacuating);
  immix_tracer_finish(&t);
}

/* Scans one item outside the loop (the scan callback). */
IMMIX_INLINE void immix_trace_one_item(gc_worker *w, immix_space *sp,
                                       uintptr_t item, bool evacuating,
                                       bool make_old) {
  immix_tracer t = immix_tracer_start(w, sp);
  immix_trace_item(&t, item, evacuating, make_old);
  immix_tracer_finish(&t);
}

#endif
