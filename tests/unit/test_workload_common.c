/* The workloads' shared helpers (workloads/common*.c): the PRNG and its
 * distributions, the work checksum, the corruption hook, threads, the heap
 * table and the trees with holes; and the server's latency percentiles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h> /* after the three it needs */

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "heap/heap.h"
#include "heap_fixture.h"
#include "workloads/common.h"
#include "workloads/common_table.h"
#include "workloads/common_tree_body.h" /* generic: no GCTB_FAMILY */
#include "workloads/server.h"

/* ---- PRNG ---- */

static void rng_is_deterministic_per_stream(void **state) {
  wl_rng a, b, c, d;
  wl_rng_seed(&a, 42, 0);
  wl_rng_seed(&b, 42, 0);
  wl_rng_seed(&c, 42, 1);
  wl_rng_seed(&d, 43, 0);
  int same_c = 0, same_d = 0;
  for (int i = 0; i < 1000; i++) {
    uint64_t x = wl_rng_next(&a);
    assert_true(x == wl_rng_next(&b));
    same_c += x == wl_rng_next(&c);
    same_d += x == wl_rng_next(&d);
  }
  assert_int_equal(same_c, 0);
  assert_int_equal(same_d, 0);
}

/* Pins the generator: xoshiro256** from the state {1, 2, 3, 4} gives the
 * reference implementation's outputs, and splitmix64's finaliser its known
 * value. A change here changes every workload's allocation sequence. */
static void rng_sequence_is_pinned(void **state) {
  wl_rng r = {{1, 2, 3, 4}};
  assert_true(wl_rng_next(&r) == 11520);
  assert_true(wl_rng_next(&r) == 0);
  assert_true(wl_rng_next(&r) == 1509978240);
  assert_true(wl_rng_next(&r) == 1215971899390074240ull);
  assert_true(wl_mix64(0) == 0);
  assert_true(wl_mix64(1) == 0x5692161d100b05e5ull);
}

static void rng_bounded_draws_stay_in_range(void **state) {
  wl_rng r;
  wl_rng_seed(&r, 7, 3);
  uint64_t seen_lo = 0, seen_hi = 0;
  for (int i = 0; i < 100000; i++) {
    uint64_t v = wl_rng_range(&r, 10, 20);
    assert_true(v >= 10 && v <= 20);
    seen_lo += v == 10, seen_hi += v == 20;
    assert_true(wl_rng_below(&r, 3) < 3);
    double u = wl_rng_unit(&r);
    assert_true(u >= 0 && u < 1);
  }
  assert_true(seen_lo > 0 && seen_hi > 0); /* both ends reachable */
  assert_int_equal(wl_rng_below(&r, 0), 0);
  assert_int_equal(wl_rng_range(&r, 5, 5), 5);
}

static void geometric_has_the_right_distribution(void **state) {
  wl_rng r;
  wl_rng_seed(&r, 11, 0);
  const int n = 400000;
  const double p = 0.15;
  wl_geometric g;
  wl_geometric_init(&g, p, 100000);
  double sum = 0;
  int count[8] = {0};
  for (int i = 0; i < n; i++) {
    uint64_t k = wl_rng_geometric(&r, &g);
    sum += (double)k;
    if (k < 8)
      count[k]++;
  }
  /* mean (1-p)/p = 5.667; P(k) = (1-p)^k p within 5 standard deviations */
  assert_true(fabs(sum / n - (1 - p) / p) < 0.1);
  for (int k = 0; k < 8; k++) {
    double expect = pow(1 - p, k) * p;
    assert_true(fabs((double)count[k] / n - expect) <
                5 * sqrt(expect * (1 - expect) / n));
  }
  /* The cap holds and takes the whole tail: P(cap) = (1-p)^cap. */
  wl_geometric capped;
  wl_geometric_init(&capped, 0.5, 2);
  int at_cap = 0;
  for (int i = 0; i < n; i++) {
    uint64_t k = wl_rng_geometric(&r, &capped);
    assert_true(k <= 2);
    at_cap += k == 2;
  }
  assert_true(fabs((double)at_cap / n - 0.25) < 0.005);
  /* p <= 0: always the cap; p >= 1: always 0. */
  wl_geometric never, always;
  wl_geometric_init(&never, 0, 3);
  wl_geometric_init(&always, 1, 3);
  for (int i = 0; i < 1000; i++) {
    assert_int_equal(wl_rng_geometric(&r, &never), 3);
    assert_int_equal(wl_rng_geometric(&r, &always), 0);
  }
  /* The same values from the same seed, one generator step per value. */
  wl_rng a, b, c;
  wl_rng_seed(&a, 5, 1);
  wl_rng_seed(&b, 5, 1);
  wl_rng_seed(&c, 5, 1);
  for (int i = 0; i < 100; i++) {
    assert_int_equal(wl_rng_geometric(&a, &g), wl_rng_geometric(&b, &g));
    wl_rng_next(&c);
  }
  assert_int_equal(wl_rng_next(&a), wl_rng_next(&c));
  wl_geometric_free(&g);
  wl_geometric_free(&capped);
  wl_geometric_free(&never);
  wl_geometric_free(&always);
}

/* The table's tail: a small p reaches far values with the right odds, and
 * the value drawn for x = 0 (the most failures) is the cap. */
static void geometric_reaches_its_tail(void **state) {
  wl_rng r;
  wl_rng_seed(&r, 17, 0);
  const int n = 200000;
  wl_geometric g;
  wl_geometric_init(&g, 0.01, 1000);
  int beyond = 0;
  double sum = 0;
  for (int i = 0; i < n; i++) {
    uint64_t k = wl_rng_geometric(&r, &g);
    assert_true(k <= 1000);
    beyond += k >= 300;
    sum += (double)k;
  }
  /* P(k >= 300) = 0.99^300 = 0.049; mean capped at 1000: 99 (1 - 0.99^1000) */
  assert_true(fabs((double)beyond / n - pow(0.99, 300)) < 0.003);
  assert_true(fabs(sum / n - 99 * (1 - pow(0.99, 1000))) < 1.5);
  assert_int_equal(g.n, 1000);
  wl_geometric_free(&g);
  wl_geometric_init(&g, 0.15, 1000000);
  /* (0.85)^j 2^64 < 1 beyond j = 272: the table stops there. */
  assert_true(g.n > 250 && g.n < 300);
  wl_geometric_free(&g);
}

/* The inverse of a * x mod 2^64 for odd a (Newton's iteration). */
static uint64_t inverse_mod64(uint64_t a) {
  uint64_t x = a;
  for (int i = 0; i < 6; i++)
    x *= 2 - a * x;
  return x;
}

/* A generator whose next output is x: xoshiro256**'s output is
 * rotl(s[1] * 5, 7) * 9, which inverts. */
static wl_rng rng_returning(uint64_t x) {
  uint64_t y = x * inverse_mod64(9);
  wl_rng r = {{1, 0, 3, 4}};
  r.s[1] = (y >> 7 | y << 57) * inverse_mod64(5);
  return r;
}

/* The guide table and scan give exactly max{j : x < above[j]} for draws x
 * at every bucket's edges and on either side of every threshold. */
static void geometric_draw_inverts_the_table(void **state) {
  const double ps[] = {0.15, 0.5, 0.01, 0.9};
  const uint64_t caps[] = {1000, 3, 1000, 1000};
  for (int c = 0; c < 4; c++) {
    wl_geometric g;
    wl_geometric_init(&g, ps[c], caps[c]);
    uint64_t xs[3 * 256 + 3 * 1002];
    size_t nx = 0;
    for (uint64_t b = 0; b < 256; b++) {
      xs[nx++] = b << 56;
      xs[nx++] = b << 56 | (((uint64_t)1 << 56) - 1);
      xs[nx++] = b << 56 | 12345;
    }
    for (uint64_t j = 1; j <= g.n; j++) {
      xs[nx++] = g.above[j];
      xs[nx++] = g.above[j] - 1;
      xs[nx++] = g.above[j] + 1;
    }
    for (size_t i = 0; i < nx; i++) {
      uint64_t expect = 0;
      for (uint64_t j = 1; j <= g.n && xs[i] < g.above[j]; j++)
        expect = j;
      wl_rng r = rng_returning(xs[i]);
      assert_int_equal(wl_rng_geometric(&r, &g), expect);
    }
    wl_geometric_free(&g);
  }
}

static void exponential_and_chance_have_the_right_means(void **state) {
  wl_rng r;
  wl_rng_seed(&r, 12, 0);
  const int n = 200000;
  double sum = 0;
  int hits = 0;
  for (int i = 0; i < n; i++) {
    double x = wl_rng_exponential(&r, 1000);
    assert_true(x >= 0 && isfinite(x));
    sum += x;
    hits += wl_rng_chance(&r, 0.3);
  }
  assert_true(fabs(sum / n - 1000) < 15);
  assert_true(fabs((double)hits / n - 0.3) < 0.005);
  assert_false(wl_rng_chance(&r, 0));
  assert_true(wl_rng_chance(&r, 1));
}

static void power_law_matches_its_declared_mean(void **state) {
  const double alphas[] = {0, 1, 1.5, 2, 3};
  for (unsigned a = 0; a < sizeof alphas / sizeof alphas[0]; a++) {
    wl_rng r;
    wl_rng_seed(&r, 13, a);
    const int n = 200000;
    double sum = 0;
    for (int i = 0; i < n; i++) {
      uint64_t v = wl_rng_power_law(&r, 16, 4096, alphas[a]);
      assert_true(v >= 16 && v <= 4096);
      sum += (double)v;
    }
    double want = wl_power_law_mean(16, 4096, alphas[a]);
    assert_true(fabs(sum / n - want) / want < 0.02);
  }
}

/* ---- checksum ---- */

static void sum_tracks_order_within_and_not_across_threads(void **state) {
  wl_sum a = {0}, b = {0};
  wl_sum_alloc(&a, 1, 3);
  wl_sum_store(&a, 5, 0, 6);
  wl_sum_store(&b, 5, 0, 6);
  wl_sum_alloc(&b, 1, 3);
  assert_true(a.allocs == b.allocs && a.stores == b.stores);
  assert_true(a.hash != b.hash); /* same work, other order */
  wl_sum t1 = {0}, t2 = {0};
  wl_sum_merge(&t1, &a, 0);
  wl_sum_merge(&t1, &b, 1);
  wl_sum_merge(&t2, &b, 1);
  wl_sum_merge(&t2, &a, 0);
  assert_true(t1.hash == t2.hash && t1.allocs == 2 && t1.stores == 2);
  json_t *j = json_object();
  wl_sum_json(j, &t1);
  assert_int_equal(strlen(json_string_value(json_object_get(j, "checksum"))),
                   16);
  assert_int_equal(json_integer_value(json_object_get(j, "allocations")), 2);
  json_decref(j);
}

/* Any one value folded differently changes the hash (guaranteed: see
 * wl_sum_fold); so, for these values, does a swap of two. */
static void sum_catches_any_one_difference(void **state) {
  wl_rng r;
  wl_rng_seed(&r, 13, 0);
  enum { N = 64 };
  uint64_t v[N];
  for (int i = 0; i < N; i++)
    v[i] = wl_rng_below(&r, 4) << (8 * wl_rng_below(&r, 8));
  wl_sum base = {0};
  for (int i = 0; i < N; i++)
    wl_sum_fold(&base, v[i]);
  for (int i = 0; i < N; i++) {
    uint64_t delta[] = {1, 1ull << 63, v[i] ^ (v[i] + 1), wl_rng_next(&r) | 1};
    for (unsigned d = 0; d < 4; d++) {
      wl_sum s = {0};
      for (int j = 0; j < N; j++)
        wl_sum_fold(&s, j == i ? v[j] ^ delta[d] : v[j]);
      assert_true(s.hash != base.hash);
    }
    if (i + 1 < N && v[i] != v[i + 1]) {
      wl_sum s = {0};
      for (int j = 0; j < N; j++)
        wl_sum_fold(&s, j == i ? v[i + 1] : j == i + 1 ? v[i] : v[j]);
      assert_true(s.hash != base.hash);
    }
  }
}

/* ---- corruption hook ---- */

static void corrupt_hook_flips_exactly_the_nth_value(void **state) {
  setenv("GCTB_TEST_CORRUPT", "3", 1);
  wl_corrupt_init();
  assert_true(wl_corrupt(100) == 100);
  assert_true(wl_corrupt(100) == 100);
  assert_true(wl_corrupt(100) != 100);
  assert_true(wl_corrupt(100) == 100);
  unsetenv("GCTB_TEST_CORRUPT");
  wl_corrupt_init();
  for (int i = 0; i < 10; i++)
    assert_true(wl_corrupt(7) == 7);
}

/* ---- heap helpers ---- */

static gc_heap *make_heap(const char *policy) {
  gc_heap_config cfg = {
      .heap_bytes = 16u << 20, .gc_threads = 1, .verify = GC_VERIFY_AFTER};
  return fixture_heap(policy, &cfg);
}

static void count_thread(gc_mutator *m, unsigned index, void *arg) {
  assert_non_null(m);
  __atomic_add_fetch((unsigned *)arg, 1u << index, __ATOMIC_RELAXED);
}

static void threads_run_each_index_once(void **state) {
  gc_heap *heap = make_heap("nogc");
  unsigned seen = 0;
  wl_run_threads(heap, 4, count_thread, &seen, "test");
  assert_int_equal(seen, 0xf);
  seen = 0;
  wl_run_threads(heap, 1, count_thread, &seen, "test");
  assert_int_equal(seen, 1);
  gc_heap_destroy(heap);
}

static gc_type leaf = {.name = "test_leaf", .kind = GC_TYPE_WORD_ARRAY};

/* Objects stored in the table survive a moving collection. */
static void table_holds_objects_across_collections(void **state) {
  gc_heap *heap = make_heap("semispace");
  gc_mutator *m = gc_attach(heap);
  assert_true(gc_type_register(&leaf));
  wl_table t;
  wl_table_new(m, &t, 1000);
  assert_int_equal(gc_root_depth(m), 1);
  for (size_t i = 0; i < 1000; i += 7) {
    gc_ref o = gc_alloc(m, &leaf, 2);
    gc_write_word(m, o, 0, i);
    wl_table_set(m, &t, i, o);
  }
  gc_collect(m);
  gc_collect(m);
  for (size_t i = 0; i < 1000; i++) {
    gc_ref o = wl_table_get(m, &t, i);
    if (i % 7) {
      assert_true(o == GC_NULL);
    } else {
      assert_true(o != GC_NULL);
      assert_int_equal(gc_read_word(m, o, 0), i);
    }
  }
  assert_true(wl_table_bytes(1000, 1) == 4 * 2056 + 40);
  gc_root_pop(m, 1);
  gc_detach(m);
  gc_heap_destroy(heap);
}

/* Long fills and checks (common.h) poll safepoints while another mutator
 * keeps collecting, write and find exactly the expected words, and name
 * the first wrong one. */
typedef struct collector_arg {
  gc_heap *heap;
  int done;
  unsigned collections; /* atomic */
} collector_arg;

static void *collect_until_done(void *p) {
  collector_arg *a = p;
  gc_mutator *m = gc_attach(a->heap);
  while (!__atomic_load_n(&a->done, __ATOMIC_ACQUIRE)) {
    gc_collect(m);
    __atomic_add_fetch(&a->collections, 1, __ATOMIC_RELAXED);
  }
  gc_detach(m);
  return NULL;
}

static void long_fills_and_checks_poll(void **state) {
  enum { WORDS = 5 * WL_POLL_WORDS + 17 };
  gc_heap *heap = make_heap("semispace");
  gc_mutator *m = gc_attach(heap);
  assert_true(gc_type_register(&leaf));
  collector_arg a = {.heap = heap};
  pthread_t tid;
  assert_int_equal(pthread_create(&tid, NULL, collect_until_done, &a), 0);
  while (!__atomic_load_n(&a.collections, __ATOMIC_RELAXED))
    gc_safepoint(m); /* the collector is under way */
  /* Until one of the helpers has stopped at one of its own polls (each
   * call polls several times; a collection is almost always pending). */
  uint64_t polls = 0;
  for (uint64_t i = 0; i < 2000 && polls == 0; i++) {
    gc_ref o = gc_alloc(m, &leaf, WORDS);
    gc_write_word(m, o, 0, i);
    uint64_t before = m->stats.safepoints_taken;
    o = wl_fill_words(m, o, i, 1, WORDS);
    assert_int_equal(wl_check_words(m, &o, i, 1, WORDS), WORDS);
    polls += m->stats.safepoints_taken - before;
    assert_int_equal(gc_read_word(m, o, 0), i);
    gc_write_word(m, o, WORDS - 3, 0);
    assert_int_equal(wl_check_words(m, &o, i, 1, WORDS), WORDS - 3);
    assert_int_equal(gc_root_depth(m), 0); /* the helpers' slots popped */
  }
  __atomic_store_n(&a.done, 1, __ATOMIC_RELEASE);
  gc_detach(m);
  pthread_join(tid, NULL);
  gc_heap_destroy(heap);
  assert_true(polls > 0);
}

/* Trees built either way, with holes, check clean after a moving collection;
 * the same seed gives the same holes. */
static void trees_with_holes_build_and_check(void **state) {
  gc_heap *heap = make_heap("semispace");
  gc_mutator *m = gc_attach(heap);
  assert_true(wl_tree_types());
  uint64_t holes[2];
  for (int run = 0; run < 2; run++) {
    wl_rng rng;
    wl_rng_seed(&rng, 5, 0);
    wl_geometric sizes;
    wl_geometric_init(&sizes, 0.15, 1000);
    wl_sum sum = {0};
    wl_tree t = {.m = m,
                 .workload = "test",
                 .make_holes = true,
                 .hole = &sizes,
                 .rng = &rng,
                 .sum = &sum};
    size_t a = gc_root_push(m, GC_NULL), b = gc_root_push(m, GC_NULL);
    wl_tree_id ida = {"top-down", 8, 0}, idb = {"bottom-up", 8, 0};
    uint64_t sa = wl_tree_salt(&t, 5, &ida), sb = wl_tree_salt(&t, 5, &idb);
    wl_tree_top_down(&t, a, 8, sa);
    gc_root_set(m, b, wl_tree_bottom_up(&t, 8, sb));
    gc_collect(m);
    assert_int_equal(wl_tree_check(&t, a, &ida, sa), wl_tree_nodes(8));
    assert_int_equal(wl_tree_check(&t, b, &idb, sb), wl_tree_nodes(8));
    assert_int_equal(t.nodes_built, 2 * wl_tree_nodes(8));
    assert_true(t.holes > 0);
    holes[run] = t.hole_words;
    gc_root_pop(m, 2);
    wl_geometric_free(&sizes);
  }
  assert_true(holes[0] == holes[1]);
  gc_detach(m);
  gc_heap_destroy(heap);
}

/* ---- server latency summaries ---- */

static void latency_percentiles_use_nearest_rank(void **state) {
  enum { N = 1000 };
  uint64_t s[N], mt[N];
  for (int i = 0; i < N; i++) {
    s[i] = (uint64_t)(N - i) * 1000; /* 1..1000 us, reversed */
    mt[i] = 2 * s[i];
  }
  json_t *out = json_object();
  sv_latency_json(out, s, mt, N);
  json_t *simple = json_object_get(json_object_get(out, "latency"), "simple");
  json_t *metered = json_object_get(json_object_get(out, "latency"), "metered");
  assert_int_equal(json_integer_value(json_object_get(simple, "count")), N);
  assert_int_equal(json_integer_value(json_object_get(simple, "p50_ns")),
                   500000);
  assert_int_equal(json_integer_value(json_object_get(simple, "p90_ns")),
                   900000);
  assert_int_equal(json_integer_value(json_object_get(simple, "p99_ns")),
                   990000);
  assert_int_equal(json_integer_value(json_object_get(simple, "p999_ns")),
                   999000);
  assert_int_equal(json_integer_value(json_object_get(simple, "max_ns")),
                   1000000);
  assert_int_equal(json_integer_value(json_object_get(metered, "max_ns")),
                   2000000);
  json_t *h = json_object_get(out, "latency_histogram");
  json_int_t total = 0;
  json_t *v;
  size_t i;
  json_array_foreach(json_object_get(h, "simple"), i, v) total +=
      json_integer_value(v);
  assert_int_equal(total, N);
  json_decref(out);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(rng_is_deterministic_per_stream),
      cmocka_unit_test(rng_sequence_is_pinned),
      cmocka_unit_test(rng_bounded_draws_stay_in_range),
      cmocka_unit_test(geometric_has_the_right_distribution),
      cmocka_unit_test(geometric_reaches_its_tail),
      cmocka_unit_test(geometric_draw_inverts_the_table),
      cmocka_unit_test(exponential_and_chance_have_the_right_means),
      cmocka_unit_test(power_law_matches_its_declared_mean),
      cmocka_unit_test(sum_tracks_order_within_and_not_across_threads),
      cmocka_unit_test(sum_catches_any_one_difference),
      cmocka_unit_test(corrupt_hook_flips_exactly_the_nth_value),
      cmocka_unit_test(threads_run_each_index_once),
      cmocka_unit_test(table_holds_objects_across_collections),
      cmocka_unit_test(long_fills_and_checks_poll),
      cmocka_unit_test(trees_with_holes_build_and_check),
      cmocka_unit_test(latency_percentiles_use_nearest_rank),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
