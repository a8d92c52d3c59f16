/* sfspace_retire.c — giving wholly free pools back to the page pool while
 * mutators allocate (the otf policy has no pause to do it in, unlike
 * gc_sf_sweep_all).
 *
 * A pool is retired in two steps. gc_sf_retire_free, after a sweep has
 * finished, claims every free-bits word of each pool whose cells are all
 * free: no allocator can take a cell of it any more (a word an allocator
 * holds is not wholly free, so such a pool is left alone), and drops it
 * from its class's list. An allocator that read the list before may still
 * look at the pool and find nothing there; it must not find the page given
 * to another class (or its chunk to another space), so the caller waits
 * until every mutator has passed a safepoint (a handshake) before
 * gc_sf_release gives the pages back. */
#include "sfspace.h"

/* Claims every word of the pool if all its cells are free; otherwise
 * leaves it as it was and returns false. */
static bool claim_all(gc_sf_space *sp, const gc_sf_class *k, size_t page) {
  uint64_t *fw = gc_sf_free_of(sp, page);
  size_t b = 0;
  for (; b < k->nblocks; b++) {
    uint64_t valid = b + 1 == k->nblocks ? k->last_mask : ~(uint64_t)0;
    if (__atomic_load_n(&fw[b], __ATOMIC_RELAXED) != valid)
      break;
    uint64_t got = gc_fb_claim(&fw[b]);
    if (got != valid) { /* an allocator won the race: give ours back */
      __atomic_fetch_or(&fw[b], got, __ATOMIC_RELAXED);
      break;
    }
  }
  if (b == k->nblocks)
    return true;
  for (size_t i = 0; i < b; i++)
    __atomic_store_n(&fw[i], i + 1 == k->nblocks ? k->last_mask : ~(uint64_t)0,
                     __ATOMIC_RELAXED);
  return false;
}

size_t gc_sf_retire_free(gc_sf_space *sp, uint32_t *out, size_t cap) {
  size_t n = 0;
  for (unsigned c = 0; c < GC_SIZECLASS_COUNT && n < cap; c++) {
    gc_sf_class *k = &sp->cls[c];
    pthread_mutex_lock(&k->lock); /* against gc_sf_grow's appends */
    size_t kept = 0;
    for (size_t li = 0; li < k->npools; li++) {
      uint32_t page = gc_sf_listed(k, li);
      if (n < cap && claim_all(sp, k, page))
        out[n++] = page;
      else
        __atomic_store_n(&k->list[kept++], page, __ATOMIC_RELAXED);
    }
    __atomic_store_n(&k->npools, kept, __ATOMIC_RELEASE);
    __atomic_store_n(&k->cursor, 0, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&k->lock);
  }
  return n;
}
