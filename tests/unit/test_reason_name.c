/* gc_reason_name (heap/policy.h): the names result records carry for a
 * collection's reason, one table for every policy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h> /* after the headers it needs */

#include "heap/policy.h"

static void every_reason_has_its_record_name(void **state) {
  assert_string_equal(gc_reason_name(GC_REASON_ALLOC), "alloc");
  assert_string_equal(gc_reason_name(GC_REASON_REQUESTED), "requested");
  assert_string_equal(gc_reason_name(GC_REASON_STRESS), "stress");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_reason_has_its_record_name),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
