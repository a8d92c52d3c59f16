/* immix_alloc.c — allocation in the immix space: a mutator's holes and
 * overflow block, and the GC workers' copy allocation.
 *
 * A mutator bump-allocates in its current hole through the inline fast
 * path (m->bump_cur / bump_limit). When the hole is used up it takes the
 * next hole of its block, then the next recyclable block (holes left by the
 * last collection, address order), then a free block (the paper's order:
 * recycle first, so fragmented space is refilled before clean space is
 * taken). An object bigger than a line that does not fit the current hole
 * goes to the mutator's overflow block instead of skipping the hole: small
 * holes stay useful for small objects, which are the majority (the paper's
 * "overflow allocation", section 3.1). Only when no free block is left does
 * a medium object search the holes for one big enough.
 *
 * The fast path writes only the header, so every hole and overflow block is
 * zeroed when it is handed out; it holds dead objects from earlier cycles.
 * Copies need no zeroing: a copy writes every byte it occupies, and the
 * gaps between copies are zeroed when a later hole covers them. */
#include "immix_space.h"
#include <string.h>

void immix_allocator_reset(immix_allocator *a) {
  *a = (immix_allocator){.block = IMMIX_NO_BLOCK};
}

/* The next hole, [*lo, *hi), for allocator a; false if the space has none
 * it may use. */
static bool next_hole(immix_space *sp, immix_allocator *a, bool mutator,
                      uintptr_t *lo, uintptr_t *hi) {
  for (;;) {
    unsigned l0, l1;
    if (a->block != IMMIX_NO_BLOCK &&
        immix_hole_find(immix_lines_of(sp, a->block), sp->lines_per_block,
                        a->line, sp->conservative, &l0, &l1)) {
      uintptr_t b = immix_block_addr(sp, a->block);
      a->line = l1;
      *lo = b + ((uintptr_t)l0 << sp->line_log);
      *hi = b + ((uintptr_t)l1 << sp->line_log);
      return true;
    }
    uint32_t b = immix_take_recyclable(sp);
    if (b == IMMIX_NO_BLOCK &&
        (b = immix_take_free(sp, mutator)) == IMMIX_NO_BLOCK) {
      a->block = IMMIX_NO_BLOCK;
      return false;
    }
    a->block = b;
    a->line = 0;
  }
}

/* Whether the mutators may take more memory before the next collection
 * (sticky-immix's nursery size; unlimited otherwise). */
static bool may_hand_out(immix_space *sp) {
  return __atomic_load_n(&sp->handed_out, __ATOMIC_RELAXED) < sp->handout_limit;
}

/* Counted only under a limit: the add is an atomic RMW on a word every
 * mutator shares, once per hole, and with two mutators on two cores the
 * line went back and forth for nothing when there was no limit to check. */
static void handed_out(immix_space *sp, size_t bytes) {
  if (sp->handout_limit != UINT64_MAX)
    __atomic_add_fetch(&sp->handed_out, bytes, __ATOMIC_RELAXED);
}

static uintptr_t overflow_alloc(immix_space *sp, immix_allocator *a,
                                gc_mutator *m, size_t bytes) {
  uintptr_t p = a->ov_cur;
  if (bytes > a->ov_limit - p) {
    uint32_t b;
    if (!may_hand_out(sp) || (b = immix_take_free(sp, true)) == IMMIX_NO_BLOCK)
      return 0;
    p = immix_block_addr(sp, b);
    memset((void *)p, 0, sp->block_bytes);
    a->ov_limit = p + sp->block_bytes;
    handed_out(sp, sp->block_bytes);
  }
  a->ov_cur = p + bytes;
  m->stats.bytes_allocated += bytes;
  return p;
}

uintptr_t immix_mutator_alloc(immix_space *sp, immix_allocator *a,
                              gc_mutator *m, size_t bytes) {
  uintptr_t p = m->bump_cur; /* stress mode sends every allocation here */
  if (bytes <= m->bump_limit - p) {
    m->bump_cur = p + bytes;
    return p;
  }
  if (bytes > sp->line_bytes && (p = overflow_alloc(sp, a, m, bytes)))
    return p;
  /* Small objects fit any hole (a hole is at least a line). A medium one
   * gets here only when no free block is left for overflow: it takes the
   * first hole big enough, and the smaller holes it passes stay unused
   * until the next collection (better than collecting while recyclable
   * space is left, and the only way for a non-moving policy to use it). */
  uintptr_t lo, hi;
  do
    if (!may_hand_out(sp) || !next_hole(sp, a, true, &lo, &hi))
      return 0;
  while (hi - lo < bytes);
  handed_out(sp, hi - lo);
  memset((void *)lo, 0, hi - lo);
  gc_mutator_retire_bump(m);
  m->bump_start = lo;
  m->bump_cur = lo + bytes;
  m->bump_limit = hi;
  return lo;
}

void immix_mutator_retire(immix_space *sp, immix_allocator *a, gc_mutator *m) {
  gc_mutator_retire_bump(m);
  immix_allocator_reset(a);
}

uintptr_t immix_copy_alloc(immix_space *sp, immix_allocator *a, size_t bytes) {
  uintptr_t p = a->cur;
  if (bytes > a->limit - p) {
    if (__atomic_load_n(&sp->evac_exhausted, __ATOMIC_RELAXED))
      return 0;
    uint32_t b = immix_take_free(sp, false);
    if (b == IMMIX_NO_BLOCK) {
      __atomic_store_n(&sp->evac_exhausted, 1, __ATOMIC_RELAXED);
      return 0;
    }
    p = immix_block_addr(sp, b);
    a->limit = p + sp->block_bytes;
  }
  a->cur = p + bytes;
  return p;
}

uintptr_t immix_los_alloc(immix_space *sp, gc_mutator *m, size_t bytes,
                          bool after_gc) {
  size_t chunks = (bytes + GC_CHUNK_BYTES - 1) >> GC_CHUNK_LOG;
  if (!after_gc && (!may_hand_out(sp) ||
                    immix_free_blocks(sp) <
                        sp->reserve_blocks + chunks * sp->blocks_per_chunk))
    return 0;
  uintptr_t p = gc_los_alloc(&m->heap->los, bytes); /* zeroed */
  if (p) {
    m->stats.bytes_allocated += bytes;
    handed_out(sp, bytes);
  }
  return p;
}

gc_ref immix_try_alloc(immix_space *sp, immix_allocator *a, gc_mutator *m,
                       size_t bytes, uint64_t header, const gc_alloc_try *at) {
  uintptr_t p = bytes >= m->heap->c.large_object_bytes
                    ? immix_los_alloc(sp, m, bytes, at->own > 0)
                    : immix_mutator_alloc(sp, a, m, bytes);
  if (p)
    *(uint64_t *)p = header;
  return (gc_ref)p;
}
