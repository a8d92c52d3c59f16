/* pool.c — pools (one arena chunk of one size class): finding a block with
 * free cells (the seed's find_block), taking a new chunk (find_pool), lazy
 * sweeping on first look, giving chunks back. */
#include "segfit.h"
#include <sched.h>

/* Moves the class cursor forward to pos (never back: see segfit_class). */
static void cursor_advance(segfit_class *k, uint64_t pos) {
  uint64_t cur = __atomic_load_n(&k->cursor, __ATOMIC_RELAXED);
  while (cur < pos &&
         !__atomic_compare_exchange_n(&k->cursor, &cur, pos, true,
                                      __ATOMIC_RELAXED, __ATOMIC_RELAXED))
    ;
}

/* Lazy sweeping: the first thread to look at a pool after a collection
 * sweeps it; others wait the microsecond it takes rather than skip it, so
 * the cursor never passes blocks that are about to become free. In eager
 * mode every pool is swept in the pause and this is one load. */
void segfit_ensure_swept(segfit_state *s, size_t chunk) {
  segfit_pool *p = &s->pools[chunk];
  uint64_t epoch = s->epoch;
  uint64_t sw = __atomic_load_n(&p->swept, __ATOMIC_ACQUIRE);
  while (sw != epoch) {
    if (sw != SEGFIT_SWEEPING &&
        __atomic_compare_exchange_n(&p->swept, &sw, SEGFIT_SWEEPING, false,
                                    __ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE)) {
      const segfit_class *k = &s->cls[p->cls];
      segfit_fb_sweep(segfit_free_of(s, chunk), segfit_mark_of(s, chunk),
                      k->nblocks, k->last_mask);
      __atomic_store_n(&p->swept, epoch, __ATOMIC_RELEASE);
      return;
    }
    if (sw == SEGFIT_SWEEPING) {
      sched_yield();
      sw = __atomic_load_n(&p->swept, __ATOMIC_ACQUIRE);
    }
  }
}

/* Scans the class's pools from the cursor for a block with free cells and
 * claims its whole free-bits word. Returns the claimed bits (0: none left)
 * and the block's first cell in *base. */
uint64_t segfit_find_block(segfit_state *s, unsigned c, uintptr_t *base) {
  segfit_class *k = &s->cls[c];
  size_t n = __atomic_load_n(&k->npools, __ATOMIC_ACQUIRE);
  uint64_t pos = __atomic_load_n(&k->cursor, __ATOMIC_RELAXED);
  for (size_t li = pos / SEGFIT_MAX_BLOCKS; li < n; li++) {
    size_t chunk = k->list[li];
    segfit_ensure_swept(s, chunk);
    uint64_t *fw = segfit_free_of(s, chunk);
    size_t b = li == pos / SEGFIT_MAX_BLOCKS ? pos % SEGFIT_MAX_BLOCKS : 0;
    for (; b < k->nblocks; b++) {
      uint64_t bits = segfit_fb_claim(&fw[b]);
      if (bits) {
        cursor_advance(k, li * SEGFIT_MAX_BLOCKS + b + 1);
        *base = segfit_chunk_base(s, chunk) +
                b * SEGFIT_BLOCK_CELLS * (uintptr_t)k->size;
        return bits;
      }
    }
  }
  cursor_advance(k, n * SEGFIT_MAX_BLOCKS);
  return 0;
}

static size_t arena_used(const gc_arena *a) {
  return a->nchunks - (gc_arena_free_bytes((gc_arena *)a) >> GC_CHUNK_LOG);
}

/* After a collection (and at start): allow trigger * (chunks free now) more
 * chunks to be taken before allocation collects instead (collect.c). */
void segfit_set_trigger(segfit_state *s) {
  size_t used = arena_used(&s->heap->arena);
  s->grow_limit = used + (size_t)(s->trigger * (double)(s->nchunks - used));
}

/* True when taking another chunk would pass the trigger (see collect.c). */
bool segfit_over_trigger(segfit_state *s) {
  return arena_used(&s->heap->arena) + 1 > s->grow_limit;
}

/* Takes a fresh chunk for class c (the seed's find_pool, with the arena's
 * free list standing for its recycled pools and bump pointer). Claims its
 * first block for the caller; 0 when the arena is exhausted. */
uint64_t segfit_grow(segfit_state *s, unsigned c, uintptr_t *base) {
  segfit_class *k = &s->cls[c];
  uintptr_t addr = gc_arena_take(&s->heap->arena, 1, s->space);
  if (!addr)
    return 0;
  size_t chunk = gc_arena_chunk_index(&s->heap->arena, addr);
  uint64_t *fw = segfit_free_of(s, chunk), *mw = segfit_mark_of(s, chunk);
  for (size_t b = 0; b < k->nblocks; b++) {
    uint64_t valid = b + 1 == k->nblocks ? k->last_mask : ~(uint64_t)0;
    __atomic_store_n(&fw[b], b == 0 ? 0 : valid, __ATOMIC_RELAXED);
    __atomic_store_n(&mw[b], 0, __ATOMIC_RELAXED);
  }
  s->pools[chunk].cls = (uint8_t)c;
  __atomic_store_n(&s->pools[chunk].swept, s->epoch, __ATOMIC_RELAXED);
  __atomic_add_fetch(&s->chunks_held, 1, __ATOMIC_RELAXED);
  /* publish: the release store of npools orders the pool's set-up before
   * any reader that finds it in the list */
  pthread_mutex_lock(&k->lock);
  size_t n = k->npools;
  k->list[n] = (uint32_t)chunk;
  __atomic_store_n(&k->npools, n + 1, __ATOMIC_RELEASE);
  pthread_mutex_unlock(&k->lock);
  *base = addr;
  return k->nblocks == 1 ? k->last_mask : ~(uint64_t)0;
}

/* Gives a pool's chunk back to the arena (world stopped; the caller drops it
 * from its class list). */
void segfit_release(segfit_state *s, size_t chunk) {
  s->pools[chunk].cls = SEGFIT_NO_CLASS;
  gc_arena_give(&s->heap->arena, segfit_chunk_base(s, chunk), 1);
  __atomic_sub_fetch(&s->chunks_held, 1, __ATOMIC_RELAXED);
  s->chunks_released++;
}
