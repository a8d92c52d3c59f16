/* object_log.h — the object-logging write barrier's header bit, shared by
 * the policies whose inline fast path tests it (gctb.h: GC_WB_OBJECT_LOG,
 * GC_WB_OBJECT_LOG_SATB).
 *
 * GC_HDR_UNLOGGED on an object means "old, and not in any remembered set
 * since it was last armed": its next reference store takes the slow path,
 * which claims the bit and logs the object. The collector arms an object
 * when it becomes old (tracing or allocating it old) and again once it has
 * scanned a logged one. Young objects never carry the bit (the allocation
 * fast path writes the type's header, whose GC bits are zero, unless the
 * policy hands out old cells: gc_freebits_cache.hdr_bits). */
#ifndef GCTB_OBJECT_LOG_H
#define GCTB_OBJECT_LOG_H

#include "gctb.h"

/* Clears obj's GC_HDR_UNLOGGED; true if this call cleared it, so that of
 * two mutators storing into one object at once exactly one logs it. The
 * load first keeps a logged object's line shared. order: the memory order
 * of the read-modify-write (a concurrent collector that re-arms and then
 * reads the slots needs the slot store ordered before the claim). */
static inline bool gc_object_log_claim(gc_ref obj, int order) {
  uint64_t *hdr = (uint64_t *)obj;
  if (!(__atomic_load_n(hdr, __ATOMIC_RELAXED) & GC_HDR_UNLOGGED))
    return false;
  return __atomic_fetch_and(hdr, ~(uint64_t)GC_HDR_UNLOGGED, order) &
         GC_HDR_UNLOGGED;
}

/* Sets obj's GC_HDR_UNLOGGED (the object is old: its next reference store
 * is logged); the load first skips the write for an armed object. */
static inline void gc_object_log_arm(gc_ref obj) {
  uint64_t *hdr = (uint64_t *)obj;
  if (!(__atomic_load_n(hdr, __ATOMIC_RELAXED) & GC_HDR_UNLOGGED))
    __atomic_fetch_or(hdr, GC_HDR_UNLOGGED, __ATOMIC_RELAXED);
}

/* Re-arms a logged object before a concurrent collector scans its slots:
 * an acquire read-modify-write, so the scan sees every store a mutator
 * made before claiming the bit (its claim is a release), and a store after
 * this re-arm is logged again. */
static inline void gc_object_log_rearm(gc_ref obj) {
  __atomic_fetch_or((uint64_t *)obj, GC_HDR_UNLOGGED, __ATOMIC_ACQ_REL);
}

/* Turns m's write-barrier flag on or off, with the mask of the
 * GC_WB_OBJECT_LOG_SATB fast path, which tests both in one instruction:
 * while active every header matches it (the flag's slow path), otherwise
 * only an unlogged one. */
static inline void gc_object_log_set_active(gc_mutator *m, bool on) {
  __atomic_store_n(&m->barrier_active, on, __ATOMIC_RELAXED);
  __atomic_store_n(&m->log_mask, on ? ~(uint64_t)0 : GC_HDR_UNLOGGED,
                   __ATOMIC_RELAXED);
}

#endif
