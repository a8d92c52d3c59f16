/* Matrices: axis expansion, run order, the matrix id, the results store
 * (resume, partial lines, foreign records), pinning specs, and heap sizes
 * from the minimum-heap cache. The process-level behaviour (crash
 * isolation, kill -9 and resume) is in tests/e2e/matrix.cmake. */
/* cmocka needs these three first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "harness/matrix/matrix.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BASE                                                                   \
  "\"base\": {\"policy\": {\"name\": \"segfit\"}, \"workload\": {\"name\": "   \
  "\"gcbench\"}, \"heap\": {\"multiple\": 3}}"

static json_t *parse_json(const char *text) {
  json_error_t je;
  json_t *v = json_loads(text, 0, &je);
  if (!v)
    fail_msg("test JSON does not parse: %s: %s", je.text, text);
  return v;
}

static void load_matrix(const char *text, gctb_matrix *m) {
  char err[1024];
  json_t *root = parse_json(text);
  if (!gctb_matrix_parse(root, m, err, sizeof err))
    fail_msg("matrix does not parse: %s", err);
  json_decref(root);
}

static void expect_matrix_error(const char *text, const char *needle) {
  gctb_matrix m;
  char err[1024] = "";
  json_t *root = parse_json(text);
  bool ok = gctb_matrix_parse(root, &m, err, sizeof err);
  json_decref(root);
  if (ok) {
    gctb_matrix_free(&m);
    fail_msg("matrix parsed but should not: %s", text);
  }
  if (!strstr(err, needle))
    fail_msg("message \"%s\" does not name \"%s\"", err, needle);
}

static const char *get_str(json_t *o, const char *path) {
  json_t *v = o;
  char buf[256], *save = NULL;
  snprintf(buf, sizeof buf, "%s", path);
  for (char *k = strtok_r(buf, ".", &save); k; k = strtok_r(NULL, ".", &save))
    v = json_object_get(v, k);
  return json_string_value(v);
}

/* The first axis varies slowest; cells set dotted keys and whole objects;
 * a heap.size axis replaces the base's heap.multiple. */
static void axes_expand(void **state) {
  gctb_matrix m;
  char err[256];
  load_matrix("{" BASE ", \"axes\": {\"policy.name\": [\"nogc\", \"segfit\", "
              "\"bdw\"], \"heap.size\": [\"32M\", \"64M\"]}, "
              "\"invocations\": 4}",
              &m);
  assert_int_equal(m.ncells, 6);
  assert_int_equal(m.invocations, 4);
  const char *want[6][2] = {{"nogc", "32M"},   {"nogc", "64M"},
                            {"segfit", "32M"}, {"segfit", "64M"},
                            {"bdw", "32M"},    {"bdw", "64M"}};
  for (size_t c = 0; c < 6; c++) {
    json_t *cfg = gctb_matrix_cell_config(&m, c, err, sizeof err);
    json_t *values = gctb_matrix_cell_values(&m, c);
    assert_non_null(cfg);
    assert_string_equal(get_str(cfg, "policy.name"), want[c][0]);
    assert_string_equal(get_str(cfg, "heap.size"), want[c][1]);
    assert_null(json_object_get(json_object_get(cfg, "heap"), "multiple"));
    assert_string_equal(json_string_value(json_object_get(values, "heap.size")),
                        want[c][1]);
    json_decref(cfg);
    json_decref(values);
  }
  gctb_matrix_free(&m);

  load_matrix("{" BASE ", \"axes\": {\"policy\": [{\"name\": \"nogc\"}, "
              "{\"name\": \"segfit\", \"options\": {\"sweep\": \"lazy\"}}], "
              "\"heap.min_multiple\": [1.5]}}",
              &m);
  assert_int_equal(m.ncells, 2);
  json_t *cfg = gctb_matrix_cell_config(&m, 1, err, sizeof err);
  assert_string_equal(get_str(cfg, "policy.options.sweep"), "lazy");
  assert_null(json_object_get(json_object_get(cfg, "heap"), "multiple"));
  assert_non_null(
      json_object_get(json_object_get(cfg, "heap"), "min_multiple"));
  json_decref(cfg);
  gctb_matrix_free(&m);

  load_matrix("{" BASE "}", &m); /* no axes: one cell, the base */
  assert_int_equal(m.ncells, 1);
  assert_int_equal(m.invocations, 1);
  gctb_matrix_free(&m);
}

static void bad_matrices(void **state) {
  expect_matrix_error("{" BASE ", \"axis\": {}}", "axis");
  expect_matrix_error("{\"axes\": {}}", "base");
  expect_matrix_error("{" BASE ", \"axes\": {\"policy.name\": []}}",
                      "axes.policy.name");
  expect_matrix_error("{" BASE ", \"axes\": {\"policy.name\": \"nogc\"}}",
                      "axes.policy.name");
  expect_matrix_error("{" BASE ", \"axes\": {\"a..b\": [1]}}", "a..b");
  expect_matrix_error("{" BASE ", \"invocations\": 0}", "invocations");
  expect_matrix_error("{" BASE ", \"timeout\": -1}", "timeout");
  expect_matrix_error("{" BASE ", \"order\": \"random\"}", "order");
  expect_matrix_error("{" BASE ", \"minheap\": {\"precison\": 0.1}}",
                      "minheap.precison");
}

/* Every run exactly once; the same seed gives the same order; rounds keep
 * each invocation's runs together. */
static void order_is_a_seeded_permutation(void **state) {
  static const char *orders[] = {"rounds", "shuffle", "fixed"};
  for (size_t o = 0; o < 3; o++) {
    char text[512];
    gctb_matrix a, b;
    snprintf(text, sizeof text,
             "{" BASE ", \"axes\": {\"seed\": [1, 2, 3, 4, 5, 6, 7]}, "
             "\"invocations\": 5, \"seed\": 9, \"order\": \"%s\"}",
             orders[o]);
    load_matrix(text, &a);
    load_matrix(text, &b);
    size_t n, nb;
    gctb_run_ref *ra = gctb_matrix_order(&a, &n);
    gctb_run_ref *rb = gctb_matrix_order(&b, &nb);
    assert_int_equal(n, 35);
    assert_int_equal(nb, 35);
    bool seen[7][5] = {{false}};
    for (size_t i = 0; i < n; i++) {
      assert_false(seen[ra[i].cell][ra[i].invocation]);
      seen[ra[i].cell][ra[i].invocation] = true;
      assert_memory_equal(&ra[i], &rb[i], sizeof ra[i]);
      if (o == 0)
        assert_int_equal(ra[i].invocation, i / 7);
    }
    b.seed = 10;
    free(rb);
    rb = gctb_matrix_order(&b, &nb);
    if (o < 2)
      assert_memory_not_equal(ra, rb, n * sizeof *ra);
    free(ra);
    free(rb);
    gctb_matrix_free(&a);
    gctb_matrix_free(&b);
  }
}

/* The id follows the cells: not the base's key order, not invocations. */
static void id_identifies_cells(void **state) {
  gctb_matrix a, b, c;
  load_matrix("{\"base\": {\"seed\": 1, \"policy\": {\"name\": \"nogc\"}}, "
              "\"axes\": {\"gc_threads\": [1, 2]}, \"invocations\": 3}",
              &a);
  load_matrix("{\"base\": {\"policy\": {\"name\": \"nogc\"}, \"seed\": 1}, "
              "\"axes\": {\"gc_threads\": [1, 2]}, \"invocations\": 10}",
              &b);
  load_matrix("{\"base\": {\"policy\": {\"name\": \"nogc\"}, \"seed\": 1}, "
              "\"axes\": {\"gc_threads\": [2, 1]}}",
              &c);
  assert_string_equal(a.id, b.id);
  assert_string_not_equal(a.id, c.id);
  char key[64];
  gctb_matrix_run_key(&a, (gctb_run_ref){1, 2}, key, sizeof key);
  char want[64];
  snprintf(want, sizeof want, "%s/1/2", a.id);
  assert_string_equal(key, want);
  gctb_matrix_free(&a);
  gctb_matrix_free(&b);
  gctb_matrix_free(&c);
}

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static long file_size(const char *path) {
  FILE *f = fopen(path, "r");
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fclose(f);
  return n;
}

#define REC(id, key, status)                                                   \
  "{\"status\": \"" status "\", \"matrix\": {\"id\": \"" id                    \
  "\", \"run_key\": \"" id "/" key "\"}}\n"
#define ID "0123456789abcdef"

/* Resume: runs recorded are done, a half-written last line is cut, lines
 * that are not JSON are skipped; without --resume a non-empty file is
 * refused; a second opener is locked out. */
static void store_resumes(void **state) {
  char path[] = "/tmp/gctb-test-store-XXXXXX";
  int fd = mkstemp(path);
  char err[512];
  gctb_store s, t;
  close(fd);
  write_file(path, REC(ID, "0/0", "ok") "not json\n" REC(ID, "1/0", "crash")
                       REC("fedcba9876543210", "0/0", "ok") "{\"status\": \"o");
  long full = file_size(path);
  assert_false(gctb_store_open(&s, path, ID, false, err, sizeof err));
  assert_non_null(strstr(err, "--resume"));
  gctb_store_close(&s);
  assert_true(gctb_store_open(&s, path, ID, true, err, sizeof err));
  assert_true(gctb_store_is_done(&s, ID "/0/0"));
  assert_true(gctb_store_is_done(&s, ID "/1/0"));
  assert_false(gctb_store_is_done(&s, ID "/0/1"));
  assert_int_equal(s.foreign, 1);
  assert_int_equal(s.bad_lines, 1);
  assert_int_equal(s.dropped_bytes, strlen("{\"status\": \"o"));
  assert_int_equal(file_size(path), full - (long)s.dropped_bytes);
  assert_false(gctb_store_open(&t, path, ID, true, err, sizeof err));
  assert_non_null(strstr(err, "in use"));
  gctb_store_close(&t);

  /* A child appends its record and is killed writing a second line. */
  int64_t at = gctb_store_size(&s);
  FILE *f = fopen(path, "a");
  fputs(REC(ID, "0/1", "oom") "{\"half", f);
  fclose(f);
  const char *status = gctb_store_collect(&s, at, ID "/0/1");
  assert_non_null(status);
  assert_string_equal(status, "oom");
  assert_int_equal(file_size(path), at + (long)strlen(REC(ID, "0/1", "oom")));
  at = gctb_store_size(&s);
  assert_null(gctb_store_collect(&s, at, ID "/1/1"));

  json_t *rec = json_pack("{s:s,s:{s:s,s:s}}", "status", "timeout", "matrix",
                          "id", ID, "run_key", ID "/1/1");
  assert_true(gctb_store_append(&s, rec, ID "/1/1", err, sizeof err));
  json_decref(rec);
  assert_true(gctb_store_is_done(&s, ID "/1/1"));
  gctb_store_close(&s);
  unlink(path);
}

static void pinning_specs(void **state) {
  gctb_pinning p;
  char err[512];
  json_t *o = parse_json("{\"mutators\": \"compact\", \"gc\": [1, 0]}");
  assert_true(gctb_pin_parse(o, &p, err, sizeof err));
  assert_int_equal(p.mutators.mode, GCTB_PIN_COMPACT);
  assert_int_equal(p.gc.mode, GCTB_PIN_LIST);
  assert_int_equal(p.gc.nlist, 2);
  json_t *back = gctb_pin_to_json(&p);
  assert_true(json_equal(back, o));
  json_decref(back);
  json_decref(o);
  static const char *bad[] = {"{\"gc\": \"spread\"}", "{\"gc\": []}",
                              "{\"gc\": [-1]}", "{\"threads\": \"none\"}"};
  for (size_t i = 0; i < 4; i++) {
    o = parse_json(bad[i]);
    assert_false(gctb_pin_parse(o, &p, err, sizeof err));
    assert_non_null(strstr(err, "pinning."));
    json_decref(o);
  }
  /* compact and scatter are permutations of the PUs */
  unsigned a[GCTB_PIN_LIST_MAX], b[GCTB_PIN_LIST_MAX];
  size_t n = gctb_pin_order(GCTB_PIN_COMPACT, a, GCTB_PIN_LIST_MAX);
  assert_int_equal(gctb_pin_order(GCTB_PIN_SCATTER, b, GCTB_PIN_LIST_MAX), n);
  assert_true(n >= 1);
  for (size_t i = 0; i < n; i++) {
    size_t hits = 0;
    for (size_t j = 0; j < n; j++)
      hits += b[j] == a[i];
    assert_int_equal(hits, 1);
  }
  /* a PU that does not exist is refused when pinning starts */
  o = parse_json("{\"gc\": [100000]}");
  assert_true(gctb_pin_parse(o, &p, err, sizeof err));
  assert_false(gctb_pin_start(&p, err, sizeof err));
  assert_non_null(strstr(err, "pinning.gc"));
  json_decref(o);
}

/* heap.min_multiple reads the reference minimum from the cache; a missing
 * entry is an error that says how to measure it; storing again replaces the
 * entry; an entry of another build is stale and refused. */
static void min_multiple_from_cache(void **state) {
  char path[] = "/tmp/gctb-test-minheap-XXXXXX";
  int fd = mkstemp(path);
  char err[1024];
  gctb_config cfg;
  close(fd);
  unlink(path);
  gctb_minheap_set_cache(path);
  json_t *root = parse_json("{\"policy\": {\"name\": \"segfit\"}, "
                            "\"workload\": {\"name\": \"gcbench\"}, "
                            "\"heap\": {\"min_multiple\": 2}}");
  assert_false(gctb_config_load_json(root, &cfg, err, sizeof err));
  assert_non_null(strstr(err, "heap.min_multiple"));
  assert_non_null(strstr(err, "gctb minheap"));

  json_t *probe = parse_json("{\"policy\": {\"name\": \"segfit\"}, "
                             "\"workload\": {\"name\": \"gcbench\"}, "
                             "\"heap\": {\"multiple\": 1}}");
  assert_true(gctb_config_load_json(probe, &cfg, err, sizeof err));
  json_t *key = gctb_minheap_ref_key(&cfg);
  uint64_t min = cfg.live_bytes * 3 / 2;
  gctb_config_free(&cfg);
  for (int i = 0; i < 2; i++) {
    json_t *fields = json_pack("{s:I}", "min_heap_bytes", (json_int_t)min);
    assert_true(gctb_minheap_store(key, fields, err, sizeof err));
    json_decref(fields);
  }
  json_t *file = json_load_file(path, 0, NULL);
  assert_int_equal(json_array_size(json_object_get(file, "entries")), 1);
  json_decref(file);

  assert_true(gctb_config_load_json(root, &cfg, err, sizeof err));
  assert_int_equal(cfg.min_heap_bytes, min);
  assert_int_equal(cfg.heap_bytes, 2 * min);
  json_t *eff = gctb_config_to_json(&cfg);
  assert_non_null(
      json_object_get(json_object_get(eff, "heap"), "min_multiple"));
  json_decref(eff);
  gctb_config_free(&cfg);

  /* The same entry from another build is stale: refused, not reused. */
  file = json_load_file(path, 0, NULL);
  json_t *entry = json_array_get(json_object_get(file, "entries"), 0);
  json_object_set_new(json_object_get(entry, "build"), "commit",
                      json_string("0000000000000000000000000000000000000000"));
  assert_int_equal(json_dump_file(file, path, 0), 0);
  json_decref(file);
  assert_false(gctb_config_load_json(root, &cfg, err, sizeof err));
  assert_non_null(strstr(err, "stale"));
  assert_non_null(strstr(err, "commit"));
  uint64_t bytes = 0;
  assert_false(gctb_minheap_lookup_bytes(key, &bytes));

  json_t *two = parse_json("{\"policy\": {\"name\": \"segfit\"}, "
                           "\"workload\": {\"name\": \"gcbench\"}, "
                           "\"heap\": {\"min_multiple\": 2, \"size\": 1}}");
  assert_false(gctb_config_load_json(two, &cfg, err, sizeof err));
  assert_non_null(strstr(err, "one of"));
  json_decref(two);
  json_decref(key);
  json_decref(probe);
  json_decref(root);
  unlink(path);
  gctb_minheap_set_cache(NULL);
}

/* --shard K/N: a partition that covers every run once, is the same every
 * time, and balances declared costs: with policy "bdw" ten times as costly
 * as the others, LPT keeps every shard within one heavy run of the mean. */
static void shard_partition(void **state) {
  (void)state;
  gctb_matrix m;
  char err[512];
  load_matrix("{" BASE ", \"axes\": {\"policy.name\": [\"semispace\", "
              "\"segfit\", \"bdw\", \"immix\"], \"heap.multiple\": [2, 3, "
              "4]}, \"invocations\": 5, \"seed\": 7, \"cost\": "
              "{\"policy.name\": {\"bdw\": 10}, \"heap.multiple\": "
              "\"value\"}}",
              &m);
  size_t total = m.ncells * m.invocations;
  for (unsigned n = 1; n <= 9; n++) {
    unsigned *p = gctb_matrix_partition(&m, n, err, sizeof err);
    unsigned *q = gctb_matrix_partition(&m, n, err, sizeof err);
    assert_non_null(p);
    assert_memory_equal(p, q, total * sizeof *p);
    double load[10] = {0}, sum = 0, heaviest = 0;
    for (size_t r = 0; r < total; r++) {
      json_t *cfg =
          gctb_matrix_cell_config(&m, r / m.invocations, err, sizeof err);
      double w = json_number_value(
          json_object_get(json_object_get(cfg, "heap"), "multiple"));
      if (strcmp(get_str(cfg, "policy.name"), "bdw") == 0)
        w *= 10;
      assert_in_range(p[r], 1, n);
      load[p[r]] += w;
      sum += w;
      heaviest = w > heaviest ? w : heaviest;
      json_decref(cfg);
    }
    for (unsigned k = 1; k <= n; k++)
      if (load[k] > sum / n + heaviest || load[k] < sum / n - heaviest)
        fail_msg("N=%u: shard %u has cost %g, the mean is %g", n, k, load[k],
                 sum / n);
    free(p);
    free(q);
  }
  gctb_matrix_free(&m);
}

static void shard_specs(void **state) {
  (void)state;
  static const char *good[][3] = {{"1/1", "1", "1"},
                                  {"3/7", "3", "7"},
                                  {"100000/100000", "100000", "100000"}};
  static const char *bad[] = {"0/3",  "4/3",  "3",   "/3",       "1/",   "a/b",
                              "1/3x", "-1/3", "1/0", "1/100001", " 1/3", ""};
  char err[256];
  gctb_shard s;
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    assert_true(gctb_shard_parse(good[i][0], &s, err, sizeof err));
    assert_int_equal(s.k, atoi(good[i][1]));
    assert_int_equal(s.n, atoi(good[i][2]));
  }
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    if (gctb_shard_parse(bad[i], &s, err, sizeof err))
      fail_msg("--shard \"%s\" accepted", bad[i]);
  expect_matrix_error("{" BASE ", \"cost\": [1]}", "cost");
  expect_matrix_error("{" BASE ", \"cost\": {\"policy.name\": {\"bdw\": 0}}}",
                      "cost.policy.name.bdw");
  expect_matrix_error("{" BASE ", \"cost\": {\"policy.name\": \"double\"}}",
                      "cost.policy.name");
  gctb_matrix m;
  load_matrix("{" BASE ", \"cost\": {\"policy.nmae\": {\"bdw\": 2}}}", &m);
  assert_null(gctb_matrix_partition(&m, 1, err, sizeof err));
  assert_non_null(strstr(err, "cost.policy.nmae"));
  gctb_matrix_free(&m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(axes_expand),
      cmocka_unit_test(bad_matrices),
      cmocka_unit_test(order_is_a_seeded_permutation),
      cmocka_unit_test(id_identifies_cells),
      cmocka_unit_test(store_resumes),
      cmocka_unit_test(pinning_specs),
      cmocka_unit_test(min_multiple_from_cache),
      cmocka_unit_test(shard_partition),
      cmocka_unit_test(shard_specs),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
