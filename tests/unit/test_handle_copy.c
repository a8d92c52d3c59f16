/* handle-copy: objects copied by mutators while they are read and written,
 * under every variant; two mutators copying at once; dead handles reused
 * and the table given back in chunks; and the verifier catching a handle
 * that is freed, shared or pointing at from-space. Heaps verify before and
 * after every pause. */
/* cmocka.h needs these first (a blank line keeps clang-format from sorting) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>

#include "heap/heap.h"
#include "policies/handle_copy/hc.h"

/* node: word 0 is the next reference, word 1 an id */
static gc_type node_type = {
    .name = "hc_node", .kind = GC_TYPE_FIXED, .nwords = 2, .ref_map = 1};

static jmp_buf failed;
static char message[1024];
static void catch_fail(gc_heap *heap, gc_mutator *m, const char *msg) {
  snprintf(message, sizeof message, "%s", msg);
  longjmp(failed, 1);
}

/* A heap with the given policy options (a JSON object text). */
static gc_heap *make_heap(size_t bytes, const char *options,
                          uint64_t stress_allocs) {
  assert_true(gc_type_register(&node_type));
  const gc_policy *p = gc_policy_find("handle-copy");
  assert_non_null(p);
  char err[256];
  json_t *o = json_loads(options, 0, NULL);
  assert_non_null(o);
  gc_options opts;
  assert_true(gc_options_parse(&opts, p->options, o, "x", err, sizeof err));
  json_decref(o);
  gc_heap_config cfg = {.heap_bytes = bytes,
                        .gc_threads = 2,
                        .verify = GC_VERIFY_BEFORE_AND_AFTER,
                        .stress_allocs = stress_allocs};
  gc_heap *heap = gc_heap_create(&cfg, p, &opts, err, sizeof err);
  assert_non_null(heap);
  return heap;
}

static json_int_t stat(gc_heap *heap, const char *key) {
  json_t *o = json_object();
  heap->policy->report(heap, o);
  json_int_t v = json_integer_value(json_object_get(o, key));
  json_decref(o);
  return v;
}

static gc_ref new_node(gc_mutator *m, gc_ref next, uint64_t id) {
  size_t slot = gc_root_push(m, next);
  gc_ref n = gc_alloc(m, &node_type, 0);
  gc_write_ref(m, n, 0, gc_root_get(m, slot));
  gc_write_word(m, n, 1, id);
  gc_root_pop(m, 1);
  return n;
}

static void build_list(gc_mutator *m, size_t slot, size_t n, uint64_t base) {
  for (size_t i = 0; i < n; i++)
    gc_root_set(m, slot, new_node(m, gc_root_get(m, slot), base + i));
}

/* Checks ids base+n-1 ... base; adds delta to every id on the way (a write
 * to each node, possibly while it is being copied). */
static void walk_list(gc_mutator *m, gc_ref l, size_t n, uint64_t base,
                      uint64_t delta) {
  for (size_t i = n; i-- > 0; l = gc_read_ref(m, l, 0)) {
    assert_true(l != GC_NULL);
    assert_int_equal(gc_read_word(m, l, 1), base + i);
    if (delta)
      gc_write_word(m, l, 1, base + i + delta);
  }
  assert_true(l == GC_NULL);
}

static const char *const variants[] = {
    "{}", /* as described */
    "{\"writes\": \"lockfree\"}",
    "{\"entry_bytes\": 8}",
    "{\"entry_bytes\": 8, \"writes\": \"lockfree\"}",
    "{\"placement\": \"compact\"}",
    "{\"order\": \"traversal\"}",
    "{\"table_release\": true, \"handle_batch\": 1}",
    "{\"pacing\": \"proportional\"}",
    "{\"placement\": \"compact\", \"order\": \"traversal\", \"entry_bytes\": "
    "8, \"writes\": \"lockfree\", \"table_release\": true}",
};

enum { N = 6000 };

/* A cycle starts; the mutator walks (reads and rewrites) its list while
 * its own allocations copy it a batch at a time; the cycle ends; nothing
 * was lost and every node was copied once per cycle. */
static void copies_while_mutating(void **state) {
  for (size_t v = 0; v < sizeof variants / sizeof *variants; v++) {
    gc_heap *heap = make_heap(16u << 20, variants[v], 0);
    gc_mutator *m = gc_attach(heap);
    hc_state *s = hc_of(heap);
    size_t list = gc_root_push(m, GC_NULL);
    build_list(m, list, N, 0);
    uint64_t base = 0;
    for (int cycle = 0; cycle < 3; cycle++) {
      m->policy->collect(m, GC_REASON_STRESS); /* the mark pause */
      assert_int_equal(hc_phase(s), HC_COPYING);
      assert_true(s->ncopy >= N);
      while (hc_phase(s) == HC_COPYING) {
        for (int g = 0; g < 1000; g++)
          new_node(m, GC_NULL, 0); /* garbage; paces the copying */
        walk_list(m, gc_root_get(m, list), N, base, 1000000);
        base += 1000000;
      }
      walk_list(m, gc_root_get(m, list), N, base, 0);
    }
    assert_true(stat(heap, "objects_copied") >= 3 * N);
    gc_detach(m);
    gc_heap_destroy(heap);
  }
}

typedef struct worker_arg {
  gc_heap *heap;
  int id;
  uint64_t copied;
} worker_arg;

static pthread_barrier_t start;
static gc_ref shared_list; /* built by the main thread, a root of neither */

/* Each worker reads the whole shared list and writes the odd or even
 * nodes, allocating garbage (with copy_every 1, copy_batch 1: every
 * allocation copies) until the cycle is over. */
static void *mutate(void *p) {
  worker_arg *a = p;
  gc_mutator *m = gc_attach(a->heap);
  hc_state *s = hc_of(a->heap);
  size_t root = gc_root_push(m, shared_list);
  pthread_barrier_wait(&start);
  for (uint64_t round = 1; hc_phase(s) == HC_COPYING; round++) {
    gc_ref l = gc_root_get(m, root);
    for (size_t i = N; i-- > 0; l = gc_read_ref(m, l, 0)) {
      uint64_t w = gc_read_word(m, l, 1);
      assert_int_equal(w & 0xffffffffu, i);
      if ((i & 1) == (size_t)a->id) {
        assert_int_equal(w >> 32, round - 1);
        gc_write_word(m, l, 1, (round << 32) | i);
      }
      if (i % 16 == 0)
        new_node(m, GC_NULL, 0);
    }
  }
  a->copied = hc_mut(m)->copied;
  gc_detach(m);
  return NULL;
}

static void two_mutators_copy_at_once(void **state) {
  const char *opts[] = {"{\"copy_every\": 1, \"copy_batch\": 1}",
                        "{\"copy_every\": 1, \"copy_batch\": 1, "
                        "\"writes\": \"lockfree\", \"entry_bytes\": 8}",
                        "{\"copy_every\": 1, \"copy_batch\": 1, "
                        "\"placement\": \"compact\"}"};
  for (size_t v = 0; v < 3; v++) {
    gc_heap *heap = make_heap(32u << 20, opts[v], 0);
    gc_mutator *m = gc_attach(heap);
    size_t list = gc_root_push(m, GC_NULL);
    build_list(m, list, N, 0);
    m->policy->collect(m, GC_REASON_STRESS);
    shared_list = gc_root_get(m, list);
    pthread_barrier_init(&start, NULL, 2);
    worker_arg args[2] = {{heap, 0, 0}, {heap, 1, 0}};
    pthread_t t[2];
    gc_enter_blocking(m);
    for (int i = 0; i < 2; i++)
      assert_int_equal(pthread_create(&t[i], NULL, mutate, &args[i]), 0);
    for (int i = 0; i < 2; i++)
      pthread_join(t[i], NULL);
    gc_leave_blocking(m);
    assert_int_equal(hc_phase(hc_of(heap)), HC_IDLE);
    assert_true(args[0].copied + args[1].copied >= N);
    print_message("variant %zu: the two mutators copied %llu and %llu\n", v,
                  (unsigned long long)args[0].copied,
                  (unsigned long long)args[1].copied);
    gc_collect(m);
    gc_detach(m);
    gc_heap_destroy(heap);
  }
}

/* Garbage's handles are freed at each mark; with table_release a table
 * that empties gives its chunks back and its high water comes down. */
static void dead_handles_are_reused_and_released(void **state) {
  gc_heap *heap = make_heap(16u << 20, "{\"table_release\": true}", 0);
  gc_mutator *m = gc_attach(heap);
  size_t list = gc_root_push(m, GC_NULL);
  build_list(m, list, 40000, 0); /* 40k live handles: ~10 table chunks */
  gc_collect(m);
  json_int_t peak = stat(heap, "handle_table_resident_bytes");
  gc_root_set(m, list, GC_NULL);
  for (int i = 0; i < 20000; i++)
    new_node(m, GC_NULL, 0);
  gc_collect(m);
  gc_collect(m);
  assert_true(stat(heap, "handles_freed") >= 60000);
  assert_true(stat(heap, "handle_table_high_water") < 4096);
  assert_true(stat(heap, "handle_table_chunks_released") > 0);
  assert_true(stat(heap, "handle_table_resident_bytes") < peak);
  gc_detach(m);
  gc_heap_destroy(heap);
}

/* Runs the verifier; the failure message, or NULL if it passed. */
static const char *verify(gc_heap *heap) {
  message[0] = 0;
  if (setjmp(failed) == 0) {
    gc_verify(heap, "test");
    return NULL;
  }
  return message;
}

static void verifier_catches_bad_handles(void **state) {
  gc_heap *heap = make_heap(8u << 20, "{}", 0);
  heap->on_fail = catch_fail;
  gc_mutator *m = gc_attach(heap);
  hc_table *t = &hc_of(heap)->t;
  gc_ref a = gc_alloc(m, &node_type, 0);
  gc_root_push(m, a);
  gc_ref b = gc_alloc(m, &node_type, 0);
  gc_write_ref(m, a, 0, b);
  assert_null(verify(heap));
  uintptr_t eb = *hc_entry(t, (uint32_t)b);
  /* b shares a's object */
  *hc_entry(t, (uint32_t)b) = *hc_entry(t, (uint32_t)a);
  assert_non_null(strstr(verify(heap), "record of handle"));
  /* b is a freed slot */
  *hc_entry(t, (uint32_t)b) = HC_E_FREE;
  assert_non_null(strstr(verify(heap), "bad address"));
  /* b points at a from-space copy */
  *hc_entry(t, (uint32_t)b) = eb;
  assert_null(verify(heap));
  hc_state *s = hc_of(heap);
  s->cur ^= 1; /* pretend the spaces flipped without copying */
  assert_non_null(strstr(verify(heap), "outside"));
  s->cur ^= 1;
  /* b is locked at a safepoint */
  hc_lock(s, (uint32_t)b);
  assert_non_null(strstr(verify(heap), "locked"));
  hc_unlock(s, (uint32_t)b);
  assert_null(verify(heap));
  gc_detach(m);
  gc_heap_destroy(heap);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(copies_while_mutating),
      cmocka_unit_test(two_mutators_copy_at_once),
      cmocka_unit_test(dead_handles_are_reused_and_released),
      cmocka_unit_test(verifier_catches_bad_handles),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
