/* The collection driver alone (heap/collector.h), with a fake policy whose
 * collections free nothing or free room for one object: the stop-the-world
 * ladder's bounds, the concurrent ladder's order (concurrent, degenerated,
 * full), stalls recorded for every wait, out-of-memory reported only after
 * the full collection, an allocation served inside the last pause, and the
 * stop-the-world runner's record of the cycle and the pause. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h> /* after the three it needs */

#include "heap/collector.h"
#include "heap_fixture.h"
#include <pthread.h>
#include <string.h>

/* The fake policy: room for `room` objects; each collection of a kind in
 * `frees` makes room for one. */
typedef struct fake {
  gc_collector *c;
  pthread_mutex_t lock;
  int room;
  unsigned frees;        /* bit per gc_req_kind, or GC_FREES_ALL */
  gc_req_kind kinds[16]; /* cycles run, in order */
  const char *reasons[16];
  int ncycles;
  int tries, collects, own_seen[16];
  bool in_cycle;           /* a stop-the-world fake cycle runs */
  int served_in_pause;     /* tries made inside a cycle, in_pause */
  int served_ok;           /* of those, the ones that allocated */
  bool collector_says_own; /* stw: collect_for_alloc's answer */
  gc_stw_cycle seen;       /* what the runner handed the collection */
} fake;

#define FREES(kind) (1u << (kind))
#define FREES_ALL 0xffu

static uint64_t object_word = 42;

static gc_ref try_alloc(gc_mutator *m, size_t bytes, uint64_t header,
                        const gc_alloc_try *at, void *ctx) {
  fake *f = ctx;
  pthread_mutex_lock(&f->lock);
  f->tries++;
  bool ok = f->room > 0;
  f->room -= ok;
  if (at->in_pause) {
    assert_true(f->in_cycle); /* inside the pause, not after it */
    f->served_in_pause++;
    f->served_ok += ok;
  }
  pthread_mutex_unlock(&f->lock);
  return ok ? (gc_ref)&object_word : GC_NULL;
}

/* ---- stop-the-world: gc_stw_alloc's bounds ---- */

static bool stw_collect_for_alloc(gc_mutator *m, const gc_alloc_try *at,
                                  void *ctx) {
  fake *f = ctx;
  f->own_seen[f->collects++] = (int)at->own;
  if (f->frees)
    f->room++;
  return f->collector_says_own;
}

static const gc_collector_ops stw_ops = {.collect_for_alloc =
                                             stw_collect_for_alloc,
                                         .ladder = {.own = 2, .attempts = 5}};

static fake *fake_new(void) {
  fake *f = calloc(1, sizeof *f);
  assert_non_null(f);
  pthread_mutex_init(&f->lock, NULL);
  return f;
}

/* Frees nothing: try, collect, try, collect, try: out of memory after two
 * collections of its own. */
static void stw_frees_nothing_gives_up_after_own(void **state) {
  fake *f = fake_new();
  f->collector_says_own = true;
  assert_int_equal(gc_stw_alloc(&stw_ops, NULL, 16, 0, try_alloc, f), GC_NULL);
  assert_int_equal(f->collects, 2);
  assert_int_equal(f->tries, 3);
  assert_int_equal(f->own_seen[0], 0);
  assert_int_equal(f->own_seen[1], 1);
  free(f);
}

/* Frees something: the retry after the first collection allocates. */
static void stw_frees_something_allocates(void **state) {
  fake *f = fake_new();
  f->collector_says_own = true;
  f->frees = FREES_ALL;
  assert_int_equal(gc_stw_alloc(&stw_ops, NULL, 16, 0, try_alloc, f),
                   (gc_ref)&object_word);
  assert_int_equal(f->collects, 1);
  assert_int_equal(f->tries, 2);
  free(f);
}

/* Others collect every time (collect_for_alloc says "not mine"): the bound
 * on attempts in all ends it. */
static void stw_others_collecting_bounded_by_attempts(void **state) {
  fake *f = fake_new();
  assert_int_equal(gc_stw_alloc(&stw_ops, NULL, 16, 0, try_alloc, f), GC_NULL);
  assert_int_equal(f->tries, 5);
  assert_int_equal(f->collects, 5);
  free(f);
}

/* ---- stop-the-world: the cycle runner ---- */

static void runner_collect(gc_heap *heap, gc_stw_cycle *c) {
  fake *f = c->arg;
  f->seen = *c;
  f->collects++;
  if (f->frees)
    f->room++;
  c->cy.live_bytes = 7;
  c->cy.objects_traced = 3;
  if (c->why == GC_REASON_REQUESTED) { /* decided in the pause */
    c->cy.kind = "nursery";
    c->pause = "renamed";
  }
}

static const gc_collector_ops runner_ops = {
    .stw_collect = runner_collect, .stw_pause = "fake-full", .ladder.own = 2};

static gc_heap *make_heap(void) {
  gc_heap_config cfg = {.heap_bytes = 4u << 20, .gc_threads = 1};
  return fixture_heap("nogc", &cfg);
}

static const gc_cycle *last_cycle(gc_heap *heap) {
  assert_true(heap->events.ncycles > 0);
  return &heap->events.cycles[heap->events.ncycles - 1];
}

static const gc_pause *last_pause(gc_heap *heap) {
  assert_true(heap->events.npauses > 0);
  return &heap->events.pauses[heap->events.npauses - 1];
}

/* gc_stw_collect records the cycle and the pause around the collection;
 * the collection may rename both. */
static void runner_records_cycle_and_pause(void **state) {
  gc_heap *heap = make_heap();
  gc_mutator *m = gc_attach(heap);
  fake *f = fake_new();
  size_t cycles = heap->events.ncycles, pauses = heap->events.npauses;
  assert_true(gc_stw_collect(&runner_ops, m, GC_REASON_STRESS, NULL, f));
  assert_int_equal(heap->events.ncycles, cycles + 1);
  assert_int_equal(heap->events.npauses, pauses + 1);
  const gc_cycle *cy = last_cycle(heap);
  assert_string_equal(cy->kind, "full");
  assert_string_equal(cy->reason, "stress");
  assert_true(cy->end_ns >= cy->start_ns);
  assert_int_equal(cy->live_bytes, 7);
  assert_int_equal(cy->objects_traced, 3);
  assert_string_equal(last_pause(heap)->phase, "fake-full");
  assert_null(f->seen.at);
  assert_ptr_equal(f->seen.arg, f);
  assert_int_equal(f->seen.why, GC_REASON_STRESS);

  assert_true(gc_stw_collect(&runner_ops, m, GC_REASON_REQUESTED, NULL, f));
  assert_string_equal(last_cycle(heap)->kind, "nursery");
  assert_string_equal(last_cycle(heap)->reason, "requested");
  assert_string_equal(last_pause(heap)->phase, "renamed");
  free(f);
  gc_detach(m);
  gc_heap_destroy(heap);
}

/* Without collect_for_alloc, gc_stw_alloc collects through the runner with
 * reason "alloc" and the failed allocation's state. */
static void stw_alloc_collects_through_runner(void **state) {
  gc_heap *heap = make_heap();
  gc_mutator *m = gc_attach(heap);
  fake *f = fake_new();
  f->frees = FREES_ALL;
  size_t cycles = heap->events.ncycles;
  assert_int_equal(gc_stw_alloc(&runner_ops, m, 16, 0, try_alloc, f),
                   (gc_ref)&object_word);
  assert_int_equal(heap->events.ncycles, cycles + 1);
  assert_string_equal(last_cycle(heap)->reason, "alloc");
  assert_non_null(f->seen.at);
  assert_int_equal(f->seen.why, GC_REASON_ALLOC);
  /* frees nothing: out of memory after two recorded collections */
  f->frees = 0;
  assert_int_equal(gc_stw_alloc(&runner_ops, m, 16, 0, try_alloc, f), GC_NULL);
  assert_int_equal(heap->events.ncycles, cycles + 3);
  free(f);
  gc_detach(m);
  gc_heap_destroy(heap);
}

/* ---- concurrent: gc_collector_alloc's ladder ---- */

static void cycle(void *ctx, gc_req_kind kind, const char *reason) {
  fake *f = ctx;
  pthread_mutex_lock(&f->lock);
  f->kinds[f->ncycles] = kind;
  f->reasons[f->ncycles++] = reason;
  if (f->frees & FREES(kind))
    f->room++;
  f->in_cycle = true;
  pthread_mutex_unlock(&f->lock);
  if (kind >= GC_REQ_DEGENERATED) /* stop-the-world: serve before resuming */
    gc_collector_serve(f->c, kind);
  pthread_mutex_lock(&f->lock);
  f->in_cycle = false;
  pthread_mutex_unlock(&f->lock);
}

static const gc_collector_ops conc_ops = {
    .cycle = cycle,
    .subsume = true,
    .ladder = {.waits = 1, .concurrent = 1, .degenerated = 1, .full = 1}};

typedef struct rig {
  gc_heap *heap;
  gc_mutator *m;
  gc_collector c;
  fake *f;
} rig;

static rig *rig_start(unsigned frees) {
  rig *r = calloc(1, sizeof *r);
  assert_non_null(r);
  r->heap = make_heap();
  r->m = gc_attach(r->heap);
  r->f = fake_new();
  r->f->c = &r->c;
  r->f->frees = frees;
  char err[128];
  assert_true(
      gc_collector_start(&r->c, r->heap, &conc_ops, r->f, err, sizeof err));
  return r;
}

static void rig_stop(rig *r) {
  gc_collector_stop(&r->c);
  gc_detach(r->m);
  gc_heap_destroy(r->heap);
  free(r->f);
  free(r);
}

static void assert_kinds(const fake *f, const gc_req_kind *want, int n) {
  assert_int_equal(f->ncycles, n);
  for (int i = 0; i < n; i++) {
    assert_int_equal(f->kinds[i], want[i]);
    assert_string_equal(f->reasons[i], "alloc");
  }
}

/* Frees nothing: concurrent, degenerated, full, each waited for and
 * recorded as a stall; the last try runs inside the full collection's
 * pause, and only then is it out of memory. */
static void ladder_frees_nothing_ooms_after_full(void **state) {
  rig *r = rig_start(0);
  assert_int_equal(gc_collector_alloc(&r->c, r->m, 16, 0, try_alloc, r->f),
                   GC_NULL);
  static const gc_req_kind want[] = {GC_REQ_CONCURRENT, GC_REQ_DEGENERATED,
                                     GC_REQ_FULL};
  assert_kinds(r->f, want, 3);
  assert_int_equal(r->c.totals.stalls, 3);
  assert_int_equal(r->c.totals.served, 1);
  assert_int_equal(r->c.totals.served_failed, 1);
  assert_int_equal(r->f->served_in_pause, 1);
  assert_int_equal(r->f->served_ok, 0);
  rig_stop(r);
}

/* A degenerated collection frees room: the retry after it allocates, and
 * no full collection runs. */
static void ladder_stops_at_the_rung_that_frees(void **state) {
  rig *r = rig_start(FREES(GC_REQ_DEGENERATED));
  assert_int_equal(gc_collector_alloc(&r->c, r->m, 16, 0, try_alloc, r->f),
                   (gc_ref)&object_word);
  static const gc_req_kind want[] = {GC_REQ_CONCURRENT, GC_REQ_DEGENERATED};
  assert_kinds(r->f, want, 2);
  assert_int_equal(r->c.totals.stalls, 2);
  assert_int_equal(r->c.totals.served, 0);
  rig_stop(r);
}

/* Only the full collection frees: the allocation is served inside its
 * pause (before any mutator could run and take the room). */
static void ladder_serves_in_the_full_pause(void **state) {
  rig *r = rig_start(FREES(GC_REQ_FULL));
  assert_int_equal(gc_collector_alloc(&r->c, r->m, 16, 0, try_alloc, r->f),
                   (gc_ref)&object_word);
  static const gc_req_kind want[] = {GC_REQ_CONCURRENT, GC_REQ_DEGENERATED,
                                     GC_REQ_FULL};
  assert_kinds(r->f, want, 3);
  assert_int_equal(r->c.totals.served, 1);
  assert_int_equal(r->c.totals.served_failed, 0);
  assert_int_equal(r->f->served_in_pause, 1);
  assert_int_equal(r->f->served_ok, 1);
  assert_int_equal(r->f->room, 0);
  rig_stop(r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(stw_frees_nothing_gives_up_after_own),
      cmocka_unit_test(stw_frees_something_allocates),
      cmocka_unit_test(stw_others_collecting_bounded_by_attempts),
      cmocka_unit_test(runner_records_cycle_and_pause),
      cmocka_unit_test(stw_alloc_collects_through_runner),
      cmocka_unit_test(ladder_frees_nothing_ooms_after_full),
      cmocka_unit_test(ladder_stops_at_the_rung_that_frees),
      cmocka_unit_test(ladder_serves_in_the_full_pause),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
