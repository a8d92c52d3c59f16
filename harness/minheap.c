/* minheap.c — searching for the smallest heap in which a run completes
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
#include "minheap.h"
#include "heap/events.h"
#include "heap/util.h"
#include "matrix.h"
#include "run.h"
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
        strcmp(key, "max_multiple"))
      return gc_errorf(err, errlen,
                       "unknown key \"minheap.%s\" (known: precision, timeout, "
                       "max_multiple)",
                       key);
  }
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
 * max_multiple x live. */
static uint64_t bisect(search *s, uint64_t live) {
  uint64_t lo = 0, hi = round_up((double)live);
  uint64_t limit = round_up(s->o->max_multiple * (double)live);
  while (!probe(s, hi)) {
    if (s->broken || hi >= limit)
      return 0;
    lo = hi;
    hi = hi * 2 < limit ? hi * 2 : limit;
  }
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

/* The config as probes run it: no verifier or stress mode (they add time,
 * not space) and a placeholder heap so it validates. */
static json_t *probe_config(const json_t *root, gctb_config *cfg, char *err,
                            size_t errlen) {
  json_t *c = json_deep_copy(root);
  json_object_set_new(c, "heap", json_pack("{s:f}", "multiple", 1.0));
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

static bool store(const json_t *key, const search *s, uint64_t min,
                  uint64_t live, char *err, size_t errlen) {
  char when[32];
  now_iso(when, sizeof when);
  json_t *build = gctb_build_json();
  json_t *fields =
      json_pack("{s:I,s:I,s:f,s:f,s:O,s:O,s:s}", "min_heap_bytes",
                (json_int_t)min, "live_bytes", (json_int_t)live,
                "min_multiple_of_live", (double)min / (double)live, "precision",
                s->o->precision, "probes", s->probes, "commit",
                json_object_get(build, "commit"), "measured_at", when);
  bool ok = gctb_minheap_store(key, fields, err, errlen);
  json_decref(fields);
  json_decref(build);
  return ok;
}

static bool search_and_store(json_t *config, const json_t *key,
                             const gctb_config *cfg, const gctb_minheap_opts *o,
                             uint64_t *bytes, char *err, size_t errlen) {
  search s = {.config = config, .o = o, .probes = json_array()};
  if (!o->quiet) {
    char live[32];
    gctb_format_size(cfg->live_bytes, live, sizeof live);
    fprintf(stderr, "minheap: %s on %s (live %s)...\n", cfg->policy->name,
            cfg->workload->name, live);
  }
  uint64_t min = bisect(&s, cfg->live_bytes);
  bool ok = min > 0;
  if (!ok && s.broken)
    gc_errorf(err, errlen, "minheap: %s", s.err);
  else if (!ok)
    gc_errorf(err, errlen,
              "minheap: %s on %s does not complete in %g x its live size",
              cfg->policy->name, cfg->workload->name, o->max_multiple);
  ok = ok && store(key, &s, min, cfg->live_bytes, err, errlen);
  if (ok)
    *bytes = min;
  json_decref(s.probes);
  return ok;
}

int gctb_minheap_find(const json_t *root, const gctb_minheap_opts *o,
                      uint64_t *bytes, char *err, size_t errlen) {
  gctb_config cfg;
  json_t *config = probe_config(root, &cfg, err, errlen);
  if (!config)
    return GCTB_EXIT_USAGE;
  json_t *key = gctb_minheap_key(&cfg);
  bool ok = !o->force && gctb_minheap_lookup_bytes(key, bytes);
  if (!ok)
    ok = search_and_store(config, key, &cfg, o, bytes, err, errlen);
  json_decref(key);
  json_decref(config);
  gctb_config_free(&cfg);
  return ok ? GCTB_EXIT_OK : GCTB_EXIT_ERROR;
}
