/* sweep.c — clearing mark bits before marking, and sweeping after it.
 *
 * Eager (the default): every pool's free bits become ~mark in the pause.
 * That reads one mark word and writes one free word per 64 cells (4 KiB of
 * side table per 256 KiB chunk at most) and never touches an object, so it
 * costs little next to marking; wholly unmarked chunks go back to the arena
 * at once, where any class or the LOS can take them.
 * Lazy: the pause only returns wholly unmarked chunks (finding a live pool's
 * first mark word ends its check early) and bumps the epoch; each remaining
 * pool is swept by the first allocator that looks at it (pool.c). Pools not
 * yet swept when the next collection starts need nothing: their free bits
 * are recomputed from that collection's marks. */
#include "segfit.h"
#include <string.h>

void segfit_clear_marks(segfit_state *s) {
  for (unsigned c = 0; c < GC_SIZECLASS_COUNT; c++) {
    segfit_class *k = &s->cls[c];
    for (size_t li = 0; li < k->npools; li++)
      memset(segfit_mark_of(s, k->list[li]), 0, k->nblocks * sizeof(uint64_t));
  }
}

/* Sweeps (eager) or checks (lazy) one pool; true if it holds a live cell. */
static bool sweep_pool(segfit_state *s, const segfit_class *k, size_t chunk) {
  uint64_t *mw = segfit_mark_of(s, chunk);
  if (s->sweep == SEGFIT_SWEEP_LAZY)
    return segfit_fb_any(mw, k->nblocks);
  size_t live =
      segfit_fb_sweep(segfit_free_of(s, chunk), mw, k->nblocks, k->last_mask);
  __atomic_store_n(&s->pools[chunk].swept, s->epoch, __ATOMIC_RELAXED);
  return live != 0;
}

/* Runs after marking, with s->epoch already bumped. Keeps each class's list
 * in creation order minus the released pools, and restarts its cursor. */
void segfit_sweep_all(segfit_state *s) {
  for (unsigned c = 0; c < GC_SIZECLASS_COUNT; c++) {
    segfit_class *k = &s->cls[c];
    size_t kept = 0;
    for (size_t li = 0; li < k->npools; li++) {
      uint32_t chunk = k->list[li];
      if (sweep_pool(s, k, chunk))
        k->list[kept++] = chunk;
      else
        segfit_release(s, chunk);
    }
    __atomic_store_n(&k->npools, kept, __ATOMIC_RELAXED);
    __atomic_store_n(&k->cursor, 0, __ATOMIC_RELAXED);
  }
}
