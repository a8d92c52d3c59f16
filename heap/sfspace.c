/* sfspace.c — the segregated-fit space's pools (one page of one size
 * class): set-up, finding a block with free cells (the seed's find_block),
 * giving a class a page (find_pool), sweeping a pool on first look. The
 * pages themselves come from sfspace_pages.c. */
#include "sfspace.h"
#include "util.h"
#include <sched.h>
#include <stdlib.h>
#include <string.h>

/* Side tables are touched page by page once, here, so no collection pays
 * first-touch faults on them; their contents are set when a pool is made. */
static void *alloc_touched(size_t bytes) {
  char *p = malloc(bytes);
  for (size_t i = 0; p && i < bytes; i += GC_PAGE_BYTES)
    ((volatile char *)p)[i] = 0;
  return p;
}

static bool init_class(gc_sf_space *sp, unsigned c) {
  gc_sf_class *k = &sp->cls[c];
  k->size = gc_sizeclass_bytes[c];
  k->recip = gc_sizeclass_recip[c];
  k->ncells = (uint32_t)(GC_SF_PAGE_BYTES / k->size);
  k->nblocks = (k->ncells + GC_FB_BLOCK_CELLS - 1) / GC_FB_BLOCK_CELLS;
  k->last_mask = gc_fb_mask(k->ncells - (k->nblocks - 1) * GC_FB_BLOCK_CELLS);
  pthread_mutex_init(&k->lock, NULL);
  return (k->list = malloc(sp->npages * sizeof *k->list)) != NULL;
}

void gc_sf_destroy(gc_sf_space *sp) {
  for (unsigned c = 0; c < GC_SIZECLASS_COUNT; c++) {
    free(sp->cls[c].list);
    sp->cls[c].list = NULL;
    pthread_mutex_destroy(&sp->cls[c].lock);
  }
  gc_sf_pages_destroy(sp);
  free(sp->pools);
  free(sp->free_words);
  free(sp->mark_words);
  sp->pools = NULL;
  sp->free_words = sp->mark_words = NULL;
}

bool gc_sf_init(gc_sf_space *sp, gc_arena *arena, const char *name, char *err,
                size_t errlen) {
  memset(sp, 0, sizeof *sp);
  sp->arena = arena;
  sp->nchunks = arena->nchunks;
  sp->npages = sp->nchunks * GC_SF_CHUNK_PAGES;
  sp->space = gc_arena_add_space(arena, name);
  sp->epoch = 1;
  size_t words = sp->npages * GC_SF_MAX_BLOCKS * sizeof(uint64_t);
  sp->pools = malloc(sp->npages * sizeof *sp->pools);
  sp->free_words = alloc_touched(words);
  sp->mark_words = alloc_touched(words);
  bool ok = sp->space && sp->pools && sp->free_words && sp->mark_words &&
            gc_sf_pages_init(sp);
  for (size_t i = 0; ok && i < sp->npages; i++)
    sp->pools[i] = (gc_sf_pool){.cls = 0, .free = 1};
  for (unsigned c = 0; c < GC_SIZECLASS_COUNT; c++)
    ok = init_class(sp, c) && ok;
  if (!ok) {
    gc_sf_destroy(sp);
    return gc_errorf(err, errlen, "%s: cannot set up pools for %zu chunks",
                     name, arena->nchunks);
  }
  return true;
}

/* Moves the class cursor forward to pos (never back: see gc_sf_class). */
static void cursor_advance(gc_sf_class *k, uint64_t pos) {
  uint64_t cur = __atomic_load_n(&k->cursor, __ATOMIC_RELAXED);
  while (cur < pos &&
         !__atomic_compare_exchange_n(&k->cursor, &cur, pos, true,
                                      __ATOMIC_RELAXED, __ATOMIC_RELAXED))
    ;
}

/* The first thread to look at a pool after a collection (an allocator, or a
 * background sweeper) sweeps it; others wait the microsecond it takes rather
 * than skip it, so the cursor never passes blocks that are about to become
 * free. After an eager sweep this is one load. */
static void sweep_pool(gc_sf_space *sp, size_t page, uint64_t epoch) {
  gc_sf_pool *p = &sp->pools[page];
  uint64_t sw = __atomic_load_n(&p->swept, __ATOMIC_ACQUIRE);
  while (sw != epoch) {
    /* swept for a newer epoch than the one this thread read (possible only
     * while epochs move with mutators running): sweeping again would free
     * what the marks, cleared by that sweep, no longer show */
    if (sw != GC_SF_SWEEPING && sw > epoch)
      return;
    if (sw != GC_SF_SWEEPING &&
        __atomic_compare_exchange_n(&p->swept, &sw, GC_SF_SWEEPING, false,
                                    __ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE)) {
      const gc_sf_class *k = &sp->cls[p->cls];
      gc_fb_sweep(gc_sf_free_of(sp, page), gc_sf_mark_of(sp, page), k->nblocks,
                  k->last_mask, sp->clear_on_sweep);
      if (sp->clear_on_sweep)
        __atomic_store_n(&p->marked, 0, __ATOMIC_RELAXED);
      __atomic_store_n(&p->swept, epoch, __ATOMIC_RELEASE);
      return;
    }
    if (sw == GC_SF_SWEEPING) {
      sched_yield();
      sw = __atomic_load_n(&p->swept, __ATOMIC_ACQUIRE);
    }
  }
}

/* A mutator that sweeps a pool (or waits for its sweeper) on allocation
 * does GC work: an assist (docs/delays.md). */
static void sweep_at(gc_sf_space *sp, size_t page, uint64_t epoch) {
  if (__atomic_load_n(&sp->pools[page].swept, __ATOMIC_ACQUIRE) == epoch)
    return;
  gc_mutator_log *log = gc_delay_thread_log();
  uint64_t t0 = log ? gc_now_ns() : 0;
  sweep_pool(sp, page, epoch);
  if (log)
    gc_delay_log(log, GC_DELAY_ASSIST, "sweep", t0, gc_now_ns());
}

void gc_sf_ensure_swept(gc_sf_space *sp, size_t page) {
  sweep_at(sp, page, __atomic_load_n(&sp->epoch, __ATOMIC_ACQUIRE));
}

/* Sweeps the pool first unless the sweep gate is shut; false if the pool
 * is unswept and must not be used yet. The epoch is read before the gate:
 * gc_sf_begin_sweep shuts the gate before it moves the epoch, so a thread
 * that read the new epoch and then an open gate read it after
 * gc_sf_open_sweep, and sweeps with that epoch only then. */
static bool ready(gc_sf_space *sp, size_t page) {
  uint64_t epoch = __atomic_load_n(&sp->epoch, __ATOMIC_ACQUIRE);
  if (__atomic_load_n(&sp->sweep_gate, __ATOMIC_ACQUIRE) &&
      __atomic_load_n(&sp->pools[page].swept, __ATOMIC_ACQUIRE) != epoch)
    return false;
  sweep_at(sp, page, epoch);
  return true;
}

/* Makes page (the caller's, from the page pool) a pool of class c, lists
 * it and claims its first block. */
static uint64_t give_page(gc_sf_space *sp, unsigned c, size_t page,
                          uintptr_t *base) {
  gc_sf_class *k = &sp->cls[c];
  uint64_t *fw = gc_sf_free_of(sp, page), *mw = gc_sf_mark_of(sp, page);
  for (size_t b = 0; b < k->nblocks; b++) {
    uint64_t valid = b + 1 == k->nblocks ? k->last_mask : ~(uint64_t)0;
    __atomic_store_n(&fw[b], b == 0 ? 0 : valid, __ATOMIC_RELAXED);
    __atomic_store_n(&mw[b], 0, __ATOMIC_RELAXED);
  }
  __atomic_store_n(&sp->pools[page].cls, (uint8_t)c, __ATOMIC_RELAXED);
  __atomic_store_n(&sp->pools[page].marked, 0, __ATOMIC_RELAXED);
  __atomic_store_n(&sp->pools[page].swept,
                   __atomic_load_n(&sp->epoch, __ATOMIC_ACQUIRE),
                   __ATOMIC_RELAXED);
  __atomic_add_fetch(&sp->pages_held, 1, __ATOMIC_RELAXED);
  /* publish: the release store of npools orders the pool's set-up before
   * any reader that finds it in the list */
  pthread_mutex_lock(&k->lock);
  size_t n = k->npools;
  __atomic_store_n(&k->list[n], (uint32_t)page, __ATOMIC_RELAXED);
  __atomic_store_n(&k->npools, n + 1, __ATOMIC_RELEASE);
  pthread_mutex_unlock(&k->lock);
  *base = gc_sf_page_base(sp, page);
  return k->nblocks == 1 ? k->last_mask : ~(uint64_t)0;
}

/* Scans the class's pools from the cursor for a block with free cells and
 * claims its whole free-bits word; failing that, re-purposes a free page
 * of the space (no new arena chunk: growing is the policy's decision).
 * Pools skipped behind a shut sweep gate keep the cursor where it is, so
 * that they are seen once swept. */
uint64_t gc_sf_find_block(gc_sf_space *sp, unsigned c, uintptr_t *base) {
  gc_sf_class *k = &sp->cls[c];
  size_t n = __atomic_load_n(&k->npools, __ATOMIC_ACQUIRE);
  uint64_t pos = __atomic_load_n(&k->cursor, __ATOMIC_RELAXED);
  bool skipped = false;
  for (size_t li = pos / GC_SF_MAX_BLOCKS; li < n; li++) {
    size_t page = gc_sf_listed(k, li);
    if (!ready(sp, page)) {
      skipped = true;
      continue;
    }
    uint64_t *fw = gc_sf_free_of(sp, page);
    size_t b = li == pos / GC_SF_MAX_BLOCKS ? pos % GC_SF_MAX_BLOCKS : 0;
    for (; b < k->nblocks; b++) {
      uint64_t bits = gc_fb_claim(&fw[b]);
      if (bits) {
        if (!skipped)
          cursor_advance(k, li * GC_SF_MAX_BLOCKS + b + 1);
        *base = gc_sf_page_base(sp, page) +
                b * GC_FB_BLOCK_CELLS * (uintptr_t)k->size;
        return bits;
      }
    }
  }
  if (!skipped)
    cursor_advance(k, n * GC_SF_MAX_BLOCKS);
  size_t page = gc_sf_page_take(sp, false);
  return page == SIZE_MAX ? 0 : give_page(sp, c, page, base);
}

size_t gc_sf_arena_used(const gc_sf_space *sp) {
  return sp->nchunks - (gc_arena_free_bytes(sp->arena) >> GC_CHUNK_LOG);
}

/* The seed's find_pool, with the page pool and the arena's free chunks
 * standing for its recycled pools and bump pointer. */
uint64_t gc_sf_grow(gc_sf_space *sp, unsigned c, uintptr_t *base) {
  size_t page = gc_sf_page_take(sp, true);
  return page == SIZE_MAX ? 0 : give_page(sp, c, page, base);
}
