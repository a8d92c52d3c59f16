/* sfspace_sweep.c — clearing mark bits, and sweeping after marking.
 *
 * Eager: every pool's free bits become ~mark in the pause. That reads one
 * mark word and writes one free word per 64 cells (512 bytes of side table
 * per 32 KiB page at most) and never touches an object, so it costs little
 * next to marking; wholly unmarked pages go back to the page pool at once,
 * where any class can take them (and their chunk to the arena, for the LOS,
 * once all its pages are free).
 * Lazy: the pause only returns wholly unmarked pages (one flag per pool,
 * gc_sf_pool.marked) and the caller has bumped the
 * epoch; each remaining pool is swept by the first thread that looks at it
 * (gc_sf_ensure_swept): an allocator, or a background sweeper walking every
 * pool (gc_sf_sweep_rest). Either takes the pool's sweep claim, so the two
 * never sweep a pool twice or hand out a cell of an unswept pool. Pools not
 * yet swept when the next stop-the-world collection starts need nothing:
 * their free bits are recomputed from that collection's marks. */
#include "sfspace.h"
#include <string.h>

void gc_sf_clear_marks(gc_sf_space *sp) {
  for (unsigned c = 0; c < GC_SIZECLASS_COUNT; c++) {
    gc_sf_class *k = &sp->cls[c];
    for (size_t li = 0; li < k->npools; li++) {
      memset(gc_sf_mark_of(sp, k->list[li]), 0, k->nblocks * sizeof(uint64_t));
      sp->pools[k->list[li]].marked = 0;
    }
  }
}

/* Sweeps (eager) or checks (lazy) one pool; true if it holds a live cell.
 * The lazy check reads the pool's marked flag, not its mark words: one
 * byte per pool keeps the pause short however big the heap. */
static bool sweep_pool(gc_sf_space *sp, const gc_sf_class *k, size_t page,
                       gc_sf_sweep mode) {
  gc_sf_pool *p = &sp->pools[page];
  if (mode == GC_SF_SWEEP_LAZY)
    return __atomic_load_n(&p->marked, __ATOMIC_RELAXED);
  size_t live = gc_fb_sweep(gc_sf_free_of(sp, page), gc_sf_mark_of(sp, page),
                            k->nblocks, k->last_mask, sp->clear_on_sweep);
  if (sp->clear_on_sweep)
    __atomic_store_n(&p->marked, 0, __ATOMIC_RELAXED);
  __atomic_store_n(&p->swept, sp->epoch, __ATOMIC_RELAXED);
  return live != 0;
}

/* Keeps each class's list in creation order minus the released pools, and
 * restarts its cursor. */
void gc_sf_sweep_all(gc_sf_space *sp, gc_sf_sweep mode) {
  for (unsigned c = 0; c < GC_SIZECLASS_COUNT; c++) {
    gc_sf_class *k = &sp->cls[c];
    size_t kept = 0;
    for (size_t li = 0; li < k->npools; li++) {
      uint32_t page = k->list[li];
      if (sweep_pool(sp, k, page, mode))
        k->list[kept++] = page;
      else
        gc_sf_release(sp, page);
    }
    __atomic_store_n(&k->npools, kept, __ATOMIC_RELAXED);
    __atomic_store_n(&k->cursor, 0, __ATOMIC_RELAXED);
  }
}

/* Pools are only removed in pauses, and grow publishes new ones (swept at
 * birth) with a release store of npools, so reading the list up to an
 * acquired npools sees every pool that needs sweeping. */
size_t gc_sf_sweep_rest(gc_sf_space *sp) {
  size_t swept = 0;
  uint64_t epoch = __atomic_load_n(&sp->epoch, __ATOMIC_ACQUIRE);
  for (unsigned c = 0; c < GC_SIZECLASS_COUNT; c++) {
    gc_sf_class *k = &sp->cls[c];
    size_t n = __atomic_load_n(&k->npools, __ATOMIC_ACQUIRE);
    for (size_t li = 0; li < n; li++) {
      size_t page = gc_sf_listed(k, li);
      if (__atomic_load_n(&sp->pools[page].swept, __ATOMIC_ACQUIRE) == epoch)
        continue;
      gc_sf_ensure_swept(sp, page);
      swept++;
    }
  }
  return swept;
}

bool gc_sf_marks_clear(gc_sf_space *sp) {
  for (unsigned c = 0; c < GC_SIZECLASS_COUNT; c++) {
    gc_sf_class *k = &sp->cls[c];
    size_t n = __atomic_load_n(&k->npools, __ATOMIC_ACQUIRE);
    for (size_t li = 0; li < n; li++)
      if (gc_fb_any(gc_sf_mark_of(sp, gc_sf_listed(k, li)), k->nblocks))
        return false;
  }
  return true;
}

static void reset_cursors(gc_sf_space *sp) {
  for (unsigned c = 0; c < GC_SIZECLASS_COUNT; c++)
    __atomic_store_n(&sp->cls[c].cursor, 0, __ATOMIC_RELAXED);
}

/* The gate is shut before the epoch moves, so that a thread that sees the
 * new epoch also sees the gate. Cursors restart: every pool may free cells. */
void gc_sf_begin_sweep(gc_sf_space *sp) {
  __atomic_store_n(&sp->sweep_gate, 1, __ATOMIC_RELEASE);
  __atomic_add_fetch(&sp->epoch, 1, __ATOMIC_RELEASE);
  reset_cursors(sp);
}

/* Allocators that read the old epoch have passed a safepoint since (the
 * caller's handshake), so they may have moved the cursors over pools that
 * are about to free cells: restart them once more. */
void gc_sf_open_sweep(gc_sf_space *sp) {
  reset_cursors(sp);
  __atomic_store_n(&sp->sweep_gate, 0, __ATOMIC_RELEASE);
}

bool gc_sf_swept_in(gc_sf_space *sp, uintptr_t addr, uint64_t epoch) {
  size_t page = gc_sf_page_index(sp, addr);
  return __atomic_load_n(&sp->pools[page].swept, __ATOMIC_ACQUIRE) == epoch;
}

void gc_sf_clear_marks_concurrent(gc_sf_space *sp) {
  for (unsigned c = 0; c < GC_SIZECLASS_COUNT; c++) {
    gc_sf_class *k = &sp->cls[c];
    size_t n = __atomic_load_n(&k->npools, __ATOMIC_ACQUIRE);
    for (size_t li = 0; li < n; li++) {
      size_t page = gc_sf_listed(k, li);
      uint64_t *mw = gc_sf_mark_of(sp, page);
      for (size_t b = 0; b < k->nblocks; b++)
        __atomic_store_n(&mw[b], 0, __ATOMIC_RELAXED);
      __atomic_store_n(&sp->pools[page].marked, 0, __ATOMIC_RELAXED);
    }
  }
}
