/* barrier.c — the barriers' slow paths, both modes.
 *
 * lrb (Kennke, "Shenandoah GC in JDK 13, part 1: load reference
 * barriers"): gctb.h's gc_read_ref calls load_ref_slow for every non-null
 * reference it loads while the mutator's lrb_active flag is on (evacuation
 * and update-refs; shen_barriers_follow). Outside evacuation and update-refs it
 * returns the value; inside, a value in the collection set is resolved to its
 * copy (copying it first during evacuation) and the slot it came from is healed
 * with a CAS (a racing store wins), so the next load takes the fast path.
 * Mutators therefore only ever hold to-space references, and a write needs
 * nothing but the SATB barrier while marking.
 *
 * brooks (Flood et al., PPPJ 2016): every read goes through the Brooks word
 * (gctb.h's gc_ref_address); every store calls store_slow while the barrier
 * is on, which (1) during marking records the old value (SATB), (2) during
 * evacuation copies a cset target first and writes the copy ("write barrier
 * copies"), and (3) resolves a stored reference in the cset to its copy
 * (the "storeval" barrier), so that no from-space reference is stored into
 * the heap where update-refs might not see it. */
#include "shen.h"

/* The inline paths' flags follow the cycle's state (they change together,
 * in pauses or under heap->lock at attach). lrb: the SATB write barrier is on
 * while marking, the load-reference barrier (its own flag, lrb_active) while
 * evacuating and updating references; outside those phases their slow paths
 * would return at once. brooks: every access goes through the Brooks word
 * anyway; its write barrier is on through the whole cycle. */
void shen_barriers_follow(gc_mutator *m, void *arg) {
  shen_state *s = arg;
  int st = shen_gc_state(s);
  int wb = s->mode == SHEN_BROOKS ? st != 0 : (st & SHEN_MARKING) != 0;
  int lrb =
      s->mode == SHEN_LRB && (st & (SHEN_EVACUATING | SHEN_UPDATING)) != 0;
  __atomic_store_n(&m->barrier_active, wb, __ATOMIC_RELAXED);
  __atomic_store_n(&m->lrb_active, lrb, __ATOMIC_RELAXED);
}

/* A mutator evacuating an object is an assist (docs/delays.md): usually
 * well under a microsecond, so aggregated, unless the copy is large or
 * waits for another thread's copy of the same object. */
static uintptr_t copy_for(gc_mutator *m, shen_state *s, uintptr_t obj) {
  shen_mutator *md = shen_mutator_of(m);
  uint64_t t0 = gc_delay_begin();
  uintptr_t to = shen_evacuate(s, &md->gclab, obj, &md->copies, &md->copy_bytes,
                               &md->copies_lost);
  gc_delay_end(m, GC_DELAY_ASSIST, "evacuate", t0);
  return to;
}

/* The to-space copy of what r refers to: copied now if it is a cset
 * object nobody has copied yet and evacuation is on. */
static uintptr_t to_space(gc_mutator *m, shen_state *s, uintptr_t r,
                          int state) {
  if (!shen_in_cset(s, r))
    return r;
  uintptr_t f = shen_forwardee(s, r);
  if (f == r && (state & SHEN_EVACUATING))
    f = copy_for(m, s, r);
  return f;
}

gc_ref shen_load_ref_slow(gc_mutator *m, gc_ref obj, size_t off, gc_ref val) {
  shen_state *s = shen_of(m->heap);
  int state = shen_gc_state(s);
  if (!(state & (SHEN_EVACUATING | SHEN_UPDATING)))
    return val;
  gc_ref to = to_space(m, s, val, state);
  if (to != val) {
    gc_ref expect = val;
    __atomic_compare_exchange_n((gc_ref *)(obj + off), &expect, to, false,
                                __ATOMIC_RELAXED, __ATOMIC_RELAXED);
  }
  return to;
}

static void store(uintptr_t slot, uintptr_t val, int state, shen_state *s,
                  gc_mutator *m, bool is_ref) {
  if (is_ref && (state & SHEN_MARKING)) {
    gc_ref old = __atomic_load_n((uintptr_t *)slot, __ATOMIC_RELAXED);
    satb_enqueue(&s->marker, shen_queue_of(m), old);
  }
  /* a release store while marking: the marker, which loads slots with
   * acquire, must see what a new object's allocation wrote */
  __atomic_store_n((uintptr_t *)slot, val, __ATOMIC_RELEASE);
}

void shen_store_slow(gc_mutator *m, gc_ref obj, size_t off, uintptr_t val,
                     bool is_ref) {
  shen_state *s = shen_of(m->heap);
  int state = shen_gc_state(s);
  uintptr_t addr = obj;
  if (s->mode == SHEN_BROOKS) {
    addr = s->no_copy_on_write && (state & SHEN_EVACUATING)
               ? obj
               : to_space(m, s, obj, state);
    if (is_ref && val != GC_NULL)
      val = to_space(m, s, val, state);
  }
  store(addr + off, val, state, s, m, is_ref);
}
