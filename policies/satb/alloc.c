/* alloc.c — the satb policy's allocation slow path, its trigger and its
 * pacing.
 *
 * Allocation is segfit's: per-class caches refilled from the
 * segregated-fit space (black while marking), large objects in the LOS
 * (marked at allocation while marking). The space grows until the arena is
 * full; what keeps it from filling is the trigger: a concurrent cycle is
 * requested once the bytes in use after the last sweep plus those handed
 * out since pass trigger * heap size.
 *
 * Pacing: a mutator that finds no memory does not collect itself. While a
 * cycle runs it waits for it (outside the heap, so the cycle's pauses do
 * not wait for it), then retries; twice at most, since back-to-back cycles
 * that free nothing would otherwise keep it waiting forever. Then it asks
 * for a stop-the-world ("degenerated") collection, which also frees what
 * the concurrent cycles' snapshots kept; after two of those that did not
 * help, the heap is exhausted and the allocation returns GC_NULL. The time
 * spent waiting is an allocation stall, reported beside the pauses: the
 * world did not stop, but this mutator did. */
#include "satb.h"

#define SATB_MAX_WAITS 2
#define SATB_MAX_DEGENERATED 2

bool satb_over_trigger(satb_state *s) {
  return __atomic_load_n(&s->live_base, __ATOMIC_RELAXED) +
             __atomic_load_n(&s->alloc_since, __ATOMIC_RELAXED) >=
         s->trigger_bytes;
}

/* Counts bytes handed out; requests a cycle when they pass the trigger and
 * none is running or asked for (a few atomic loads per 64 cells). */
static void note_alloc(satb_state *s, uint64_t bytes) {
  __atomic_add_fetch(&s->alloc_since, bytes, __ATOMIC_RELAXED);
  if (__atomic_load_n(&s->phase, __ATOMIC_RELAXED) == SATB_IDLE &&
      !gc_ct_pending(&s->ct, GC_REQ_CONCURRENT) && satb_over_trigger(s))
    gc_ct_trigger(&s->ct, GC_REQ_CONCURRENT);
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

typedef struct pacing {
  int waits, degenerated;
  uint64_t seen; /* cycles finished when the allocation was tried */
} pacing;

static void record_stall(satb_state *s, uint64_t ns) {
  pthread_mutex_lock(&s->lock);
  s->totals.stalls++;
  s->totals.stall_ns += ns;
  if (ns > s->totals.stall_max_ns)
    s->totals.stall_max_ns = ns;
  pthread_mutex_unlock(&s->lock);
}

/* The allocation failed: waits for memory as the header says. False when
 * the heap is exhausted. */
static bool wait_for_memory(gc_mutator *m, satb_state *s, pacing *p) {
  uint64_t started, finished, target;
  gc_ct_counts(&s->ct, &started, &finished);
  if (finished != p->seen)
    return true; /* a cycle ended since we tried */
  if (started != finished && p->waits < SATB_MAX_WAITS) {
    p->waits++;
    target = started; /* the running cycle */
  } else if (p->degenerated < SATB_MAX_DEGENERATED) {
    p->degenerated++;
    target = gc_ct_request(&s->ct, GC_REQ_DEGENERATED, "alloc");
  } else {
    return false;
  }
  uint64_t t0 = gc_delay_begin();
  gc_ct_wait(&s->ct, m, target);
  gc_delay_end(m, GC_DELAY_STALL, "alloc", t0);
  record_stall(s, gc_now_ns() - t0);
  return true;
}

static gc_ref alloc_large(gc_mutator *m, size_t bytes, uint64_t header) {
  satb_state *s = satb_of(m->heap);
  gc_los *los = &m->heap->los;
  pacing p = {0};
  for (;;) {
    p.seen = gc_ct_finished(&s->ct);
    uintptr_t a = gc_los_alloc(los, bytes); /* zeroed */
    if (a) {
      if (__atomic_load_n(&s->alloc_black, __ATOMIC_RELAXED))
        gc_los_mark(los, a);
      *(uint64_t *)a = header;
      m->stats.bytes_allocated += bytes;
      note_alloc(s, bytes);
      return (gc_ref)a;
    }
    if (!wait_for_memory(m, s, &p))
      return GC_NULL;
  }
}

gc_ref satb_alloc_slow(gc_mutator *m, size_t bytes, uint64_t header) {
  if (bytes > GC_SIZECLASS_MAX_BYTES)
    return alloc_large(m, bytes, header);
  satb_state *s = satb_of(m->heap);
  unsigned c = gc_sizeclass_of(bytes);
  gc_freebits_cache *fc = &m->fb[c];
  pacing p = {0};
  for (;;) {
    p.seen = gc_ct_finished(&s->ct);
    /* stress mode routes every allocation here: use the cache first */
    if (fc->bits || refill(m, s, c))
      return gc_sf_cache_take(m, c, header);
    if (!wait_for_memory(m, s, &p))
      return GC_NULL;
  }
}

void satb_collect(gc_mutator *m, gc_collect_reason why) {
  satb_state *s = satb_of(m->heap);
  if (why == GC_REASON_STRESS) { /* start one; the point is concurrency */
    gc_ct_request(&s->ct, GC_REQ_CONCURRENT, "stress");
    return;
  }
  uint64_t target =
      gc_ct_request(&s->ct, GC_REQ_CONCURRENT,
                    why == GC_REASON_ALLOC ? "alloc" : "requested");
  uint64_t t0 = gc_delay_begin();
  gc_ct_wait(&s->ct, m, target);
  gc_delay_end(m, GC_DELAY_STALL, "collect", t0);
}
