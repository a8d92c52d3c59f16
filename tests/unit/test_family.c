/* Policy families (heap/gctb.h, workloads/instance.h): every registered
 * policy maps to the family whose constants match what gc_attach gives its
 * mutators, with and without stress mode, and a workload picks the instance
 * of that family. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "heap/heap.h"
#include "workloads/instance.h"

/* The families the policies we ship belong to; a policy not listed (one
 * added later) is checked against the rule alone. */
static const struct {
  const char *policy;
  gc_family family;
} known[] = {
    {"nogc", GC_FAMILY_BUMP1},       {"semispace", GC_FAMILY_BUMP1},
    {"segfit", GC_FAMILY_FREEBITS1}, {"bdw", GC_FAMILY_FREELIST1},
    {"satb", GC_FAMILY_GENERIC}, /* SATB write barrier */
};

static bool barrier_free_one_word(const gc_constraints *c) {
  return c->read_barrier == GC_RB_NONE && c->write_barrier == GC_WB_NONE &&
         c->header_words == 1;
}

static void shipped_policies_map_to_their_family(void **state) {
  for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
    const gc_policy *p = gc_policy_find(known[i].policy);
    assert_non_null(p);
    assert_int_equal(gc_family_of(&p->constraints, false), known[i].family);
    /* stress mode sends every allocation to the policy; barriers keep a
     * policy generic */
    assert_int_equal(gc_family_of(&p->constraints, true),
                     known[i].family == GC_FAMILY_GENERIC ? GC_FAMILY_GENERIC
                                                          : GC_FAMILY_CALL1);
  }
}

static void every_policy_follows_the_rule(void **state) {
  for (size_t i = 0; i < gc_policy_count(); i++) {
    const gc_constraints *c = &gc_policy_at(i)->constraints;
    gc_family f = gc_family_of(c, false), s = gc_family_of(c, true);
    if (!barrier_free_one_word(c)) {
      assert_int_equal(f, GC_FAMILY_GENERIC);
      assert_int_equal(s, GC_FAMILY_GENERIC);
      continue;
    }
    assert_int_equal(s, GC_FAMILY_CALL1);
    assert_int_equal(f, c->alloc == GC_ALLOC_BUMP       ? GC_FAMILY_BUMP1
                        : c->alloc == GC_ALLOC_FREEBITS ? GC_FAMILY_FREEBITS1
                        : c->alloc == GC_ALLOC_FREELIST ? GC_FAMILY_FREELIST1
                                                        : GC_FAMILY_CALL1);
  }
}

/* Kinds no family fixes: barriers, handles, a second header word. */
static void barriers_and_two_words_are_generic(void **state) {
  const gc_constraints base = {.alloc = GC_ALLOC_BUMP, .header_words = 1};
  gc_constraints c = base;
  assert_int_equal(gc_family_of(&c, false), GC_FAMILY_BUMP1);
  c.header_words = 2;
  assert_int_equal(gc_family_of(&c, false), GC_FAMILY_GENERIC);
  c = base, c.read_barrier = GC_RB_HANDLE;
  assert_int_equal(gc_family_of(&c, false), GC_FAMILY_GENERIC);
  c = base, c.read_barrier = GC_RB_LRB;
  assert_int_equal(gc_family_of(&c, true), GC_FAMILY_GENERIC);
  c = base, c.read_barrier = GC_RB_BROOKS, c.header_words = 2;
  c.write_barrier = GC_WB_WHEN_ACTIVE;
  assert_int_equal(gc_family_of(&c, false), GC_FAMILY_GENERIC);
  c = base, c.write_barrier = GC_WB_SATB;
  assert_int_equal(gc_family_of(&c, false), GC_FAMILY_GENERIC);
  c = base, c.alloc = GC_ALLOC_FREEBITS, c.write_barrier = GC_WB_OBJECT_LOG;
  assert_int_equal(gc_family_of(&c, false), GC_FAMILY_GENERIC);
}

static gc_heap *make_heap(const gc_policy *p, bool stress) {
  gc_heap_config cfg = {.heap_bytes = 32u << 20,
                        .gc_threads = 1,
                        .stress_allocs = stress ? 100 : 0};
  gc_options opts;
  char err[256];
  assert_true(gc_options_parse(&opts, p->options, NULL, "x", err, sizeof err));
  gc_heap *heap = gc_heap_create(&cfg, p, &opts, err, sizeof err);
  if (!heap)
    fail_msg("%s: %s", p->name, err);
  return heap;
}

/* The instance a workload picks for a heap must be compiled for exactly the
 * kinds gc_attach gives that heap's mutators. */
static void attached_mutators_run_the_heaps_family(void **state) {
  for (size_t i = 0; i < gc_policy_count(); i++) {
    const gc_policy *p = gc_policy_at(i);
    for (int stress = 0; stress < 2; stress++) {
      gc_heap *heap = make_heap(p, stress);
      gc_family f = gc_heap_family(heap);
      assert_int_equal(f, gc_family_of(&p->constraints, stress));
      assert_int_equal(gc_instance_family(heap), f);
      gc_mutator *m = gc_attach(heap);
      assert_non_null(m);
      assert_int_equal(gc_mutator_family(m), f);
      gc_detach(m);
      gc_heap_destroy(heap);
    }
  }
}

/* A family instance only runs on mutators of its family. */
static void mutator_family_reads_the_mutator(void **state) {
  gc_mutator m = {.plain_access = 1, .alloc_fast = GC_FAST_BUMP1};
  assert_int_equal(gc_mutator_family(&m), GC_FAMILY_BUMP1);
  m.alloc_fast = GC_FAST_FREEBITS1;
  assert_int_equal(gc_mutator_family(&m), GC_FAMILY_FREEBITS1);
  m.alloc_fast = GC_FAST_CALL;
  assert_int_equal(gc_mutator_family(&m), GC_FAMILY_CALL1);
  m.alloc_fast = GC_FAST_FREELIST1;
  assert_int_equal(gc_mutator_family(&m), GC_FAMILY_FREELIST1);
  m.plain_access = 0;
  assert_int_equal(gc_mutator_family(&m), GC_FAMILY_GENERIC);
}

typedef const char *probe_fn(void);
GC_INSTANCE_DECLARE(probe_fn, probe);
const char *probe_generic(void) { return "generic"; }
const char *probe_bump1(void) { return "bump1"; }
const char *probe_freebits1(void) { return "freebits1"; }
const char *probe_call1(void) { return "call1"; }
const char *probe_freelist1(void) { return "freelist1"; }

static void pick_calls_the_familys_instance(void **state) {
  for (int f = 0; f < GC_FAMILY_COUNT; f++)
    assert_string_equal(GC_INSTANCE_PICK((gc_family)f, probe)(),
                        gc_family_name((gc_family)f));
#ifndef GCTB_SPECIALISE
  /* a unit without GCTB_FAMILY dispatches at run time */
  assert_int_equal(GC_FAMILY_THIS, GC_FAMILY_GENERIC);
#endif
}

int main(void) {
  unsetenv("GCTB_INSTANCE"); /* the heap's own family, whatever the caller's */
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(shipped_policies_map_to_their_family),
      cmocka_unit_test(every_policy_follows_the_rule),
      cmocka_unit_test(barriers_and_two_words_are_generic),
      cmocka_unit_test(attached_mutators_run_the_heaps_family),
      cmocka_unit_test(mutator_family_reads_the_mutator),
      cmocka_unit_test(pick_calls_the_familys_instance),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
