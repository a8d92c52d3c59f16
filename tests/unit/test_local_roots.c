/* Local roots (heap/gctb.h, "Local roots") in the family of a policy that
 * finds roots conservatively on the C stacks: this unit is compiled as bdw's
 * family, where gc_local_* are C locals, off the shadow stack, and libgc
 * must still retain what they hold across collections. (Every other test
 * and workload instance exercises the precise, shadow-stack form.) */
#define GCTB_FAMILY freelist1_conservative
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "heap_fixture.h"

static gc_type cell_type = {
    .name = "local_roots_cell",
    .kind = GC_TYPE_FIXED,
    .nwords = 2,
    .ref_map = 0x1}; /* word 0: next, word 1: the cell's number */

static gc_ref new_cell(gc_mutator *m, gc_ref next, uint64_t n) {
  gc_ref c = gc_alloc(m, &cell_type, 0);
  assert_true(c != GC_NULL);
  gc_write_ref(m, c, 0, next);
  gc_write_word(m, c, 1, n);
  return c;
}

/* A callee given a handle updates the caller's root. */
static void replace(gc_mutator *m, gc_local l, uint64_t n) {
  gc_local_set(m, l, new_cell(m, GC_NULL, n));
}

/* Garbage worth several heaps, so that libgc collects many times. */
static void churn(gc_mutator *m, size_t bytes) {
  for (size_t i = 0; i < bytes / 32; i++)
    new_cell(m, GC_NULL, ~(uint64_t)i);
}

static void local_roots_are_c_locals_libgc_scans(void **state) {
  (void)state;
#ifdef GCTB_SPECIALISE
  skip(); /* a build for one family refuses bdw's heap unless it is bdw's */
#endif
  assert_true(gc_type_register(&cell_type));
  gc_heap_config cfg = {.heap_bytes = 8u << 20, .gc_threads = 1};
  gc_heap *heap = fixture_heap("bdw", &cfg);
  gc_mutator *m = gc_attach(heap);
  assert_non_null(m);
  /* bdw runs this family: the conservative form is what its workload
   * instances compile to */
  assert_int_equal(gc_mutator_family(m), GC_FAMILY_THIS);

  size_t depth = gc_root_depth(m);
  gc_local list = gc_local_push(m, GC_NULL);
  gc_local other = gc_local_push(m, GC_NULL);
  assert_int_equal(gc_root_depth(m), depth); /* not on the shadow stack */
  enum { N = 1000 };
  for (uint64_t i = 0; i < N; i++)
    gc_local_set(m, list, new_cell(m, gc_local_get(m, list), i));
  replace(m, other, 4242);
  churn(m, 64u << 20);
  gc_collect(m);

  /* the list, held only by a C local, survived intact */
  gc_ref c = gc_local_get(m, list);
  for (uint64_t i = N; i-- > 0; c = gc_read_ref(m, c, 0)) {
    assert_true(c != GC_NULL);
    assert_int_equal(gc_type_of(m, c), cell_type.id);
    assert_int_equal(gc_read_word(m, c, 1), i);
  }
  assert_true(c == GC_NULL);
  assert_int_equal(gc_read_word(m, gc_local_get(m, other), 1), 4242);
  gc_local_pop(m, 2);
  assert_int_equal(gc_root_depth(m), depth);
  gc_detach(m);
  gc_heap_destroy(heap);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(local_roots_are_c_locals_libgc_scans),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
