/* collect.c — one immix collection, with the world stopped: retire the
 * mutators' holes, decide whether to defragment and pick candidates, clear
 * marks, trace in parallel (evacuating candidates' objects), sweep the
 * space and the LOS; the driver's runner (heap/collector.h, gc_stw_collect)
 * records the cycle around it.
 *
 * When to defragment (defrag = normal), after the paper (section 3.3) and
 * MMTk: when the collection follows an allocation that failed right after
 * another collection (that one freed too little), when the mutators left
 * recyclable blocks unused (the collection came early, or an object did
 * not fit the holes the space had), when the last collection marked
 * more lines than its live objects need by more than line_waste (live
 * objects strewn one or two to a line: gcbench's trees interleaved by two
 * threads waste ~27% of their lines, which no hole count shows), or when
 * the program asked for it (gc_collect, like MMTk's user-triggered
 * defragmenting collection).
 * Otherwise marking in place is cheaper and frees as much.
 *
 * Emergency: a collection for an allocation that already failed after one
 * makes every block a candidate. Hole counts cannot see blocks whose lines
 * are all marked but sparsely live (mt-gcbench's garbage holes between
 * nodes leave one node per line), and with the heap full only copying can
 * make room: the copy space (the headroom) fills with the first objects
 * traced, their blocks empty, and the next emergency collection has those
 * blocks to copy into. */
#include "../../heap/immix_trace.h"
#include "immix.h"

static void retire(gc_mutator *m, void *ctx) {
  immix_mutator_retire(ctx, m->policy_data, m);
}

/* An allocation failed right after a collection of this thread's own. */
static bool retry(const gc_stw_cycle *c) { return c->at && c->at->own > 0; }

static bool want_defrag(ix_state *s, const gc_stw_cycle *c) {
  immix_space *sp = &s->sp;
  switch (s->defrag) {
  case IMMIX_DEFRAG_EVERY:
    return true;
  case IMMIX_DEFRAG_NORMAL:
    return retry(c) || c->why == GC_REASON_REQUESTED || s->lines_wasted ||
           __atomic_load_n(&sp->recycle_next, __ATOMIC_RELAXED) <
               sp->nrecyclable;
  default:
    return false;
  }
}

/* A root slot: the seed is not the hot loop, so one out-of-line copy of
 * the slot tracer serves both modes. */
static void visit_slot(uintptr_t *slot, void *ctx) {
  gc_worker *w = ctx;
  ix_state *s = w->heap->policy_state;
  immix_trace_one_slot(w, &s->sp, slot, s->evacuating);
}

static void seed(gc_worker *w, void *arg) {
  ix_state *s = arg;
  immix_allocator *ca = &s->copy[w->id];
  immix_allocator_reset(ca);
  w->local = ca;
  gc_worker_roots(w, visit_slot, w);
}

static void scan(gc_worker *w, uintptr_t item, void *arg) {
  ix_state *s = arg;
  immix_trace_one_item(w, &s->sp, item, s->evacuating, false);
}

/* The tracing loop (heap/immix_trace.h), compiled once per mode: almost
 * every mt-gcbench collection has a few candidates, so both matter. */
static void drain(gc_worker *w, void *arg) {
  ix_state *s = arg;
  if (s->evacuating)
    immix_drain(w, &s->sp, true, false);
  else
    immix_drain(w, &s->sp, false, false);
}

static uint64_t kept_total(ix_state *s) {
  uint64_t n = 0;
  for (unsigned i = 0; i < s->heap->workers.nthreads; i++)
    n += s->copy[i].kept;
  return n;
}

static void record(ix_state *s, gc_cycle *cy, immix_cycle_log *lg,
                   const gc_worker *sum) {
  s->collections++;
  s->defrag_collections += lg->defrag;
  s->candidates += lg->candidates;
  s->objects_copied += sum->objects_copied;
  s->bytes_copied += sum->bytes_copied;
  s->objects_kept += lg->objects_kept;
  lg->live_bytes = sum->bytes_traced;
  lg->objects_copied = sum->objects_copied;
  lg->bytes_copied = sum->bytes_copied;
  immix_log_cycle(&s->sp, lg);
  cy->live_bytes = sum->bytes_traced;
  cy->objects_traced = sum->objects_traced;
  cy->objects_copied = sum->objects_copied;
  cy->bytes_copied = sum->bytes_copied;
}

/* Live bytes in the space are the traced bytes less the LOS's (page
 * rounding there only makes the estimate of waste smaller). */
static void note_line_waste(ix_state *s, const immix_cycle_log *lg,
                            size_t los_live) {
  uint64_t live = lg->live_bytes > los_live ? lg->live_bytes - los_live : 0;
  s->lines_wasted = (double)lg->sweep.marked_line_bytes >
                    (double)live * (1.0 + s->line_waste);
}

void ix_collect_stopped(gc_heap *heap, gc_stw_cycle *c) {
  ix_state *s = ix_of(heap);
  immix_cycle_log lg = {.kind = "full"};
  gc_for_each_mutator(heap, retire, &s->sp);
  lg.defrag = want_defrag(s, c);
  immix_defrag_mode mode = !lg.defrag ? IMMIX_DEFRAG_OFF
                           : retry(c) ? IMMIX_DEFRAG_EVERY
                                      : s->defrag;
  lg.candidates = (uint32_t)immix_select_candidates(&s->sp, mode);
  s->evacuating = lg.candidates > 0;
  immix_clear_marks(&s->sp);
  for (unsigned i = 0; i < heap->workers.nthreads; i++)
    s->copy[i].kept = 0;
  gc_trace_job job = {.seed = seed, .scan = scan, .drain = drain, .arg = s};
  gc_worker sum;
  gc_workers_run(&heap->workers, &job, &sum);
  lg.objects_kept = kept_total(s);
  s->evacuating = false;
  immix_sweep(&s->sp, &lg.sweep);
  size_t los_live = gc_los_sweep(&heap->los);
  record(s, &c->cy, &lg, &sum);
  note_line_waste(s, &lg, los_live);
  c->pause = lg.defrag ? "immix-defrag" : "immix";
  s->after_gc = heap->cfg.verify != GC_VERIFY_NONE;
}
