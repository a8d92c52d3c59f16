/* Policy families (heap/gctb.h, workloads/instance.h): every registered
 * policy maps to the family whose constants match what gc_attach gives its
 * mutators, with and without stress mode, and a workload picks the instance
 * of that family. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heap/heap.h"
#include "workloads/gcbench_run.h"
#include "workloads/instance.h"
#include <jansson.h>

/* The families of the policies we ship; a policy not listed (one added
 * later) is checked against the rule alone. */
static const struct {
  const char *policy;
  const char *family;
} known[] = {
    {"nogc", "bump1"},
    {"semispace", "bump1"},
    {"segfit", "freebits1"},
    {"bdw", "freelist1_conservative"},
    {"satb", "freebits1_satb"},
    {"sticky-immix", "bump1_object_log"},
    {"shenandoah", "bump1_lrb_satb"},
    {"shenandoah-brooks", "bump2_brooks_when_active"},
    {"handle-copy", "call1_handle_always"},
};

static void shipped_policies_map_to_their_family(void **state) {
  for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
    const gc_policy *p = gc_policy_find(known[i].policy);
    assert_non_null(p);
    assert_string_equal(gc_family_name(gc_family_of(&p->constraints, false)),
                        known[i].family);
  }
  assert_int_equal(gc_family_of(&gc_policy_find("nogc")->constraints, false),
                   GC_FAMILY_BUMP1);
  assert_int_equal(gc_family_of(&gc_policy_find("segfit")->constraints, false),
                   GC_FAMILY_FREEBITS1);
  assert_int_equal(gc_family_of(&gc_policy_find("bdw")->constraints, true),
                   GC_FAMILY_CALL1);
}

/* Every registered policy has a family of its own signature (the build
 * derived it from its GC_FAST_PATHS), named by the rule; stress mode
 * (allocation by call) keeps barrier-free policies on call1. */
static void every_policy_has_its_family(void **state) {
  static const char *const style[] = {"bump", "freebits", "call", "freelist"};
  static const char *const rb[] = {"", "_handle", "_brooks", "_lrb"};
  static const char *const wb[] = {
      "",        "_satb",           "_object_log", "_when_active",
      "_always", "_object_log_satb"};
  for (size_t i = 0; i < gc_policy_count(); i++) {
    const gc_constraints *c = &gc_policy_at(i)->constraints;
    gc_family f = gc_family_of(c, false);
    assert_true(f != GC_FAMILY_GENERIC);
    assert_true(f < gc_family_count());
    if (c->alloc < 4 && c->read_barrier < 4 && c->write_barrier < 6) {
      char name[64];
      snprintf(name, sizeof name, "%s%u%s%s%s", style[c->alloc],
               c->header_words, rb[c->read_barrier], wb[c->write_barrier],
               c->conservative_roots ? "_conservative" : "");
      assert_string_equal(gc_family_name(f), name);
    }
    gc_family s = gc_family_of(c, true);
    assert_int_equal(s,
                     gc_family_find(GC_ALLOC_CALL, c->header_words,
                                    c->read_barrier, c->write_barrier, false));
    if (c->read_barrier == GC_RB_NONE && c->write_barrier == GC_WB_NONE &&
        c->header_words == 1)
      assert_int_equal(s, GC_FAMILY_CALL1);
  }
}

/* Kinds no policy declared have no family: generic runs them. */
static void undeclared_kinds_are_generic(void **state) {
  assert_int_equal(gc_family_find(GC_ALLOC_FREEBITS, 2, GC_RB_HANDLE,
                                  GC_WB_OBJECT_LOG, false),
                   GC_FAMILY_GENERIC);
  assert_int_equal(
      gc_family_find(GC_ALLOC_BUMP, 2, GC_RB_NONE, GC_WB_NONE, false),
      GC_FAMILY_GENERIC);
  assert_string_equal(gc_family_name(GC_FAMILY_GENERIC), "generic");
  assert_string_equal(gc_family_name(gc_family_count()), "generic");
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
  gc_mutator m = {.alloc_style = GC_ALLOC_BUMP, .hdr_words = 1};
  assert_int_equal(gc_mutator_family(&m), GC_FAMILY_BUMP1);
  m.alloc_style = GC_ALLOC_FREEBITS;
  assert_int_equal(gc_mutator_family(&m), GC_FAMILY_FREEBITS1);
  m.alloc_style = GC_ALLOC_CALL;
  assert_int_equal(gc_mutator_family(&m), GC_FAMILY_CALL1);
  m.alloc_style = GC_ALLOC_FREEBITS, m.write_barrier = GC_WB_SATB;
  assert_string_equal(gc_family_name(gc_mutator_family(&m)), "freebits1_satb");
  m.hdr_words = 2;
  assert_int_equal(gc_mutator_family(&m), GC_FAMILY_GENERIC);
  /* roots are part of the signature: no policy declares freelists with
   * precise roots */
  m = (gc_mutator){.alloc_style = GC_ALLOC_FREELIST,
                   .hdr_words = 1,
                   .conservative_roots = true};
  assert_string_equal(gc_family_name(gc_mutator_family(&m)),
                      "freelist1_conservative");
  m.conservative_roots = false;
  assert_int_equal(gc_mutator_family(&m), GC_FAMILY_GENERIC);
}

/* handle-copy's lock-free writes change the write barrier: the heap's
 * family follows (hc_init), and so do its mutators. */
static void an_option_can_change_the_family(void **state) {
  const gc_policy *p = gc_policy_find("handle-copy");
  gc_heap_config cfg = {.heap_bytes = 32u << 20, .gc_threads = 1};
  gc_options opts;
  char err[256];
  json_t *o = json_pack("{s:s}", "writes", "lockfree");
  assert_true(gc_options_parse(&opts, p->options, o, "x", err, sizeof err));
  json_decref(o);
  gc_heap *heap = gc_heap_create(&cfg, p, &opts, err, sizeof err);
  assert_non_null(heap);
  assert_string_equal(gc_family_name(gc_heap_family(heap)),
                      "call1_handle_when_active");
  gc_mutator *m = gc_attach(heap);
  assert_int_equal(gc_mutator_family(m), gc_heap_family(heap));
  gc_detach(m);
  gc_heap_destroy(heap);
}

/* GC_INSTANCE_PICK indexes every family's instance, generic out of range. */

static void pick_calls_the_familys_instance(void **state) {
  for (gc_family f = 1; f < gc_family_count(); f++) {
    assert_non_null(GC_INSTANCE_PICK(f, gb_run_thread));
    assert_ptr_not_equal(GC_INSTANCE_PICK(f, gb_run_thread),
                         GC_INSTANCE_PICK(f - 1, gb_run_thread));
  }
  assert_ptr_equal(GC_INSTANCE_PICK(GC_FAMILY_BUMP1, gb_run_thread),
                   gb_run_thread_bump1);
  assert_ptr_equal(GC_INSTANCE_PICK(gc_family_count(), gb_run_thread),
                   gb_run_thread_generic);
#ifndef GCTB_SPECIALISE
  /* a unit without GCTB_FAMILY dispatches at run time */
  assert_int_equal(GC_FAMILY_THIS, GC_FAMILY_GENERIC);
#endif
}

int main(void) {
  unsetenv("GCTB_INSTANCE"); /* the heap's own family, whatever the caller's */
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(shipped_policies_map_to_their_family),
      cmocka_unit_test(every_policy_has_its_family),
      cmocka_unit_test(undeclared_kinds_are_generic),
      cmocka_unit_test(attached_mutators_run_the_heaps_family),
      cmocka_unit_test(mutator_family_reads_the_mutator),
      cmocka_unit_test(an_option_can_change_the_family),
      cmocka_unit_test(pick_calls_the_familys_instance),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
