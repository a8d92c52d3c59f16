/* cycle.c — a copy cycle's two pauses and what runs between them.
 *
 * The seed copies every object on the from-space list and never says how
 * garbage is found. Here a cycle starts with a stop-the-world mark through
 * the handles (parallel, on the GC worker pool), which decides the live
 * set at one instant:
 *
 *   "mark" pause   finish the previous cycle if it is still copying; mark
 *                  from the roots; build the copy list from the marks; free
 *                  every unmarked handle (nothing can reach it, so its slot
 *                  may be reused at once); sweep the large-object space;
 *                  flip: allocation moves to the other space, which becomes
 *                  to-space; the old allocation space is from-space.
 *   copying        mutators copy the copy list a batch at a time (copy.c)
 *                  while they allocate into to-space.
 *   "release" pause once the list is exhausted (anything left is copied
 *                  first): from-space goes back to the arena. No mutator
 *                  can still hold a from-space address at a safepoint,
 *                  since every access reads the handle afresh, so the
 *                  stopped world is what makes releasing safe.
 *
 * Objects allocated during the copy phase go straight to to-space and are
 * judged at the next mark. */
#include "../../heap/trace.h"
#include "../../heap/util.h"
#include "hc.h"
#include <stdio.h>
#include <stdlib.h>

typedef struct hc_pause_arg {
  gc_mutator *m;
  gc_collect_reason why;
} hc_pause_arg;

/* ---- marking through the handles ---- */

/* Traversal order: each worker lists the objects it scans, in the order it
 * scans them, with their sizes (the scan has the header at hand, so the
 * copy list needs no second pass over the objects). */
static void note_scanned(hc_state *s, gc_worker *w, uint32_t h, uintptr_t obj) {
  unsigned i = w->id;
  if (!gc_vec_reserve((void **)&s->mvec[i], &s->mvec_cap[i], s->mvec_n[i],
                      sizeof **s->mvec, 4096)) {
    fprintf(stderr, "gctb: handle-copy: out of memory marking\n");
    abort();
  }
  s->mvec[i][s->mvec_n[i]++] = h;
  s->mvec_bytes[i] += GC_WORD + hc_object_bytes(hc_word(obj));
}

static void mark_ref(hc_state *s, gc_worker *w, gc_ref r) {
  if (r != GC_NULL && hc_mark(&s->t, (uint32_t)r))
    gc_worker_push(w, r);
}

typedef struct mark_ctx {
  hc_state *s;
  gc_worker *w;
} mark_ctx;

static void visit_slot(uintptr_t *slot, void *ctx) {
  mark_ctx *c = ctx;
  mark_ref(c->s, c->w, __atomic_load_n(slot, __ATOMIC_RELAXED));
}

static void job_seed(gc_worker *w, void *arg) {
  hc_state *s = arg;
  s->mvec_n[w->id] = 0;
  s->mvec_bytes[w->id] = 0;
  mark_ctx c = {s, w};
  gc_worker_roots(w, visit_slot, &c);
}

static void job_scan(gc_worker *w, uintptr_t item, void *arg) {
  hc_state *s = arg;
  uintptr_t obj = hc_addr(hc_entry_load(&s->t, (uint32_t)item));
  if (gc_los_contains(&s->heap->los, obj))
    gc_los_mark(&s->heap->los, obj);
  else if (s->order == HC_ORDER_TRAVERSAL)
    note_scanned(s, w, (uint32_t)item, obj);
  w->objects_traced++;
  mark_ctx c = {s, w};
  gc_for_each_slot(obj, 1, visit_slot, &c);
}

/* ---- the pauses ---- */

static void set_barrier(gc_mutator *m, void *ctx) {
  __atomic_store_n(&m->barrier_active, *(int *)ctx, __ATOMIC_RELAXED);
}

/* World stopped. Lock-free writes need the policy only while copying:
 * their mutators run the inline WHEN_ACTIVE barrier (handle_copy.c), which
 * calls it only while barrier_active is set. */
void hc_set_phase(hc_state *s, int phase) {
  __atomic_store_n(&s->phase, phase, __ATOMIC_RELAXED);
  if (s->writes == HC_WRITES_LOCKFREE)
    gc_for_each_mutator(s->heap, set_barrier, &phase);
}

static size_t los_in_use(gc_los *l) {
  pthread_mutex_lock(&l->lock);
  size_t n = l->bytes_in_use;
  pthread_mutex_unlock(&l->lock);
  return n;
}

/* World stopped: copies what is left, releases from-space, records the
 * cycle. */
static void finish_stopped(hc_state *s, gc_mutator *m) {
  if (hc_phase(s) != HC_COPYING)
    return;
  gc_cpu_meter cpu = gc_cpu_meter_start(); /* the pause's share of copying */
  hc_copy_all(s, m);
  hc_release_from(s);
  hc_set_phase(s, HC_IDLE);
  s->finishes++;
  s->objects_copied += s->ncopy;
  s->bytes_copied += s->copy_bytes;
  gc_cycle *cy = &s->cy;
  cy->objects_copied = s->ncopy;
  cy->bytes_copied = s->copy_bytes;
  cy->bytes_after = hc_space_bytes(hc_to(s)) + los_in_use(&s->heap->los);
  cy->end_ns = gc_now_ns();
  cy->gc_cpu_ns += gc_cpu_meter_read(&cpu);
  gc_events_cycle(&s->heap->events, cy);
}

static void release_pause(gc_heap *heap, void *arg) {
  finish_stopped(hc_of(heap), arg);
}

static void mark_pause(gc_heap *heap, void *arg) {
  hc_pause_arg *a = arg;
  hc_state *s = hc_of(heap);
  finish_stopped(s, a->m);
  gc_cpu_meter cpu = gc_cpu_meter_start(); /* marking to the flip */
  s->cy = (gc_cycle){.kind = "copy",
                     .reason = gc_reason_name(a->why),
                     .start_ns = gc_now_ns()};
  s->cy.bytes_before = hc_space_bytes(hc_to(s)) + los_in_use(&heap->los);
  gc_trace_job job = {job_seed, job_scan, NULL, s};
  gc_worker sum;
  gc_phase_timer phase = gc_phase_begin();
  gc_workers_run(&heap->workers, &job, &sum);
  gc_phase_end(&heap->events, "mark", &phase);
  phase = gc_phase_begin();
  hc_copy_list_build(s);
  gc_phase_end(&heap->events, "copy-list", &phase);
  phase = gc_phase_begin();
  s->table_before_sweep = hc_table_resident_bytes(&s->t);
  s->handles_freed += hc_table_sweep(s);
  s->table_after_sweep = hc_table_resident_bytes(&s->t);
  size_t los_live = gc_los_sweep(&heap->los);
  hc_flip(s);
  gc_phase_end(&heap->events, "sweep-flip", &phase);
  s->cycles++;
  s->live_handles = sum.objects_traced;
  if (s->live_handles > s->max_live_handles)
    s->max_live_handles = s->live_handles;
  s->cy.objects_traced = sum.objects_traced;
  s->cy.live_bytes = s->copy_bytes + los_live;
  s->cy.gc_cpu_ns = gc_cpu_meter_read(&cpu);
  if (s->ncopy == 0) { /* nothing to copy: the cycle ends here */
    hc_set_phase(s, HC_COPYING);
    finish_stopped(s, a->m);
    return;
  }
  hc_copy_place(s);
  hc_pacing_set(s);
  hc_set_phase(s, HC_COPYING);
}

bool hc_start_cycle(gc_mutator *m, gc_collect_reason why) {
  hc_pause_arg a = {m, why};
  return gc_collect_stw(m, "mark", mark_pause, &a);
}

void hc_finish_cycle(gc_mutator *m) {
  hc_state *s = hc_of(m->heap);
  if (hc_phase(s) != HC_COPYING)
    return;
  uint64_t t0 = gc_delay_begin();
  if (__atomic_load_n(&s->cursor, __ATOMIC_RELAXED) < s->ncopy) {
    hc_copy_all(s, m); /* help copy, outside any pause */
    __atomic_fetch_add(&s->assists, 1, __ATOMIC_RELAXED);
    gc_delay_end(m, GC_DELAY_ASSIST, "finish-copy", t0);
  }
  uint64_t ns = gc_now_ns() - t0;
  /* Not a pause (the others run on) but this mutator stalls: recorded. */
  uint64_t max = __atomic_load_n(&s->max_assist_ns, __ATOMIC_RELAXED);
  while (ns > max &&
         !__atomic_compare_exchange_n(&s->max_assist_ns, &max, ns, true,
                                      __ATOMIC_RELAXED, __ATOMIC_RELAXED))
    ;
  gc_collect_stw(m, "release", release_pause, m);
}

void hc_collect(gc_mutator *m, gc_collect_reason why) {
  hc_state *s = hc_of(m->heap);
  bool copying = hc_phase(s) == HC_COPYING;
  if (why != GC_REASON_REQUESTED) { /* one step of the cycle */
    if (copying)
      hc_finish_cycle(m);
    else
      hc_start_cycle(m, why);
    return;
  }
  if (copying) /* a whole cycle, from a settled heap */
    hc_finish_cycle(m);
  hc_start_cycle(m, why);
  hc_finish_cycle(m);
}
