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
 * The phase is read after the block was claimed, and the collector moves
 * the space's epoch before it posts "sweep" (release): a mutator that reads
 * "sweep" (acquire) then reads the new epoch, so "swept in this epoch" is
 * never judged against the old one (which would make a cell of an unswept
 * pool white, and the sweep would free its object: seen as corrupted gcold
 * trees before this order was fixed). The other way round, a claim that
 * saw the new epoch may still read "trace" and allocate black in a swept
 * pool: a stale mark, so that object lives one cycle more (otf) or is
 * promoted early (otf-gen), never freed early.
 *
 * Pacing: a cycle starts when the bytes in use after the last sweep plus
 * those handed out since pass trigger * heap size. A mutator that finds no
 * memory waits for the running cycle (outside the heap, so the cycle's
 * handshakes run on its behalf), then asks for fresh cycles; after
 * OTF_MAX_FUTILE cycles that left the heap nearly full the heap is
 * exhausted and the allocation returns GC_NULL: a clean out-of-memory. */
#include "otf.h"

/* A wait is futile when a cycle started after the allocation failed left
 * more than 3/4 of the heap in use;
 * four of those, or 64 waits in all, and the heap is exhausted. Other
 * mutators may take what a cycle freed before a starved waiter runs again,
 * so a wait after which the heap had room is not counted as futile. */
#define OTF_MAX_FUTILE 4
#define OTF_MAX_WAITS 64

typedef struct pacing {
  int waits, futile;
  bool fresh;    /* the last wait was for a cycle started after we failed */
  uint64_t seen; /* cycles finished when the allocation was tried */
} pacing;

bool otf_over_trigger(void *ctx) {
  otf_state *s = ctx;
  return __atomic_load_n(&s->live_base, __ATOMIC_RELAXED) +
             __atomic_load_n(&s->alloc_since, __ATOMIC_RELAXED) >=
         s->trigger_bytes;
}

static void note_alloc(otf_state *s, uint64_t bytes) {
  __atomic_add_fetch(&s->alloc_since, bytes, __ATOMIC_RELAXED);
  if (otf_phase_now(s) == OTF_IDLE && !gc_ct_busy(&s->ct) &&
      !gc_ct_pending(&s->ct, GC_REQ_CONCURRENT) && otf_over_trigger(s))
    gc_ct_trigger(&s->ct, GC_REQ_CONCURRENT);
}

static bool black_cells(otf_state *s, gc_mutator *m, uintptr_t base) {
  switch (otf_phase_now(s)) {
  case OTF_TRACE:
    return otf_mutator_of(m)->black;
  case OTF_SWEEP:
    return !gc_sf_swept_now(&s->sf, base);
  default:
    return false;
  }
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

static void record_stall(otf_state *s, uint64_t ns) {
  pthread_mutex_lock(&s->lock);
  s->totals.stalls++;
  s->totals.stall_ns += ns;
  if (ns > s->totals.stall_max_ns)
    s->totals.stall_max_ns = ns;
  pthread_mutex_unlock(&s->lock);
}

/* The allocation failed: waits for the running cycle or a new one. False
 * when the heap is exhausted (see OTF_MAX_FUTILE). A cycle that ended
 * since the allocation was tried is worth a retry first. */
static bool wait_for_memory(gc_mutator *m, otf_state *s, pacing *p) {
  if (gc_ct_finished(&s->ct) != p->seen)
    return true;
  /* a cycle that was already running kept what was allocated during it:
   * only a fresh one's result tells whether the heap is exhausted */
  if (p->fresh && __atomic_load_n(&s->live_base, __ATOMIC_RELAXED) >
                      s->heap->cfg.heap_bytes / 4 * 3)
    p->futile++;
  if (p->futile >= OTF_MAX_FUTILE || p->waits++ >= OTF_MAX_WAITS)
    return false;
  p->fresh = !gc_ct_busy(&s->ct);
  uint64_t target = p->fresh ? gc_ct_request(&s->ct, GC_REQ_CONCURRENT, "alloc")
                             : gc_ct_finished(&s->ct) + 1;
  uint64_t t0 = gc_delay_begin();
  gc_ct_wait(&s->ct, m, target);
  gc_delay_end(m, GC_DELAY_STALL, "alloc", t0);
  record_stall(s, gc_now_ns() - t0);
  return true;
}

static gc_ref alloc_large(gc_mutator *m, size_t bytes, uint64_t header) {
  otf_state *s = otf_of(m->heap);
  gc_los *los = &m->heap->los;
  pacing p = {0};
  for (;;) {
    p.seen = gc_ct_finished(&s->ct);
    pthread_mutex_lock(&s->los_lock);
    uintptr_t a = gc_los_alloc(los, bytes); /* zeroed */
    if (a && black_large(s, m))
      gc_los_mark(los, a);
    pthread_mutex_unlock(&s->los_lock);
    if (a) {
      *(uint64_t *)a = header;
      m->stats.bytes_allocated += bytes;
      note_alloc(s, bytes);
      return (gc_ref)a;
    }
    if (!wait_for_memory(m, s, &p))
      return GC_NULL;
  }
}

gc_ref otf_alloc_slow(gc_mutator *m, size_t bytes, uint64_t header) {
  if (bytes > GC_SIZECLASS_MAX_BYTES)
    return alloc_large(m, bytes, header);
  otf_state *s = otf_of(m->heap);
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

void otf_collect(gc_mutator *m, gc_collect_reason why) {
  otf_state *s = otf_of(m->heap);
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
