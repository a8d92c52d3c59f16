/* alloc.c — the satb policy's allocation attempt and its trigger.
 *
 * Allocation is segfit's: per-class caches refilled from the
 * segregated-fit space (black while marking), large objects in the LOS
 * (marked at allocation while marking). The space grows until the arena is
 * full; what keeps it from filling is the trigger (heap/trigger.h): a
 * concurrent cycle is requested once the bytes in use after the last sweep
 * plus those handed out since pass the trigger's threshold, a fixed share
 * of the heap or the adaptive one (start so that the cycle ends before the
 * headroom is gone).
 *
 * When an attempt fails, the driver (heap/collector.h) takes over: a
 * mutator does not collect itself. It waits for the running cycle (twice at
 * most, outside the heap, so the cycle's pauses do not wait for it), then
 * asks for a stop-the-world ("degenerated") collection, which also frees
 * what the concurrent cycles' snapshots kept; a second degenerated
 * collection allocates for it inside its pause, and if even that finds no
 * room the heap is exhausted. Waits are allocation stalls. */
#include "satb.h"

uint64_t satb_occupancy(satb_state *s) {
  return __atomic_load_n(&s->live_base, __ATOMIC_RELAXED) +
         __atomic_load_n(&s->alloc_since, __ATOMIC_RELAXED);
}

bool satb_over_trigger(satb_state *s) {
  return satb_occupancy(s) >= gc_trigger_threshold(&s->trigger);
}

/* Counts bytes handed out; requests a cycle when they pass the trigger and
 * none is running or asked for (a few atomic loads per 64 cells). */
static void note_alloc(satb_state *s, uint64_t bytes) {
  __atomic_add_fetch(&s->alloc_since, bytes, __ATOMIC_RELAXED);
  gc_trigger_alloc(&s->trigger, bytes);
  if (__atomic_load_n(&s->phase, __ATOMIC_RELAXED) == SATB_IDLE &&
      satb_over_trigger(s))
    gc_collector_trigger(&s->gc);
}

static bool refill(gc_mutator *m, satb_state *s, unsigned c) {
  uintptr_t base = 0;
  uint64_t bits = gc_sf_find_block(&s->sf, c, &base);
  if (!bits)
    bits = gc_sf_grow(&s->sf, c, &base);
  if (!bits)
    return false;
  /* alloc_black changes only with the world stopped, and we are not at a
   * safepoint between reading it and marking the cells */
  bool black = __atomic_load_n(&s->alloc_black, __ATOMIC_RELAXED);
  gc_sf_cache_set(&s->sf, m, c, base, bits, black);
  note_alloc(s, (uint64_t)__builtin_popcountll(bits) * m->fb[c].size);
  return true;
}

gc_ref satb_try_alloc(gc_mutator *m, size_t bytes, uint64_t header,
                      const gc_alloc_try *at, void *ctx) {
  satb_state *s = ctx;
  if (bytes > GC_SIZECLASS_MAX_BYTES) {
    bool black = __atomic_load_n(&s->alloc_black, __ATOMIC_RELAXED);
    uintptr_t a = gc_los_alloc_object(m, bytes, header, black);
    if (a)
      note_alloc(s, bytes);
    else
      gc_trigger_ran_out(&s->trigger);
    return (gc_ref)a;
  }
  unsigned c = gc_sizeclass_of(bytes);
  /* stress mode routes every allocation here: use the cache first */
  if (m->fb[c].bits || refill(m, s, c))
    return gc_sf_cache_take(m, c, header);
  gc_trigger_ran_out(&s->trigger);
  return GC_NULL;
}
