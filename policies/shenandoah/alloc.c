/* alloc.c — allocation into regions, the trigger and the pacer's measure.
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
 * The trigger (heap/trigger.h) compares the arena's bytes in use with its
 * threshold, fixed or adaptive; its capacity is the heap less the
 * evacuation reserve, which mutators never get.
 *
 * Pacing (Shenandoah's pacer, simplified): while a cycle runs and the free
 * regions above the reserve fall below the pacing zone (as many regions
 * again as the reserve, at least a tenth of the heap), a mutator taking a
 * new lab waits up to 1 ms in proportion to how deep into the zone it is,
 * or until the cycle frees something (the wait itself: heap/collector.c).
 * When an attempt fails, the driver's ladder (heap/collector.h) takes over:
 * wait for the running cycle (twice at most), ask for it to be completed
 * stop-the-world (degenerated), then for a full collection, which
 * allocates for the requester inside its pause; if even that finds no
 * room, the allocation fails: out-of-memory. */
#include "shen.h"
#include <string.h>

#define SHEN_PACE_MAX_NS 1000000u

size_t shen_free_regions(shen_state *s) {
  return gc_arena_free_bytes(&s->heap->arena) / s->rs.region_bytes;
}

uint64_t shen_occupancy(shen_state *s) {
  size_t total = s->heap->arena.nchunks << GC_CHUNK_LOG;
  return total - gc_arena_free_bytes(&s->heap->arena);
}

/* The trigger's threshold (heap/trigger.h: fixed or adaptive), or the free
 * regions down to twice the reserve, whatever the trigger says. */
bool shen_over_trigger(shen_state *s) {
  return shen_occupancy(s) >= gc_trigger_threshold(&s->trigger) ||
         shen_free_regions(s) <= 2 * s->reserve_regions;
}

static bool mutator_may_take(void *ctx) {
  shen_state *s = ctx;
  return shen_free_regions(s) > s->reserve_regions;
}

static void note_alloc(shen_state *s, size_t bytes) {
  __atomic_add_fetch(&s->alloc_since, bytes, __ATOMIC_RELAXED);
  gc_trigger_alloc(&s->trigger, bytes);
  if (!__atomic_load_n(&s->cycle_active, __ATOMIC_RELAXED) &&
      shen_over_trigger(s))
    gc_collector_trigger(&s->gc);
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

/* The pacer's measure (heap/collector.h): how deep into the pacing zone
 * the free regions have fallen, while a cycle runs. */
uint64_t shen_pace_ns(void *ctx, gc_mutator *m) {
  shen_state *s = ctx;
  (void)m;
  if (!s->pacing || !__atomic_load_n(&s->cycle_active, __ATOMIC_RELAXED))
    return 0;
  size_t zone = s->reserve_regions > s->max_regions / 10 ? s->reserve_regions
                                                         : s->max_regions / 10;
  size_t free = shen_free_regions(s);
  size_t above = free > s->reserve_regions ? free - s->reserve_regions : 0;
  if (zone == 0 || above >= zone)
    return 0;
  return SHEN_PACE_MAX_NS * (zone - above) / zone;
}

/* The Brooks word points to the object itself until it is copied. */
static void init_brooks(shen_state *s, uintptr_t a) {
  if (s->hw == 2)
    __atomic_store_n((uintptr_t *)a + 1, a, __ATOMIC_RELAXED);
}

static gc_ref alloc_large(gc_mutator *m, shen_state *s, size_t bytes,
                          uint64_t header) {
  size_t need = (bytes + GC_PAGE_BYTES - 1) / GC_PAGE_BYTES * GC_PAGE_BYTES;
  uintptr_t a = 0;
  /* allocated black while marking: the final-mark sweep keeps it */
  bool black = shen_gc_state(s) & SHEN_MARKING;
  if (gc_arena_free_bytes(&m->heap->arena) >=
      need + (s->reserve_regions + 1) * s->rs.region_bytes)
    a = gc_los_alloc_object(m, bytes, header, black);
  if (!a) {
    gc_trigger_ran_out(&s->trigger);
    return GC_NULL;
  }
  init_brooks(s, a);
  note_alloc(s, bytes);
  return (gc_ref)a;
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

gc_ref shen_try_alloc(gc_mutator *m, size_t bytes, uint64_t header,
                      const gc_alloc_try *at, void *ctx) {
  shen_state *s = ctx;
  if (bytes >= m->large_object_bytes)
    return alloc_large(m, s, bytes, header);
  uintptr_t a = 0;
  /* stress mode sends every allocation here: use the lab first */
  if (bytes > m->bump_limit - m->bump_cur) {
    if (at->tries == 0 && !at->in_pause) /* once per allocation */
      gc_collector_pace(&s->gc, m);
    if (!refill(m, s, bytes, &a)) {
      gc_trigger_ran_out(&s->trigger);
      return GC_NULL;
    }
  }
  if (!a) {
    a = m->bump_cur;
    m->bump_cur += bytes;
  }
  __atomic_store_n((uint64_t *)a, header, __ATOMIC_RELAXED);
  init_brooks(s, a);
  return (gc_ref)a;
}
