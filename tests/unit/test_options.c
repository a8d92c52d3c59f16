/* Option validation against declared specs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "heap/options.h"

static const char *const modes[] = {"eager", "lazy", NULL};
static const gc_option_spec spec[] = {
    {"depth", GC_OPT_INT, "tree depth", 16, 1, 30, NULL},
    {"size", GC_OPT_SIZE, "a size", 4096, 16, 1 << 30, NULL},
    {"ratio", GC_OPT_DOUBLE, "a fraction", 0.5, 0, 1, NULL},
    {"holes", GC_OPT_BOOL, "on or off", 1, 0, 0, NULL},
    {"sweep", GC_OPT_ENUM, "how", 1, 0, 0, modes},
    {0}};

static bool parse(const char *json, gc_options *o, char *err) {
  json_t *obj = json_loads(json, 0, NULL);
  assert_non_null(obj);
  bool ok = gc_options_parse(o, spec, obj, "policy.options", err, 256);
  json_decref(obj);
  return ok;
}

static void defaults_apply(void **state) {
  gc_options o;
  char err[256];
  assert_true(gc_options_parse(&o, spec, NULL, "x", err, sizeof err));
  assert_int_equal(gc_opt_int(&o, "depth"), 16);
  assert_int_equal(gc_opt_int(&o, "size"), 4096);
  assert_true(gc_opt_bool(&o, "holes"));
  assert_string_equal(gc_opt_enum(&o, "sweep"), "lazy");
}

static void values_parse(void **state) {
  gc_options o;
  char err[256];
  assert_true(parse("{\"depth\": 20, \"size\": \"2M\", \"ratio\": 0.25, "
                    "\"holes\": false, \"sweep\": \"eager\"}",
                    &o, err));
  assert_int_equal(gc_opt_int(&o, "depth"), 20);
  assert_int_equal(gc_opt_int(&o, "size"), 2 << 20);
  assert_true(gc_opt_double(&o, "ratio") == 0.25);
  assert_false(gc_opt_bool(&o, "holes"));
  assert_string_equal(gc_opt_enum(&o, "sweep"), "eager");
  json_t *j = gc_options_to_json(&o);
  assert_string_equal(json_string_value(json_object_get(j, "sweep")), "eager");
  json_decref(j);
}

static void errors_name_the_key(void **state) {
  gc_options o;
  char err[256];
  assert_false(parse("{\"dpeth\": 3}", &o, err));
  assert_non_null(strstr(err, "policy.options.dpeth"));
  assert_false(parse("{\"depth\": \"x\"}", &o, err));
  assert_non_null(strstr(err, "policy.options.depth"));
  assert_non_null(strstr(err, "integer"));
  assert_false(parse("{\"depth\": 99}", &o, err));
  assert_non_null(strstr(err, "out of range"));
  assert_false(parse("{\"size\": \"12Q\"}", &o, err));
  assert_non_null(strstr(err, "policy.options.size"));
  assert_false(parse("{\"sweep\": \"sometimes\"}", &o, err));
  assert_non_null(strstr(err, "eager, lazy"));
  assert_false(parse("{\"holes\": 1}", &o, err));
  assert_non_null(strstr(err, "true or false"));
  assert_false(parse("[1]", &o, err));
}

static void sizes_parse(void **state) {
  uint64_t v;
  assert_true(gc_parse_size_string("64M", &v));
  assert_int_equal(v, 64ull << 20);
  assert_true(gc_parse_size_string("1.5G", &v));
  assert_int_equal(v, 3ull << 29);
  assert_true(gc_parse_size_string("32MiB", &v));
  assert_int_equal(v, 32ull << 20);
  assert_true(gc_parse_size_string("4096", &v));
  assert_int_equal(v, 4096);
  assert_false(gc_parse_size_string("", &v));
  assert_false(gc_parse_size_string("-1M", &v));
  assert_false(gc_parse_size_string("12 M", &v));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(defaults_apply),
      cmocka_unit_test(values_parse),
      cmocka_unit_test(errors_name_the_key),
      cmocka_unit_test(sizes_parse),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
