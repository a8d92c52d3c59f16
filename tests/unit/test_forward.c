/* The forwarding protocol (heap/forward.h): one claimant wins, a copy is
 * published whole, a settled object reads as not moved, and racing threads
 * agree on one copy per object (run under TSan in CI). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h> /* after the headers it needs */

#include "heap/forward.h"
#include <pthread.h>
#include <stdlib.h>

#define WORDS 40 /* 320 bytes: beyond the word loop, into memcpy */

static uint64_t header_for(uint64_t i) { return (i << 32) | 0x100; }

static void fill(uint64_t *obj, uint64_t i, size_t words) {
  obj[0] = header_for(i);
  for (size_t k = 1; k < words; k++)
    obj[k] = i * 1000 + k;
}

static void claim_copy_commit(void **state) {
  for (size_t words = 2; words <= WORDS; words += 19) {
    uint64_t from[WORDS], to[WORDS] = {0};
    fill(from, 7, words);
    uintptr_t obj = (uintptr_t)from;
    uint64_t h = gc_fwd_header(obj);
    assert_true(gc_fwd_claim(obj, &h));
    uint64_t stale = h; /* a second claimant with the old header loses */
    assert_false(gc_fwd_claim(obj, &stale));
    assert_true(stale & GC_FWD_BUSY);
    gc_fwd_copy((uintptr_t)to, obj, h, words * GC_WORD);
    gc_fwd_commit(obj, h, (uintptr_t)to);
    assert_int_equal(to[0], header_for(7));
    for (size_t k = 1; k < words; k++)
      assert_int_equal(to[k], 7 * 1000 + k);
    uint64_t after = gc_fwd_header(obj);
    assert_int_equal(after, header_for(7) | GC_FWD_FORWARDED);
    assert_int_equal(gc_fwd_address(obj), (uintptr_t)to);
  }
}

static void settle_leaves_object_in_place(void **state) {
  uint64_t from[4];
  fill(from, 3, 4);
  uintptr_t obj = (uintptr_t)from;
  uint64_t h = gc_fwd_header(obj);
  assert_true(gc_fwd_claim(obj, &h));
  gc_fwd_settle(obj, h | 0x4); /* a caller's own bit, e.g. semispace KEPT */
  assert_int_equal(gc_fwd_wait(obj), header_for(3) | 0x4);
  assert_int_equal(from[1], 3 * 1000 + 1);
}

/* Threads forward the same objects, semispace's loop: each must end with
 * the same address, and each object is copied exactly once. */
#define OBJECTS 2000
#define THREADS 4
typedef struct race {
  uint64_t from[OBJECTS][4];
  uint64_t to[THREADS][OBJECTS][4];
  uintptr_t seen[THREADS][OBJECTS];
  unsigned copies;
  unsigned id_next;
  unsigned torn; /* copies read with a wrong payload */
} race;

static uintptr_t forward(race *r, unsigned id, size_t i) {
  uintptr_t obj = (uintptr_t)r->from[i];
  uint64_t h = gc_fwd_header(obj);
  while (!(h & GC_FWD_FORWARDED)) {
    if (h & GC_FWD_BUSY) {
      h = gc_fwd_wait(obj);
    } else if (gc_fwd_claim(obj, &h)) {
      uintptr_t to = (uintptr_t)r->to[id][i];
      gc_fwd_copy(to, obj, h, sizeof r->from[i]);
      gc_fwd_commit(obj, h, to);
      __atomic_add_fetch(&r->copies, 1, __ATOMIC_RELAXED);
      return to;
    }
  }
  return gc_fwd_address(obj);
}

static void *racer(void *arg) {
  race *r = arg;
  unsigned id = __atomic_fetch_add(&r->id_next, 1, __ATOMIC_RELAXED);
  for (size_t n = 0; n < OBJECTS; n++) {
    size_t i = id % 2 ? OBJECTS - 1 - n : n; /* meet from both ends */
    uintptr_t to = forward(r, id, i);
    r->seen[id][i] = to;
    if (((uint64_t *)to)[3] != i * 1000 + 3) /* cmocka asserts: main only */
      __atomic_add_fetch(&r->torn, 1, __ATOMIC_RELAXED);
  }
  return NULL;
}

static void racing_threads_agree(void **state) {
  race *r = calloc(1, sizeof *r);
  assert_non_null(r);
  for (size_t i = 0; i < OBJECTS; i++)
    fill(r->from[i], i, 4);
  pthread_t t[THREADS];
  for (unsigned k = 0; k < THREADS; k++)
    assert_int_equal(pthread_create(&t[k], NULL, racer, r), 0);
  for (unsigned k = 0; k < THREADS; k++)
    pthread_join(t[k], NULL);
  assert_int_equal(r->copies, OBJECTS);
  assert_int_equal(r->torn, 0);
  for (size_t i = 0; i < OBJECTS; i++)
    for (unsigned k = 1; k < THREADS; k++)
      assert_int_equal(r->seen[k][i], r->seen[0][i]);
  free(r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(claim_copy_commit),
      cmocka_unit_test(settle_leaves_object_in_place),
      cmocka_unit_test(racing_threads_agree),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
