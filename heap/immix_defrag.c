/* immix_defrag.c — opportunistic defragmentation (Blackburn and McKinley
 * 2008, section 3.3): choosing candidate blocks before a collection, and
 * evacuating their objects while tracing.
 *
 * Candidates. The last sweep counted every block's holes and marked lines.
 * Blocks are binned by hole count; walking from the most fragmented bin
 * down, the bins' marked lines are added up until they would no longer fit
 * in the free blocks the collector may copy into (the headroom the
 * mutators left, plus any other free block). Blocks with more holes than
 * where the walk stopped are this collection's candidates: their live
 * objects move, so the blocks come out free or nearly so.
 *
 * Evacuation. Workers may race for an object, so a copy is claimed by CAS
 * on its header, as semispace does (the protocol of forward.h). The winner
 * copies into its copy allocator (free blocks only), sets the copy's mark bit
 * and queues the copy; its lines are marked when it is scanned. When no free
 * block is left the winner marks the object in place instead and restores the
 * header: the paper's fallback, which makes evacuation opportunistic and never
 * a reason to fail. A loser that finds BUSY waits for the outcome. Because a
 * kept object's header returns to its old value, a late CAS can succeed on it
 * again (ABA); the mark bit, set before the header is restored, tells that
 * claimant to back off. */
#include "forward.h"
#include "immix_space.h"
#include <stdlib.h>

const char *const immix_defrag_choices[] = {"off", "normal", "every", NULL};

unsigned immix_defrag_threshold(const uint64_t *mark_hist, unsigned nbins,
                                uint64_t available_lines) {
  uint64_t required = 0;
  /* Blocks with a single hole are never worth moving: their free space is
   * already one run. */
  for (unsigned h = nbins - 1; h >= 2; h--) {
    required += mark_hist[h];
    if (required > available_lines)
      return h;
  }
  return 1;
}

/* Blocks that hold objects allocated or kept since the last sweep. */
static bool holds_objects(const immix_block *blk) {
  return blk->state != IMMIX_UNOWNED && blk->state != IMMIX_FREE;
}

static unsigned threshold_for(immix_space *sp) {
  unsigned nbins = sp->lines_per_block / 2 + 2;
  uint64_t *hist = calloc(nbins, sizeof *hist);
  if (!hist)
    return nbins; /* no candidates */
  for (size_t b = 0; b < sp->nblocks; b++) {
    const immix_block *blk = &sp->blocks[b];
    if (holds_objects(blk) && blk->marked)
      hist[blk->holes < nbins ? blk->holes : nbins - 1] += blk->marked;
  }
  unsigned t = immix_defrag_threshold(
      hist, nbins, (uint64_t)immix_free_blocks(sp) * sp->lines_per_block);
  free(hist);
  return t;
}

size_t immix_select_candidates(immix_space *sp, immix_defrag_mode mode) {
  unsigned t = mode == IMMIX_DEFRAG_NORMAL ? threshold_for(sp) : 0;
  size_t n = 0;
  for (size_t b = 0; b < sp->nblocks; b++) {
    immix_block *blk = &sp->blocks[b];
    bool pick = false;
    if (mode == IMMIX_DEFRAG_EVERY)
      pick = holds_objects(blk);
    else if (mode == IMMIX_DEFRAG_NORMAL)
      pick = holds_objects(blk) && blk->marked && blk->holes > t;
    blk->candidate = pick;
    n += pick;
  }
  __atomic_store_n(&sp->evac_exhausted, 0, __ATOMIC_RELAXED);
  return n;
}

/* We own obj (h: its header without BUSY): copy it or keep it. */
static uintptr_t copy_owned(immix_space *sp, gc_worker *w, immix_allocator *ca,
                            uintptr_t obj, uint64_t h) {
  size_t bytes =
      gc_object_bytes(gc_type_by_id(gc_header_type(h)), gc_header_length(h), 1);
  uintptr_t to = immix_copy_alloc(sp, ca, bytes);
  if (!to) {
    immix_mark(sp, obj); /* before the header is restored: see above */
    gc_fwd_settle(obj, h);
    ca->kept++;
    gc_worker_push(w, obj);
    return obj;
  }
  gc_fwd_copy(to, obj, h, bytes);
  immix_mark(sp, to);
  gc_fwd_commit(obj, h, to);
  w->objects_copied++;
  w->bytes_copied += bytes;
  gc_worker_push(w, to);
  return to;
}

uintptr_t immix_evacuate(immix_space *sp, gc_worker *w, immix_allocator *ca,
                         uintptr_t obj) {
  uint64_t h = gc_fwd_header(obj);
  for (;;) {
    if (h & GC_FWD_FORWARDED)
      return gc_fwd_address(obj);
    if (h & GC_FWD_BUSY) {
      h = gc_fwd_wait(obj);
      continue;
    }
    if (immix_is_marked(sp, obj))
      return obj; /* kept in place by whoever claimed it */
    /* Alone, no one races us: skip the CAS (a locked cmpxchg). */
    if (w->count == 1)
      return copy_owned(sp, w, ca, obj, h);
    if (gc_fwd_claim(obj, &h))
      break;
  }
  if (immix_is_marked(sp, obj)) { /* ABA: kept in place meanwhile */
    gc_fwd_settle(obj, h);
    return obj;
  }
  return copy_owned(sp, w, ca, obj, h);
}
