/* The on-the-fly collector (policies/otf): each handshake and barrier mode
 * is needed, and the mark check after tracing notices when one is left out
 * (the unsafe_skip option); with all of them the hidden objects survive.
 *
 * Interleavings are forced: a hook holds the collector thread after the
 * roots handshake, before tracing (the test of the async barrier and of
 * root shading) or as the sweep begins (the test of allocation colour), or
 * a second mutator holds back its answer to the roots handshake while the
 * first has answered (the test of the sync modes). */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h> /* after the headers it needs */

#include "policies/otf/otf.h"

static gc_type node = {"otf-node", GC_TYPE_FIXED, 3, 0x3}; /* 2 refs, 1 word */
/* another size class: its cache is filled after a cycle, so white */
static gc_type young = {"otf-young", GC_TYPE_FIXED, 5, 0x1};

static char failure[1024];
static int failures;

/* The verifier calls on_fail on the collector thread with the world
 * stopped; returning lets the cycle finish. */
static void record_fail(gc_heap *heap, gc_mutator *m, const char *msg) {
  snprintf(failure, sizeof failure, "%s", msg);
  __atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
}

static const char *policy = "otf"; /* or "otf-gen": the same tests */

static gc_heap *otf_heap(const char *skip) {
  const gc_policy *p = gc_policy_find(policy);
  assert_non_null(p);
  json_t *o = json_pack("{s:s}", "unsafe_skip", skip);
  gc_options opts;
  char err[256];
  assert_true(gc_options_parse(&opts, p->options, o, "x", err, sizeof err));
  json_decref(o);
  gc_heap_config cfg = {
      .heap_bytes = 8u << 20, .gc_threads = 2, .verify = GC_VERIFY_AFTER};
  gc_heap *heap = gc_heap_create(&cfg, p, &opts, err, sizeof err);
  assert_non_null(heap);
  assert_true(gc_type_register(&node));
  assert_true(gc_type_register(&young));
  heap->on_fail = record_fail;
  failures = 0;
  failure[0] = 0;
  return heap;
}

static void expect(bool lost) {
  if (lost) {
    assert_int_equal(failures, 1);
    assert_non_null(strstr(failure, "reachable but unmarked"));
  } else {
    assert_int_equal(failures, 0);
  }
}

/* Waits outside the heap (handshakes run on m's behalf) for n cycles. */
static void finish_cycles(gc_mutator *m, uint64_t n) {
  gc_enter_blocking(m);
  while (otf_cycles_finished(m->heap) < n)
    usleep(100);
  gc_leave_blocking(m);
}

/* ---- holding the collector at a hook point ---- */

static int held, open_gate;
static otf_hook_point hold_at;

static void hold(gc_heap *heap, otf_hook_point at, void *ctx) {
  if (at != hold_at)
    return;
  __atomic_store_n(&held, 1, __ATOMIC_RELEASE);
  while (!__atomic_load_n(&open_gate, __ATOMIC_ACQUIRE))
    usleep(50);
}

static void start_and_hold(gc_mutator *m, otf_hook_point at) {
  held = open_gate = 0;
  hold_at = at;
  otf_set_hook(m->heap, hold, NULL);
  otf_start_cycle(m->heap);
  while (!__atomic_load_n(&held, __ATOMIC_ACQUIRE)) {
    gc_safepoint(m);
    sched_yield();
  }
}

static void release(gc_mutator *m) {
  __atomic_store_n(&open_gate, 1, __ATOMIC_RELEASE);
  finish_cycles(m, 1);
  otf_set_hook(m->heap, NULL, NULL);
}

/* The textbook hiding mutation (Jones, Hosking and Moss, The Garbage
 * Collection Handbook, 15.1) after the roots were shaded: X, reachable
 * only through P, moves into N (black, never scanned) and P's slot is
 * cleared. Only the async mode's deletion barrier keeps X. */
static void run_hiding(const char *skip, bool lost) {
  gc_heap *heap = otf_heap(skip);
  gc_mutator *m = gc_attach(heap);
  gc_ref p = gc_alloc(m, &node, 0);
  gc_root_push(m, p);
  gc_ref x = gc_alloc(m, &node, 0);
  gc_write_word(m, x, 2, 0x0f7f);
  gc_write_ref(m, p, 0, x);
  start_and_hold(m, OTF_HOOK_TRACING);
  assert_int_equal(otf_mutator_of(m)->mode, OTF_MODE_ASYNC);
  gc_ref n = gc_alloc(m, &node, 0); /* after the roots handshake: black */
  gc_root_push(m, n);
  gc_write_ref(m, n, 0, x);
  gc_write_ref(m, p, 0, GC_NULL);
  assert_true(gc_sf_is_marked(&otf_of(heap)->sf, n));
  release(m);
  expect(lost);
  if (!lost) { /* X survived the sweep and a second cycle */
    gc_collect(m);
    assert_int_equal(failures, 0);
    assert_true(gc_read_ref(m, gc_root_get(m, 1), 0) == x);
    assert_int_equal(gc_read_word(m, x, 2), 0x0f7f);
  }
  gc_detach(m);
  gc_heap_destroy(heap);
}

static void hiding_survives(void **state) { run_hiding("none", false); }
static void without_async_barrier_the_check_fails(void **state) {
  run_hiding("async-barrier", true);
}

/* An object held by a root only is lost if the mutator does not shade its
 * roots in the roots handshake. */
static void without_root_shading_the_check_fails(void **state) {
  gc_heap *heap = otf_heap("roots");
  gc_mutator *m = gc_attach(heap);
  gc_root_push(m, gc_alloc(m, &node, 0));
  start_and_hold(m, OTF_HOOK_TRACING);
  release(m);
  expect(true);
  gc_detach(m);
  gc_heap_destroy(heap);
}

/* A cell handed out once the sweep's epoch has moved, before "sweep" is
 * posted, comes from a pool that sweep has passed already (a fresh page:
 * the shut gate keeps the others unswept). It must be white: a black one
 * keeps its mark into the next cycle, which takes X for traced without
 * scanning it, and Y, reachable only through X by then, is lost. */
static void cell_allocated_as_the_sweep_begins_is_white(void **state) {
  gc_heap *heap = otf_heap("none");
  otf_state *s = otf_of(heap);
  gc_mutator *m = gc_attach(heap);
  gc_ref y = gc_alloc(m, &node, 0);
  gc_write_word(m, y, 2, 0x5eed);
  size_t ys = gc_root_push(m, y);
  start_and_hold(m, OTF_HOOK_SWEEP_BEGUN);
  assert_true(otf_mutator_of(m)->black);
  gc_ref x = gc_alloc(m, &young, 0); /* a class with no pool yet */
  bool fresh = gc_sf_swept_in(&s->sf, x,
                              __atomic_load_n(&s->sf.epoch, __ATOMIC_ACQUIRE));
  bool black = gc_sf_is_marked(&s->sf, x);
  size_t xs = gc_root_push(m, x);
  gc_write_ref(m, x, 0, y);
  release(m); /* before any assertion: a failed one leaves the heap behind */
  assert_true(fresh);
  assert_false(black);
  assert_int_equal(failures, 0);
  assert_false(gc_sf_is_marked(&s->sf, x)); /* no mark outlives the sweep */
  gc_root_set(m, ys, GC_NULL);
  gc_collect(m);
  assert_int_equal(failures, 0);
  y = gc_read_ref(m, gc_root_get(m, xs), 0);
  assert_int_equal(gc_read_word(m, y, 2), 0x5eed);
  gc_detach(m);
  gc_heap_destroy(heap);
}

/* ---- two mutators across the roots handshake ---- */

typedef struct pair {
  gc_heap *heap;
  gc_ref s, p;             /* s shared by both; p.f holds X, B's root */
  int attached, go, moved; /* B is attached; A has stored N into s; B
                            * has moved X */
} pair;

/* B answers sync1 and sync2, holds its answer to the roots handshake
 * until A has answered and published N, then moves X into N (N black,
 * never scanned) and cuts P's reference: in sync mode the store shades
 * X (the new value); with no sync mode nothing does. */
static void *mutator_b(void *arg) {
  pair *pr = arg;
  gc_mutator *b = gc_attach(pr->heap);
  gc_root_push(b, pr->s);
  gc_root_push(b, pr->p);
  __atomic_store_n(&pr->attached, 1, __ATOMIC_RELEASE);
  otf_state *st = otf_of(pr->heap);
  while (otf_phase_now(st) != OTF_TRACE) {
    gc_safepoint(b);
    sched_yield();
  }
  while (!__atomic_load_n(&pr->go, __ATOMIC_ACQUIRE))
    sched_yield();
  gc_ref n = gc_read_ref(b, pr->s, 0);
  gc_ref x = gc_read_ref(b, pr->p, 0);
  gc_write_ref(b, n, 0, x);
  gc_write_ref(b, pr->p, 0, GC_NULL);
  __atomic_store_n(&pr->moved, 1, __ATOMIC_RELEASE);
  finish_cycles(b, 1);
  gc_detach(b);
  return NULL;
}

static void run_sync(const char *skip, bool lost) {
  pair pr = {.heap = otf_heap(skip)};
  gc_mutator *a = gc_attach(pr.heap);
  pr.s = gc_alloc(a, &node, 0);
  gc_root_push(a, pr.s);
  pr.p = gc_alloc(a, &node, 0);
  gc_ref x = gc_alloc(a, &node, 0);
  gc_write_ref(a, pr.p, 0, x);
  pthread_t tb;
  assert_int_equal(pthread_create(&tb, NULL, mutator_b, &pr), 0);
  while (!__atomic_load_n(&pr.attached, __ATOMIC_ACQUIRE)) {
    gc_safepoint(a);
    sched_yield();
  }
  otf_start_cycle(pr.heap);
  while (otf_mutator_of(a)->mode != OTF_MODE_ASYNC) { /* A answered roots */
    gc_safepoint(a);
    sched_yield();
  }
  gc_ref n = gc_alloc(a, &node, 0); /* black */
  gc_write_ref(a, pr.s, 0, n);
  __atomic_store_n(&pr.go, 1, __ATOMIC_RELEASE);
  while (!__atomic_load_n(&pr.moved, __ATOMIC_ACQUIRE))
    sched_yield(); /* A does not poll: B answers the roots handshake first */
  finish_cycles(a, 1);
  pthread_join(tb, NULL);
  expect(lost);
  gc_detach(a);
  gc_heap_destroy(pr.heap);
}

static void sync_modes_keep_moved_object(void **state) {
  run_sync("none", false);
}
/* otf-gen: its barrier logs N (old: allocated black, so armed) when B
 * stores X into it, and the remembered objects are scanned after the roots
 * handshake, so the sync modes' loss does not happen there. */
static void without_sync_modes_the_check_fails(void **state) {
  run_sync("sync", strcmp(policy, "otf") == 0);
}

/* Handshake holds are recorded per mutator with the handshake's name, and
 * no pause stops the world (the mark check's stop is named apart). */
static void holds_are_recorded_per_mutator(void **state) {
  gc_heap *heap = otf_heap("none");
  gc_mutator *m = gc_attach(heap);
  gc_root_push(m, gc_alloc(m, &node, 0));
  otf_start_cycle(heap);
  while (otf_cycles_finished(heap) < 1) /* answer each handshake ourselves */
    gc_safepoint(m);
  gc_events *e = &heap->events;
  bool roots = false;
  pthread_mutex_lock(&e->lock);
  for (size_t i = 0; i < e->npauses; i++) {
    const gc_pause *pz = &e->pauses[i];
    if (strcmp(pz->phase, "verify-marks") == 0)
      assert_int_equal(pz->mutator, -1);
    else
      assert_int_equal(pz->mutator, 0);
    roots |= strcmp(pz->phase, "roots") == 0;
  }
  assert_true(e->ncycles == 1 && e->nphases >= 2);
  pthread_mutex_unlock(&e->lock);
  assert_true(roots);
  gc_detach(m);
  gc_heap_destroy(heap);
}

/* ---- otf-gen: the remembered set ---- */

static const char *last_cycle_kind(gc_heap *heap) {
  gc_events *e = &heap->events;
  pthread_mutex_lock(&e->lock);
  const char *k = e->ncycles ? e->cycles[e->ncycles - 1].kind : "";
  pthread_mutex_unlock(&e->lock);
  return k;
}

/* O survives a full cycle (old: marked); Y, young, is then reachable only
 * from O. A young cycle does not trace O, so only the remembered set
 * (O was remembered when Y was stored into it) keeps Y. */
static void run_remset(const char *skip, bool lost) {
  gc_heap *heap = otf_heap(skip);
  otf_state *s = otf_of(heap);
  gc_mutator *m = gc_attach(heap);
  gc_ref o = gc_alloc(m, &node, 0);
  gc_root_push(m, o);
  gc_collect(m); /* full */
  assert_string_equal(last_cycle_kind(heap), "full");
  assert_true(gc_sf_is_marked(&s->sf, o));
  assert_true(gc_header(m, o) & GC_HDR_UNLOGGED); /* old: armed */
  gc_ref y = gc_alloc(m, &young, 0);
  assert_false(gc_sf_is_marked(&s->sf, y));
  assert_false(gc_header(m, y) & GC_HDR_UNLOGGED); /* young */
  gc_write_word(m, y, 2, 0x9e11);
  uint64_t slow = m->stats.barrier_slow;
  gc_write_ref(m, o, 1, o); /* an old value: not logged */
  assert_int_equal(m->stats.barrier_slow, slow + 1);
  assert_true(gc_header(m, o) & GC_HDR_UNLOGGED);
  slow = m->stats.barrier_slow;
  gc_write_ref(m, o, 0, y);
  assert_int_equal(m->stats.barrier_slow, slow + 1);
  assert_false(gc_header(m, o) & GC_HDR_UNLOGGED); /* logged */
  gc_write_ref(m, o, 0, y);       /* logged already: the fast path */
  gc_write_ref(m, y, 0, GC_NULL); /* young: the fast path */
  assert_int_equal(m->stats.barrier_slow, slow + 1);
  otf_start_young(heap);
  finish_cycles(m, 2);
  assert_string_equal(last_cycle_kind(heap), "young");
  expect(lost);
  if (!lost) {
    assert_true(gc_sf_is_marked(&s->sf, y)); /* promoted */
    assert_true(gc_header(m, y) & GC_HDR_UNLOGGED);
    assert_true(gc_header(m, o) & GC_HDR_UNLOGGED); /* re-armed */
    assert_int_equal(gc_read_word(m, gc_read_ref(m, o, 0), 2), 0x9e11);
  }
  gc_detach(m);
  gc_heap_destroy(heap);
}

/* N, allocated black during a cycle, is old from the start, so the cache
 * hands it out armed (GC_HDR_UNLOGGED): Y, young, stored into N after the
 * cycle and reachable only from it, is kept by the next young cycle
 * through the remembered set. While the marking barrier is on every
 * reference store takes the slow path, a young object's too. */
static void run_black(const char *skip, bool lost) {
  gc_heap *heap = otf_heap(skip);
  otf_state *s = otf_of(heap);
  gc_mutator *m = gc_attach(heap);
  gc_ref w = gc_alloc(m, &node, 0); /* white: young */
  assert_false(gc_header(m, w) & GC_HDR_UNLOGGED);
  start_and_hold(m, OTF_HOOK_TRACING);
  gc_ref n = gc_alloc(m, &node, 0); /* after the roots handshake: black */
  gc_root_push(m, n);
  assert_true(gc_sf_is_marked(&s->sf, n));
  assert_true(gc_header(m, n) & GC_HDR_UNLOGGED);
  uint64_t slow = m->stats.barrier_slow;
  gc_write_ref(m, w, 0, GC_NULL);
  assert_int_equal(m->stats.barrier_slow, slow + 1); /* marking: slow */
  __atomic_store_n(&open_gate, 1, __ATOMIC_RELEASE);
  finish_cycles(m, 1);
  otf_set_hook(heap, NULL, NULL);
  assert_true(gc_header(m, n) & GC_HDR_UNLOGGED); /* old, unlogged */
  gc_ref y = gc_alloc(m, &young, 0); /* its class's first cache: white */
  assert_false(gc_sf_is_marked(&s->sf, y));
  gc_write_word(m, y, 2, 0xb1ac);
  slow = m->stats.barrier_slow;
  gc_write_ref(m, y, 0, GC_NULL); /* young, barrier off: the fast path */
  assert_int_equal(m->stats.barrier_slow, slow);
  gc_write_ref(m, n, 0, y);
  assert_int_equal(m->stats.barrier_slow, slow + 1);
  assert_false(gc_header(m, n) & GC_HDR_UNLOGGED);
  otf_start_young(heap);
  finish_cycles(m, 2);
  assert_string_equal(last_cycle_kind(heap), "young");
  expect(lost);
  if (!lost)
    assert_int_equal(gc_read_word(m, gc_read_ref(m, n, 0), 2), 0xb1ac);
  gc_detach(m);
  gc_heap_destroy(heap);
}

static void black_object_is_old_and_logged(void **state) {
  run_black("none", false);
}
static void black_object_without_remset_scan_the_check_fails(void **state) {
  run_black("remset", true);
}

static void remembered_young_object_survives(void **state) {
  run_remset("none", false);
}
static void without_remset_scan_the_check_fails(void **state) {
  run_remset("remset", true);
}

static int use_gen(void **state) {
  policy = "otf-gen";
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(hiding_survives),
      cmocka_unit_test(without_async_barrier_the_check_fails),
      cmocka_unit_test(without_root_shading_the_check_fails),
      cmocka_unit_test(cell_allocated_as_the_sweep_begins_is_white),
      cmocka_unit_test(sync_modes_keep_moved_object),
      cmocka_unit_test(without_sync_modes_the_check_fails),
      cmocka_unit_test(holds_are_recorded_per_mutator),
  };
  const struct CMUnitTest gen_tests[] = {
      cmocka_unit_test(remembered_young_object_survives),
      cmocka_unit_test(without_remset_scan_the_check_fails),
      cmocka_unit_test(black_object_is_old_and_logged),
      cmocka_unit_test(black_object_without_remset_scan_the_check_fails),
  };
  int failed = cmocka_run_group_tests_name("otf", tests, NULL, NULL);
  failed += cmocka_run_group_tests_name("otf-gen", tests, use_gen, NULL);
  return failed + cmocka_run_group_tests_name("otf-gen remset", gen_tests,
                                              use_gen, NULL);
}
