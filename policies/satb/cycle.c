/* cycle.c — one collection on the GC thread: the concurrent cycle's pauses
 * and phases, and the stop-the-world ("degenerated") collection.
 *
 * Pause work is bounded by roots, mutators and queues, not by the heap:
 * init-mark copies root values and marks the cells left in the mutators'
 * caches; final-mark drains at most one partial buffer per mutator, the
 * roots again, and whatever they lead to that concurrent marking had not
 * reached, then releases pools with no mark (one load for a live pool) and
 * sweeps the LOS (per large object: the LOS allocates and frees under its
 * own lock, and its objects must be marked before the sweep, which only a
 * pause guarantees for objects allocated black). Verification, when on,
 * re-traces the heap inside the final-mark pause and makes it long; it is a
 * correctness mode, not a timing one. */
#include "../../heap/util.h"
#include "satb.h"

static void each_mutator(satb_state *s, void (*fn)(gc_mutator *, void *)) {
  gc_for_each_mutator(s->heap, fn, s);
}

static void set_phase(satb_state *s, satb_phase p) {
  __atomic_store_n(&s->phase, p, __ATOMIC_RELAXED);
}

static void start_marking_mutator(gc_mutator *m, void *arg) {
  satb_state *s = arg;
  gc_sf_cache_blacken(&s->sf, m);
  if (!s->no_barrier)
    __atomic_store_n(&m->barrier_active, 1, __ATOMIC_RELAXED);
}

static void stop_marking_mutator(gc_mutator *m, void *arg) {
  __atomic_store_n(&m->barrier_active, 0, __ATOMIC_RELAXED);
}

static void drop_caches(gc_mutator *m, void *arg) {
  gc_sf_cache_drop(&((satb_state *)arg)->sf, m, false);
}

static void flush_queue(gc_mutator *m, void *arg) {
  satb_flush(&((satb_state *)arg)->marker, satb_queue_of(m));
}

/* A handshake's function: runs on each mutator (or on its behalf while it
 * is blocked), so it may take the mutator's partial buffer. */
static void preclean_queue(gc_mutator *m, void *arg) {
  satb_state *s = arg;
  satb_queue *q = satb_queue_of(m);
  if (q->buf)
    __atomic_add_fetch(&s->precleaned, q->buf->n, __ATOMIC_RELAXED);
  satb_flush(&s->marker, q);
}

static void verify(satb_state *s, const char *when, bool marks, bool clear) {
  s->checking_marks = marks;
  s->marks_clear = clear;
  gc_verify(s->heap, when);
  s->checking_marks = s->marks_clear = false;
}

/* Splits a pause that began at heap->pause_start_ns and is about to end. */
static void pause_split(gc_heap *heap, uint64_t stopped, uint64_t *ttsp,
                        uint64_t *work) {
  *ttsp = stopped - heap->pause_start_ns;
  *work = gc_now_ns() - stopped;
}

static void init_mark(satb_state *s, satb_cycle_log *log) {
  gc_heap *heap = s->heap;
  gc_stop_the_world(heap, NULL);
  uint64_t stopped = gc_now_ns();
  if (heap->cfg.verify == GC_VERIFY_BEFORE_AND_AFTER)
    verify(s, "before-gc", false, true);
  satb_start(&s->marker);
  __atomic_store_n(&s->alloc_black, 1, __ATOMIC_RELAXED);
  set_phase(s, SATB_MARKING);
  each_mutator(s, start_marking_mutator);
  satb_grey_roots(&s->marker);
  pause_split(heap, stopped, &log->init_ttsp_ns, &log->init_work_ns);
  gc_resume_the_world(heap, "init-mark");
}

/* Traces until nothing is grey and no buffer is full, then asks every
 * mutator (handshake, no pause) for its partial buffer and goes on, so
 * that the final pause finds little (pre-cleaning). Another round follows
 * while a handshake still brings a buffer's worth of entries, up to the
 * preclean option: what the last one brought is roughly what the pause
 * will have to trace from. */
static uint64_t mark_concurrently(satb_state *s) {
  gc_phase_timer phase = gc_phase_begin();
  int rounds = 0;
  bool enough = false;
  for (;;) {
    if (satb_drain(&s->marker))
      continue;
    if (enough || rounds >= s->preclean || gc_collector_stopping(&s->gc))
      break;
    rounds++;
    __atomic_store_n(&s->precleaned, 0, __ATOMIC_RELAXED);
    gc_handshake(s->heap, NULL, preclean_queue, s);
    enough =
        __atomic_load_n(&s->precleaned, __ATOMIC_RELAXED) < SATB_BUFFER_ENTRIES;
  }
  gc_phase_end(&s->heap->events, "mark", &phase);
  return (uint64_t)rounds;
}

static void final_mark(satb_state *s, satb_cycle_log *log) {
  gc_heap *heap = s->heap;
  gc_stop_the_world(heap, NULL);
  uint64_t stopped = gc_now_ns();
  satb_stats before = s->marker.cycle;
  each_mutator(s, flush_queue);
  satb_grey_roots(&s->marker);
  satb_drain(&s->marker);
  log->final_buffers = s->marker.cycle.buffers - before.buffers;
  log->final_objects = s->marker.cycle.objects - before.objects;
  satb_stop(&s->marker);
  each_mutator(s, stop_marking_mutator);
  __atomic_store_n(&s->alloc_black, 0, __ATOMIC_RELAXED);
  set_phase(s, SATB_SWEEPING);
  s->sf.epoch++; /* every pool unswept: its marks are the live set */
  if (s->verify_marks)
    verify(s, "final-mark", true, false);
  gc_sf_sweep_all(&s->sf, GC_SF_SWEEP_LAZY); /* releases empty pools */
  gc_los_sweep(&heap->los);
  __atomic_add_fetch(&heap->collections, 1, __ATOMIC_RELAXED);
  pause_split(heap, stopped, &log->final_ttsp_ns, &log->final_work_ns);
  gc_resume_the_world(heap, "final-mark");
}

/* Sweeps what allocators have not; then the occupancy the trigger starts
 * from is what the sweep left. */
static void sweep_concurrently(satb_state *s) {
  gc_phase_timer phase = gc_phase_begin();
  gc_sf_sweep_rest(&s->sf);
  __atomic_store_n(&s->alloc_since, 0, __ATOMIC_RELAXED);
  __atomic_store_n(&s->live_base, satb_heap_used(s->heap), __ATOMIC_RELAXED);
  set_phase(s, SATB_IDLE);
  gc_phase_end(&s->heap->events, "sweep", &phase);
}

/* Records the cycle. GC CPU: this thread's time since the cycle began
 * plus the helper workers' in its jobs (gc_cpu_meter), counted once. */
static void finish(satb_state *s, gc_cycle *cy, satb_cycle_log *log,
                   const gc_cpu_meter *cpu) {
  gc_heap *heap = s->heap;
  const satb_stats *st = &s->marker.cycle;
  uint64_t own = gc_thread_cpu_ns() - cpu->thread0;
  cy->end_ns = gc_now_ns();
  cy->bytes_after = satb_heap_used(heap);
  cy->live_bytes = st->bytes;
  cy->objects_traced = st->objects;
  cy->gc_cpu_ns = gc_cpu_meter_read(cpu);
  gc_events_cycle(&heap->events, cy);
  log->kind = cy->kind;
  log->buffers = st->buffers;
  log->entries = st->entries;
  log->objects = st->objects;
  log->bytes = st->bytes;
  pthread_mutex_lock(&s->lock);
  satb_totals *t = &s->totals;
  bool degenerated = cy->kind[0] == 'd';
  t->concurrent += !degenerated;
  t->degenerated += degenerated;
  t->buffers += st->buffers;
  t->entries += st->entries;
  t->objects += st->objects;
  t->bytes += st->bytes;
  t->gc_thread_cpu_ns += own;
  uint64_t work = log->init_work_ns > log->final_work_ns ? log->init_work_ns
                                                         : log->final_work_ns;
  uint64_t ttsp = log->init_ttsp_ns > log->final_ttsp_ns ? log->init_ttsp_ns
                                                         : log->final_ttsp_ns;
  if (work > t->max_pause_work_ns)
    t->max_pause_work_ns = work;
  if (ttsp > t->max_ttsp_ns)
    t->max_ttsp_ns = ttsp;
  if (gc_vec_reserve((void **)&s->log, &s->log_cap, s->nlog, sizeof *s->log,
                     64))
    s->log[s->nlog++] = *log;
  pthread_mutex_unlock(&s->lock);
}

void satb_concurrent_cycle(satb_state *s, const char *reason) {
  gc_cpu_meter cpu = gc_cpu_meter_start();
  gc_cycle cy = {
      .kind = "concurrent", .reason = reason, .start_ns = gc_now_ns()};
  satb_cycle_log log = {0};
  cy.bytes_before = satb_heap_used(s->heap);
  gc_trigger_cycle_begin(&s->trigger, satb_occupancy(s));
  init_mark(s, &log);
  satb_hook(s, SATB_HOOK_MARKING);
  log.preclean_rounds = mark_concurrently(s);
  satb_hook(s, SATB_HOOK_FINAL_MARK);
  final_mark(s, &log);
  sweep_concurrently(s);
  gc_trigger_cycle_end(&s->trigger, true, &log.trigger);
  finish(s, &cy, &log, &cpu);
}

/* The whole collection in one pause, with the worker pool: what a mutator
 * asks for when waiting for a concurrent cycle did not free enough. It runs
 * between concurrent cycles, when every pool is swept and no mark is set,
 * so it is segfit's collection with the marker's trace. */
void satb_degenerated_cycle(satb_state *s, const char *reason) {
  gc_heap *heap = s->heap;
  gc_cpu_meter cpu = gc_cpu_meter_start();
  gc_stop_the_world(heap, NULL);
  uint64_t stopped = gc_now_ns();
  gc_cycle cy = {.kind = "degenerated", .reason = reason, .start_ns = stopped};
  satb_cycle_log log = {0};
  cy.bytes_before = satb_heap_used(heap);
  gc_trigger_cycle_begin(&s->trigger, satb_occupancy(s));
  if (heap->cfg.verify == GC_VERIFY_BEFORE_AND_AFTER)
    verify(s, "before-gc", false, true);
  set_phase(s, SATB_DEGENERATED);
  each_mutator(s, drop_caches);
  satb_start(&s->marker);
  satb_grey_roots(&s->marker);
  satb_drain(&s->marker);
  satb_stop(&s->marker);
  s->sf.epoch++;
  gc_sf_sweep_all(&s->sf, GC_SF_SWEEP_EAGER);
  gc_los_sweep(&heap->los);
  __atomic_store_n(&s->alloc_since, 0, __ATOMIC_RELAXED);
  __atomic_store_n(&s->live_base, satb_heap_used(heap), __ATOMIC_RELAXED);
  __atomic_add_fetch(&heap->collections, 1, __ATOMIC_RELAXED);
  if (heap->cfg.verify != GC_VERIFY_NONE)
    verify(s, "after-gc", false, true);
  gc_collector_serve(&s->gc, GC_REQ_DEGENERATED); /* still stopped */
  set_phase(s, SATB_IDLE);
  pause_split(heap, stopped, &log.final_ttsp_ns, &log.final_work_ns);
  gc_resume_the_world(heap, "degenerated");
  gc_trigger_cycle_end(&s->trigger, false, &log.trigger);
  finish(s, &cy, &log, &cpu);
}
