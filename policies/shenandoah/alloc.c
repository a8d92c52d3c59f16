/* alloc.c — allocation into regions, the trigger, pacing and the road to
 * out-of-memory.
 *
 * Mutators bump-allocate in labs (the core's bump buffer) carved from a
 * shared current region; objects over a quarter of a lab get their own
 * carving, and objects of large_object_bytes or more go to the shared LOS.
 * Labs are handed out zeroed (the fast path writes only the header words).
 * GC copies go to GC labs carved from a separate current region, so that a
 * region either holds mutator allocations or copies, as Shenandoah keeps
 * them.
 *
 * The evacuation reserve (option evac_reserve, Shenandoah's
 * ShenandoahEvacReserve) is a number of free regions mutators may not take:
 * only copies may, so that evacuation, which runs while mutators allocate,
 * has somewhere to copy to. The collection set is sized to it.
 *
 * Pacing (Shenandoah's pacer, simplified): while a cycle runs and the free
 * regions above the reserve fall below the pacing zone (as many regions
 * again as the reserve, at least a tenth of the heap), a mutator taking a
 * new lab waits up to 1 ms in proportion to how deep into the zone it is,
 * or until the cycle frees something. A mutator that finds nothing at all
 * waits for the running cycle (twice at most), then asks for the cycle to
 * be completed stop-the-world (degenerated), then for a full collection;
 * if even that leaves no room, the allocation fails: out-of-memory. */
#include "shen.h"
#include <string.h>
#include <time.h>

#define SHEN_MAX_WAITS 2
#define SHEN_PACE_MAX_NS 1000000u

size_t shen_free_regions(shen_state *s) {
  return gc_arena_free_bytes(&s->heap->arena) / s->rs.region_bytes;
}

bool shen_over_trigger(shen_state *s) {
  size_t total = s->heap->arena.nchunks << GC_CHUNK_LOG;
  size_t used = total - gc_arena_free_bytes(&s->heap->arena);
  return used >= (size_t)(s->trigger * (double)total) ||
         shen_free_regions(s) <= 2 * s->reserve_regions;
}

static bool mutator_may_take(void *ctx) {
  shen_state *s = ctx;
  return shen_free_regions(s) > s->reserve_regions;
}

static void note_alloc(shen_state *s, size_t bytes) {
  __atomic_add_fetch(&s->alloc_since, bytes, __ATOMIC_RELAXED);
  if (!__atomic_load_n(&s->cycle_active, __ATOMIC_RELAXED) &&
      !gc_ct_pending(&s->ct, GC_REQ_CONCURRENT) && shen_over_trigger(s))
    gc_ct_trigger(&s->ct, GC_REQ_CONCURRENT);
}

bool shen_gclab_refill(shen_state *s, gc_lab *lab, size_t bytes) {
  gc_regions_retire_lab(&s->rs, lab);
  size_t want = bytes > s->lab_bytes / 4 ? bytes : s->lab_bytes, got;
  uintptr_t p =
      gc_regions_carve(&s->rs, &s->gc_region, bytes, want, &got, NULL, NULL);
  if (!p)
    return false;
  lab->cur = p;
  lab->end = p + got;
  return true;
}

/* The mutator's lab, filled and given up (world stopped, or m itself). */
static void retire_lab(shen_state *s, gc_mutator *m) {
  if (m->bump_cur < m->bump_limit)
    gc_regions_fill(&s->rs, m->bump_cur, m->bump_limit);
  gc_mutator_retire_bump(m);
}

static void retire_one(gc_mutator *m, void *ctx) {
  shen_state *s = ctx;
  retire_lab(s, m);
  if (m->policy_data)
    gc_regions_retire_lab(&s->rs, &shen_mutator_of(m)->gclab);
}

void shen_retire_mutator_labs(shen_state *s) {
  gc_for_each_mutator(s->heap, retire_one, s);
}

static void record_wait(shen_state *s, uint64_t ns, bool stall) {
  pthread_mutex_lock(&s->lock);
  shen_totals *t = &s->totals;
  if (stall) {
    t->stalls++;
    t->stall_ns += ns;
    if (ns > t->stall_max_ns)
      t->stall_max_ns = ns;
  } else {
    t->paced++;
    t->pace_ns += ns;
  }
  pthread_mutex_unlock(&s->lock);
}

/* Slows m down in proportion to how far into the pacing zone the free
 * regions have fallen, while a cycle runs. */
static void pace(gc_mutator *m, shen_state *s) {
  if (!s->pacing || !__atomic_load_n(&s->cycle_active, __ATOMIC_RELAXED))
    return;
  size_t zone = s->reserve_regions > s->max_regions / 10 ? s->reserve_regions
                                                         : s->max_regions / 10;
  size_t free = shen_free_regions(s);
  size_t above = free > s->reserve_regions ? free - s->reserve_regions : 0;
  if (zone == 0 || above >= zone)
    return;
  uint64_t ns = SHEN_PACE_MAX_NS * (zone - above) / zone;
  uint64_t t0 = gc_now_ns();
  gc_enter_blocking(m);
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  uint64_t at = (uint64_t)ts.tv_nsec + ns;
  ts.tv_sec += (time_t)(at / 1000000000u);
  ts.tv_nsec = (long)(at % 1000000000u);
  if (__atomic_load_n(&s->cycle_active, __ATOMIC_RELAXED))
    gc_ct_wait_until(&s->ct, &ts);
  gc_leave_blocking(m);
  gc_delay_end(m, GC_DELAY_PACE, "pace", t0);
  record_wait(s, gc_now_ns() - t0, false);
}

typedef struct pacing {
  int waits, degenerated, full;
  uint64_t seen;
} pacing;

/* Nothing could be had: wait, degenerate, go full, or give up (false). */
static bool wait_for_memory(gc_mutator *m, shen_state *s, pacing *p) {
  uint64_t started, finished, target;
  gc_ct_counts(&s->ct, &started, &finished);
  if (finished != p->seen)
    return true;
  if (started != finished && p->waits < SHEN_MAX_WAITS) {
    p->waits++;
    target = started;
  } else if (p->degenerated < 1) {
    p->degenerated++;
    target = gc_ct_request(&s->ct, GC_REQ_DEGENERATED, "alloc");
  } else if (p->full < 1) {
    p->full++;
    target = gc_ct_request(&s->ct, GC_REQ_FULL, "alloc");
  } else {
    return false;
  }
  uint64_t t0 = gc_delay_begin();
  gc_ct_wait(&s->ct, m, target);
  gc_delay_end(m, GC_DELAY_STALL, "alloc", t0);
  record_wait(s, gc_now_ns() - t0, true);
  return true;
}

static void init_object(shen_state *s, uintptr_t a, uint64_t header) {
  __atomic_store_n((uint64_t *)a, header, __ATOMIC_RELAXED);
  if (s->hw == 2)
    __atomic_store_n((uintptr_t *)a + 1, a, __ATOMIC_RELAXED);
}

static gc_ref alloc_large(gc_mutator *m, shen_state *s, size_t bytes,
                          uint64_t header) {
  gc_los *los = &m->heap->los;
  pacing p = {0};
  for (;;) {
    p.seen = gc_ct_finished(&s->ct);
    uintptr_t a = 0;
    size_t need = (bytes + GC_PAGE_BYTES - 1) / GC_PAGE_BYTES * GC_PAGE_BYTES;
    if (gc_arena_free_bytes(&m->heap->arena) >=
        need + (s->reserve_regions + 1) * s->rs.region_bytes)
      a = gc_los_alloc(los, bytes);
    if (a) {
      /* allocated black while marking: the final-mark sweep keeps it */
      if (shen_gc_state(s) & SHEN_MARKING)
        gc_los_mark(los, a);
      init_object(s, a, header);
      m->stats.bytes_allocated += bytes;
      note_alloc(s, bytes);
      return (gc_ref)a;
    }
    if (!wait_for_memory(m, s, &p))
      return GC_NULL;
  }
}

/* A new lab (or a carving of its own for a medium object) for m. */
static bool refill(gc_mutator *m, shen_state *s, size_t bytes, uintptr_t *obj) {
  retire_lab(s, m);
  bool own = bytes > s->lab_bytes / 4;
  size_t got;
  uintptr_t p =
      gc_regions_carve(&s->rs, &s->mutator_region, bytes,
                       own ? bytes : s->lab_bytes, &got, mutator_may_take, s);
  if (!p)
    return false;
  memset((void *)p, 0, got);
  note_alloc(s, got);
  if (own) {
    *obj = p;
    m->stats.bytes_allocated += got;
    return true;
  }
  m->bump_start = m->bump_cur = p;
  m->bump_limit = p + got;
  return true;
}

gc_ref shen_alloc_slow(gc_mutator *m, size_t bytes, uint64_t header) {
  shen_state *s = shen_of(m->heap);
  if (bytes >= m->large_object_bytes)
    return alloc_large(m, s, bytes, header);
  pacing p = {0};
  bool paced = false;
  for (;;) {
    p.seen = gc_ct_finished(&s->ct);
    uintptr_t a = 0;
    /* stress mode sends every allocation here: use the lab first */
    if (bytes <= m->bump_limit - m->bump_cur) {
      a = m->bump_cur;
      m->bump_cur += bytes;
    } else {
      if (!paced) {
        pace(m, s);
        paced = true;
      }
      if (!refill(m, s, bytes, &a)) {
        if (!wait_for_memory(m, s, &p))
          return GC_NULL;
        continue;
      }
      if (!a) {
        a = m->bump_cur;
        m->bump_cur += bytes;
      }
    }
    init_object(s, a, header);
    return (gc_ref)a;
  }
}

void shen_collect(gc_mutator *m, gc_collect_reason why) {
  shen_state *s = shen_of(m->heap);
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
