/* The satb policy under several mutators and under memory pressure: lists
 * rewired while the GC thread marks stay whole (the verifier re-traces at
 * every final mark and checks every reachable cell before and after every
 * collection), a heap that fills up degenerates to stop-the-world
 * collections and then reports out-of-memory instead of crashing, and the
 * last mutator to leave waits for the running cycle. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h> /* after the headers it needs */

#include "policies/satb/satb.h"

static gc_type cell = {"satb-cell", GC_TYPE_FIXED, 2, 0x1}; /* next, value */

static char failure[1024];
static int failures;

static void record_fail(gc_heap *heap, gc_mutator *m, const char *msg) {
  snprintf(failure, sizeof failure, "%s", msg);
  __atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
}

static gc_heap *satb_heap(size_t bytes, gc_verify_mode vm, double trigger) {
  const gc_policy *p = gc_policy_find("satb");
  json_t *o = json_pack("{s:f}", "trigger", trigger);
  gc_options opts;
  char err[256];
  assert_true(gc_options_parse(&opts, p->options, o, "x", err, sizeof err));
  json_decref(o);
  gc_heap_config cfg = {.heap_bytes = bytes, .gc_threads = 2, .verify = vm};
  gc_heap *heap = gc_heap_create(&cfg, p, &opts, err, sizeof err);
  assert_non_null(heap);
  assert_true(gc_type_register(&cell));
  heap->on_fail = record_fail;
  failures = 0;
  return heap;
}

/* ---- rewiring lists while the collector marks ---- */

#define LISTS 4
#define ROUNDS 1000000
#define MAX_LEN 2000 /* live: 3 threads * 4 lists * 2000 * 32 bytes */

typedef struct churn {
  gc_heap *heap;
  unsigned seed;
  long bad; /* list whose length or values did not add up */
  int done; /* atomic */
} churn;

static unsigned next_rand(unsigned *s) {
  *s = *s * 1103515245u + 12345u;
  return *s >> 8;
}

/* Walks list l (root slot l) and checks its length and that the values
 * are the positions' tags it was built with (value = tag of its list). */
static long list_length(gc_mutator *m, size_t slot, long limit) {
  long n = 0;
  for (gc_ref c = gc_root_get(m, slot); c != GC_NULL && n <= limit;
       c = gc_read_ref(m, c, 0)) {
    if (gc_read_word(m, c, 1) != 0xce11)
      return -1;
    n++;
  }
  return n;
}

/* Each round: push a new cell after a list's head, or move a cell from one
 * list to right after another's head (the move that hides an object from a
 * marker without the deletion barrier), or drop a list's second cell. */
static void *churn_main(void *arg) {
  churn *c = arg;
  gc_mutator *m = gc_attach(c->heap);
  long len[LISTS] = {0};
  for (size_t l = 0; l < LISTS; l++) {
    gc_ref head = gc_alloc(m, &cell, 0);
    gc_write_word(m, head, 1, 0xce11);
    gc_root_push(m, head);
    len[l] = 1;
  }
  for (int r = 0; r < ROUNDS && !c->bad; r++) {
    unsigned op = next_rand(&c->seed) % 8, a = next_rand(&c->seed) % LISTS,
             b = next_rand(&c->seed) % LISTS;
    gc_ref ha = gc_root_get(m, a), hb = gc_root_get(m, b);
    gc_ref second = gc_read_ref(m, ha, 0);
    if (len[a] > MAX_LEN)
      op = 7;
    if (op < 4 || second == GC_NULL) { /* push after a's head */
      gc_ref x = gc_alloc(m, &cell, 0);
      gc_write_word(m, x, 1, 0xce11);
      gc_write_ref(m, x, 0, gc_read_ref(m, ha, 0));
      gc_write_ref(m, ha, 0, x);
      len[a]++;
    } else if (op < 7 && a != b) { /* move a's second after b's head */
      gc_write_ref(m, ha, 0, gc_read_ref(m, second, 0));
      gc_write_ref(m, second, 0, gc_read_ref(m, hb, 0));
      gc_write_ref(m, hb, 0, second);
      len[a]--, len[b]++;
    } else if (op == 7) { /* drop a's second: garbage */
      gc_write_ref(m, ha, 0, gc_read_ref(m, second, 0));
      len[a]--;
    }
    gc_safepoint(m);
    if (r % 2000 == 1999)
      for (size_t l = 0; l < LISTS; l++)
        if (list_length(m, l, len[l]) != len[l])
          c->bad = (long)l + 1;
  }
  gc_detach(m);
  __atomic_store_n(&c->done, 1, __ATOMIC_RELEASE);
  return NULL;
}

static bool all_done(churn *c, int n) {
  for (int i = 0; i < n; i++)
    if (!__atomic_load_n(&c[i].done, __ATOMIC_ACQUIRE))
      return false;
  return true;
}

static void rewired_lists_stay_whole(void **state) {
  gc_heap *heap = satb_heap(4u << 20, GC_VERIFY_BEFORE_AND_AFTER, 0.3);
  pthread_t t[3];
  churn c[3];
  for (int i = 0; i < 3; i++) {
    c[i] = (churn){.heap = heap, .seed = 17u + (unsigned)i};
    pthread_create(&t[i], NULL, churn_main, &c[i]);
  }
  while (!all_done(c, 3)) { /* keep cycles coming besides the trigger */
    satb_start_cycle(heap);
    usleep(500);
  }
  for (int i = 0; i < 3; i++) {
    pthread_join(t[i], NULL);
    assert_int_equal(c[i].bad, 0);
  }
  /* the last detach waits for the running cycle; one more mutator makes
   * sure the requests made since are done too before we read the totals */
  gc_detach(gc_attach(heap));
  satb_state *s = satb_of(heap);
  if (failures)
    fail_msg("%s", failure);
  print_message("cycles %lu entries %lu verifications %lu\n",
                (unsigned long)s->totals.concurrent,
                (unsigned long)s->totals.entries,
                (unsigned long)heap->verifications);
  assert_true(s->totals.concurrent >= 2);
  assert_true(s->totals.entries > 0); /* the barrier recorded moves */
  gc_heap_destroy(heap);
}

/* ---- memory pressure ---- */

static jmp_buf oom_jump;
static void on_oom(gc_heap *heap, gc_mutator *m, size_t bytes) {
  longjmp(oom_jump, 1);
}

/* A list that keeps growing fills the heap: concurrent cycles cannot keep
 * up, mutators wait, stop-the-world collections follow, and when even
 * those free nothing the allocation reports out-of-memory. */
static void full_heap_degenerates_then_reports_oom(void **state) {
  gc_heap *heap = satb_heap(2u << 20, GC_VERIFY_NONE, 0.5);
  heap->on_oom = on_oom;
  gc_mutator *m = gc_attach(heap);
  size_t head = gc_root_push(m, GC_NULL);
  static volatile size_t n;
  n = 0;
  if (!setjmp(oom_jump)) {
    for (;;) {
      gc_ref x = gc_alloc(m, &cell, 0);
      gc_write_ref(m, x, 0, gc_root_get(m, head));
      gc_root_set(m, head, x);
      n++;
      if (n % 1024 == 0) /* garbage in between */
        gc_alloc(m, &cell, 0);
    }
  }
  size_t cells = (2u << 20) / 32;
  assert_true(n > cells * 9 / 10);
  assert_true(n <= cells);
  satb_state *s = satb_of(heap);
  assert_true(s->totals.degenerated >= 2);
  assert_true(s->gc.totals.stalls >= 2);
  bool seen = false;
  for (size_t i = 0; i < heap->events.npauses; i++)
    seen |= strcmp(heap->events.pauses[i].phase, "degenerated") == 0;
  assert_true(seen);
  gc_verify(heap, "after oom");
  assert_int_equal(failures, 0);
  gc_detach(m);
  gc_heap_destroy(heap);
}

/* The last mutator out waits for the running cycle, so that a record
 * built right after sees no GC thread appending to it. */
static void last_detach_waits_for_the_cycle(void **state) {
  gc_heap *heap = satb_heap(4u << 20, GC_VERIFY_AFTER, 0.5);
  gc_mutator *m = gc_attach(heap);
  gc_root_push(m, gc_alloc(m, &cell, 0));
  satb_start_cycle(heap);
  gc_detach(m);
  satb_state *s = satb_of(heap);
  assert_int_equal(s->gc.ct.started, s->gc.ct.finished);
  assert_int_equal(s->phase, SATB_IDLE);
  gc_heap_destroy(heap);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(rewired_lists_stay_whole),
      cmocka_unit_test(full_heap_degenerates_then_reports_oom),
      cmocka_unit_test(last_detach_waits_for_the_cycle),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
