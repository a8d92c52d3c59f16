/* Free-bits allocation (heap/freebits.h) and the segfit pools
 * built on it: tzcnt order, claiming words by CAS (once only, also under
 * contention), sweeping free bits from marks, and a real segfit heap
 * freeing exactly the unreachable cells. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h> /* after the headers it needs */
#include <stdlib.h>

#include "policies/segfit/segfit.h"

static void pops_in_tzcnt_order(void **state) {
  uint64_t bits = 0xb4; /* cells 2, 4, 5, 7 */
  unsigned expect[] = {2, 4, 5, 7};
  for (unsigned i = 0; i < 4; i++)
    assert_int_equal(gc_fb_pop(&bits), expect[i]);
  assert_int_equal(bits, 0);
  bits = (uint64_t)1 << 63;
  assert_int_equal(gc_fb_pop(&bits), 63);
}

static void a_word_is_claimed_once(void **state) {
  uint64_t word = 0xf0f0;
  assert_int_equal(gc_fb_claim(&word), 0xf0f0);
  assert_int_equal(word, 0);
  assert_int_equal(gc_fb_claim(&word), 0); /* already claimed */
}

#define RACE_WORDS 4096
typedef struct race {
  uint64_t words[RACE_WORDS];
  uint64_t claimed[2]; /* cells each thread got */
  int owner[RACE_WORDS];
} race;
typedef struct racer {
  race *r;
  int id;
} racer;

static void *claim_all(void *arg) {
  racer *me = arg;
  for (int i = 0; i < RACE_WORDS; i++) {
    uint64_t bits = gc_fb_claim(&me->r->words[i]);
    if (bits) {
      me->r->claimed[me->id] += (uint64_t)__builtin_popcountll(bits);
      __atomic_add_fetch(&me->r->owner[i], me->id + 1, __ATOMIC_RELAXED);
    }
  }
  return NULL;
}

/* Two threads claim the same words: every word goes to exactly one. */
static void concurrent_claims_never_share_a_word(void **state) {
  race *r = calloc(1, sizeof *r);
  for (int round = 0; round < 20; round++) {
    uint64_t total = 0;
    for (int i = 0; i < RACE_WORDS; i++) {
      r->words[i] = (uint64_t)rand() << 32 | (uint64_t)rand() | 1;
      total += (uint64_t)__builtin_popcountll(r->words[i]);
      r->owner[i] = 0;
    }
    r->claimed[0] = r->claimed[1] = 0;
    racer a = {r, 0}, b = {r, 1};
    pthread_t t;
    pthread_create(&t, NULL, claim_all, &b);
    claim_all(&a);
    pthread_join(t, NULL);
    assert_int_equal(r->claimed[0] + r->claimed[1], total);
    for (int i = 0; i < RACE_WORDS; i++)
      assert_true(r->owner[i] == 1 || r->owner[i] == 2);
  }
  free(r);
}

static void marks_once(void **state) {
  uint64_t word = 0;
  assert_true(gc_fb_mark(&word, 5));
  assert_false(gc_fb_mark(&word, 5));
  assert_true(gc_fb_mark(&word, 63));
  assert_true(gc_fb_is_set(&word, 63));
  assert_false(gc_fb_is_set(&word, 6));
}

/* free = ~mark over the cells that exist; a partial last block (73 cells of
 * 3584 bytes in a 256 KiB pool: 64 + 9) keeps its missing cells allocated. */
static void sweep_recomputes_free_bits_from_marks(void **state) {
  uint64_t free[2] = {0, 0}, mark[2] = {0x8000000000000001ull, 0x3};
  uint64_t last = gc_fb_mask(9);
  assert_int_equal(last, 0x1ff);
  assert_int_equal(gc_fb_mask(64), ~(uint64_t)0);
  assert_int_equal(gc_fb_sweep(free, mark, 2, last, false), 4);
  assert_int_equal(free[0], 0x7ffffffffffffffeull);
  assert_int_equal(free[1], 0x1fc);
  assert_false(gc_fb_any(mark, 0));
  assert_true(gc_fb_any(mark, 2));
  /* a concurrent collector's sweep also clears the marks it read */
  assert_int_equal(gc_fb_sweep(free, mark, 2, last, true), 4);
  assert_int_equal(free[1], 0x1fc);
  assert_false(gc_fb_any(mark, 2));
}

/* ---- a real segfit heap ---- */

/* 40 bytes with the header: class 48 */
static gc_type node = {
    .name = "sf-node", .kind = GC_TYPE_FIXED, .nwords = 4, .ref_map = 0x1};
static jmp_buf oom_jump;

static void on_oom(gc_heap *heap, gc_mutator *m, size_t bytes) {
  longjmp(oom_jump, 1);
}

static gc_heap *segfit_heap(const char *sweep, size_t bytes) {
  const gc_policy *p = gc_policy_find("segfit");
  assert_non_null(p);
  json_t *o = json_pack("{s:s}", "sweep", sweep);
  gc_options opts;
  char err[256];
  assert_true(gc_options_parse(&opts, p->options, o, "x", err, sizeof err));
  json_decref(o);
  gc_heap_config cfg = {.heap_bytes = bytes,
                        .gc_threads = 2,
                        .verify = GC_VERIFY_BEFORE_AND_AFTER};
  gc_heap *heap = gc_heap_create(&cfg, p, &opts, err, sizeof err);
  assert_non_null(heap);
  assert_true(gc_type_register(&node));
  return heap;
}

static bool in_use(gc_heap *heap, gc_ref r) {
  segfit_state *s = heap->policy_state;
  size_t page = gc_sf_page_index(&s->sf, r);
  uintptr_t off = r - gc_sf_page_base(&s->sf, page);
  return gc_sf_cell_in_use(&s->sf, page, (uint32_t)(off / 48));
}

#define NOBJ 3000
static void collection_frees_exactly_the_unreachable(const char *sweep) {
  gc_heap *heap = segfit_heap(sweep, 4u << 20);
  gc_mutator *m = gc_attach(heap);
  static gc_ref obj[NOBJ];
  for (int i = 0; i < NOBJ; i++) {
    obj[i] = gc_alloc(m, &node, 0);
    gc_write_word(m, obj[i], 1, (uint64_t)i);
    if (i % 3 == 0)
      gc_root_push(m, obj[i]);
  }
  assert_true(gc_sf_owns(&((segfit_state *)heap->policy_state)->sf, obj[0]));
  gc_collect(m);
  for (int i = 0; i < NOBJ; i++) {
    assert_int_equal(in_use(heap, obj[i]), i % 3 == 0);
    if (i % 3 == 0)
      assert_int_equal(gc_read_word(m, obj[i], 1), (uint64_t)i);
  }
  /* the next allocation reuses the first freed cell */
  gc_ref again = gc_alloc(m, &node, 0);
  assert_int_equal(again, obj[1]);
  assert_int_equal(gc_read_word(m, again, 1), 0); /* zeroed */
  assert_int_equal(heap->events.ncycles, 1);
  assert_int_equal(heap->events.cycles[0].objects_traced, NOBJ / 3);
  gc_detach(m);
  gc_heap_destroy(heap);
}
static void eager_sweep_frees_the_unreachable(void **state) {
  collection_frees_exactly_the_unreachable("eager");
}
static void lazy_sweep_frees_the_unreachable(void **state) {
  collection_frees_exactly_the_unreachable("lazy");
}

/* A linked list that keeps growing fills the heap: allocation collects,
 * keeps every reachable node, and reports out-of-memory only when the small
 * pools really are full. */
static void fills_the_heap_then_reports_oom(void **state) {
  gc_heap *heap = segfit_heap("eager", 2u << 20);
  heap->cfg.verify = GC_VERIFY_NONE; /* many collections near the end */
  heap->on_oom = on_oom;
  gc_mutator *m = gc_attach(heap);
  size_t head = gc_root_push(m, GC_NULL);
  static volatile size_t n;
  n = 0;
  if (!setjmp(oom_jump)) {
    for (;;) {
      gc_ref x = gc_alloc(m, &node, 0);
      gc_write_ref(m, x, 0, gc_root_get(m, head));
      gc_root_set(m, head, x);
      n++;
      if (n % 4096 == 0) /* garbage in between */
        gc_alloc(m, &node, 0);
    }
  }
  size_t cells = (2u << 20) / 48;
  assert_true(n > cells * 95 / 100);
  assert_true(n <= cells);
  assert_true(heap->events.ncycles > 0);
  gc_verify(heap, "after oom");
  gc_detach(m);
  gc_heap_destroy(heap);
}

/* No starvation across size classes (issue 15): one class fills seven of
 * the heap's eight chunks and keeps one object in each chunk alive; a second
 * class then needs six chunks' worth. With one pool per chunk it found one
 * free chunk and ran out; with 32 KiB pages it takes the pages the first
 * class's sweep emptied. */
static gc_type kilo = {.name = "sf-kilo", .kind = GC_TYPE_WORD_ARRAY};
static void a_class_takes_pages_another_emptied(const char *sweep) {
  gc_heap *heap = segfit_heap(sweep, 2u << 20);
  assert_true(gc_type_register(&kilo));
  heap->on_oom = on_oom;
  gc_mutator *m = gc_attach(heap);
  size_t per_chunk = GC_CHUNK_BYTES / 48;
  for (size_t i = 0; i < 7 * per_chunk; i++) {
    gc_ref x = gc_alloc(m, &node, 0);
    if (i % per_chunk == per_chunk / 2)
      gc_root_push(m, x);
  }
  assert_int_equal(heap->events.ncycles, 0);
  gc_collect(m);
  static volatile size_t n;
  n = 0;
  if (!setjmp(oom_jump))
    for (; n < 6 * GC_CHUNK_BYTES / 1024; n++)
      gc_root_push(m, gc_alloc(m, &kilo, 120)); /* ~1000 bytes: class 1024 */
  assert_int_equal(n, 6 * GC_CHUNK_BYTES / 1024);
  gc_collect(m);
  gc_verify(heap, "after");
  gc_detach(m);
  gc_heap_destroy(heap);
}
static void eager_class_takes_emptied_pages(void **state) {
  a_class_takes_pages_another_emptied("eager");
}
static void lazy_class_takes_emptied_pages(void **state) {
  a_class_takes_pages_another_emptied("lazy");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(pops_in_tzcnt_order),
      cmocka_unit_test(a_word_is_claimed_once),
      cmocka_unit_test(concurrent_claims_never_share_a_word),
      cmocka_unit_test(marks_once),
      cmocka_unit_test(sweep_recomputes_free_bits_from_marks),
      cmocka_unit_test(eager_sweep_frees_the_unreachable),
      cmocka_unit_test(lazy_sweep_frees_the_unreachable),
      cmocka_unit_test(fills_the_heap_then_reports_oom),
      cmocka_unit_test(eager_class_takes_emptied_pages),
      cmocka_unit_test(lazy_class_takes_emptied_pages),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
