/* alloc.c — the otf policy's allocation slow path: the colour of new
 * objects, the trigger, and pacing.
 *
 * Allocation is the seed's binning allocator as the segregated-fit space
 * has it: memory in chunks of one size class (bins), a mutator takes a
 * 64-cell block of its bin with one compare-and-swap on the block's
 * free-bits word (gc_sf_find_block) and allocates from it without
 * synchronising with anyone, the sweep included.
 *
 * Colour (DLG's allocation colour, decided when cells enter a cache):
 *   idle, sync1, sync2   white: the object is found from the roots the
 *                        mutator will shade, or shaded by the sync-mode
 *                        barrier when it is stored;
 *   trace                black once the mutator has shaded its roots
 *                        (the roots handshake blackens its caches too);
 *   sweep                black in a pool not swept yet, white in one
 *                        already swept: a new object is never freed by the
 *                        sweep under way.
 * and in every phase white in a pool that this cycle's sweep has passed
 * already, so that no mark outlives the sweep. The phase is read after the
 * block was claimed, in one load with the epoch this cycle's sweep gives
 * the pools (otf_state.status), and "swept" is judged against that epoch,
 * never against the space's epoch or another cycle's as read apart:
 *   - "sweep" with the space's epoch from before the collector moved it
 *     judged an unswept pool swept: a white object the sweep freed (seen
 *     as corrupted gcold trees);
 *   - "trace" read after the space's epoch moved (a claim from a fresh
 *     page: the shut gate keeps the other pools unswept), or "sweep" read
 *     as a cycle ended with the next cycle's epoch read after it began,
 *     made cells black in a pool that sweep had passed: the mark outlived
 *     the cycle, the next one took the object for traced without scanning
 *     it and lost whatever only it referenced (otf's mark check, about 1
 *     run in 240 of server's stress test under TSan; otf-gen would promote
 *     the object early).
 *
 * The trigger: a cycle starts when the bytes in use after the last sweep
 * plus those handed out since pass trigger * heap size. When an attempt
 * fails, the driver's ladder (heap/collector.h, ops in otf.c) takes over: a
 * mutator waits for the running cycle (outside the heap, so the cycle's
 * handshakes run on its behalf), then asks for fresh cycles, then for a
 * stop-the-world collection (cycle.c, "degenerated"); a second one
 * allocates for it inside its pause, and if even that finds no room the
 * allocation returns GC_NULL: a clean out-of-memory. */
#include "otf.h"

bool otf_over_trigger(void *ctx) {
  otf_state *s = ctx;
  return __atomic_load_n(&s->live_base, __ATOMIC_RELAXED) +
             __atomic_load_n(&s->alloc_since, __ATOMIC_RELAXED) >=
         s->trigger_bytes;
}

static void note_alloc(otf_state *s, uint64_t bytes) {
  __atomic_add_fetch(&s->alloc_since, bytes, __ATOMIC_RELAXED);
  if (otf_phase_now(s) == OTF_IDLE && !gc_collector_busy(&s->gc) &&
      otf_over_trigger(s))
    gc_collector_trigger(&s->gc);
}

static bool black_cells(otf_state *s, gc_mutator *m, uintptr_t base) {
  uint64_t st = otf_status_now(s);
  otf_phase ph = otf_status_phase(st);
  bool black = ph == OTF_TRACE ? otf_mutator_of(m)->black : ph == OTF_SWEEP;
  return black && !gc_sf_swept_in(&s->sf, base, otf_status_sweep_epoch(st));
}

/* Large objects: marked iff allocated black, under the lock the LOS sweep
 * holds, so that the sweep never sees a black object unmarked. */
static bool black_large(otf_state *s, gc_mutator *m) {
  switch (otf_phase_now(s)) {
  case OTF_TRACE:
    return otf_mutator_of(m)->black;
  case OTF_SWEEP:
    return !s->los_swept;
  default:
    return false;
  }
}

static bool find(otf_state *s, unsigned c, uintptr_t *base, uint64_t *bits) {
  *bits = gc_sf_find_block(&s->sf, c, base);
  if (!*bits)
    *bits = gc_sf_grow(&s->sf, c, base);
  if (!*bits) { /* a cursor moved past cells a sweep freed: look again */
    __atomic_store_n(&s->sf.cls[c].cursor, 0, __ATOMIC_RELAXED);
    *bits = gc_sf_find_block(&s->sf, c, base);
  }
  return *bits != 0;
}

static bool refill(gc_mutator *m, otf_state *s, unsigned c) {
  uintptr_t base = 0;
  uint64_t bits;
  if (!find(s, c, &base, &bits))
    return false;
  gc_sf_cache_set(&s->sf, m, c, base, bits, black_cells(s, m, base));
  note_alloc(s, (uint64_t)__builtin_popcountll(bits) * m->fb[c].size);
  return true;
}

gc_ref otf_try_alloc(gc_mutator *m, size_t bytes, uint64_t header,
                     const gc_alloc_try *at, void *ctx) {
  otf_state *s = ctx;
  if (bytes > GC_SIZECLASS_MAX_BYTES) {
    pthread_mutex_lock(&s->los_lock);
    bool black = black_large(s, m); /* otf-gen: old, so armed */
    uintptr_t a = gc_los_alloc_object(
        m, bytes, black ? header | s->sf.black_hdr_bits : header, black);
    pthread_mutex_unlock(&s->los_lock);
    if (a)
      note_alloc(s, bytes);
    return (gc_ref)a;
  }
  unsigned c = gc_sizeclass_of(bytes);
  /* stress mode routes every allocation here: use the cache first */
  if (m->fb[c].bits || refill(m, s, c))
    return gc_sf_cache_take(m, c, header);
  return GC_NULL;
}
