/* freebits.h — operations on the 64-bit words of the "My GC" seed's blocks,
 * used by the segregated-fit space (heap/sfspace.h).
 *
 * A block holds 64 cells of one size class. Its free-bits word has bit i set
 * when cell i is free; its mark-bits word has bit i set when the collector
 * found cell i reachable (or, while a concurrent collector marks, when cell i
 * was handed to an allocator: "allocated black"). Mutators claim a whole
 * free-bits word at once by CASing it to 0 (the seed's find_block): the
 * winner owns every cell the word had free and allocates from its private
 * copy with tzcnt, so the shared word is touched once per 64 allocations at
 * most. Words are only ever set again by sweeping, which runs in the pause
 * (eager) or under the pool's sweep claim (lazy or concurrent), so a word
 * read as 0 between collections stays 0.
 *
 * Pure functions on words: tests/unit/test_freebits.c exercises them alone.
 */
#ifndef GCTB_FREEBITS_H
#define GCTB_FREEBITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GC_FB_BLOCK_CELLS 64

/* Mask of the cells that exist in a block of n (1..64) cells. */
static inline uint64_t gc_fb_mask(unsigned n) {
  return n >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << n) - 1;
}

/* Claims every free cell of *word; returns them (0: none, or another thread
 * won the race). */
static inline uint64_t gc_fb_claim(uint64_t *word) {
  uint64_t bits = __atomic_load_n(word, __ATOMIC_RELAXED);
  while (bits && !__atomic_compare_exchange_n(
                     word, &bits, 0, true, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
    ;
  return bits;
}

/* Takes the lowest free cell of a claimed word (the fast path's tzcnt). */
static inline unsigned gc_fb_pop(uint64_t *bits) {
  unsigned i = (unsigned)__builtin_ctzll(*bits);
  *bits &= *bits - 1;
  return i;
}

/* Sets mark bit i; true if this call set it (the object is newly marked).
 * The plain load first skips the atomic RMW for already-marked objects,
 * which shared subgraphs reach many times. */
static inline bool gc_fb_mark(uint64_t *word, unsigned i) {
  uint64_t bit = (uint64_t)1 << i;
  if (__atomic_load_n(word, __ATOMIC_RELAXED) & bit)
    return false;
  return !(__atomic_fetch_or(word, bit, __ATOMIC_RELAXED) & bit);
}

static inline bool gc_fb_is_set(const uint64_t *word, unsigned i) {
  return (__atomic_load_n(word, __ATOMIC_RELAXED) >> i) & 1;
}

/* Sweeps a pool's blocks: every cell that exists and is unmarked becomes
 * free, marked cells stay allocated. Returns the number of live cells. The
 * last block may be partial (last_mask), as when 73 cells of 3584 bytes fill
 * a chunk. With clear, the mark words are zeroed as they are read, ready for
 * the next marking (a concurrent collector cannot clear them in a pause
 * without making that pause grow with the heap). */
static inline size_t gc_fb_sweep(uint64_t *free, uint64_t *mark, size_t nblocks,
                                 uint64_t last_mask, bool clear) {
  size_t live = 0;
  for (size_t b = 0; b < nblocks; b++) {
    uint64_t m = clear ? __atomic_exchange_n(&mark[b], 0, __ATOMIC_RELAXED)
                       : __atomic_load_n(&mark[b], __ATOMIC_RELAXED);
    uint64_t valid = b + 1 == nblocks ? last_mask : ~(uint64_t)0;
    __atomic_store_n(&free[b], ~m & valid, __ATOMIC_RELAXED);
    live += (size_t)__builtin_popcountll(m);
  }
  return live;
}

/* True if any of n words has a bit set. */
static inline bool gc_fb_any(const uint64_t *words, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (__atomic_load_n(&words[i], __ATOMIC_RELAXED))
      return true;
  return false;
}

#endif
