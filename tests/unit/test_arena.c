/* The arena, the address->space table and the large-object space. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "heap/arena.h"
#include "heap/los.h"

static void chunks_are_aligned_and_tracked(void **state) {
  gc_arena a;
  char err[128];
  assert_true(gc_arena_init(&a, 8 * GC_CHUNK_BYTES, err, sizeof err));
  assert_int_equal(a.base % GC_CHUNK_BYTES, 0);
  assert_int_equal(gc_arena_free_bytes(&a), 8 * GC_CHUNK_BYTES);
  uint8_t s1 = gc_arena_add_space(&a, "one"), s2 = gc_arena_add_space(&a, "two");
  assert_int_not_equal(s1, s2);
  uintptr_t c1 = gc_arena_take(&a, 3, s1);
  uintptr_t c2 = gc_arena_take(&a, 2, s2);
  assert_int_not_equal(c1, 0);
  assert_int_not_equal(c2, 0);
  assert_int_equal(gc_arena_space_of(&a, c1), s1);
  assert_int_equal(gc_arena_space_of(&a, c1 + 3 * GC_CHUNK_BYTES - 1), s1);
  assert_int_equal(gc_arena_space_of(&a, c2 + 100), s2);
  assert_int_equal(gc_arena_space_of(&a, a.base - 8), GC_SPACE_FREE);
  assert_int_equal(gc_arena_space_of(&a, a.base + 8 * GC_CHUNK_BYTES),
                   GC_SPACE_FREE);
  assert_int_equal(gc_arena_take(&a, 4, s1), 0); /* only 3 left */
  gc_arena_retag(&a, c2, 2, s1);
  assert_int_equal(gc_arena_space_of(&a, c2), s1);
  gc_arena_give(&a, c1, 3);
  assert_int_equal(gc_arena_space_of(&a, c1), GC_SPACE_FREE);
  assert_int_equal(gc_arena_free_bytes(&a), 6 * GC_CHUNK_BYTES);
  assert_int_equal(gc_arena_take(&a, 7, s2), 0); /* only 6 free */
  gc_arena_destroy(&a);
}

static void memory_is_touched_and_reusable(void **state) {
  gc_arena a;
  char err[128];
  assert_true(gc_arena_init(&a, GC_CHUNK_BYTES, err, sizeof err));
  uintptr_t c = gc_arena_take(&a, 1, gc_arena_add_space(&a, "x"));
  unsigned char *p = (unsigned char *)c;
  for (size_t i = 0; i < GC_CHUNK_BYTES; i += 4096)
    assert_int_equal(p[i], 0); /* fresh memory is zero */
  memset(p, 0xab, GC_CHUNK_BYTES);
  gc_arena_give(&a, c, 1);
  assert_int_equal(gc_arena_take(&a, 1, 1), c); /* the same chunk again */
  gc_arena_destroy(&a);
}

static void los_allocates_marks_and_sweeps(void **state) {
  gc_arena a;
  gc_los l;
  char err[128];
  assert_true(gc_arena_init(&a, 8 * GC_CHUNK_BYTES, err, sizeof err));
  assert_true(gc_los_init(&l, &a));
  uintptr_t x = gc_los_alloc(&l, 10000);
  uintptr_t y = gc_los_alloc(&l, 3 * GC_CHUNK_BYTES); /* spans chunks */
  uintptr_t z = gc_los_alloc(&l, 5000);
  assert_true(x && y && z);
  assert_int_equal(x % GC_PAGE_BYTES, 0);
  assert_true(gc_los_contains(&l, x) && gc_los_contains(&l, y + 100));
  assert_true(gc_los_is_object(&l, z));
  assert_false(gc_los_is_object(&l, z + 8));
  memset((void *)x, 0xff, 10000);
  assert_true(gc_los_mark(&l, x));
  assert_false(gc_los_mark(&l, x)); /* second mark reports already marked */
  assert_true(gc_los_mark(&l, z));
  size_t before = gc_arena_free_bytes(&a);
  size_t in_use = gc_los_sweep(&l); /* y dies: its chunks go back */
  assert_int_equal(in_use, 3 * GC_PAGE_BYTES + 2 * GC_PAGE_BYTES);
  assert_true(gc_arena_free_bytes(&a) >= before + 3 * GC_CHUNK_BYTES);
  assert_false(gc_los_is_object(&l, y));
  assert_false(gc_los_is_marked(&l, x)); /* sweep clears marks */
  gc_los_sweep(&l); /* nothing marked: everything goes */
  assert_int_equal(l.bytes_in_use, 0);
  assert_int_equal(gc_arena_free_bytes(&a), 8 * GC_CHUNK_BYTES);
  uintptr_t w = gc_los_alloc(&l, 10000); /* reused memory comes back zeroed */
  for (size_t i = 0; i < 10000; i++)
    assert_int_equal(((unsigned char *)w)[i], 0);
  gc_los_destroy(&l);
  gc_arena_destroy(&a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(chunks_are_aligned_and_tracked),
      cmocka_unit_test(memory_is_touched_and_reusable),
      cmocka_unit_test(los_allocates_marks_and_sweeps),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
