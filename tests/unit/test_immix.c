/* immix and sticky-immix on real heaps: holes are reused after a
 * collection, defragmentation candidates are the fragmented blocks,
 * evacuation copies shared objects once (and keeps them in place when the
 * copy space runs out), and sticky-immix's barrier logs an old object once
 * and its nursery collections keep young objects that only old ones
 * reach. Every heap runs the verifier before and after each collection. */
/* cmocka.h needs these first (a blank line keeps clang-format from sorting) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "heap/heap.h"
#include "policies/immix/immix.h"
#include "policies/sticky_immix/sticky.h"

extern const gc_policy gc_policy_immix, gc_policy_sticky_immix;

/* node: word 0 is the next reference, word 1 an id */
static gc_type node_type = {
    .name = "ix_node", .kind = GC_TYPE_FIXED, .nwords = 2, .ref_map = 1};
static gc_type array_type = {.name = "ix_refs", .kind = GC_TYPE_REF_ARRAY};
static gc_type bytes_type = {.name = "ix_bytes", .kind = GC_TYPE_WORD_ARRAY};

static gc_heap *make_heap(const gc_policy *p, size_t bytes, unsigned threads,
                          const char *options) {
  assert_true(gc_type_register(&node_type));
  assert_true(gc_type_register(&array_type));
  assert_true(gc_type_register(&bytes_type));
  char err[256];
  assert_true(gc_policy_check(p, err, sizeof err));
  gc_heap_config cfg = {.heap_bytes = bytes,
                        .gc_threads = threads,
                        .verify = GC_VERIFY_BEFORE_AND_AFTER};
  json_t *o = options ? json_loads(options, 0, NULL) : NULL;
  gc_options opts;
  assert_true(gc_options_parse(&opts, p->options, o, "x", err, sizeof err));
  json_decref(o);
  gc_heap *heap = gc_heap_create(&cfg, p, &opts, err, sizeof err);
  if (!heap)
    fail_msg("%s", err);
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

/* A list of n nodes, ids base+n-1 ... base, in root slot `slot`; every
 * `gap`-th allocation is kept, the others are garbage between them. */
static void build_sparse_list(gc_mutator *m, size_t slot, size_t n,
                              unsigned gap, uint64_t base) {
  for (size_t i = 0; i < n; i++) {
    gc_root_set(m, slot, new_node(m, gc_root_get(m, slot), base + i));
    for (unsigned g = 1; g < gap; g++)
      new_node(m, GC_NULL, 0);
  }
}

static void check_list(gc_mutator *m, gc_ref l, size_t n, uint64_t base) {
  for (size_t i = n; i-- > 0; l = gc_read_ref(m, l, 0)) {
    assert_true(l != GC_NULL);
    assert_int_equal(gc_read_word(m, l, 1), base + i);
  }
  assert_true(l == GC_NULL);
}

/* Sparse survivors leave recyclable blocks; allocating after the
 * collection fills their holes before any free block. */
static void holes_are_reused(void **state) {
  gc_heap *heap = make_heap(&gc_policy_immix, 8u << 20, 2, NULL);
  immix_space *sp = &ix_of(heap)->sp;
  gc_mutator *m = gc_attach(heap);
  size_t slot = gc_root_push(m, GC_NULL);
  build_sparse_list(m, slot, 20000, 8, 0);
  gc_collect(m);
  assert_true(sp->last.recyclable_blocks > 0);
  assert_true(sp->last.holes >= sp->last.recyclable_blocks);
  size_t rec = sp->nrecyclable;
  size_t fresh = gc_root_push(m, GC_NULL);
  build_sparse_list(m, fresh, 2000, 1, 100000);
  /* allocation went into recycled blocks first */
  assert_true(sp->recycle_next > 0);
  assert_true(sp->recycle_next <= rec + 1);
  check_list(m, gc_root_get(m, slot), 20000, 0);
  check_list(m, gc_root_get(m, fresh), 2000, 100000);
  gc_collect(m);
  check_list(m, gc_root_get(m, slot), 20000, 0);
  gc_detach(m);
  gc_heap_destroy(heap);
}

/* Candidates are blocks with many holes and live lines, never free ones,
 * and with no headroom at all nothing is chosen. */
static void candidates_are_the_fragmented_blocks(void **state) {
  gc_heap *heap = make_heap(&gc_policy_immix, 8u << 20, 1, NULL);
  immix_space *sp = &ix_of(heap)->sp;
  gc_mutator *m = gc_attach(heap);
  size_t slot = gc_root_push(m, GC_NULL);
  build_sparse_list(m, slot, 15000, 16, 0); /* survivors 1 in 16 */
  gc_collect(m);
  size_t n = immix_select_candidates(sp, IMMIX_DEFRAG_NORMAL);
  assert_true(n > 0);
  size_t every = 0;
  for (size_t b = 0; b < sp->nblocks; b++) {
    const immix_block *blk = &sp->blocks[b];
    if (blk->candidate) {
      assert_true(blk->holes >= 2);
      assert_true(blk->marked > 0);
      assert_int_not_equal(blk->state, IMMIX_FREE);
    }
    every += blk->state == IMMIX_RECYCLABLE || blk->state == IMMIX_FULL;
  }
  assert_int_equal(immix_select_candidates(sp, IMMIX_DEFRAG_EVERY), every);
  assert_int_equal(immix_select_candidates(sp, IMMIX_DEFRAG_OFF), 0);
  /* a collection with candidates defragments: the list survives intact */
  immix_select_candidates(sp, IMMIX_DEFRAG_OFF);
  gc_collect(m);
  check_list(m, gc_root_get(m, slot), 15000, 0);
  gc_detach(m);
  gc_heap_destroy(heap);
}

enum { LEAVES = 200, LEAF_WORDS = 300, ARRAYS = 128, FANOUT = 64 };

static uint64_t leaf_of(size_t a, size_t j) { return (a * 7 + j) % LEAVES; }

static void check_shared(gc_mutator *m, size_t leaves, size_t arrays) {
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

/* Arrays in many root slots share LEAVES medium leaves: with every block a
 * candidate, workers race to evacuate each leaf, and it must still be
 * copied once (all arrays agree on its address, its words survive). */
static void evacuation_copies_shared_objects_once(void **state) {
  gc_heap *heap =
      make_heap(&gc_policy_immix, 16u << 20, 4, "{\"defrag\": \"every\"}");
  gc_mutator *m = gc_attach(heap);
  size_t leaves = gc_root_push(m, gc_alloc(m, &array_type, LEAVES));
  for (uint64_t i = 0; i < LEAVES; i++) {
    gc_ref leaf = gc_alloc(m, &bytes_type, LEAF_WORDS);
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
    for (int g = 0; g < 20000; g++)
      new_node(m, GC_NULL, 0);
    gc_collect(m);
    check_shared(m, leaves, arrays);
  }
  assert_true(stat(heap, "objects_copied") >= 5 * (LEAVES + ARRAYS));
  gc_detach(m);
  gc_heap_destroy(heap);
}

/* A nearly full heap, every block a candidate and almost no free block to
 * copy into: evacuation runs out, the rest is marked in place, and
 * nothing is lost. */
static void evacuation_falls_back_to_marking_in_place(void **state) {
  gc_heap *heap = make_heap(&gc_policy_immix, 4u << 20, 2,
                            "{\"defrag\": \"every\", \"headroom\": 0.02}");
  gc_mutator *m = gc_attach(heap);
  size_t slot = gc_root_push(m, GC_NULL);
  build_sparse_list(m, slot, 120000, 1, 0); /* ~2.9 MiB live */
  for (int round = 0; round < 3; round++) {
    gc_collect(m);
    check_list(m, gc_root_get(m, slot), 120000, 0);
  }
  assert_true(stat(heap, "objects_kept_in_place") > 0);
  assert_true(stat(heap, "objects_copied") > 0);
  gc_detach(m);
  gc_heap_destroy(heap);
}

/* An old object is logged by its first reference store only; a young
 * object reachable only through it survives nursery collections. */
static void sticky_barrier_logs_old_objects_once(void **state) {
  /* a small nursery, so that the garbage below collects several times */
  gc_heap *heap =
      make_heap(&gc_policy_sticky_immix, 8u << 20, 2, "{\"nursery\": 0.2}");
  sticky_state *s = sticky_of(heap);
  gc_mutator *m = gc_attach(heap);
  size_t old = gc_root_push(m, gc_alloc(m, &array_type, 4));
  assert_false(gc_header(m, gc_root_get(m, old)) & GC_HDR_UNLOGGED);
  gc_collect(m); /* full (requested): the array is old now */
  assert_true(gc_header(m, gc_root_get(m, old)) & GC_HDR_UNLOGGED);
  gc_ref young = new_node(m, GC_NULL, 42);
  uint64_t slow0 = m->stats.barrier_slow;
  gc_write_ref(m, gc_root_get(m, old), 0, young);
  gc_write_ref(m, gc_root_get(m, old), 1, young);
  assert_int_equal(m->stats.barrier_slow - slow0, 1);
  assert_false(gc_header(m, gc_root_get(m, old)) & GC_HDR_UNLOGGED);
  sticky_mutator *sm = m->policy_data;
  assert_int_equal(sm->log.n, 1);
  /* stores into the young node take no slow path */
  gc_write_ref(m, young, 0, GC_NULL);
  assert_int_equal(m->stats.barrier_slow - slow0, 1);
  uint64_t nursery0 = s->nursery_collections;
  for (int round = 0; round < 3; round++) {
    for (int g = 0; g < 50000; g++) /* garbage: triggers nursery GCs */
      new_node(m, GC_NULL, 0);
    gc_ref y = gc_read_ref(m, gc_root_get(m, old), 1);
    assert_int_equal(gc_read_word(m, y, 1), 42);
  }
  assert_true(s->nursery_collections > nursery0);
  assert_true(s->remembered >= 1);
  assert_int_equal(sm->log.n, 0);
  gc_detach(m);
  gc_heap_destroy(heap);
}

/* Nursery collections trace survivors, not the old generation. */
static void sticky_nursery_traces_only_young(void **state) {
  gc_heap *heap =
      make_heap(&gc_policy_sticky_immix, 16u << 20, 1, "{\"nursery\": 0.1}");
  gc_mutator *m = gc_attach(heap);
  size_t slot = gc_root_push(m, GC_NULL);
  build_sparse_list(m, slot, 100000, 1, 0);
  gc_collect(m); /* full: 100000 old nodes */
  size_t before = heap->events.ncycles;
  for (int g = 0; g < 200000; g++)
    new_node(m, GC_NULL, 0);
  assert_true(heap->events.ncycles > before);
  for (size_t i = before; i < heap->events.ncycles; i++) {
    assert_string_equal(heap->events.cycles[i].kind, "nursery");
    assert_true(heap->events.cycles[i].objects_traced < 1000);
  }
  check_list(m, gc_root_get(m, slot), 100000, 0);
  gc_detach(m);
  gc_heap_destroy(heap);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(holes_are_reused),
      cmocka_unit_test(candidates_are_the_fragmented_blocks),
      cmocka_unit_test(evacuation_copies_shared_objects_once),
      cmocka_unit_test(evacuation_falls_back_to_marking_in_place),
      cmocka_unit_test(sticky_barrier_logs_old_objects_once),
      cmocka_unit_test(sticky_nursery_traces_only_young),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
