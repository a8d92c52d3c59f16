/* sfspace_cache.c — the mutator's per-class caches (the seed's small TLAB:
 * a block base and a claimed free-bits word, gctb.h's gc_freebits_cache),
 * which the inline FREEBITS fast path allocates from without a call.
 *
 * Byte accounting: the fast path counts objects only, so setting a cache
 * adds every claimed cell's bytes to m->stats.bytes_allocated at once, and
 * dropping it takes back the cells never handed out. bytes_allocated is
 * therefore exact in cell bytes (internal fragmentation included) whenever
 * no cache is live, e.g. at the end.
 *
 * Allocating black: a collector that marks while mutators allocate must
 * treat every object allocated after marking began as live (Yuasa's
 * snapshot; Printezis and Detlefs, ISMM 2000, allocate marked during the
 * concurrent phase). The fast path cannot mark, so the cells are marked
 * when they enter a cache: at refill (gc_sf_cache_set with black) and, for
 * caches filled before the cycle, when it starts (gc_sf_cache_blacken). A
 * cell marked but never handed out holds no object; dropping the cache
 * during marking clears its mark again (unmark), otherwise it survives one
 * sweep as an allocated empty cell and is freed by the next. */
#include "sfspace.h"
#include <string.h>

/* Cells of the block at base (a claimed word's first cell) -> its mark word. */
static uint64_t *block_marks(gc_sf_space *sp, uintptr_t base) {
  return gc_sf_mark_word(sp, gc_sf_cell_of(sp, base));
}

static void mark_cells(gc_sf_space *sp, uintptr_t base, uint64_t bits) {
  __atomic_fetch_or(block_marks(sp, base), bits, __ATOMIC_RELAXED);
  gc_sf_note_marked(sp, gc_sf_page_index(sp, base));
}

void gc_sf_cache_set(gc_sf_space *sp, gc_mutator *m, unsigned c, uintptr_t base,
                     uint64_t bits, bool black) {
  gc_freebits_cache *fc = &m->fb[c];
  if (black)
    mark_cells(sp, base, bits);
  fc->base = base;
  fc->bits = bits;
  fc->hdr_bits = black ? sp->black_hdr_bits : 0;
  m->stats.bytes_allocated += (uint64_t)__builtin_popcountll(bits) * fc->size;
}

void gc_sf_cache_blacken(gc_sf_space *sp, gc_mutator *m) {
  for (unsigned c = 0; c < GC_SIZECLASS_COUNT; c++)
    if (m->fb[c].bits) {
      mark_cells(sp, m->fb[c].base, m->fb[c].bits);
      m->fb[c].hdr_bits = sp->black_hdr_bits;
    }
}

void gc_sf_cache_drop(gc_sf_space *sp, gc_mutator *m, bool unmark) {
  for (unsigned c = 0; c < GC_SIZECLASS_COUNT; c++) {
    gc_freebits_cache *fc = &m->fb[c];
    if (!fc->bits)
      continue;
    if (unmark)
      __atomic_fetch_and(block_marks(sp, fc->base), ~fc->bits,
                         __ATOMIC_RELAXED);
    m->stats.bytes_allocated -=
        (uint64_t)__builtin_popcountll(fc->bits) * fc->size;
    fc->bits = 0;
    fc->base = 0;
    fc->hdr_bits = 0;
  }
}

void gc_sf_cache_attach(gc_mutator *m) {
  m->size_class_of = gc_sizeclass_of_table;
  for (unsigned c = 0; c < GC_SIZECLASS_COUNT; c++)
    m->fb[c] = (gc_freebits_cache){.size = gc_sizeclass_bytes[c]};
}

gc_ref gc_sf_cache_take(gc_mutator *m, unsigned c, uint64_t header) {
  gc_freebits_cache *fc = &m->fb[c];
  uintptr_t a = fc->base + (uintptr_t)fc->size * gc_fb_pop(&fc->bits);
  memset((void *)a, 0, fc->size);
  *(uint64_t *)a = header | fc->hdr_bits;
  return (gc_ref)a;
}
