/* config.c — loading and validating a run config (see config.h and
 * docs/config.md). Validation is strict on purpose: a typo in a key must end
 * the run with a message naming the key, not run the default silently and
 * produce a plausible, wrong data point. */
#include "harness/config/config.h"
#include "harness/config/plugins.h"
#include "harness/matrix/matrix.h"
#include "harness/minheap/minheap.h"
#include "heap/util.h"
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GCTB_MAX_GC_THREADS 256
#define GCTB_MAX_ROOTS (1u << 30)
#define GCTB_DEFAULT_ROOTS 65536 /* the heap's own default (heap.h) */
/* Sample every mutator's run-queue wait each millisecond (heap/runqueue.h). */
#define GCTB_DEFAULT_RUNQUEUE_SAMPLE_US 1000
#define GCTB_LIVE_HEADER_WORDS 1
#define GCTB_MAX_ITERATIONS 100000

/* "string \"x\"", "number 1.5", "an object"...: what the user wrote, for
 * messages of the form "expected X, got Y". */
static void describe(const json_t *v, char *buf, size_t len) {
  switch (json_typeof(v)) {
  case JSON_STRING:
    snprintf(buf, len, "string \"%.60s\"", json_string_value(v));
    break;
  case JSON_INTEGER:
    snprintf(buf, len, "integer %" JSON_INTEGER_FORMAT, json_integer_value(v));
    break;
  case JSON_REAL:
    snprintf(buf, len, "number %g", json_real_value(v));
    break;
  case JSON_TRUE:
    snprintf(buf, len, "true");
    break;
  case JSON_FALSE:
    snprintf(buf, len, "false");
    break;
  case JSON_NULL:
    snprintf(buf, len, "null");
    break;
  case JSON_OBJECT:
    snprintf(buf, len, "an object");
    break;
  case JSON_ARRAY:
    snprintf(buf, len, "an array");
    break;
  }
}

static bool wrong_type(const char *key, const char *expected, const json_t *v,
                       char *err, size_t errlen) {
  char got[96];
  describe(v, got, sizeof got);
  return gc_errorf(err, errlen, "%s: expected %s, got %s", key, expected, got);
}

/* Every key of obj must be in allowed (NULL-terminated). */
static bool check_keys(const json_t *obj, const char *where,
                       const char *const *allowed, char *err, size_t errlen) {
  const char *key;
  json_t *v;
  json_object_foreach((json_t *)obj, key, v) {
    bool ok = false;
    for (size_t i = 0; allowed[i] && !ok; i++)
      ok = strcmp(key, allowed[i]) == 0;
    if (!ok) {
      char known[256] = "";
      for (size_t i = 0; allowed[i]; i++)
        snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s",
                 i ? ", " : "", allowed[i]);
      return gc_errorf(err, errlen, "unknown key \"%s%s%s\" (known: %s)", where,
                       *where ? "." : "", key, known);
    }
  }
  return true;
}

/* An optional object member; a present non-object is an error. */
static bool get_object(const json_t *obj, const char *key, const char *path,
                       json_t **out, char *err, size_t errlen) {
  json_t *v = json_object_get(obj, key);
  *out = v;
  if (v && !json_is_object(v))
    return wrong_type(path, "an object", v, err, errlen);
  return true;
}

static bool get_uint(const json_t *obj, const char *key, const char *path,
                     uint64_t min, uint64_t max, uint64_t *out, char *err,
                     size_t errlen) {
  json_t *v = json_object_get(obj, key);
  if (!v)
    return true;
  if (!json_is_integer(v))
    return wrong_type(path, "an integer", v, err, errlen);
  json_int_t x = json_integer_value(v);
  if (x < 0 || (uint64_t)x < min || (uint64_t)x > max)
    return gc_errorf(err, errlen,
                     "%s: %" JSON_INTEGER_FORMAT " is out of range [%" PRIu64
                     ", %" PRIu64 "]",
                     path, x, min, max);
  *out = (uint64_t)x;
  return true;
}

static bool get_size(const json_t *obj, const char *key, const char *path,
                     uint64_t *out, char *err, size_t errlen) {
  json_t *v = json_object_get(obj, key);
  if (!v)
    return true;
  if (!(json_is_string(v) || json_is_integer(v)) || !gc_parse_size(v, out))
    return wrong_type(path, "a size such as \"64M\" or a byte count", v, err,
                      errlen);
  return true;
}

/* A registered name: "unknown policy "foo" (known: nogc, semispace...)". */
static void known_policies(char *buf, size_t len) {
  size_t n = 0;
  buf[0] = 0;
  for (size_t i = 0; i < gc_policy_count() && n < len; i++)
    n += snprintf(buf + n, len - n, "%s%s", i ? ", " : "",
                  gc_policy_at(i)->name);
}

static void known_workloads(char *buf, size_t len) {
  size_t n = 0;
  buf[0] = 0;
  for (size_t i = 0; i < gc_workload_count() && n < len; i++)
    n += snprintf(buf + n, len - n, "%s%s", i ? ", " : "",
                  gc_workload_at(i)->name);
}

static bool get_name(const json_t *obj, const char *path, const char **out,
                     char *err, size_t errlen) {
  json_t *v = json_object_get(obj, "name");
  if (!v)
    return gc_errorf(err, errlen, "missing key \"%s\"", path);
  if (!json_is_string(v))
    return wrong_type(path, "a string", v, err, errlen);
  *out = json_string_value(v);
  return true;
}

static bool load_policy(const json_t *root, gctb_config *cfg, char *err,
                        size_t errlen) {
  static const char *const keys[] = {"name", "options", NULL};
  json_t *p, *opts;
  const char *name;
  char known[256];
  if (!get_object(root, "policy", "policy", &p, err, errlen))
    return false;
  if (!p)
    return gc_errorf(err, errlen, "missing key \"policy\"");
  if (!check_keys(p, "policy", keys, err, errlen) ||
      !get_name(p, "policy.name", &name, err, errlen))
    return false;
  cfg->policy = gc_policy_find(name);
  if (!cfg->policy)
    cfg->policy = gctb_test_policy_find(name);
  if (!cfg->policy) {
    known_policies(known, sizeof known);
    return gc_errorf(err, errlen,
                     "policy.name: unknown policy \"%s\" (known: %s)", name,
                     known);
  }
  if (!get_object(p, "options", "policy.options", &opts, err, errlen))
    return false;
  return gc_options_parse(&cfg->policy_options, cfg->policy->options, opts,
                          "policy.options", err, errlen);
}

/* workload.plugin: the shared object's workload; workload.name, if given
 * too, must be the name it declares. */
static bool load_plugin(const json_t *w, gctb_config *cfg, char *err,
                        size_t errlen) {
  json_t *path = json_object_get(w, "plugin"), *name;
  if (!json_is_string(path))
    return wrong_type("workload.plugin", "a path to a shared object", path, err,
                      errlen);
  cfg->workload = gctb_plugin_load(json_string_value(path),
                                   &cfg->workload_plugin, err, errlen);
  if (!cfg->workload)
    return false;
  name = json_object_get(w, "name");
  if (name && !json_is_string(name))
    return wrong_type("workload.name", "a string", name, err, errlen);
  if (name && strcmp(json_string_value(name), cfg->workload->name) != 0)
    return gc_errorf(err, errlen,
                     "workload.name: \"%s\", but the plugin %s declares "
                     "\"%s\"",
                     json_string_value(name), json_string_value(path),
                     cfg->workload->name);
  return true;
}

static bool load_workload(const json_t *root, gctb_config *cfg, char *err,
                          size_t errlen) {
  static const char *const keys[] = {"name", "plugin", "params", NULL};
  json_t *w, *params;
  const char *name;
  char known[256];
  if (!get_object(root, "workload", "workload", &w, err, errlen))
    return false;
  if (!w)
    return gc_errorf(err, errlen, "missing key \"workload\"");
  if (!check_keys(w, "workload", keys, err, errlen))
    return false;
  if (json_object_get(w, "plugin")) {
    if (!load_plugin(w, cfg, err, errlen))
      return false;
  } else {
    if (!get_name(w, "workload.name", &name, err, errlen))
      return false;
    cfg->workload = gc_workload_find(name);
    if (!cfg->workload)
      cfg->workload = gctb_embedded_workload_find(name);
    if (!cfg->workload) {
      known_workloads(known, sizeof known);
      return gc_errorf(err, errlen,
                       "workload.name: unknown workload \"%s\" (known: %s, "
                       "or a plugin: workload.plugin)",
                       name, known);
    }
  }
  if (!get_object(w, "params", "workload.params", &params, err, errlen))
    return false;
  return gc_options_parse(&cfg->workload_params, cfg->workload->params, params,
                          "workload.params", err, errlen);
}

/* heap.multiple or heap.min_multiple: a number in (0, 1e6]. */
static bool get_multiple(const json_t *m, const char *key, double *out,
                         char *err, size_t errlen) {
  if (!json_is_number(m))
    return wrong_type(key, "a number", m, err, errlen);
  double x = json_number_value(m);
  if (!(x > 0) || !isfinite(x) || x > 1e6)
    return gc_errorf(err, errlen, "%s: %g is out of range (0, 1e6]", key, x);
  *out = x;
  return true;
}

static int compare_names(const void *a, const void *b) {
  return strcmp(json_string_value(*(json_t *const *)a),
                json_string_value(*(json_t *const *)b));
}

/* heap.reference: the policies whose smallest minimum heap heap.min_multiple
 * multiplies (minheap.h); absent, every policy. Kept sorted and without
 * repeats, so that the order written does not change the cache key. */
static bool load_reference(const json_t *v, gctb_config *cfg, char *err,
                           size_t errlen) {
  size_t n = v ? json_array_size(v) : gc_policy_count(), i;
  json_t **names = calloc(n ? n : 1, sizeof *names), *x;
  if (v && (!json_is_array(v) || n == 0)) {
    free(names);
    return wrong_type("heap.reference", "a non-empty array of policy names", v,
                      err, errlen);
  }
  for (i = 0; i < n; i++) {
    x = v ? json_array_get(v, i) : json_string(gc_policy_at(i)->name);
    if (v && (!json_is_string(x) || !gc_policy_find(json_string_value(x)))) {
      char known[256], got[96];
      known_policies(known, sizeof known);
      describe(x, got, sizeof got);
      for (size_t j = 0; j < i; j++)
        json_decref(names[j]);
      free(names);
      return gc_errorf(err, errlen,
                       "heap.reference[%zu]: %s is not a policy (known: %s)", i,
                       got, known);
    }
    names[i] = v ? json_incref(x) : x;
  }
  qsort(names, n, sizeof *names, compare_names);
  cfg->heap_reference = json_array();
  for (i = 0; i < n; i++) {
    if (!i || compare_names(&names[i - 1], &names[i]) != 0)
      json_array_append(cfg->heap_reference, names[i]);
    json_decref(names[i]);
  }
  free(names);
  cfg->heap_reference_given = v != NULL;
  return true;
}

/* Needs the workload loaded: heap.multiple is relative to its live size.
 * heap.min_multiple is resolved later (resolve_min_heap), once everything
 * its cache key needs is loaded. */
static bool load_heap(const json_t *root, gctb_config *cfg, char *err,
                      size_t errlen) {
  static const char *const keys[] = {"size", "multiple", "min_multiple",
                                     "reference", NULL};
  json_t *h, *m, *mm, *size;
  if (!get_object(root, "heap", "heap", &h, err, errlen))
    return false;
  if (!h)
    return gc_errorf(err, errlen,
                     "missing key \"heap\" (give heap.size, "
                     "heap.multiple or heap.min_multiple)");
  if (!check_keys(h, "heap", keys, err, errlen) ||
      !load_reference(json_object_get(h, "reference"), cfg, err, errlen))
    return false;
  m = json_object_get(h, "multiple");
  mm = json_object_get(h, "min_multiple");
  size = json_object_get(h, "size");
  if (!!m + !!mm + !!size > 1)
    return gc_errorf(err, errlen,
                     "heap: give one of heap.size, heap.multiple "
                     "and heap.min_multiple");
  if (mm)
    return get_multiple(mm, "heap.min_multiple", &cfg->heap_min_multiple, err,
                        errlen);
  if (m) {
    if (!get_multiple(m, "heap.multiple", &cfg->heap_multiple, err, errlen))
      return false;
    cfg->heap_bytes =
        (uint64_t)ceil(cfg->heap_multiple * (double)cfg->live_bytes);
    return true;
  }
  if (!size)
    return gc_errorf(err, errlen,
                     "missing key \"heap.size\" (or "
                     "heap.multiple, heap.min_multiple)");
  return get_size(h, "size", "heap.size", &cfg->heap_bytes, err, errlen);
}

/* heap.min_multiple x: x times the reference minimum heap from the cache
 * (a fresh entry only: one measured by another build is refused). */
static bool resolve_min_heap(gctb_config *cfg, char *err, size_t errlen) {
  if (cfg->heap_min_multiple <= 0)
    return true;
  char why[512] = "";
  json_t *key = gctb_minheap_ref_key(cfg), *entry;
  gctb_minheap_state st = gctb_minheap_lookup(key, &entry, why, sizeof why);
  json_t *b = json_object_get(entry, "min_heap_bytes");
  if (st == GCTB_MINHEAP_FRESH && json_is_integer(b) &&
      json_integer_value(b) > 0)
    cfg->min_heap_bytes = (uint64_t)json_integer_value(b);
  json_decref(entry);
  json_decref(key);
  if (st == GCTB_MINHEAP_STALE)
    return gc_errorf(err, errlen,
                     "heap.min_multiple: the cached reference minimum heap "
                     "for workload %s in %s is stale (%s); measure it again "
                     "with `gctb minheap --reference CONFIG` (gctb matrix "
                     "does this itself)",
                     cfg->workload->name, gctb_minheap_cache_path(), why);
  if (!cfg->min_heap_bytes)
    return gc_errorf(err, errlen,
                     "heap.min_multiple: no reference minimum heap for "
                     "workload %s with these parameters, gc_threads and "
                     "heap.reference in %s; measure it with `gctb minheap "
                     "--reference CONFIG` (gctb matrix does this itself)",
                     cfg->workload->name, gctb_minheap_cache_path());
  cfg->heap_bytes =
      (uint64_t)ceil(cfg->heap_min_multiple * (double)cfg->min_heap_bytes);
  return true;
}

static bool check_live(const gctb_config *cfg, char *err, size_t errlen) {
  char heap[32], live[32];
  if (cfg->heap_bytes >= cfg->live_bytes)
    return true;
  gctb_format_size(cfg->heap_bytes, heap, sizeof heap);
  gctb_format_size(cfg->live_bytes, live, sizeof live);
  if (cfg->heap_multiple > 0 || cfg->heap_min_multiple > 0)
    return gc_errorf(
        err, errlen,
        "%s %g gives a heap of %s, smaller than the "
        "workload's live size %s",
        cfg->heap_multiple > 0 ? "heap.multiple" : "heap.min_multiple",
        cfg->heap_multiple > 0 ? cfg->heap_multiple : cfg->heap_min_multiple,
        heap, live);
  return gc_errorf(err, errlen,
                   "heap.size %s is smaller than the workload's live size %s",
                   heap, live);
}

static bool load_verify(const json_t *root, gctb_config *cfg, char *err,
                        size_t errlen) {
  static const gc_verify_mode modes[] = {GC_VERIFY_NONE, GC_VERIFY_AFTER,
                                         GC_VERIFY_BEFORE_AND_AFTER};
  json_t *v = json_object_get(root, "verify");
  if (!v)
    return true;
  if (!json_is_string(v))
    return wrong_type("verify", "a string", v, err, errlen);
  for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
    if (strcmp(json_string_value(v), gctb_verify_name(modes[i])) == 0) {
      cfg->verify = modes[i];
      return true;
    }
  return gc_errorf(err, errlen,
                   "verify: unknown mode \"%s\" (known: none, after-gc, "
                   "before-and-after-gc)",
                   json_string_value(v));
}

static bool load_stress(const json_t *root, gctb_config *cfg, char *err,
                        size_t errlen) {
  static const char *const keys[] = {"every_allocs", "every_bytes", NULL};
  json_t *s;
  if (!get_object(root, "stress", "stress", &s, err, errlen))
    return false;
  if (!s)
    return true;
  return check_keys(s, "stress", keys, err, errlen) &&
         get_uint(s, "every_allocs", "stress.every_allocs", 0, UINT64_MAX,
                  &cfg->stress_allocs, err, errlen) &&
         get_size(s, "every_bytes", "stress.every_bytes", &cfg->stress_bytes,
                  err, errlen);
}

/* iterations: {"warmup": W, "measure": M}, each a whole workload run in
 * the same heap and process (harness/run/iterations.c). */
static bool load_iterations(const json_t *root, gctb_config *cfg, char *err,
                            size_t errlen) {
  static const char *const keys[] = {"warmup", "measure", NULL};
  uint64_t w = 0, m = 1;
  json_t *it;
  if (!get_object(root, "iterations", "iterations", &it, err, errlen))
    return false;
  if (it && (!check_keys(it, "iterations", keys, err, errlen) ||
             !get_uint(it, "warmup", "iterations.warmup", 0,
                       GCTB_MAX_ITERATIONS, &w, err, errlen) ||
             !get_uint(it, "measure", "iterations.measure", 1,
                       GCTB_MAX_ITERATIONS, &m, err, errlen)))
    return false;
  cfg->warmup_iterations = (unsigned)w;
  cfg->measure_iterations = (unsigned)m;
  return true;
}

static bool load_scalars(const json_t *root, gctb_config *cfg, char *err,
                         size_t errlen) {
  uint64_t threads = cfg->gc_threads, roots = GCTB_DEFAULT_ROOTS;
  json_t *name = json_object_get(root, "name");
  if (name && !json_is_string(name))
    return wrong_type("name", "a string", name, err, errlen);
  if (!get_uint(root, "gc_threads", "gc_threads", 1, GCTB_MAX_GC_THREADS,
                &threads, err, errlen) ||
      !get_uint(root, "seed", "seed", 0, INT64_MAX, &cfg->seed, err, errlen) ||
      !get_uint(root, "roots", "roots", 1, GCTB_MAX_ROOTS, &roots, err,
                errlen) ||
      !get_uint(root, "runqueue_sample_us", "runqueue_sample_us", 0, 1000000,
                &cfg->runqueue_sample_us, err, errlen))
    return false;
  cfg->gc_threads = (unsigned)threads;
  cfg->roots = (size_t)roots;
  if (name)
    cfg->name = strdup(json_string_value(name));
  return true;
}

bool gctb_config_load_json(const json_t *root, gctb_config *cfg, char *err,
                           size_t errlen) {
  static const char *const keys[] = {
      "name",       "policy",  "workload",   "heap",
      "gc_threads", "seed",    "verify",     "stress",
      "roots",      "pinning", "iterations", "runqueue_sample_us",
      NULL};
  memset(cfg, 0, sizeof *cfg);
  cfg->gc_threads = 1;
  cfg->seed = 1;
  cfg->verify = GC_VERIFY_NONE;
  cfg->measure_iterations = 1;
  cfg->runqueue_sample_us = GCTB_DEFAULT_RUNQUEUE_SAMPLE_US;
  if (!json_is_object(root))
    return wrong_type("config", "an object", root, err, errlen);
  if (!check_keys(root, "", keys, err, errlen) ||
      !load_policy(root, cfg, err, errlen) ||
      !load_workload(root, cfg, err, errlen))
    return false;
  /* One header word for every policy: the declared live size is the x axis
   * all policies share, so a policy with a second header word (Brooks)
   * pays for it inside the same heap rather than getting a bigger one. */
  cfg->live_bytes =
      cfg->workload->live_bytes(&cfg->workload_params, GCTB_LIVE_HEADER_WORDS);
  if (!load_heap(root, cfg, err, errlen) ||
      !load_verify(root, cfg, err, errlen) ||
      !load_stress(root, cfg, err, errlen) ||
      !load_iterations(root, cfg, err, errlen) ||
      !load_scalars(root, cfg, err, errlen) ||
      !gctb_pin_parse(json_object_get(root, "pinning"), &cfg->pinning, err,
                      errlen) ||
      !resolve_min_heap(cfg, err, errlen) || !check_live(cfg, err, errlen)) {
    gctb_config_free(cfg);
    return false;
  }
  return true;
}

json_t *gctb_config_read_file(const char *path, char *err, size_t errlen) {
  json_error_t je;
  json_t *root;
  if (strcmp(path, "-") == 0) {
    root = json_loadf(stdin, 0, &je);
  } else {
    FILE *f = fopen(path, "r");
    if (!f) {
      gc_errorf(err, errlen, "cannot open %s: %s", path, strerror(errno));
      return NULL;
    }
    root = json_loadf(f, 0, &je);
    fclose(f);
  }
  if (!root)
    gc_errorf(err, errlen, "%s:%d:%d: invalid JSON: %s", path, je.line,
              je.column, je.text);
  return root;
}

/* The heap key as given: a size or a multiple, only one, so the effective
 * config loads again. The resolved size is in the record's "heap" object. */
static json_t *heap_json(const gctb_config *cfg) {
  json_t *h;
  if (cfg->heap_min_multiple > 0)
    h = json_pack("{s:f}", "min_multiple", cfg->heap_min_multiple);
  else if (cfg->heap_multiple > 0)
    h = json_pack("{s:f}", "multiple", cfg->heap_multiple);
  else
    h = json_pack("{s:I}", "size", (json_int_t)cfg->heap_bytes);
  if (cfg->heap_reference_given)
    json_object_set(h, "reference", cfg->heap_reference);
  return h;
}

json_t *gctb_config_to_json(const gctb_config *cfg) {
  json_t *o = json_object();
  if (cfg->name)
    json_object_set_new(o, "name", json_string(cfg->name));
  json_object_set_new(o, "policy",
                      json_pack("{s:s,s:o}", "name", cfg->policy->name,
                                "options",
                                gc_options_to_json(&cfg->policy_options)));
  json_t *w = json_pack("{s:s,s:o}", "name", cfg->workload->name, "params",
                        gc_options_to_json(&cfg->workload_params));
  if (cfg->workload_plugin)
    json_object_set_new(w, "plugin", json_string(cfg->workload_plugin));
  json_object_set_new(o, "workload", w);
  json_object_set_new(o, "heap", heap_json(cfg));
  json_object_set_new(o, "gc_threads", json_integer(cfg->gc_threads));
  json_object_set_new(o, "seed", json_integer((json_int_t)cfg->seed));
  json_object_set_new(o, "verify", json_string(gctb_verify_name(cfg->verify)));
  json_object_set_new(o, "stress",
                      json_pack("{s:I,s:I}", "every_allocs",
                                (json_int_t)cfg->stress_allocs, "every_bytes",
                                (json_int_t)cfg->stress_bytes));
  json_object_set_new(o, "roots", json_integer((json_int_t)cfg->roots));
  json_object_set_new(o, "runqueue_sample_us",
                      json_integer((json_int_t)cfg->runqueue_sample_us));
  json_object_set_new(o, "pinning", gctb_pin_to_json(&cfg->pinning));
  if (cfg->warmup_iterations || cfg->measure_iterations > 1) /* not default */
    json_object_set_new(o, "iterations",
                        json_pack("{s:i,s:i}", "warmup",
                                  (int)cfg->warmup_iterations, "measure",
                                  (int)cfg->measure_iterations));
  return o;
}

void gctb_config_free(gctb_config *cfg) {
  free(cfg->name);
  cfg->name = NULL;
  json_decref(cfg->heap_reference);
  cfg->heap_reference = NULL;
}

const char *gctb_verify_name(gc_verify_mode v) {
  switch (v) {
  case GC_VERIFY_AFTER:
    return "after-gc";
  case GC_VERIFY_BEFORE_AND_AFTER:
    return "before-and-after-gc";
  default:
    return "none";
  }
}

void gctb_format_size(uint64_t bytes, char *buf, size_t len) {
  static const char units[] = "KMGT";
  double x = (double)bytes;
  int u = -1;
  while (u < 3 && x >= 1024.0) {
    x /= 1024.0;
    u++;
  }
  if (u < 0) {
    snprintf(buf, len, "%" PRIu64 "B", bytes);
    return;
  }
  /* One decimal, dropped when it is zero: "64M", "14.5M". */
  if (x - floor(x) < 0.05 || x - floor(x) > 0.95)
    snprintf(buf, len, "%.0f%c", x, units[u]);
  else
    snprintf(buf, len, "%.1f%c", x, units[u]);
}
