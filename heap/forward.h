/* forward.h — moving an object while several GC workers may reach it at
 * once: the claim / wait / commit protocol on the object's header word
 * (Flood, Detlefs, Shavit and Zhang 2001), used by semispace's copy loop
 * (policies/semispace/copy.c) and immix's defragmentation
 * (heap/immix_defrag.c):
 *
 *   plain header --claim (CAS)--> header|BUSY --copy--> word 1 := new address,
 *                                                       header|FORWARDED
 *                                                       (commit, release)
 *
 * The winner of the CAS copies; a loser that finds BUSY waits for the
 * header to settle (a copy is short) and then reads the outcome. The type
 * and length stay in the header throughout: only GC bits change. A winner
 * that cannot copy (no room) settles the header another way instead of
 * committing — what that means (a KEPT bit, a mark elsewhere) is the
 * caller's, as is the loop around the claim: the callers decide
 * differently what "already decided" means.
 *
 * Shenandoah copies first and installs the copy with one CAS (racing
 * mutators may copy too), and handle-copy forwards through its handle
 * table: neither uses this protocol. Bits 0..1 of the header are taken;
 * a caller may use the other GC bits (GC_HDR_GC_BITS) for its own. */
#ifndef GCTB_HEAP_FORWARD_H
#define GCTB_HEAP_FORWARD_H

#include "gctb.h"
#include "spin.h"
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define GC_FWD_BUSY 0x1u /* a worker claimed the object and is copying it */
#define GC_FWD_FORWARDED 0x2u /* copied: payload word 0 holds the new address  \
                               */

/* obj's header; the acquire orders the reads of what a commit published. */
static inline uint64_t gc_fwd_header(uintptr_t obj) {
  return __atomic_load_n((uint64_t *)obj, __ATOMIC_ACQUIRE);
}

/* Where obj went: only after a header load saw GC_FWD_FORWARDED. */
static inline uintptr_t gc_fwd_address(uintptr_t obj) {
  return __atomic_load_n((uintptr_t *)obj + 1, __ATOMIC_RELAXED);
}

/* Tries to claim obj, whose header was *h (no BUSY, not decided): true if
 * this thread now owns it; otherwise *h is the header found. */
static inline bool gc_fwd_claim(uintptr_t obj, uint64_t *h) {
  return __atomic_compare_exchange_n((uint64_t *)obj, h, *h | GC_FWD_BUSY,
                                     false, __ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE);
}

/* Another worker owns obj: its header once that worker has settled it. */
static inline uint64_t gc_fwd_wait(uintptr_t obj) {
  uint64_t h;
  for (unsigned spins = 0; (h = gc_fwd_header(obj)) & GC_FWD_BUSY; spins++)
    gc_spin_backoff(spins, 1024); /* the owner may be descheduled */
  return h;
}

/* Copies the owned object obj (h: its header without BUSY, bytes: its
 * size) to `to`. The header is written by hand: other workers read obj's
 * atomically, and the copy becomes visible only at the commit. Most
 * objects are a few words: a word loop beats a call to memcpy. */
static inline void gc_fwd_copy(uintptr_t to, uintptr_t obj, uint64_t h,
                               size_t bytes) {
  *(uint64_t *)to = h;
  if (bytes > 128) {
    memcpy((void *)(to + GC_WORD), (void *)(obj + GC_WORD), bytes - GC_WORD);
    return;
  }
  for (size_t i = 1; i < bytes / GC_WORD; i++)
    ((uint64_t *)to)[i] = ((const uint64_t *)obj)[i];
}

/* Publishes the copy `to` of the owned object obj (h: its header without
 * BUSY); everything written to the copy before is visible to whoever reads
 * GC_FWD_FORWARDED. */
static inline void gc_fwd_commit(uintptr_t obj, uint64_t h, uintptr_t to) {
  __atomic_store_n((uintptr_t *)obj + 1, to, __ATOMIC_RELAXED);
  __atomic_store_n((uint64_t *)obj, h | GC_FWD_FORWARDED, __ATOMIC_RELEASE);
}

/* Gives up the owned obj without moving it: its header becomes h (which
 * must not carry BUSY), with what the caller did before visible to
 * waiters. */
static inline void gc_fwd_settle(uintptr_t obj, uint64_t h) {
  __atomic_store_n((uint64_t *)obj, h, __ATOMIC_RELEASE);
}

#endif
