/* The heap verifier must catch what it claims to: references outside the
 * heap or into free chunks, unknown types, a bad length, and what a policy
 * rejects. Each case corrupts a small nogc or segfit heap and expects
 * gc_verify to call on_fail with a message naming the problem. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "heap/heap.h"

static jmp_buf failed;
static char message[1024];

static void catch_fail(gc_heap *heap, gc_mutator *m, const char *msg) {
  snprintf(message, sizeof message, "%s", msg);
  longjmp(failed, 1);
}

static gc_type pair = {"pair", GC_TYPE_FIXED, 3, 0x3}; /* 2 refs, 1 word */

typedef struct fixture {
  gc_heap *heap;
  gc_mutator *m;
  gc_ref a, b;
} fixture;

static int setup_policy(void **state, const char *name) {
  static fixture f;
  gc_heap_config cfg = {.heap_bytes = 8u << 20, .gc_threads = 1};
  const gc_policy *p = gc_policy_find(name);
  gc_options opts;
  char err[256];
  assert_true(gc_type_register(&pair));
  assert_true(gc_options_parse(&opts, p->options, NULL, "x", err, sizeof err));
  f.heap = gc_heap_create(&cfg, p, &opts, err, sizeof err);
  assert_non_null(f.heap);
  f.heap->on_fail = catch_fail;
  f.m = gc_attach(f.heap);
  f.a = gc_alloc(f.m, &pair, 0);
  gc_root_push(f.m, f.a);
  f.b = gc_alloc(f.m, &pair, 0);
  gc_write_ref(f.m, f.a, 0, f.b);
  gc_write_word(f.m, f.b, 2, 42);
  *state = &f;
  return 0;
}
static int setup_nogc(void **state) { return setup_policy(state, "nogc"); }
static int setup_segfit(void **state) { return setup_policy(state, "segfit"); }

static int teardown(void **state) {
  fixture *f = *state;
  gc_detach(f->m);
  gc_heap_destroy(f->heap);
  return 0;
}

/* Runs the verifier; returns the failure message or NULL if it passed. */
static const char *verify(fixture *f) {
  message[0] = 0;
  if (setjmp(failed) == 0) {
    gc_verify(f->heap, "test");
    return NULL;
  }
  return message;
}

static void sound_heap_passes(void **state) {
  fixture *f = *state;
  assert_null(verify(f));
  gc_collect(f->m); /* the policy's own collection keeps it sound */
  assert_null(verify(f));
}

static void reference_outside_heap_fails(void **state) {
  fixture *f = *state;
  static uint64_t outside[4];
  gc_write_ref(f->m, f->a, 1, (gc_ref)outside);
  const char *msg = verify(f);
  assert_non_null(msg);
  assert_non_null(strstr(msg, "outside the heap"));
  gc_write_ref(f->m, f->a, 1, GC_NULL);
}

static void reference_into_free_chunk_fails(void **state) {
  fixture *f = *state;
  gc_arena *a = &f->heap->arena;
  uintptr_t free_chunk = 0;
  for (size_t i = 0; i < a->nchunks && !free_chunk; i++)
    if (a->space_of[i] == GC_SPACE_FREE)
      free_chunk = a->base + (i << GC_CHUNK_LOG);
  assert_true(free_chunk != 0);
  gc_write_ref(f->m, f->a, 1, (gc_ref)(free_chunk + 64));
  const char *msg = verify(f);
  assert_non_null(msg);
  assert_non_null(strstr(msg, "free chunk"));
  gc_write_ref(f->m, f->a, 1, GC_NULL);
}

static void unknown_type_fails(void **state) {
  fixture *f = *state;
  uint64_t saved = *(uint64_t *)f->b;
  *(uint64_t *)f->b = (uint64_t)200 << GC_HDR_TYPE_SHIFT; /* unregistered */
  const char *msg = verify(f);
  *(uint64_t *)f->b = saved;
  assert_non_null(msg);
  assert_non_null(strstr(msg, "unknown type"));
  assert_non_null(strstr(msg, "slot 0")); /* names where it was found */
}

static void length_on_fixed_layout_fails(void **state) {
  fixture *f = *state;
  *(uint64_t *)f->b |= (uint64_t)5 << GC_HDR_LENGTH_SHIFT;
  const char *msg = verify(f);
  *(uint64_t *)f->b &= ~((uint64_t)0xffffffff << GC_HDR_LENGTH_SHIFT);
  assert_non_null(msg);
  assert_non_null(strstr(msg, "length"));
}

static void policy_rejection_fails(void **state) {
  fixture *f = *state; /* segfit: a reference to a freed cell */
  gc_ref c = gc_alloc(f->m, &pair, 0);
  gc_write_ref(f->m, f->a, 1, c);
  gc_write_ref(f->m, f->a, 1, GC_NULL);
  gc_collect(f->m); /* c is garbage: its cell is free again */
  gc_write_ref(f->m, f->a, 1, c);
  const char *msg = verify(f);
  assert_non_null(msg);
  assert_non_null(strstr(msg, "free cell"));
  gc_write_ref(f->m, f->a, 1, GC_NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(sound_heap_passes, setup_nogc, teardown),
      cmocka_unit_test_setup_teardown(reference_outside_heap_fails, setup_nogc,
                                      teardown),
      cmocka_unit_test_setup_teardown(reference_into_free_chunk_fails,
                                      setup_segfit, teardown),
      cmocka_unit_test_setup_teardown(unknown_type_fails, setup_nogc, teardown),
      cmocka_unit_test_setup_teardown(length_on_fixed_layout_fails, setup_nogc,
                                      teardown),
      cmocka_unit_test_setup_teardown(sound_heap_passes, setup_segfit,
                                      teardown),
      cmocka_unit_test_setup_teardown(policy_rejection_fails, setup_segfit,
                                      teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
