/* SATB concurrent marking (heap/satb_marking.h, policies/satb): the barrier
 * records what it must, allocation during marking is black, and the
 * final-mark verifier catches a missing barrier.
 *
 * The interleavings are forced, not hoped for: a test hook holds the GC
 * thread right after the init-mark pause (the snapshot is taken, the
 * marker has not started), the mutator does its stores, then lets the
 * cycle go on. The hiding mutation is the textbook one (Jones, Hosking and
 * Moss, The Garbage Collection Handbook, 15.1): X is reachable only through
 * P, which the marker has not scanned; the mutator copies the reference
 * into N, which the marker will never scan (allocated black), and clears
 * P's slot. Without the deletion barrier the marker never sees X again. */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h> /* after the headers it needs */

#include "policies/satb/satb.h"

static gc_type node = {"satb-node", GC_TYPE_FIXED, 3, 0x3}; /* 2 refs, 1 word */

static char failure[1024];
static int failures;

/* The verifier calls on_fail on the GC thread, inside the final-mark
 * pause; returning lets the cycle finish. */
static void record_fail(gc_heap *heap, gc_mutator *m, const char *msg) {
  snprintf(failure, sizeof failure, "%s", msg);
  __atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
}

static gc_heap *satb_heap(size_t bytes, bool no_barrier, gc_verify_mode vm) {
  const gc_policy *p = gc_policy_find("satb");
  assert_non_null(p);
  json_t *o = json_pack("{s:b}", "unsafe_no_barrier", no_barrier);
  gc_options opts;
  char err[256];
  assert_true(gc_options_parse(&opts, p->options, o, "x", err, sizeof err));
  json_decref(o);
  gc_heap_config cfg = {.heap_bytes = bytes, .gc_threads = 2, .verify = vm};
  gc_heap *heap = gc_heap_create(&cfg, p, &opts, err, sizeof err);
  assert_non_null(heap);
  assert_true(gc_type_register(&node));
  heap->on_fail = record_fail;
  failures = 0;
  failure[0] = 0;
  return heap;
}

/* ---- holding the GC thread after init-mark ---- */

typedef struct gate {
  pthread_mutex_t lock;
  pthread_cond_t cond;
  satb_hook_point at; /* where to hold the GC thread */
  int held;           /* the GC thread is waiting in the hook */
  int open;
} gate;

static void hold_gc_thread(gc_heap *heap, satb_hook_point at, void *ctx) {
  gate *g = ctx;
  if (at != g->at)
    return;
  pthread_mutex_lock(&g->lock);
  if (!g->open) {
    __atomic_store_n(&g->held, 1, __ATOMIC_RELEASE);
    while (!g->open)
      pthread_cond_wait(&g->cond, &g->lock);
  }
  pthread_mutex_unlock(&g->lock);
}

/* Starts a cycle and returns once the GC thread is held at point at: right
 * after init-mark, or after concurrent marking (the mutator keeps polling
 * so that pauses and handshakes can reach it). */
static void start_and_hold(gc_mutator *m, gate *g, satb_hook_point at) {
  pthread_mutex_init(&g->lock, NULL);
  pthread_cond_init(&g->cond, NULL);
  g->at = at;
  g->held = g->open = 0;
  satb_set_hook(m->heap, hold_gc_thread, g);
  satb_start_cycle(m->heap);
  while (!__atomic_load_n(&g->held, __ATOMIC_ACQUIRE)) {
    gc_safepoint(m);
    sched_yield();
  }
}

/* Lets the cycle go on and waits (outside the heap) for it to end. */
static void release_and_finish(gc_mutator *m, gate *g, uint64_t cycles) {
  pthread_mutex_lock(&g->lock);
  g->open = 1;
  pthread_cond_broadcast(&g->cond);
  pthread_mutex_unlock(&g->lock);
  gc_enter_blocking(m);
  while (satb_cycles_finished(m->heap) < cycles)
    usleep(100);
  gc_leave_blocking(m);
  satb_set_hook(m->heap, NULL, NULL);
}

static bool marked(gc_heap *heap, gc_ref r) {
  return gc_sf_is_marked(&satb_of(heap)->sf, r);
}

/* Returns X's reference; N holds the only reference to X afterwards. */
static gc_ref hide(gc_mutator *m, gc_ref p) {
  gc_ref n = gc_alloc(m, &node, 0); /* during marking: black */
  gc_root_push(m, n);
  gc_ref x = gc_read_ref(m, p, 0);
  gc_write_ref(m, n, 0, x);       /* old value null: nothing recorded */
  gc_write_ref(m, p, 0, GC_NULL); /* old value X: the barrier records it */
  return x;
}

static void run_hiding(bool no_barrier) {
  gc_heap *heap = satb_heap(4u << 20, no_barrier, GC_VERIFY_AFTER);
  gc_mutator *m = gc_attach(heap);
  gc_ref p = gc_alloc(m, &node, 0);
  gc_root_push(m, p);
  gc_ref x = gc_alloc(m, &node, 0);
  gc_write_word(m, x, 2, 0x5a7b);
  gc_write_ref(m, p, 0, x);
  gate g;
  start_and_hold(m, &g, SATB_HOOK_MARKING);
  assert_int_equal(m->barrier_active, !no_barrier);
  assert_true(hide(m, p) == x);
  assert_true(marked(heap, gc_root_get(m, 1))); /* N was allocated black */
  assert_false(marked(heap, x));
  release_and_finish(m, &g, 1);
  if (no_barrier) {
    assert_int_equal(failures, 1);
    assert_non_null(strstr(failure, "reachable but unmarked"));
    assert_non_null(strstr(failure, "final-mark"));
  } else {
    assert_int_equal(failures, 0);
    /* X survived the sweep and a second, ordinary cycle */
    gc_collect(m);
    assert_int_equal(failures, 0);
    gc_ref n = gc_root_get(m, 1);
    assert_true(gc_read_ref(m, n, 0) == x);
    assert_int_equal(gc_read_word(m, x, 2), 0x5a7b);
  }
  gc_detach(m);
  gc_heap_destroy(heap);
}

/* The proof that the verifier can catch a missing barrier. */
static void without_the_barrier_the_verifier_fails(void **state) {
  run_hiding(true);
}

static void with_the_barrier_the_hidden_object_survives(void **state) {
  run_hiding(false);
}

/* The barrier records only non-null, unmarked old values; the records
 * reach the marker through the buffers (full ones and, at final mark or a
 * handshake, the partial one). */
static void barrier_records_unmarked_old_values(void **state) {
  gc_heap *heap = satb_heap(8u << 20, false, GC_VERIFY_AFTER);
  gc_mutator *m = gc_attach(heap);
  enum { N = 3000 };
  static gc_type arr = {"satb-refs", GC_TYPE_REF_ARRAY};
  assert_true(gc_type_register(&arr));
  gc_ref a = gc_alloc(m, &arr, N);
  gc_root_push(m, a);
  for (size_t i = 0; i < N; i++)
    gc_write_ref(m, a, i, gc_alloc(m, &node, 0));
  gate g;
  start_and_hold(m, &g, SATB_HOOK_MARKING);
  satb_queue *q = satb_queue_of(m);
  uint64_t enq = q->enqueued, filt = q->filtered;
  gc_ref fresh = gc_alloc(m, &node, 0); /* black */
  for (size_t i = 0; i < N; i++)        /* N unmarked old values */
    gc_write_ref(m, a, i, fresh);
  for (size_t i = 0; i < N; i++) /* old value marked (black): filtered */
    gc_write_ref(m, a, i, GC_NULL);
  gc_write_ref(m, fresh, 0, GC_NULL); /* old value null: filtered */
  assert_int_equal(q->enqueued - enq, N);
  assert_int_equal(q->filtered - filt, N + 1);
  satb_marker *mk = &satb_of(heap)->marker;
  assert_int_equal(mk->nfull, N / SATB_BUFFER_ENTRIES); /* 2 full buffers */
  release_and_finish(m, &g, 1);
  assert_int_equal(failures, 0);
  satb_state *s = satb_of(heap);
  assert_int_equal(s->log[0].entries, N);
  assert_int_equal(s->log[0].buffers, N / SATB_BUFFER_ENTRIES + 1);
  gc_detach(m);
  gc_heap_destroy(heap);
}

/* An object allocated during marking and reachable only from an object
 * the marker already scanned survives (allocate black), and so does a
 * large one: the GC thread is held after concurrent marking, when P is
 * black, and N is stored into P and dropped from the roots. */
static void allocation_during_marking_is_black(void **state) {
  gc_heap *heap = satb_heap(8u << 20, false, GC_VERIFY_BEFORE_AND_AFTER);
  gc_mutator *m = gc_attach(heap);
  static gc_type big = {"satb-big", GC_TYPE_WORD_ARRAY};
  assert_true(gc_type_register(&big));
  gc_ref p = gc_alloc(m, &node, 0);
  gc_root_push(m, p);
  gate g;
  start_and_hold(m, &g, SATB_HOOK_FINAL_MARK);
  assert_true(marked(heap, p)); /* and scanned */
  gc_ref n = gc_alloc(m, &node, 0);
  gc_root_push(m, n);
  gc_ref b = gc_alloc(m, &big, 2000); /* 16 KB: the LOS */
  gc_write_word(m, b, 1999, 77);
  gc_write_ref(m, n, 1, b);
  gc_write_ref(m, p, 0, n);
  gc_root_pop(m, 1);
  assert_true(marked(heap, n));
  assert_true(gc_los_is_marked(&heap->los, b));
  release_and_finish(m, &g, 1);
  assert_int_equal(failures, 0);
  assert_true(gc_read_ref(m, p, 0) == n);
  assert_int_equal(gc_read_word(m, gc_read_ref(m, n, 1), 1999), 77);
  gc_collect(m);
  gc_collect(m);
  assert_int_equal(failures, 0);
  assert_int_equal(gc_read_word(m, b, 1999), 77);
  gc_detach(m);
  gc_heap_destroy(heap);
}

/* gc_collect waits for a whole cycle that started after the call: garbage
 * made before it is gone afterwards, and the marks are clear again. */
static void requested_collection_frees_garbage(void **state) {
  gc_heap *heap = satb_heap(4u << 20, false, GC_VERIFY_BEFORE_AND_AFTER);
  gc_mutator *m = gc_attach(heap);
  gc_ref keep = gc_alloc(m, &node, 0);
  gc_root_push(m, keep);
  gc_ref junk = gc_alloc(m, &node, 0);
  gc_collect(m);
  satb_state *s = satb_of(heap);
  size_t chunk = gc_sf_cell_of(&satb_of(heap)->sf, junk).page;
  uint32_t cell = gc_sf_cell_of(&s->sf, junk).cell;
  assert_false(gc_sf_cell_in_use(&s->sf, chunk, cell));
  assert_true(
      gc_sf_cell_in_use(&s->sf, chunk, gc_sf_cell_of(&s->sf, keep).cell));
  assert_true(gc_sf_marks_clear(&s->sf));
  assert_int_equal(failures, 0);
  assert_int_equal(s->totals.concurrent, 1);
  gc_detach(m);
  gc_heap_destroy(heap);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(without_the_barrier_the_verifier_fails),
      cmocka_unit_test(with_the_barrier_the_hidden_object_survives),
      cmocka_unit_test(barrier_records_unmarked_old_values),
      cmocka_unit_test(allocation_during_marking_is_black),
      cmocka_unit_test(requested_collection_frees_garbage),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
