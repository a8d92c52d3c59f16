/* The embedding API (harness/run/embed.h): a session's config errors are
 * `gctb run`'s, its parameters are validated against the program's
 * declaration, and its record is a `gctb run` record, written and
 * returned. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/config/config.h"
#include "harness/run/embed.h"

/* What `gctb run` prints for config text: "config error: " + config.c's. */
static void run_message(const char *text, char *out, size_t len) {
  json_t *root = json_loads(text, 0, NULL);
  gctb_config cfg;
  char err[1024];
  assert_non_null(root);
  assert_false(gctb_config_load_json(root, &cfg, err, sizeof err));
  json_decref(root);
  snprintf(out, len, "config error: %s", err);
}

static void config_errors_are_gctb_runs(void **state) {
  static const char *const bad[] = {
      "{\"policy\": {\"name\": \"segfit\"}, \"heap\": {\"sise\": \"4M\"},"
      " \"workload\": {\"name\": \"gcbench\"}}",
      "{\"policy\": {\"name\": \"segfot\"}, \"heap\": {\"size\": \"4M\"},"
      " \"workload\": {\"name\": \"gcbench\"}}",
      "{\"policy\": {\"name\": \"segfit\"}, \"heap\": {\"size\": \"64K\"},"
      " \"workload\": {\"name\": \"gcbench\"}}",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char want[1100], err[1100];
    run_message(bad[i], want, sizeof want);
    assert_null(gctb_session_open(bad[i], NULL, err, sizeof err));
    assert_string_equal(err, want);
  }
}

static void bad_json_and_impossible_heap(void **state) {
  char err[1024];
  assert_null(gctb_session_open("{\"policy\": ", NULL, err, sizeof err));
  assert_non_null(strstr(err, "config error: <string>:"));
  assert_non_null(strstr(err, "invalid JSON"));
  assert_null(
      gctb_session_open_file("/no/such/config.json", NULL, err, sizeof err));
  assert_non_null(strstr(err, "cannot open /no/such/config.json"));
  assert_null(gctb_session_open("{\"policy\": {\"name\": \"shenandoah\"},"
                                " \"heap\": {\"size\": \"300K\"}}",
                                NULL, err, sizeof err));
  assert_non_null(strstr(err, "gctb: cannot create the heap: shenandoah"));
}

static const gc_option_spec params[] = {
    {"n", GC_OPT_INT, "a count", 3, 1, 10, NULL}, {0}};
static uint64_t live_1m(const gc_options *p, unsigned h) { return 1 << 20; }
static const gc_workload declared = {
    .name = "my-program", .params = params, .live_bytes = live_1m};

static void declared_params_are_validated(void **state) {
  gctb_session_opts opts = {.workload = &declared};
  char err[1024];
  assert_null(gctb_session_open(
      "{\"policy\": {\"name\": \"segfit\"}, \"heap\": {\"size\": \"4M\"},"
      " \"workload\": {\"name\": \"my-program\", \"params\": {\"n\": 11}}}",
      &opts, err, sizeof err));
  assert_string_equal(err, "config error: workload.params.n: 11 is out of "
                           "range [1, 10]");
  /* heap.multiple is relative to the declared live size. */
  assert_null(gctb_session_open(
      "{\"policy\": {\"name\": \"segfit\"}, \"heap\": {\"multiple\": 0.5}}",
      &opts, err, sizeof err));
  assert_non_null(strstr(err, "smaller than the workload's live size 1M"));
  /* A declaration must not take a built-in workload's name. */
  gc_workload clash = declared;
  clash.name = "gcbench";
  opts.workload = &clash;
  assert_null(gctb_session_open(
      "{\"policy\": {\"name\": \"segfit\"}, \"heap\": {\"size\": \"4M\"}}",
      &opts, err, sizeof err));
  assert_non_null(strstr(err, "name of a built-in workload"));
}

static gc_type pair = {.name = "embed-test-pair",
                       .kind = GC_TYPE_FIXED,
                       .nwords = 2,
                       .ref_map = 1};

static void a_session_writes_and_returns_its_record(void **state) {
  char path[] = "/tmp/gctb-test-embed-XXXXXX", err[1024];
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  close(fd);
  gctb_session_opts opts = {.out_path = path, .workload = &declared};
  gctb_session *s = gctb_session_open(
      "{\"policy\": {\"name\": \"segfit\"}, \"heap\": {\"size\": \"4M\"},"
      " \"workload\": {\"params\": {\"n\": 7}}, \"seed\": 9}",
      &opts, err, sizeof err);
  if (!s)
    fail_msg("%s", err);
  assert_int_equal(gc_opt_int(gctb_session_params(s), "n"), 7);
  assert_int_equal(gctb_session_seed(s), 9);
  assert_true(gc_type_register(&pair));
  gc_mutator *m = gc_attach(gctb_session_heap(s));
  size_t keep = gc_root_push(m, GC_NULL);
  for (int i = 0; i < 200000; i++) { /* 6 MB: at least one collection */
    gc_ref p = gc_alloc(m, &pair, 0);
    gc_write_word(m, p, 1, (uint64_t)i);
    gc_write_ref(m, p, 0, i % 1000 ? gc_root_get(m, keep) : GC_NULL);
    gc_root_set(m, keep, p);
  }
  assert_int_equal(gc_read_word(m, gc_root_get(m, keep), 1), 199999);
  gc_root_pop(m, 1);
  gc_detach(m);
  gctb_session_metric(s, "answer", 42);
  char *text = NULL;
  assert_int_equal(gctb_session_finish(s, &text), 0);
  assert_non_null(text);

  json_t *rec = json_loads(text, 0, NULL);
  assert_non_null(rec);
  assert_string_equal(json_string_value(json_object_get(rec, "status")), "ok");
  json_t *cfg = json_object_get(rec, "config");
  assert_string_equal(json_string_value(json_object_get(
                          json_object_get(cfg, "workload"), "name")),
                      "my-program");
  json_t *counters = json_object_get(rec, "counters");
  assert_true(json_integer_value(json_object_get(counters, "collections")) > 0);
  assert_int_equal(
      json_integer_value(json_object_get(counters, "objects_allocated")),
      200000);
  assert_true(json_array_size(json_object_get(rec, "pauses")) > 0);
  assert_true(json_array_size(json_object_get(rec, "cycles")) > 0);
  assert_true(json_real_value(json_object_get(json_object_get(rec, "workload"),
                                              "answer")) == 42.0);

  /* The file holds the same record, as one line. */
  FILE *f = fopen(path, "r");
  char *line = NULL;
  size_t cap = 0;
  assert_true(getline(&line, &cap, f) > 0);
  assert_int_equal(getline(&line, &cap, f), -1);
  fclose(f);
  json_t *from_file = json_loads(line, 0, NULL);
  assert_true(json_equal(from_file, rec));
  json_decref(from_file);
  json_decref(rec);
  free(line);
  free(text);
  unlink(path);
}

/* Each thread builds its own list of pairs and checks it. */
static void build_list(gc_mutator *m, unsigned index, void *arg) {
  size_t head = gc_root_push(m, GC_NULL);
  for (uint64_t i = 0; i < 50000; i++) {
    gc_ref p = gc_alloc(m, &pair, 0);
    gc_write_word(m, p, 1, i * 2 + index);
    gc_write_ref(m, p, 0, i % 500 ? gc_root_get(m, head) : GC_NULL);
    gc_root_set(m, head, p);
  }
  if (gc_read_word(m, gc_root_get(m, head), 1) != 49999 * 2 + index)
    gc_fail(m, "thread %u: wrong value", index);
  __atomic_add_fetch((int *)arg, 1, __ATOMIC_RELAXED);
  gc_root_pop(m, 1);
}

static void threads_run_attached(void **state) {
  char err[1024], *text = NULL;
  gctb_session_opts opts = {.out_path = "/dev/null"};
  gctb_session *s = gctb_session_open(
      "{\"policy\": {\"name\": \"immix\"}, \"heap\": {\"size\": \"4M\"}}",
      &opts, err, sizeof err);
  if (!s)
    fail_msg("%s", err);
  assert_true(gc_type_register(&pair));
  int done = 0;
  gctb_session_run_threads(s, 3, build_list, &done);
  assert_int_equal(done, 3);
  assert_int_equal(gctb_session_finish(s, &text), 0);
  json_t *rec = json_loads(text, 0, NULL);
  json_t *muts = json_object_get(rec, "mutators");
  assert_int_equal(json_array_size(muts), 3);
  assert_int_equal(json_integer_value(json_object_get(
                       json_object_get(rec, "counters"), "objects_allocated")),
                   150000);
  json_decref(rec);
  free(text);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(config_errors_are_gctb_runs),
      cmocka_unit_test(bad_json_and_impossible_heap),
      cmocka_unit_test(declared_params_are_validated),
      cmocka_unit_test(a_session_writes_and_returns_its_record),
      cmocka_unit_test(threads_run_attached),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
