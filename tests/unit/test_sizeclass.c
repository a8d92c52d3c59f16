/* Size classes (heap/sizeclass.h): the class list of the "My GC" seed, the
 * lookup table behind the FREEBITS fast path, and the reciprocal multipliers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h> /* after the headers it needs */

#include "heap/arena.h"
#include "heap/sizeclass.h"

static void classes_follow_the_seed(void **state) {
  static const uint32_t expect[] = {16,   32,   48,   64,   80,   96,   112,
                                    128,  160,  192,  224,  256,  320,  384,
                                    448,  512,  640,  768,  896,  1024, 1280,
                                    1536, 1792, 2048, 2560, 3072, 3584, 4096};
  assert_int_equal(sizeof expect / sizeof expect[0], GC_SIZECLASS_COUNT);
  assert_true(GC_SIZECLASS_COUNT <= GC_SIZE_CLASSES);
  for (unsigned c = 0; c < GC_SIZECLASS_COUNT; c++) {
    assert_int_equal(gc_sizeclass_bytes[c], expect[c]);
    assert_int_equal(gc_sizeclass_bytes[c] % 16, 0);
  }
  assert_int_equal(gc_sizeclass_bytes[GC_SIZECLASS_COUNT - 1],
                   GC_SIZECLASS_MAX_BYTES);
}

/* Every size maps to the smallest class that holds it. */
static void every_size_gets_the_smallest_fitting_class(void **state) {
  for (size_t bytes = 1; bytes <= GC_SIZECLASS_MAX_BYTES; bytes++) {
    unsigned c = gc_sizeclass_of(bytes);
    assert_true(c < GC_SIZECLASS_COUNT);
    assert_true(bytes <= gc_sizeclass_bytes[c]);
    if (c > 0)
      assert_true(bytes > gc_sizeclass_bytes[c - 1]);
  }
  assert_int_equal(gc_sizeclass_of(0), 0);
}

/* offset * recip >> 32 == offset / size for every offset in a chunk (so in
 * every block), every class. */
static void reciprocal_divides_exactly(void **state) {
  for (unsigned c = 0; c < GC_SIZECLASS_COUNT; c++) {
    uint32_t size = gc_sizeclass_bytes[c], recip = gc_sizeclass_recip[c];
    for (uint32_t off = 0; off < GC_CHUNK_BYTES; off++)
      if (gc_sizeclass_div(off, recip) != off / size)
        fail_msg("class %u: offset %u gives cell %u, not %u", size, off,
                 gc_sizeclass_div(off, recip), off / size);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(classes_follow_the_seed),
      cmocka_unit_test(every_size_gets_the_smallest_fitting_class),
      cmocka_unit_test(reciprocal_divides_exactly),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
