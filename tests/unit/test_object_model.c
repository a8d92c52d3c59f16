/* Object model: type registration, header encoding, sizes, slot visiting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "heap/gctb.h"
#include "heap/trace.h"

static void registers_and_rejects(void **state) {
  static gc_type node = {"node", GC_TYPE_FIXED, 3, 0x3};
  static gc_type bad_map = {"bad", GC_TYPE_FIXED, 2, 0x4}; /* ref beyond end */
  static gc_type bad_array = {"bad-array", GC_TYPE_REF_ARRAY, 3, 0};
  static gc_type too_big = {"huge", GC_TYPE_FIXED, 65, 0};
  assert_true(gc_type_register(&node));
  assert_int_not_equal(node.id, 0);
  uint16_t id = node.id;
  assert_true(gc_type_register(&node)); /* idempotent */
  assert_int_equal(node.id, id);
  assert_ptr_equal(gc_type_by_id(id), &node);
  assert_false(gc_type_register(&bad_map));
  assert_false(gc_type_register(&bad_array));
  assert_false(gc_type_register(&too_big));
  assert_null(gc_type_by_id(0));
  assert_null(gc_type_by_id(GC_MAX_TYPES + 5));
}

static void header_round_trips(void **state) {
  static gc_type arr = {"words", GC_TYPE_WORD_ARRAY, 0, 0};
  assert_true(gc_type_register(&arr));
  uint64_t h = gc_header_make(&arr, 500000);
  assert_int_equal(gc_header_type(h), arr.id);
  assert_int_equal(gc_header_length(h), 500000);
  assert_int_equal(h & GC_HDR_GC_BITS, 0);
  h |= GC_HDR_UNLOGGED | 1; /* GC bits do not disturb type or length */
  assert_int_equal(gc_header_type(h), arr.id);
  assert_int_equal(gc_header_length(h), 500000);
}

static void sizes_follow_header_words(void **state) {
  static gc_type node = {"node32", GC_TYPE_FIXED, 3, 0x3};
  static gc_type refs = {"refs", GC_TYPE_REF_ARRAY, 0, 0};
  assert_true(gc_type_register(&node));
  assert_true(gc_type_register(&refs));
  assert_int_equal(gc_object_bytes(&node, 0, 1), 32);
  assert_int_equal(gc_object_bytes(&node, 0, 2), 40);
  assert_int_equal(gc_object_bytes(&refs, 10, 1), 88);
  assert_int_equal(gc_object_bytes(&refs, 0, 1), GC_MIN_OBJECT_BYTES);
  assert_int_equal(gc_object_bytes(&refs, 0, 2), 24); /* room for one */
  /* the fast path's precomputed formula agrees with gc_object_bytes */
  for (unsigned h = 1; h <= 2; h++) {
    assert_int_equal(node.base_bytes[h], gc_object_bytes(&node, 0, h));
    for (size_t n = 0; n < 5; n++)
      assert_int_equal(refs.base_bytes[h] + (n ? (n - 1) * refs.elem_bytes : 0),
                       gc_object_bytes(&refs, n, h));
  }
  assert_int_equal(node.header, (uint64_t)node.id << GC_HDR_TYPE_SHIFT);
}

static void count_slot(uintptr_t *slot, void *ctx) {
  uintptr_t **seen = ctx;
  *(*seen)++ = (uintptr_t)slot;
}

static void visits_exactly_the_reference_slots(void **state) {
  static gc_type mixed = {"mixed", GC_TYPE_FIXED, 5, 0x15}; /* words 0,2,4 */
  static gc_type refs = {"refs2", GC_TYPE_REF_ARRAY, 0, 0};
  static gc_type words = {"words2", GC_TYPE_WORD_ARRAY, 0, 0};
  assert_true(gc_type_register(&mixed));
  assert_true(gc_type_register(&refs));
  assert_true(gc_type_register(&words));
  uint64_t obj[8] = {gc_header_make(&mixed, 0)};
  uintptr_t seen[8], *p = seen;
  gc_for_each_slot((uintptr_t)obj, 1, count_slot, &p);
  assert_int_equal(p - seen, 3);
  assert_int_equal(seen[0], (uintptr_t)&obj[1]);
  assert_int_equal(seen[1], (uintptr_t)&obj[3]);
  assert_int_equal(seen[2], (uintptr_t)&obj[5]);
  obj[0] = gc_header_make(&refs, 4);
  p = seen;
  gc_for_each_slot((uintptr_t)obj, 2, count_slot, &p); /* two header words */
  assert_int_equal(p - seen, 4);
  assert_int_equal(seen[0], (uintptr_t)&obj[2]);
  obj[0] = gc_header_make(&words, 6);
  p = seen;
  gc_for_each_slot((uintptr_t)obj, 1, count_slot, &p);
  assert_int_equal(p - seen, 0);
  assert_int_equal(gc_object_size((uintptr_t)obj, 1), 56);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(registers_and_rejects),
      cmocka_unit_test(header_round_trips),
      cmocka_unit_test(sizes_follow_header_words),
      cmocka_unit_test(visits_exactly_the_reference_slots),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
