/* search.c — searching for the smallest heap in which a run completes
 * (minheap.h, docs/matrix.md).
 *
 * Time-space curves are usually drawn against multiples of the minimum heap
 * (Blackburn et al., "Myths and realities", SIGMETRICS 2004; the DaCapo
 * methodology): the declared live size says what the program keeps, the
 * minimum heap what a collector needs to keep it. Each probe is a child
 * `gctb run` at one heap size, like a matrix run, so a crash or a collector
 * thrashing near its limit cannot take the search down: a probe that runs
 * out of memory, is refused, crashes or times out counts as "does not fit".
 * A wrong value (exit 1) is a bug, not a size, and stops the search. */
#include "harness/matrix/matrix.h"
#include "harness/minheap/minheap.h"
#include "harness/run/run.h"
#include "heap/events.h"
#include "heap/util.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define GRANULE                                                                \
  (64u << 10) /* finer than this changes nothing (arena chunks)                \
               */

void gctb_minheap_opts_default(gctb_minheap_opts *o) {
  *o = (gctb_minheap_opts){
      .precision = 0.01, .timeout_s = 300, .max_multiple = 64};
}

static bool get_number(const json_t *obj, const char *key, double lo, double hi,
                       double *out, char *err, size_t errlen) {
  json_t *v = json_object_get(obj, key);
  if (!v)
    return true;
  if (!json_is_number(v) || !(json_number_value(v) > lo) ||
      json_number_value(v) > hi)
    return gc_errorf(err, errlen, "minheap.%s: expected a number in (%g, %g]",
                     key, lo, hi);
  *out = json_number_value(v);
  return true;
}

bool gctb_minheap_opts_parse(const json_t *obj, gctb_minheap_opts *o, char *err,
                             size_t errlen) {
  const char *key;
  json_t *v;
  if (!obj)
    return true;
  if (!json_is_object(obj))
    return gc_errorf(err, errlen, "minheap: expected an object");
  json_object_foreach((json_t *)obj, key, v) {
    if (strcmp(key, "precision") && strcmp(key, "timeout") &&
        strcmp(key, "max_multiple") && strcmp(key, "reference"))
      return gc_errorf(err, errlen,
                       "unknown key \"minheap.%s\" (known: precision, timeout, "
                       "max_multiple, reference)",
                       key);
  }
  o->reference = json_object_get(obj, "reference");
  return get_number(obj, "precision", 0, 1, &o->precision, err, errlen) &&
         get_number(obj, "timeout", 0, 1e7, &o->timeout_s, err, errlen) &&
         get_number(obj, "max_multiple", 1, 1e6, &o->max_multiple, err, errlen);
}

typedef struct search {
  json_t *config; /* the config probes start from (no heap, no checks) */
  const gctb_minheap_opts *o;
  json_t *probes;
  double best_s; /* fastest successful probe so far, 0 before any */
  char err[1024];
  bool broken; /* a probe found a wrong value: stop */
} search;

static double probe_timeout(const search *s) {
  if (s->best_s <= 0)
    return s->o->timeout_s;
  /* Near its limit a collector may run many times slower than with room
   * to spare; past that, call it "does not fit". */
  double t = fmax(5.0, 20.0 * s->best_s);
  return fmin(t, s->o->timeout_s);
}

static const char *probe_status(const gctb_child *c) {
  if (c->timed_out)
    return "timeout";
  if (c->signal)
    return "crash";
  switch (c->exit_code) {
  case GCTB_EXIT_OK:
    return "ok";
  case GCTB_EXIT_OOM:
    return "oom";
  case GCTB_EXIT_ERROR:
    return "error";
  default:
    return "invalid";
  }
}

/* Runs at heap bytes; true when the run completed. */
static bool probe(search *s, uint64_t bytes) {
  json_t *cfg = json_deep_copy(s->config);
  json_object_set_new(cfg, "heap",
                      json_pack("{s:I}", "size", (json_int_t)bytes));
  gctb_child c;
  double timeout = probe_timeout(s);
  bool started = gctb_child_run(cfg, "/dev/null", NULL, timeout, &c, s->err,
                                sizeof s->err);
  json_decref(cfg);
  const char *status = started ? probe_status(&c) : "error";
  json_array_append_new(s->probes,
                        json_pack("{s:I,s:s,s:I}", "heap_bytes",
                                  (json_int_t)bytes, "status", status,
                                  "elapsed_ns", (json_int_t)c.elapsed_ns));
  if (!s->o->quiet) {
    char size[32], d[32];
    gctb_format_size(bytes, size, sizeof size);
    gctb_format_duration(c.elapsed_ns, d, sizeof d);
    fprintf(stderr, "minheap:   %8s  %s (%s)\n", size, status, d);
  }
  if (started && strcmp(status, "error") == 0) {
    snprintf(s->err, sizeof s->err,
             "a probe at %llu bytes found a wrong value (a bug, not a heap "
             "size): %.900s",
             (unsigned long long)bytes, c.stderr_tail);
    s->broken = true;
  } else if (!started) {
    s->broken = true;
  }
  bool ok = started && strcmp(status, "ok") == 0;
  if (ok && (s->best_s <= 0 || c.elapsed_ns / 1e9 < s->best_s))
    s->best_s = (double)c.elapsed_ns / 1e9;
  return ok;
}

static uint64_t round_up(double x) {
  uint64_t b = (uint64_t)ceil(x);
  return (b + GRANULE - 1) / GRANULE * GRANULE;
}

/* Doubles from the live size until a run fits, then bisects: the smallest
 * size that fitted, to within precision x live. 0 when none fits below
 * max_multiple x live. Nothing below the live size is tried: a config
 * refuses a heap smaller than it. */
static uint64_t bisect(search *s, uint64_t live) {
  uint64_t hi = round_up((double)live), lo = hi;
  uint64_t limit = round_up(s->o->max_multiple * (double)live);
  while (!probe(s, hi)) {
    if (s->broken || hi >= limit)
      return 0;
    lo = hi;
    hi = hi * 2 < limit ? hi * 2 : limit;
  }
  if (lo == hi)
    return s->broken ? 0 : hi; /* fits at the live size: a floor */
  uint64_t tol = round_up(s->o->precision * (double)live);
  while (!s->broken && hi - lo > tol && hi - lo > GRANULE) {
    uint64_t mid = round_up((double)(lo + (hi - lo) / 2));
    if (mid >= hi)
      break;
    if (probe(s, mid))
      hi = mid;
    else
      lo = mid;
  }
  return s->broken ? 0 : hi;
}

void gctb_minheap_set_reference(json_t *config, const gctb_minheap_opts *o) {
  json_t *heap = json_object_get(config, "heap");
  if (o->reference && json_is_object(heap) &&
      !json_object_get(heap, "reference"))
    json_object_set(heap, "reference", o->reference);
}

json_t *gctb_minheap_probe_config(const json_t *root, gctb_config *cfg,
                                  char *err, size_t errlen) {
  json_t *c = json_deep_copy(root);
  json_t *ref = json_object_get(json_object_get(root, "heap"), "reference");
  json_object_set_new(
      c, "heap", json_pack("{s:f,s:O*}", "multiple", 1.0, "reference", ref));
  json_object_set_new(c, "verify", json_string("none"));
  json_object_del(c, "stress");
  if (!gctb_config_load_json(c, cfg, err, errlen)) {
    json_decref(c);
    return NULL;
  }
  return c;
}

static void now_iso(char *buf, size_t len) {
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Whether min is a floor the search cannot go below rather than a
 * measurement: the live size (nothing smaller is tried), or a size just
 * above one the policy refused outright (exit 2: "invalid") rather than
 * ran out of memory in. "live", "policy" or NULL. */
static const char *bound_kind(const search *s, uint64_t min, uint64_t live) {
  if (min <= round_up((double)live))
    return "live";
  uint64_t below = 0;
  const char *status = NULL;
  size_t i;
  json_t *p;
  json_array_foreach(s->probes, i, p) {
    uint64_t b = (uint64_t)json_integer_value(json_object_get(p, "heap_bytes"));
    if (b < min && b >= below) {
      below = b;
      status = json_string_value(json_object_get(p, "status"));
    }
  }
  return status && strcmp(status, "invalid") == 0 ? "policy" : NULL;
}

static json_t *store(const json_t *key, const search *s, uint64_t min,
                     uint64_t live, char *err, size_t errlen) {
  char when[32];
  const char *bound = bound_kind(s, min, live);
  now_iso(when, sizeof when);
  json_t *fields =
      json_pack("{s:I,s:I,s:f,s:f,s:b,s:s?,s:O,s:s}", "min_heap_bytes",
                (json_int_t)min, "live_bytes", (json_int_t)live,
                "min_multiple_of_live", (double)min / (double)live, "precision",
                s->o->precision, "bound", bound != NULL, "bound_kind", bound,
                "probes", s->probes, "measured_at", when);
  json_t *entry = json_deep_copy(key);
  json_object_update(entry, fields);
  bool ok = gctb_minheap_store(key, fields, err, errlen);
  json_decref(fields);
  if (!ok) {
    json_decref(entry);
    return NULL;
  }
  return entry;
}

static json_t *search_and_store(json_t *config, const json_t *key,
                                const gctb_config *cfg,
                                const gctb_minheap_opts *o, char *err,
                                size_t errlen) {
  search s = {.config = config, .o = o, .probes = json_array()};
  if (!o->quiet) {
    char live[32];
    gctb_format_size(cfg->live_bytes, live, sizeof live);
    fprintf(stderr, "minheap: %s on %s (live %s)...\n", cfg->policy->name,
            cfg->workload->name, live);
  }
  uint64_t min = bisect(&s, cfg->live_bytes);
  json_t *entry = NULL;
  if (!min && s.broken)
    gc_errorf(err, errlen, "minheap: %s", s.err);
  else if (!min)
    gc_errorf(err, errlen,
              "minheap: %s on %s does not complete in %g x its live size",
              cfg->policy->name, cfg->workload->name, o->max_multiple);
  else
    entry = store(key, &s, min, cfg->live_bytes, err, errlen);
  json_decref(s.probes);
  return entry;
}

/* A fresh cached entry for key, unless forced; a stale one is reported and
 * ignored. NULL: measure. */
json_t *gctb_minheap_cached(const json_t *key, const gctb_minheap_opts *o,
                            const char *what) {
  char why[512];
  json_t *entry = NULL;
  gctb_minheap_state st =
      o->force ? GCTB_MINHEAP_MISSING
               : gctb_minheap_lookup(key, &entry, why, sizeof why);
  if (st == GCTB_MINHEAP_FRESH)
    return entry;
  if (st == GCTB_MINHEAP_STALE && !o->quiet)
    fprintf(stderr,
            "minheap: the cached minimum heap of %s is stale (%s): measuring "
            "again\n",
            what, why);
  json_decref(entry);
  return NULL;
}

int gctb_minheap_find_entry(const json_t *root, const gctb_minheap_opts *o,
                            json_t **entry, char *err, size_t errlen) {
  gctb_config cfg;
  char what[256];
  json_t *config = gctb_minheap_probe_config(root, &cfg, err, errlen);
  if (!config)
    return GCTB_EXIT_USAGE;
  json_t *key = gctb_minheap_key(&cfg);
  snprintf(what, sizeof what, "%s on %s", cfg.policy->name, cfg.workload->name);
  *entry = gctb_minheap_cached(key, o, what);
  if (!*entry)
    *entry = search_and_store(config, key, &cfg, o, err, errlen);
  json_decref(key);
  json_decref(config);
  gctb_config_free(&cfg);
  return *entry ? GCTB_EXIT_OK : GCTB_EXIT_ERROR;
}

int gctb_minheap_find(const json_t *root, const gctb_minheap_opts *o,
                      uint64_t *bytes, char *err, size_t errlen) {
  json_t *entry;
  int rc = gctb_minheap_find_entry(root, o, &entry, err, errlen);
  if (rc == GCTB_EXIT_OK)
    *bytes =
        (uint64_t)json_integer_value(json_object_get(entry, "min_heap_bytes"));
  json_decref(entry);
  return rc;
}
