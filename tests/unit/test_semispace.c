/* semispace: shared objects copied once by racing workers, the evacuation
 * failure fallback (objects kept in place when to-space runs out), and two
 * mutators allocating while stress mode collects. Every heap runs the
 * verifier before and after each collection, which fails the run on any
 * reference into from-space or forwarding word left behind. */
/* cmocka.h needs these first (a blank line keeps clang-format from sorting) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>

#include "heap/heap.h"

extern const gc_policy gc_policy_semispace;

/* node: word 0 is the next reference, word 1 an id */
static gc_type node_type = {
    .name = "semi_node", .kind = GC_TYPE_FIXED, .nwords = 2, .ref_map = 1};
static gc_type array_type = {.name = "semi_refs", .kind = GC_TYPE_REF_ARRAY};
static gc_type bytes_type = {.name = "semi_bytes", .kind = GC_TYPE_WORD_ARRAY};

static gc_heap *make_heap(size_t bytes, unsigned gc_threads,
                          uint64_t stress_allocs) {
  assert_true(gc_type_register(&node_type));
  assert_true(gc_type_register(&array_type));
  assert_true(gc_type_register(&bytes_type));
  const gc_policy *p = &gc_policy_semispace;
  char err[256];
  assert_true(gc_policy_check(p, err, sizeof err));
  gc_heap_config cfg = {.heap_bytes = bytes,
                        .gc_threads = gc_threads,
                        .verify = GC_VERIFY_BEFORE_AND_AFTER,
                        .stress_allocs = stress_allocs};
  gc_options opts;
  assert_true(gc_options_parse(&opts, p->options, NULL, "x", err, sizeof err));
  gc_heap *heap = gc_heap_create(&cfg, p, &opts, err, sizeof err);
  assert_non_null(heap);
  return heap;
}

static json_int_t stat(gc_heap *heap, const char *key) {
  json_t *o = json_object();
  heap->policy->report(heap, o);
  json_int_t v = json_integer_value(json_object_get(o, key));
  json_decref(o);
  return v;
}

static gc_ref new_node(gc_mutator *m, gc_ref next, uint64_t id) {
  size_t slot = gc_root_push(m, next);
  gc_ref n = gc_alloc(m, &node_type, 0);
  gc_write_ref(m, n, 0, gc_root_get(m, slot));
  gc_write_word(m, n, 1, id);
  gc_root_pop(m, 1);
  return n;
}

/* A list of n nodes with ids n-1 ... 0, in root slot `slot`. */
static void build_list(gc_mutator *m, size_t slot, size_t n, uint64_t base) {
  for (size_t i = 0; i < n; i++)
    gc_root_set(m, slot, new_node(m, gc_root_get(m, slot), base + i));
}

static void check_list(gc_mutator *m, gc_ref l, size_t n, uint64_t base) {
  for (size_t i = n; i-- > 0; l = gc_read_ref(m, l, 0)) {
    assert_true(l != GC_NULL);
    assert_int_equal(gc_read_word(m, l, 1), base + i);
  }
  assert_true(l == GC_NULL);
}

enum { LEAVES = 200, LEAF_WORDS = 512, ARRAYS = 256, FANOUT = 64 };

static uint64_t leaf_of(size_t a, size_t j) { return (a * 7 + j) % LEAVES; }

/* ARRAYS root slots (dealt to the workers in blocks) hold arrays that all
 * point at the same LEAVES 4 KiB leaves: workers race to copy every leaf,
 * and each leaf must still be copied once (all arrays agree on its address
 * and its contents survive). */
static void shared_objects_are_copied_once(void **state) {
  gc_heap *heap = make_heap(16u << 20, 4, 0);
  gc_mutator *m = gc_attach(heap);
  size_t leaves = gc_root_push(m, gc_alloc(m, &array_type, LEAVES));
  for (uint64_t i = 0; i < LEAVES; i++) {
    gc_ref leaf = gc_alloc(m, &bytes_type, LEAF_WORDS); /* may move leaves */
    gc_write_word(m, leaf, 0, i);
    gc_write_word(m, leaf, LEAF_WORDS - 1, ~i);
    gc_write_ref(m, gc_root_get(m, leaves), i, leaf);
  }
  size_t arrays = gc_root_depth(m);
  for (size_t a = 0; a < ARRAYS; a++) {
    gc_ref arr = gc_alloc(m, &array_type, FANOUT);
    for (size_t j = 0; j < FANOUT; j++)
      gc_write_ref(m, arr, j,
                   gc_read_ref(m, gc_root_get(m, leaves), leaf_of(a, j)));
    gc_root_push(m, arr);
  }
  for (int round = 0; round < 5; round++) {
    for (int g = 0; g < 20000; g++) /* garbage between collections */
      new_node(m, GC_NULL, 0);
    gc_collect(m);
    gc_ref lv = gc_root_get(m, leaves);
    for (size_t a = 0; a < ARRAYS; a++) {
      gc_ref arr = gc_root_get(m, arrays + a);
      for (size_t j = 0; j < FANOUT; j++) {
        uint64_t id = leaf_of(a, j);
        gc_ref leaf = gc_read_ref(m, arr, j);
        assert_true(leaf == gc_read_ref(m, lv, id));
        assert_int_equal(gc_read_word(m, leaf, 0), id);
        assert_int_equal(gc_read_word(m, leaf, LEAF_WORDS - 1), ~id);
      }
    }
  }
  assert_int_equal(stat(heap, "objects_kept_in_place"), 0);
  assert_true(stat(heap, "objects_copied") >= 5 * (LEAVES + ARRAYS + 1));
  gc_detach(m);
  gc_heap_destroy(heap);
}

/* Large objects allocated after a collection may eat the copy reserve; the
 * next collection then runs out of to-space and must keep the rest of the
 * objects in place, intact, with every reference still valid. */
static void full_to_space_keeps_objects_in_place(void **state) {
  gc_heap *heap = make_heap(2u << 20, 2, 0); /* 8 chunks */
  gc_mutator *m = gc_attach(heap);
  enum { N = 25000 }; /* 24-byte nodes: 2.3 chunks, held: 3 */
  size_t list = gc_root_push(m, GC_NULL);
  build_list(m, list, N, 0);
  size_t big0 = gc_root_depth(m);
  for (int i = 0; i < 3; i++) /* the third needs a collection first */
    gc_root_push(m, gc_alloc(m, &bytes_type, 200000 / 8));
  gc_collect(m);
  assert_true(stat(heap, "objects_kept_in_place") > 0);
  check_list(m, gc_root_get(m, list), N, 0);
  gc_collect(m);
  check_list(m, gc_root_get(m, list), N, 0);
  /* Without the large objects the reserve is back: everything is copied. */
  for (int i = 0; i < 3; i++)
    gc_root_set(m, big0 + i, GC_NULL);
  gc_collect(m);
  json_int_t kept = stat(heap, "objects_kept_in_place");
  gc_collect(m);
  assert_int_equal(stat(heap, "objects_kept_in_place"), kept);
  check_list(m, gc_root_get(m, list), N, 0);
  gc_detach(m);
  gc_heap_destroy(heap);
}

typedef struct worker_arg {
  gc_heap *heap;
  uint64_t base;
} worker_arg;

static void *mutate(void *p) {
  worker_arg *a = p;
  gc_mutator *m = gc_attach(a->heap);
  size_t keep = gc_root_push(m, GC_NULL);
  build_list(m, keep, 2000, a->base);
  for (int round = 0; round < 20; round++) {
    size_t tmp = gc_root_push(m, GC_NULL);
    build_list(m, tmp, 3000, a->base + 100000);
    check_list(m, gc_root_get(m, tmp), 3000, a->base + 100000);
    gc_root_pop(m, 1);
    check_list(m, gc_root_get(m, keep), 2000, a->base);
  }
  gc_detach(m);
  return NULL;
}

static void two_mutators_under_stress(void **state) {
  gc_heap *heap = make_heap(4u << 20, 2, 5000);
  worker_arg args[2] = {{heap, 0}, {heap, 1u << 20}};
  pthread_t t[2];
  for (int i = 0; i < 2; i++)
    assert_int_equal(pthread_create(&t[i], NULL, mutate, &args[i]), 0);
  for (int i = 0; i < 2; i++)
    pthread_join(t[i], NULL);
  assert_true(stat(heap, "collections") > 10);
  gc_heap_destroy(heap);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(shared_objects_are_copied_once),
      cmocka_unit_test(full_to_space_keeps_objects_in_place),
      cmocka_unit_test(two_mutators_under_stress),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
