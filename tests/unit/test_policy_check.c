/* gc_policy_check: the registry's tables all pass, and a table that
 * declares an allocation style without the attach step the style's inline
 * fast path needs is refused with a message naming the fix, rather than
 * crashing on the first allocation (a free-bits policy without
 * gc_sf_cache_attach used to end with SIGSEGV); likewise a table that hands
 * its entries to the collection driver without the ops it runs. */
/* cmocka.h needs these first (a blank line keeps clang-format from sorting) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <string.h>

#include "heap/collector.h"
#include "heap/heap.h"
#include "heap/sfspace.h"
#include "heap/sizeclass.h"

#define FREEBITS_CONSTRAINTS                                                   \
  {                                                                            \
    GC_FAST_PATHS(FREEBITS, 1, NONE, NONE),                                    \
        .large_object_bytes = GC_SIZECLASS_MAX_BYTES + 1                       \
  }

static const gc_policy forgets_attach = {
    GC_POLICY_DEFAULTS,
    .name = "forgets-attach",
    .summary = "free-bits allocation without the size-class caches",
    .constraints = FREEBITS_CONSTRAINTS,
};

static const gc_policy declares_attach = {
    GC_POLICY_DEFAULTS,
    .name = "declares-attach",
    .summary = "free-bits allocation with the size-class caches",
    .constraints = FREEBITS_CONSTRAINTS,
    .alloc_attach = gc_sf_cache_attach,
};

static const gc_policy no_alloc_attach = {
    GC_POLICY_DEFAULTS,
    .name = "null-attach",
    .summary = "alloc_attach set to NULL",
    .alloc_attach = NULL,
};

/* GC_STW_DRIVEN with ops that give the driver no allocation attempt. */
static const gc_collector_ops no_try_alloc = {.stw_pause = "x"};
static const gc_policy driven_without_try_alloc = {
    GC_POLICY_DEFAULTS,
    .name = "driven-without-try-alloc",
    .summary = "the driver's entries, ops without try_alloc",
    GC_STW_DRIVEN(&no_try_alloc),
};

static void test_registry_tables_pass(void **state) {
  char err[256];
  assert_true(gc_policy_count() > 0);
  for (size_t i = 0; i < gc_policy_count(); i++)
    assert_non_null(gc_policy_at(i)); /* aborts on a table that fails */
  assert_true(gc_policy_check(&gc_policy_defaults, err, sizeof err));
}

static void test_freebits_without_attach_refused(void **state) {
  char err[256] = "";
  assert_false(gc_policy_check(&forgets_attach, err, sizeof err));
  assert_non_null(strstr(err, "forgets-attach"));
  assert_non_null(strstr(err, "gc_sf_cache_attach"));
}

static void test_freebits_with_attach_accepted(void **state) {
  char err[256] = "";
  assert_true(gc_policy_check(&declares_attach, err, sizeof err));
}

static void test_null_alloc_attach_refused(void **state) {
  char err[256] = "";
  assert_false(gc_policy_check(&no_alloc_attach, err, sizeof err));
  assert_non_null(strstr(err, "mutator entry is NULL"));
}

static void test_stw_driven_without_ops_refused(void **state) {
  char err[256] = "";
  assert_false(gc_policy_check(&driven_without_try_alloc, err, sizeof err));
  assert_non_null(strstr(err, "GC_STW_DRIVEN"));
}

/* What the declared attach step does: the fast path's size-class table and
 * one cache per class, each knowing its object size. */
static void test_attach_sets_up_the_fast_path(void **state) {
  gc_mutator m;
  memset(&m, 0, sizeof m);
  declares_attach.alloc_attach(&m);
  assert_non_null(m.size_class_of);
  for (unsigned c = 0; c < GC_SIZECLASS_COUNT; c++) {
    assert_int_equal(m.fb[c].size, gc_sizeclass_bytes[c]);
    assert_int_equal(m.fb[c].bits, 0); /* empty: the first allocation asks */
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_registry_tables_pass),
      cmocka_unit_test(test_freebits_without_attach_refused),
      cmocka_unit_test(test_freebits_with_attach_accepted),
      cmocka_unit_test(test_null_alloc_attach_refused),
      cmocka_unit_test(test_stw_driven_without_ops_refused),
      cmocka_unit_test(test_attach_sets_up_the_fast_path),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
