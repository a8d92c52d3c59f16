/* alloc.c — allocation (a handle plus a bumped record, the seed's O(1)
 * allocation), the mutators' share of the copying, and the write barrier.
 *
 * Every allocation is a call (GC_ALLOC_CALL): the handle comes from the
 * mutator's cache of free slots and the record from its bump buffer in the
 * allocation space. Every copy_every allocations during a copy phase the
 * mutator copies copy_batch objects first: the seed's "runs in all threads
 * from time to time". When the copy reserve says the space is full the
 * mutator finishes the running cycle (copying the rest itself) or starts a
 * new one: the driver's stop-the-world protocol (heap/collector.h,
 * gc_stw_alloc) with this policy's allocation attempt and collection. */
#include "../../heap/collector.h"
#include "../../heap/spin.h"
#include "hc.h"
#include <string.h>

/* A mutator gives up after this many cycles of its own that left no room,
 * or after this many attempts in all. */
#define HC_OWN_CYCLES 3
#define HC_ATTEMPTS 24

/* Puts h back at the head of m's cache (the allocation failed). */
static void unget_handle(hc_state *s, hc_mutator *hm, uint32_t h) {
  __atomic_store_n(hc_entry(&s->t, h), ((uintptr_t)hm->hfree << 3) | HC_E_FREE,
                   __ATOMIC_RELAXED);
  hm->hfree = h;
  hm->nhfree++;
}

/* The object's address, or 0 when there is no room. */
static uintptr_t try_place(hc_state *s, gc_mutator *m, size_t bytes, uint32_t h,
                           bool after_cycle) {
  if (bytes >= m->heap->c.large_object_bytes) {
    size_t k = (bytes + GC_CHUNK_BYTES - 1) >> GC_CHUNK_LOG;
    if (!after_cycle && !hc_reserve_allows(s, k))
      return 0;
    uintptr_t p = gc_los_alloc(&m->heap->los, bytes); /* zeroed */
    if (p)
      m->stats.bytes_allocated += bytes;
    return p;
  }
  uintptr_t rec = hc_buffer_alloc(s, hc_mut(m), GC_WORD + bytes, false);
  if (!rec)
    return 0;
  hc_set_word(rec, (uint64_t)h << 1);
  memset((void *)(rec + 2 * GC_WORD), 0, bytes - GC_WORD);
  m->stats.bytes_allocated += bytes;
  return rec + GC_WORD;
}

/* Fixed pacing (as described): copy_batch objects every copy_every
 * allocations. Proportional: each allocated byte adds copy_ratio bytes of
 * copying, so the copy list runs out about when the room does (Baker's
 * incremental pacing), rather than a mutator finding the space full and
 * finishing the copy in one stall. */
static void pace(hc_state *s, gc_mutator *m, size_t bytes) {
  hc_mutator *hm = hc_mut(m);
  if (hc_phase(s) != HC_COPYING)
    return;
  bool fixed = s->pacing == HC_PACE_FIXED;
  if (fixed ? ++hm->since_copy < s->copy_every
            : (hm->debt += (double)bytes * s->copy_ratio) <= 0)
    return;
  /* The mutator's share of the copying is an assist (docs/delays.md); the
   * clock is read only here, as every allocation of this policy comes to
   * pace. */
  uint64_t copied, t0 = gc_delay_begin();
  bool last = false;
  if (fixed) {
    hm->since_copy = 0;
    last = hc_copy_step(s, m, s->copy_batch, &copied);
  } else {
    while (hm->debt > 0 && !last && hc_phase(s) == HC_COPYING &&
           __atomic_load_n(&s->cursor, __ATOMIC_RELAXED) < s->ncopy) {
      last = hc_copy_step(s, m, s->copy_batch, &copied);
      hm->debt -= (double)copied;
    }
    if (hm->debt > 0)
      hm->debt = 0; /* the list ran out: no debt into the next cycle */
  }
  gc_delay_end(m, GC_DELAY_ASSIST, "copy", t0);
  if (last) /* copied the last entry */
    hc_finish_cycle(m);
}

void hc_pacing_set(hc_state *s) {
  uint64_t free = gc_arena_free_bytes(&s->heap->arena);
  uint64_t reserve = s->compact_now ? 0 : s->copy_bytes + s->copy_bytes / 8;
  uint64_t room = free > reserve ? (free - reserve) / 2 : 0;
  if (room < GC_CHUNK_BYTES)
    room = GC_CHUNK_BYTES;
  s->copy_ratio = (double)s->copy_bytes / (double)room;
}

/* One attempt: a handle and a place for the object, or GC_NULL (the
 * handle goes back to the cache). Never collects. */
static gc_ref try_alloc(gc_mutator *m, size_t bytes, uint64_t header,
                        const gc_alloc_try *at, void *ctx) {
  hc_state *s = ctx;
  hc_mutator *hm = hc_mut(m);
  uint32_t h = hc_handle_alloc(s, hm);
  uintptr_t obj = h ? try_place(s, m, bytes, h, at->own > 0) : 0;
  if (!obj) {
    if (h)
      unget_handle(s, hm, h); /* before a sweep could free it again */
    return GC_NULL;
  }
  hc_set_word(obj, header);
  /* Release: whoever reads the handle sees the header and zeros. */
  __atomic_store_n(hc_entry(&s->t, h), obj, __ATOMIC_RELEASE);
  return (gc_ref)h;
}

/* The allocation failed: a copy phase running is finished first (its
 * from-space released: not a cycle of this thread's own); otherwise a new
 * cycle starts. The last cycle of its own is finished at once, so that the
 * last attempt sees its from-space released too. */
static bool collect_for_alloc(gc_mutator *m, const gc_alloc_try *at,
                              void *ctx) {
  if (hc_phase(ctx) == HC_COPYING) {
    hc_finish_cycle(m);
    return false;
  }
  if (!hc_start_cycle(m, GC_REASON_ALLOC))
    return false;
  if (at->own + 1 == HC_OWN_CYCLES)
    hc_finish_cycle(m);
  return true;
}

static const gc_collector_ops hc_collector_ops = {
    .collect_for_alloc = collect_for_alloc,
    .ladder = {.own = HC_OWN_CYCLES, .attempts = HC_ATTEMPTS}};

gc_ref hc_alloc_slow(gc_mutator *m, size_t bytes, uint64_t header) {
  hc_state *s = hc_of(m->heap);
  pace(s, m, bytes);
  return gc_stw_alloc(&hc_collector_ops, m, bytes, header, try_alloc, s);
}

/* Lock-free write: store, then re-read the entry with a read-modify-write
 * (fetch-or 0). RMWs of one location are totally ordered, so either ours
 * comes after the copier's claim (it sees the busy bit or the new address,
 * and the store is made again once the copy is published), or the
 * copier's claim reads from ours and so happens after our store, and its
 * memcpy sees it. Only writes that race with that object's copy pay more
 * than one RMW, and outside a copy phase not even that. (A fence pair would
 * do too, but ThreadSanitizer does not model fences.) */
static void store_lockfree(hc_state *s, uint32_t h, size_t off, uintptr_t val) {
  uintptr_t *e = hc_entry(&s->t, h);
  if (hc_phase(s) != HC_COPYING) { /* no copy can start before a pause */
    hc_set_word(hc_addr(__atomic_load_n(e, __ATOMIC_ACQUIRE)) + off, val);
    return;
  }
  for (;;) {
    uintptr_t e1 = __atomic_load_n(e, __ATOMIC_ACQUIRE);
    if (e1 & HC_E_BUSY) {
      gc_cpu_relax();
      continue;
    }
    hc_set_word(hc_addr(e1) + off, val);
    if (__atomic_fetch_or(e, 0, __ATOMIC_ACQ_REL) == e1)
      return;
  }
}

void hc_store_slow(gc_mutator *m, gc_ref obj, size_t off, uintptr_t val,
                   bool is_ref) {
  hc_state *s = hc_of(m->heap);
  uint32_t h = (uint32_t)obj;
  if (s->writes == HC_WRITES_LOCKFREE) {
    store_lockfree(s, h, off, val);
    return;
  }
  /* As described: every write locks the handle, so it cannot fall between
   * a copy's memcpy and the switch of the address. */
  hc_lock(s, h);
  hc_set_word(hc_addr(hc_entry_load(&s->t, h)) + off, val);
  hc_unlock(s, h);
}
