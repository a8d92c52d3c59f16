/* Config loading: defaults, every kind of error (each message must name the
 * key it is about), --set overrides, and the effective config loading back
 * to the same run. */
/* cmocka needs these three first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "harness/config/config.h"
#include <string.h>

#define BASE                                                                   \
  "\"policy\": {\"name\": \"segfit\"}, \"workload\": {\"name\": "              \
  "\"gcbench\"}, "

static bool load(const char *text, gctb_config *cfg, char *err, size_t len) {
  json_error_t je;
  json_t *root = json_loads(text, 0, &je);
  if (!root)
    fail_msg("test JSON does not parse: %s: %s", je.text, text);
  bool ok = gctb_config_load_json(root, cfg, err, len);
  json_decref(root);
  return ok;
}

/* Loading must fail and the message must contain every needle. */
static void expect_error(const char *text, const char *needle,
                         const char *needle2) {
  gctb_config cfg;
  char err[1024] = "";
  if (load(text, &cfg, err, sizeof err)) {
    gctb_config_free(&cfg);
    fail_msg("config loaded but should not: %s", text);
  }
  if (!strstr(err, needle) || (needle2 && !strstr(err, needle2)))
    fail_msg("message \"%s\" does not name \"%s\"%s%s", err, needle,
             needle2 ? " and " : "", needle2 ? needle2 : "");
}

static void defaults_apply(void **state) {
  gctb_config cfg;
  char err[1024];
  assert_true(
      load("{" BASE "\"heap\": {\"size\": \"64M\"}}", &cfg, err, sizeof err));
  assert_string_equal(cfg.policy->name, "segfit");
  assert_string_equal(cfg.workload->name, "gcbench");
  assert_int_equal(cfg.heap_bytes, 64u << 20);
  assert_int_equal(cfg.gc_threads, 1);
  assert_int_equal(cfg.seed, 1);
  assert_int_equal(cfg.verify, GC_VERIFY_NONE);
  assert_int_equal(cfg.stress_allocs, 0);
  assert_int_equal(cfg.stress_bytes, 0);
  assert_true(cfg.live_bytes > 0);
  assert_null(cfg.name);
  gctb_config_free(&cfg);
}

static void all_keys_load(void **state) {
  gctb_config cfg;
  char err[1024];
  assert_true(load("{\"name\": \"t\", " BASE
                   "\"heap\": {\"size\": \"64M\"}, \"gc_threads\": 2, "
                   "\"seed\": 7, \"verify\": \"before-and-after-gc\", "
                   "\"stress\": {\"every_allocs\": 100, \"every_bytes\": "
                   "\"1M\"}, \"roots\": 1024}",
                   &cfg, err, sizeof err));
  assert_string_equal(cfg.name, "t");
  assert_int_equal(cfg.gc_threads, 2);
  assert_int_equal(cfg.seed, 7);
  assert_int_equal(cfg.verify, GC_VERIFY_BEFORE_AND_AFTER);
  assert_int_equal(cfg.stress_allocs, 100);
  assert_int_equal(cfg.stress_bytes, 1u << 20);
  assert_int_equal(cfg.roots, 1024);
  gctb_config_free(&cfg);
}

static void heap_multiple_resolves(void **state) {
  gctb_config cfg;
  char err[1024];
  assert_true(
      load("{" BASE "\"heap\": {\"multiple\": 2.5}}", &cfg, err, sizeof err));
  assert_true(cfg.heap_bytes >= cfg.live_bytes * 2);
  assert_true(cfg.heap_bytes <= cfg.live_bytes * 3);
  gctb_config_free(&cfg);
  expect_error("{" BASE "\"heap\": {\"multiple\": 0.5}}", "heap.multiple",
               "live size");
  expect_error("{" BASE "\"heap\": {\"multiple\": 2, \"size\": \"64M\"}}",
               "heap.size", "heap.multiple");
  expect_error("{" BASE "\"heap\": {\"multiple\": \"x\"}}", "heap.multiple",
               "number");
}

static void unknown_keys(void **state) {
  expect_error("{" BASE "\"heap\": {\"size\": \"64M\"}, \"gc_thread\": 2}",
               "\"gc_thread\"", NULL);
  expect_error("{" BASE "\"heap\": {\"sise\": \"64M\"}}", "\"heap.sise\"",
               NULL);
  expect_error("{\"policy\": {\"name\": \"segfit\", \"opts\": {}}, "
               "\"workload\": {\"name\": \"gcbench\"}, \"heap\": {\"size\": "
               "\"64M\"}}",
               "\"policy.opts\"", NULL);
  expect_error("{\"policy\": {\"name\": \"segfit\", \"options\": {\"bogus\": "
               "1}}, \"workload\": {\"name\": \"gcbench\"}, \"heap\": "
               "{\"size\": \"64M\"}}",
               "policy.options.bogus", NULL);
  expect_error("{\"policy\": {\"name\": \"segfit\"}, \"workload\": {\"name\": "
               "\"gcbench\", \"params\": {\"dept\": 3}}, \"heap\": {\"size\": "
               "\"64M\"}}",
               "workload.params.dept", NULL);
  expect_error("{" BASE "\"heap\": {\"size\": \"64M\"}, \"stress\": "
               "{\"every\": 1}}",
               "\"stress.every\"", NULL);
}

static void unknown_names(void **state) {
  expect_error("{\"policy\": {\"name\": \"foo\"}, \"workload\": {\"name\": "
               "\"gcbench\"}, \"heap\": {\"size\": \"64M\"}}",
               "policy.name", "\"foo\"");
  expect_error("{\"policy\": {\"name\": \"segfit\"}, \"workload\": {\"name\": "
               "\"nope\"}, \"heap\": {\"size\": \"64M\"}}",
               "workload.name", "\"nope\"");
  expect_error("{\"workload\": {\"name\": \"gcbench\"}, \"heap\": {\"size\": "
               "\"64M\"}}",
               "policy", NULL);
  expect_error("{\"policy\": {}, \"workload\": {\"name\": \"gcbench\"}, "
               "\"heap\": {\"size\": \"64M\"}}",
               "policy.name", NULL);
}

static void wrong_types(void **state) {
  expect_error("{" BASE "\"heap\": {\"size\": \"64M\"}, \"gc_threads\": "
               "\"two\"}",
               "gc_threads", "string \"two\"");
  expect_error("{\"policy\": {\"name\": \"segfit\"}, \"workload\": {\"name\": "
               "\"gcbench\", \"params\": {\"long_lived_depth\": \"x\"}}, "
               "\"heap\": {\"size\": \"64M\"}}",
               "workload.params.long_lived_depth", NULL);
  expect_error("{\"policy\": \"segfit\", \"workload\": {\"name\": "
               "\"gcbench\"}, \"heap\": {\"size\": \"64M\"}}",
               "policy", "object");
  expect_error("{" BASE "\"heap\": {\"size\": \"64M\"}, \"seed\": -1}", "seed",
               NULL);
  expect_error("{" BASE "\"heap\": {\"size\": \"64M\"}, \"gc_threads\": 0}",
               "gc_threads", NULL);
  expect_error("[1, 2]", "config", NULL);
}

static void heap_too_small(void **state) {
  expect_error("{" BASE "\"heap\": {\"size\": \"1M\"}}", "heap.size",
               "live size");
  expect_error("{\"policy\": {\"name\": \"segfit\"}, \"workload\": "
               "{\"name\": \"gcbench\"}}",
               "heap", NULL);
}

static void bad_verify(void **state) {
  expect_error("{" BASE "\"heap\": {\"size\": \"64M\"}, \"verify\": "
               "\"always\"}",
               "verify", "\"always\"");
  expect_error("{" BASE "\"heap\": {\"size\": \"64M\"}, \"verify\": true}",
               "verify", NULL);
}

static void bad_sizes(void **state) {
  expect_error("{" BASE "\"heap\": {\"size\": \"64Q\"}}", "heap.size",
               "\"64Q\"");
  expect_error("{" BASE "\"heap\": {\"size\": 1.5}}", "heap.size", NULL);
  expect_error("{" BASE "\"heap\": {\"size\": \"64M\"}, \"stress\": "
               "{\"every_bytes\": \"lots\"}}",
               "stress.every_bytes", NULL);
}

static void set_overrides(void **state) {
  json_t *root = json_loads("{" BASE "\"heap\": {\"multiple\": 3}}", 0, NULL);
  char err[1024];
  gctb_config cfg;
  assert_true(gctb_config_set(root, "policy.name=nogc", err, sizeof err));
  assert_true(gctb_config_set(root, "heap.size=\"32M\"", err, sizeof err));
  assert_true(
      gctb_config_set(root, "workload.params.min_depth=6", err, sizeof err));
  assert_true(gctb_config_set(root, "gc_threads=2", err, sizeof err));
  assert_true(gctb_config_set(root, "name=plain words", err, sizeof err));
  assert_true(gctb_config_load_json(root, &cfg, err, sizeof err));
  assert_string_equal(cfg.policy->name, "nogc");
  assert_int_equal(cfg.heap_bytes, 32u << 20);
  assert_int_equal(gc_opt_int(&cfg.workload_params, "min_depth"), 6);
  assert_int_equal(cfg.gc_threads, 2);
  assert_string_equal(cfg.name, "plain words");
  gctb_config_free(&cfg);
  /* An override of a misspelt key is caught by validation, naming it. */
  assert_true(gctb_config_set(root, "heap.sise=1", err, sizeof err));
  assert_false(gctb_config_load_json(root, &cfg, err, sizeof err));
  assert_non_null(strstr(err, "heap.sise"));
  /* Malformed assignments. */
  assert_false(gctb_config_set(root, "novalue", err, sizeof err));
  assert_non_null(strstr(err, "novalue"));
  assert_false(gctb_config_set(root, "=1", err, sizeof err));
  assert_false(gctb_config_set(root, "heap..size=1", err, sizeof err));
  assert_false(gctb_config_set(root, "gc_threads.x=1", err, sizeof err));
  assert_non_null(strstr(err, "gc_threads"));
  json_decref(root);
}

static void effective_config_round_trips(void **state) {
  gctb_config a, b;
  char err[1024];
  assert_true(load("{" BASE "\"heap\": {\"multiple\": 4}, \"verify\": "
                   "\"after-gc\", \"stress\": {\"every_allocs\": 5}}",
                   &a, err, sizeof err));
  json_t *eff = gctb_config_to_json(&a);
  json_t *params = json_object_get(json_object_get(eff, "workload"), "params");
  assert_non_null(json_object_get(params, "long_lived_depth"));
  if (!gctb_config_load_json(eff, &b, err, sizeof err))
    fail_msg("effective config does not load: %s", err);
  assert_int_equal(a.heap_bytes, b.heap_bytes);
  assert_int_equal(a.verify, b.verify);
  assert_int_equal(a.stress_allocs, b.stress_allocs);
  assert_int_equal(a.roots, b.roots);
  json_t *again = gctb_config_to_json(&b);
  assert_true(json_equal(eff, again));
  json_decref(eff);
  json_decref(again);
  gctb_config_free(&a);
  gctb_config_free(&b);
}

static void sizes_format(void **state) {
  char buf[32];
  gctb_format_size(64u << 20, buf, sizeof buf);
  assert_string_equal(buf, "64M");
  gctb_format_size((29u << 20) / 2, buf, sizeof buf);
  assert_string_equal(buf, "14.5M");
  gctb_format_size(100, buf, sizeof buf);
  assert_string_equal(buf, "100B");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(defaults_apply),
      cmocka_unit_test(all_keys_load),
      cmocka_unit_test(heap_multiple_resolves),
      cmocka_unit_test(unknown_keys),
      cmocka_unit_test(unknown_names),
      cmocka_unit_test(wrong_types),
      cmocka_unit_test(heap_too_small),
      cmocka_unit_test(bad_verify),
      cmocka_unit_test(bad_sizes),
      cmocka_unit_test(set_overrides),
      cmocka_unit_test(effective_config_round_trips),
      cmocka_unit_test(sizes_format),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
