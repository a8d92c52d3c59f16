/* heap_fixture.h — a heap of a named policy with default options, for unit
 * tests that drive the heap core directly. */
#ifndef GCTB_TESTS_HEAP_FIXTURE_H
#define GCTB_TESTS_HEAP_FIXTURE_H

#include "heap/heap.h"

static inline gc_heap *fixture_heap(const char *policy,
                                    const gc_heap_config *cfg) {
  const gc_policy *p = gc_policy_find(policy);
  assert_non_null(p);
  gc_options opts;
  char err[256];
  assert_true(gc_options_parse(&opts, p->options, NULL, "x", err, sizeof err));
  gc_heap *heap = gc_heap_create(cfg, p, &opts, err, sizeof err);
  assert_non_null(heap);
  return heap;
}

#endif
