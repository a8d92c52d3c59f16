/* reference.c — the reference minimum heap of a workload: the smallest of
 * the reference policies' own minimum heaps (minheap.h, docs/matrix.md).
 *
 * heap.min_multiple used to multiply each policy's own minimum, so "2x min
 * heap" gave a semispace collector about twice the bytes it gave segfit and
 * the curves of different policies did not share an x axis. The reference
 * minimum is a property of the workload configuration, measured once over a
 * set of policies (heap.reference; by default every policy, each with its
 * default options) and cached; a policy that does not complete the workload
 * within the search's limit is left out and named. */
#include "harness/minheap/minheap.h"
#include "harness/run/run.h"
#include "heap/util.h"
#include <stdio.h>
#include <string.h>
#include <time.h>

typedef struct ref_result {
  json_t *per_policy; /* name -> {min_heap_bytes, bound...} or {error} */
  const char *best;   /* the policy with the smallest minimum */
  uint64_t min;
  bool bound;
  const char *bound_kind;
} ref_result;

/* One reference policy's own minimum, with its default options. */
static void measure_one(const json_t *root, const char *name,
                        const gctb_minheap_opts *o, ref_result *r) {
  char err[2048];
  json_t *c = json_deep_copy(root), *entry = NULL;
  json_object_set_new(c, "policy", json_pack("{s:s}", "name", name));
  int rc = gctb_minheap_find_entry(c, o, &entry, err, sizeof err);
  json_decref(c);
  if (rc != GCTB_EXIT_OK) {
    json_object_set_new(r->per_policy, name, json_pack("{s:s}", "error", err));
    if (!o->quiet)
      fprintf(stderr, "minheap: %s left out of the reference: %s\n", name, err);
    return;
  }
  uint64_t b =
      (uint64_t)json_integer_value(json_object_get(entry, "min_heap_bytes"));
  json_t *bk = json_object_get(entry, "bound_kind");
  bool bound = json_is_true(json_object_get(entry, "bound"));
  json_object_set_new(r->per_policy, name,
                      json_pack("{s:I,s:b,s:O?,s:O?}", "min_heap_bytes",
                                (json_int_t)b, "bound", bound, "bound_kind",
                                json_is_string(bk) ? bk : NULL, "measured_at",
                                json_object_get(entry, "measured_at")));
  /* Ties: the reference is a bound if any policy reaching it is one. */
  if (!r->best || b < r->min || (b == r->min && bound && !r->bound)) {
    r->best = name;
    r->min = b;
    r->bound = bound;
    /* a literal: entry (and its strings) goes away below */
    r->bound_kind =
        !bound ? NULL
        : json_is_string(bk) && strcmp(json_string_value(bk), "live") == 0
            ? "live"
            : "policy";
  }
  json_decref(entry);
}

static void print_reference(const gctb_config *cfg, const ref_result *r) {
  char size[32];
  gctb_format_size(r->min, size, sizeof size);
  fprintf(stderr, "minheap: reference minimum heap for %s: %s (%s)%s%s\n",
          cfg->workload->name, size, r->best,
          r->bound ? "; a BOUND, not a measurement: " : "",
          !r->bound ? ""
          : strcmp(r->bound_kind, "live") == 0
              ? "it completes at the declared live size"
              : "the policy refuses any smaller heap");
}

static bool store_reference(const json_t *key, const gctb_config *cfg,
                            const ref_result *r, const gctb_minheap_opts *o,
                            char *err, size_t errlen) {
  char when[32];
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
  json_t *fields =
      json_pack("{s:I,s:s,s:b,s:s?,s:I,s:f,s:O,s:s}", "min_heap_bytes",
                (json_int_t)r->min, "smallest_policy", r->best, "bound",
                r->bound, "bound_kind", r->bound_kind, "live_bytes",
                (json_int_t)cfg->live_bytes, "precision", o->precision,
                "per_policy", r->per_policy, "measured_at", when);
  bool ok = gctb_minheap_store(key, fields, err, errlen);
  json_decref(fields);
  return ok;
}

int gctb_minheap_find_reference(const json_t *root, const gctb_minheap_opts *o,
                                uint64_t *bytes, char *err, size_t errlen) {
  gctb_config cfg;
  char what[256];
  json_t *config = gctb_minheap_probe_config(root, &cfg, err, errlen);
  if (!config)
    return GCTB_EXIT_USAGE;
  json_t *key = gctb_minheap_ref_key(&cfg), *name;
  snprintf(what, sizeof what, "the reference policies on %s",
           cfg.workload->name);
  json_t *entry = gctb_minheap_cached(key, o, what);
  if (!entry) {
    ref_result r = {.per_policy = json_object()};
    size_t i;
    json_array_foreach(cfg.heap_reference, i, name) {
      measure_one(config, json_string_value(name), o, &r);
    }
    if (!r.best)
      gc_errorf(err, errlen,
                "minheap: no reference policy completes %s (each one's "
                "reason is above)",
                cfg.workload->name);
    else if (store_reference(key, &cfg, &r, o, err, errlen))
      entry = json_pack("{s:I}", "min_heap_bytes", (json_int_t)r.min);
    if (r.best && !o->quiet)
      print_reference(&cfg, &r);
    json_decref(r.per_policy);
  }
  if (entry)
    *bytes =
        (uint64_t)json_integer_value(json_object_get(entry, "min_heap_bytes"));
  json_decref(entry);
  json_decref(key);
  json_decref(config);
  gctb_config_free(&cfg);
  return entry ? GCTB_EXIT_OK : GCTB_EXIT_ERROR;
}
