/* cycle.c — one collection on the GC thread: the concurrent cycle's four
 * pauses and its concurrent phases (shen.h), the degenerated completion of a
 * cycle that cannot finish concurrently, and the stop-the-world cycles
 * ("degenerated" from idle, "full").
 *
 * The pauses touch roots, mutators and flags, and per region a few words:
 * init-mark sets tams := top, final-mark chooses the collection set from the
 * per-region live counts marking kept, init-update-refs sets the update
 * watermarks, final-update-refs frees the cset regions. The steps are
 * written once, as functions that run with the world stopped (do_*) or
 * concurrently (the phases), so that a degenerated cycle is the rest of the
 * concurrent one run in a single pause (Flood et al.; Shenandoah's
 * "degenerated GC"). Verification, when on, re-traces the heap inside the
 * pauses and makes them long: a correctness mode, not a timing one. */
#include "../../heap/trace.h"
#include "../../heap/util.h"
#include "shen.h"
#include <stdlib.h>
#include <string.h>

typedef enum step {
  STEP_MARK,
  STEP_FINAL_MARK,
  STEP_EVACUATE,
  STEP_INIT_UPDATE,
  STEP_UPDATE,
  STEP_FINAL_UPDATE,
  STEP_DONE
} step;

/* With the world stopped. Mutators whose barriers are on (a concurrent
 * cycle) take the new state's flags (barrier.c). */
static void barrier_follow_if_on(gc_mutator *m, void *arg) {
  if (__atomic_load_n(&m->barrier_active, __ATOMIC_RELAXED) ||
      __atomic_load_n(&m->lrb_active, __ATOMIC_RELAXED))
    shen_barriers_follow(m, arg);
}
static void set_state(shen_state *s, int st) {
  __atomic_store_n(&s->gc_state, st, __ATOMIC_RELEASE);
  gc_for_each_mutator(s->heap, barrier_follow_if_on, s);
}

static void barrier_on(gc_mutator *m, void *arg) {
  shen_barriers_follow(m, arg);
}
static void barrier_off(gc_mutator *m, void *arg) {
  __atomic_store_n(&m->barrier_active, 0, __ATOMIC_RELAXED);
  __atomic_store_n(&m->lrb_active, 0, __ATOMIC_RELAXED);
}
static void flush_queue(gc_mutator *m, void *arg) {
  satb_flush(&((shen_state *)arg)->marker, shen_queue_of(m));
}

static void verify(shen_state *s, const char *when, bool *mode) {
  if (mode)
    *mode = true;
  gc_verify(s->heap, when);
  if (mode)
    *mode = false;
}

static void pause_begin(shen_state *s, uint64_t *stopped) {
  gc_stop_the_world(s->heap, NULL);
  *stopped = gc_now_ns();
}

static void pause_end(shen_state *s, uint64_t stopped, const char *phase) {
  uint64_t ttsp = stopped - s->heap->pause_start_ns,
           work = gc_now_ns() - stopped;
  if (ttsp > s->cur.ttsp_max_ns)
    s->cur.ttsp_max_ns = ttsp;
  if (work > s->cur.work_max_ns)
    s->cur.work_max_ns = work;
  int k = strcmp(phase, "init-mark") == 0           ? 0
          : strcmp(phase, "init-update-refs") == 0  ? 2
          : strcmp(phase, "final-update-refs") == 0 ? 3
                                                    : 1;
  s->cur.pause_work_ns[k] += work;
  gc_resume_the_world(s->heap, phase);
}

/* Concurrent: clears last cycle's marks. Regions taken meanwhile come clear
 * (released regions are cleared), and nothing reads marks until init-mark. */
static void reset_marks(shen_state *s) {
  pthread_mutex_lock(&s->rs.lock);
  size_t n = s->rs.nused;
  bool ok = gc_vec_reserve((void **)&s->update, &s->update_cap, n,
                           sizeof *s->update, 64);
  if (ok)
    for (size_t i = 0; i < n; i++)
      s->update[i] = s->rs.used[i];
  pthread_mutex_unlock(&s->rs.lock);
  if (!ok) {
    fprintf(stderr, "gctb: shenandoah: out of memory listing regions\n");
    abort();
  }
  for (size_t i = 0; i < n; i++)
    gc_regions_clear_marks(&s->rs, s->update[i]);
}

/* World stopped: tams := top everywhere, marking on, roots greyed. */
static void do_init_mark(shen_state *s, bool concurrent) {
  shen_retire_mutator_labs(s);
  for (size_t i = 0; i < s->rs.nused; i++) {
    gc_region *r = s->rs.used[i];
    __atomic_store_n(&r->tams, __atomic_load_n(&r->top, __ATOMIC_RELAXED),
                     __ATOMIC_RELAXED);
  }
  satb_start(&s->marker);
  set_state(s, SHEN_MARKING);
  if (concurrent)
    gc_for_each_mutator(s->heap, barrier_on, s);
  satb_grey_roots(&s->marker);
}

/* A handshake's function: takes the mutator's partial SATB buffer. */
static void preclean(gc_mutator *m, void *arg) {
  shen_state *s = arg;
  satb_queue *q = shen_queue_of(m);
  if (q->buf)
    __atomic_add_fetch(&s->precleaned, q->buf->n, __ATOMIC_RELAXED);
  satb_flush(&s->marker, q);
}

/* Concurrent marking; false if the cycle must degenerate. When the trace
 * runs dry, handshakes take the mutators' partial buffers (pre-cleaning,
 * as the satb policy does), again while one still brings a buffer's worth
 * of entries and at most SHEN_PRECLEAN_ROUNDS times, so that final-mark
 * finds little left to trace. */
#define SHEN_PRECLEAN_ROUNDS 4
static bool mark_concurrently(shen_state *s) {
  gc_phase_timer phase = gc_phase_begin();
  int rounds = 0;
  bool enough = false;
  for (;;) {
    if (__atomic_load_n(&s->degenerate, __ATOMIC_RELAXED))
      return false;
    if (satb_drain(&s->marker))
      continue;
    if (enough || rounds >= SHEN_PRECLEAN_ROUNDS ||
        gc_collector_stopping(&s->gc))
      break;
    rounds++;
    __atomic_store_n(&s->precleaned, 0, __ATOMIC_RELAXED);
    gc_handshake(s->heap, NULL, preclean, s);
    enough =
        __atomic_load_n(&s->precleaned, __ATOMIC_RELAXED) < SATB_BUFFER_ENTRIES;
  }
  gc_phase_end(&s->heap->events, "mark", &phase);
  return true;
}

/* A region with nothing live left, to be given back once the pause is over:
 * clearing its marks and returning it to the arena is per-region work the
 * pause need not wait for (Shenandoah's concurrent cleanup). Until then it
 * is neither allocated into nor chosen. */
static void to_trash(shen_state *s, gc_region *r) {
  if (!gc_vec_reserve((void **)&s->trash, &s->trash_cap, s->ntrash,
                      sizeof *s->trash, 64)) {
    gc_regions_release(&s->rs, r); /* no memory for the list: now, then */
    return;
  }
  s->trash[s->ntrash++] = r;
}

static void release_trash(shen_state *s) {
  for (size_t i = 0; i < s->ntrash; i++)
    gc_regions_release(&s->rs, s->trash[i]);
  pthread_mutex_lock(&s->lock);
  s->totals.regions_freed += s->ntrash;
  pthread_mutex_unlock(&s->lock);
  s->ntrash = 0;
}

typedef struct cand {
  gc_region *r;
  uint64_t garbage, live;
} cand;

static int by_garbage(const void *a, const void *b) {
  const cand *x = a, *y = b;
  return x->garbage < y->garbage ? 1 : x->garbage > y->garbage ? -1 : 0;
}

static bool candidate(shen_state *s, gc_region *r) {
  return r != s->mutator_region && r != s->gc_region &&
         __atomic_load_n(&r->top, __ATOMIC_RELAXED) ==
             __atomic_load_n(&r->tams, __ATOMIC_RELAXED);
}

/* Frees regions with nothing live, then takes the regions with the most
 * garbage while their live bytes (with a tenth for lab waste) fit in the
 * to-space evacuation may use: evac_budget of the free regions (at least
 * the reserve, which mutators cannot take) while mutators run, every free
 * region in a pause. Shenandoah's adaptive heuristic stops at the reserve
 * (ShenandoahEvacReserve / ShenandoahEvacWaste); going beyond it compacts
 * more per cycle at the risk of copies failing in place when mutators take
 * the rest first. */
static void choose_cset(shen_state *s, bool stw, double threshold) {
  size_t n = s->rs.nused, nc = 0;
  cand *c = malloc((n + 1) * sizeof *c);
  gc_region **dead = malloc((n + 1) * sizeof *dead);
  if (!c || !dead) {
    fprintf(stderr, "gctb: shenandoah: out of memory choosing the cset\n");
    abort();
  }
  size_t ndead = 0;
  for (size_t i = 0; i < n; i++) {
    gc_region *r = s->rs.used[i];
    if (!candidate(s, r))
      continue;
    uint64_t live = __atomic_load_n(&r->live, __ATOMIC_RELAXED);
    uint64_t used = __atomic_load_n(&r->top, __ATOMIC_RELAXED) - r->start;
    if (live == 0)
      dead[ndead++] = r;
    else if (used - live >=
                 (uint64_t)(threshold * (double)s->rs.region_bytes) &&
             used > live)
      c[nc++] = (cand){r, used - live, live};
  }
  for (size_t i = 0; i < ndead; i++)
    to_trash(s, dead[i]);
  s->cur.immediate_regions += ndead;
  qsort(c, nc, sizeof *c, by_garbage);
  size_t nfree = shen_free_regions(s);
  size_t regions = (size_t)(s->evac_budget * (double)nfree);
  if (stw || regions > nfree)
    regions = nfree;
  if (regions < s->reserve_regions)
    regions = s->reserve_regions;
  uint64_t waste =
      (uint64_t)(s->heap->workers.nthreads + s->heap->nmutators + 1) *
      s->lab_bytes;
  uint64_t budget = (uint64_t)regions * s->rs.region_bytes;
  budget = budget > waste ? budget - waste : 0;
  s->ncset = 0;
  s->cset_live = 0;
  if (!gc_vec_reserve((void **)&s->cset, &s->cset_cap, nc, sizeof *s->cset, 64))
    nc = 0;
  for (size_t i = 0; i < nc; i++) {
    uint64_t need = c[i].live + c[i].live / 10;
    if (s->cset_live + need > budget)
      continue;
    s->cset_live += need;
    s->cset[s->ncset++] = c[i].r;
    gc_regions_set_cset(&s->rs, c[i].r, true);
  }
  s->cur.cset_regions += s->ncset;
  s->cur.cset_live += s->cset_live;
  free(c);
  free(dead);
}

/* World stopped, marking drained: the cset, and evacuation on if it is not
 * empty (false: nothing to evacuate, the cycle is over). */
static bool do_final_mark(shen_state *s, bool stw, double threshold) {
  gc_heap *heap = s->heap;
  gc_for_each_mutator(heap, flush_queue, s);
  satb_grey_roots(&s->marker);
  satb_drain(&s->marker);
  satb_stop(&s->marker);
  shen_retire_mutator_labs(s);
  if (heap->cfg.verify != GC_VERIFY_NONE)
    verify(s, "final-mark", &s->check_marked);
  gc_los_sweep(&heap->los);
  choose_cset(s, stw, threshold);
  if (s->ncset == 0) {
    set_state(s, 0);
    gc_for_each_mutator(heap, barrier_off, s);
    return false;
  }
  set_state(s, SHEN_EVACUATING);
  shen_evacuate_roots(s);
  return true;
}

static void collect_copies(gc_mutator *m, void *arg) {
  shen_state *s = arg;
  shen_mutator *md = shen_mutator_of(m);
  s->cur.mutator_copies += md->copies;
  s->cur.mutator_copy_bytes += md->copy_bytes;
  s->cur.copies_lost += md->copies_lost;
  md->copies = md->copy_bytes = md->copies_lost = 0;
}

/* World stopped, evacuation done: labs retired (so every region is walkable
 * up to its top), watermarks set, update-refs on. */
static void do_init_update(shen_state *s) {
  shen_retire_mutator_labs(s);
  gc_for_each_mutator(s->heap, collect_copies, s);
  if (s->heap->cfg.verify != GC_VERIFY_NONE) {
    shen_verify_forwarding(s);
    shen_verify_roots_tospace(s);
  }
  s->nupdate = 0;
  if (!gc_vec_reserve((void **)&s->update, &s->update_cap, s->rs.nused,
                      sizeof *s->update, 64)) {
    fprintf(stderr, "gctb: shenandoah: out of memory listing regions\n");
    abort();
  }
  for (size_t i = 0; i < s->rs.nused; i++) {
    gc_region *r = s->rs.used[i];
    r->watermark = __atomic_load_n(&r->top, __ATOMIC_RELAXED);
    s->update[s->nupdate++] = r;
  }
  set_state(s, SHEN_UPDATING);
}

/* World stopped, references updated: roots too, then the cset is freed
 * (regions where a copy failed are kept as ordinary regions). */
static void do_final_update(shen_state *s) {
  gc_heap *heap = s->heap;
  shen_update_roots(s);
  set_state(s, 0);
  gc_for_each_mutator(heap, barrier_off, s);
  if (heap->cfg.verify != GC_VERIFY_NONE)
    verify(s, "final-update-refs", &s->check_no_cset);
  for (size_t i = 0; i < s->ncset; i++) {
    gc_region *r = s->cset[i];
    if (__atomic_load_n(&r->evac_failed, __ATOMIC_RELAXED)) {
      shen_clear_failed(s, r);
      gc_regions_set_cset(&s->rs, r, false);
      __atomic_store_n(&r->state, GC_REGION_USED, __ATOMIC_RELAXED);
      r->evac_failed = false;
    } else {
      to_trash(s, r);
    }
  }
  s->ncset = 0;
  s->nupdate = 0;
}

/* The rest of a cycle, from step `from`, with the world stopped. */
static void run_stopped(shen_state *s, step from, double threshold) {
  switch (from) {
  case STEP_MARK:
    while (satb_drain(&s->marker))
      ;
    /* fall through */
  case STEP_FINAL_MARK: {
    bool evac = do_final_mark(s, true, threshold);
    release_trash(s);
    if (!evac)
      return;
  }
    /* fall through */
  case STEP_EVACUATE:
    shen_evacuate_cset(s);
    /* fall through */
  case STEP_INIT_UPDATE:
    do_init_update(s);
    /* fall through */
  case STEP_UPDATE:
    shen_update_refs(s);
    /* fall through */
  case STEP_FINAL_UPDATE:
    do_final_update(s);
    release_trash(s);
    /* fall through */
  case STEP_DONE:
    break;
  }
}

/* Completes the running cycle in one pause: it could not keep up. */
static void degenerate(shen_state *s, step from, uint64_t *stopped) {
  pause_begin(s, stopped);
  s->cur.kind = "degenerated";
  run_stopped(s, from, s->garbage_threshold);
  gc_for_each_mutator(s->heap, barrier_off, s);
  pause_end(s, *stopped, "degenerated");
}

static bool must_degenerate(shen_state *s) {
  return __atomic_load_n(&s->degenerate, __ATOMIC_RELAXED);
}

/* The concurrent phases and pauses; returns the step it stopped at, if the
 * cycle must degenerate (STEP_DONE otherwise). */
static step concurrent_steps(shen_state *s) {
  uint64_t stopped;
  gc_phase_timer phase;
  pause_begin(s, &stopped);
  if (s->heap->cfg.verify == GC_VERIFY_BEFORE_AND_AFTER)
    verify(s, "before-gc", NULL);
  do_init_mark(s, true);
  pause_end(s, stopped, "init-mark");
  if (!mark_concurrently(s))
    return STEP_MARK;
  pause_begin(s, &stopped);
  bool evac = do_final_mark(s, false, s->garbage_threshold);
  pause_end(s, stopped, "final-mark");
  release_trash(s);
  if (!evac)
    return STEP_DONE;
  if (must_degenerate(s))
    return STEP_EVACUATE;
  phase = gc_phase_begin();
  shen_evacuate_cset(s);
  gc_phase_end(&s->heap->events, "evacuate", &phase);
  if (must_degenerate(s))
    return STEP_INIT_UPDATE;
  pause_begin(s, &stopped);
  do_init_update(s);
  pause_end(s, stopped, "init-update-refs");
  phase = gc_phase_begin();
  shen_update_refs(s);
  gc_phase_end(&s->heap->events, "update-refs", &phase);
  pause_begin(s, &stopped);
  do_final_update(s);
  pause_end(s, stopped, "final-update-refs");
  release_trash(s);
  return STEP_DONE;
}

static void begin(shen_state *s, gc_cycle *cy, const char *kind,
                  const char *reason) {
  memset(&s->cur, 0, sizeof s->cur);
  s->cur.kind = kind;
  __atomic_store_n(&s->evac_failures, 0, __ATOMIC_RELAXED);
  *cy = (gc_cycle){.kind = kind, .reason = reason, .start_ns = gc_now_ns()};
  cy->bytes_before = shen_heap_used(s->heap);
  gc_trigger_cycle_begin(&s->trigger, shen_occupancy(s));
  __atomic_store_n(&s->cycle_active, 1, __ATOMIC_RELAXED);
}

/* Records the cycle. GC CPU: this thread's time since the cycle began plus
 * the helper workers' in all its jobs, marking, evacuation and update-refs
 * alike (gc_cpu_meter), counted once. */
static void finish(shen_state *s, gc_cycle *cy, const gc_cpu_meter *cpu) {
  gc_heap *heap = s->heap;
  const satb_stats *st = &s->marker.cycle;
  __atomic_add_fetch(&heap->collections, 1, __ATOMIC_RELAXED);
  __atomic_store_n(&s->alloc_since, 0, __ATOMIC_RELAXED);
  __atomic_store_n(&s->cycle_active, 0, __ATOMIC_RELAXED);
  __atomic_store_n(&s->degenerate, 0, __ATOMIC_RELAXED);
  s->cur.evac_failures = __atomic_load_n(&s->evac_failures, __ATOMIC_RELAXED);
  cy->kind = s->cur.kind;
  gc_trigger_cycle_end(&s->trigger, cy->kind[0] == 'c', &s->cur.trigger);
  cy->end_ns = gc_now_ns();
  cy->bytes_after = shen_heap_used(heap);
  cy->live_bytes = st->bytes;
  cy->objects_traced = st->objects;
  cy->objects_copied = s->cur.gc_copies + s->cur.mutator_copies;
  cy->bytes_copied = s->cur.gc_copy_bytes + s->cur.mutator_copy_bytes;
  cy->gc_cpu_ns = gc_cpu_meter_read(cpu);
  gc_events_cycle(&heap->events, cy);
  pthread_mutex_lock(&s->lock);
  shen_totals *t = &s->totals;
  t->concurrent += cy->kind[0] == 'c';
  t->degenerated += cy->kind[0] == 'd';
  t->full += cy->kind[0] == 'f';
  t->gc_copies += s->cur.gc_copies;
  t->gc_copy_bytes += s->cur.gc_copy_bytes;
  t->mutator_copies += s->cur.mutator_copies;
  t->mutator_copy_bytes += s->cur.mutator_copy_bytes;
  t->copies_lost += s->cur.copies_lost;
  t->evac_failures += s->cur.evac_failures;
  if (gc_vec_reserve((void **)&s->log, &s->log_cap, s->nlog, sizeof *s->log,
                     64))
    s->log[s->nlog++] = s->cur;
  pthread_mutex_unlock(&s->lock);
}

void shen_concurrent_cycle(shen_state *s, const char *reason) {
  gc_cpu_meter cpu = gc_cpu_meter_start();
  gc_phase_timer phase = gc_phase_begin();
  uint64_t stopped;
  gc_cycle cy;
  begin(s, &cy, "concurrent", reason);
  reset_marks(s);
  gc_phase_end(&s->heap->events, "reset", &phase);
  step at = concurrent_steps(s);
  if (at != STEP_DONE)
    degenerate(s, at, &stopped);
  finish(s, &cy, &cpu);
}

/* One stop-the-world round: mark, choose (any garbage at all when full),
 * evacuate with all free regions, update, free. Returns regions freed. */
static size_t stw_round(shen_state *s, bool full) {
  size_t before = s->rs.nused;
  reset_marks(s);
  do_init_mark(s, false);
  run_stopped(s, STEP_MARK, full ? 0.0 : s->garbage_threshold);
  return before > s->rs.nused ? before - s->rs.nused : 0;
}

/* A collection in one pause, between concurrent cycles: "degenerated" (one
 * round), or "full": rounds until one frees nothing, so that regions the
 * reserve could not empty in one go are emptied over several. */
void shen_stw_cycle(shen_state *s, gc_req_kind kind, const char *reason) {
  gc_cpu_meter cpu = gc_cpu_meter_start();
  uint64_t stopped;
  gc_cycle cy;
  const char *name = gc_req_kind_name(kind);
  begin(s, &cy, name, reason);
  pause_begin(s, &stopped);
  if (s->heap->cfg.verify == GC_VERIFY_BEFORE_AND_AFTER)
    verify(s, "before-gc", NULL);
  bool full = kind == GC_REQ_FULL;
  for (int round = 0; round < 64; round++)
    if (stw_round(s, full) == 0 || !full)
      break;
  gc_collector_serve(&s->gc, kind); /* allocations that waited for this */
  pause_end(s, stopped, name);
  finish(s, &cy, &cpu);
}
