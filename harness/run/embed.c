/* embed.c — the embedding API (embed.h): a `gctb run` whose workload is the
 * calling program. Config validation is config.c's, the run's start and
 * end are run.c's (gctb_run_start, gctb_run_finish), so a session's record
 * is a `gctb run` record. */
#include "harness/run/embed.h"
#include "harness/config/config.h"
#include "harness/config/plugins.h"
#include "harness/run/run.h"
#include "workloads/common.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct gctb_session {
  gctb_run run; /* heap->user points here: the session never moves */
  gctb_config cfg;
};

/* The program's declaration while a session is being opened and runs, for
 * config.c (gctb_embedded_workload_find). */
static const gc_workload *declared;

static uint64_t no_live_bytes(const gc_options *params, unsigned hdr_words) {
  return 0;
}

static const gc_workload anonymous = {
    .name = "embedded",
    .summary = "a program using gctb as a library (embed.h)",
    .live_bytes = no_live_bytes,
};

const gc_workload *gctb_embedded_workload_find(const char *name) {
  return declared && strcmp(declared->name, name) == 0 ? declared : NULL;
}

/* Validates root (taken over) as `gctb run` would, then starts the run. */
static gctb_session *open_root(json_t *root, const gctb_session_opts *opts,
                               char *err, size_t errlen) {
  static const gctb_session_opts defaults = {0};
  char msg[1024];
  opts = opts ? opts : &defaults;
  declared = opts->workload ? opts->workload : &anonymous;
  if (!gctb_workload_check(declared, true, "gctb_session_opts.workload", msg,
                           sizeof msg)) {
    snprintf(err, errlen, "config error: %s", msg);
    json_decref(root);
    return NULL;
  }
  /* The program is the workload: named for it unless the config says. */
  json_t *w = json_object_get(root, "workload");
  if (json_is_object(root) && !w)
    json_object_set_new(root, "workload", w = json_object());
  if (json_is_object(w) && !json_object_get(w, "name") &&
      !json_object_get(w, "plugin"))
    json_object_set_new(w, "name", json_string(declared->name));
  gctb_session *s = calloc(1, sizeof *s);
  if (!s) {
    snprintf(err, errlen, "gctb: out of C memory");
    json_decref(root);
    return NULL;
  }
  bool ok = gctb_config_load_json(root, &s->cfg, msg, sizeof msg);
  json_decref(root);
  if (!ok) {
    snprintf(err, errlen, "config error: %s", msg);
    free(s);
    return NULL;
  }
  gctb_run_opts ro = {.out_path = opts->out_path,
                      .quiet = !opts->summary,
                      .trace_path = opts->trace_path};
  if (gctb_run_start(&s->run, &s->cfg, &ro, err, errlen) != GCTB_EXIT_OK) {
    gctb_config_free(&s->cfg);
    free(s);
    return NULL;
  }
  return s;
}

gctb_session *gctb_session_open(const char *config_json,
                                const gctb_session_opts *opts, char *err,
                                size_t errlen) {
  json_error_t je;
  json_t *root = json_loads(config_json ? config_json : "", 0, &je);
  if (!root) {
    snprintf(err, errlen, "config error: <string>:%d:%d: invalid JSON: %s",
             je.line, je.column, je.text);
    return NULL;
  }
  return open_root(root, opts, err, errlen);
}

gctb_session *gctb_session_open_file(const char *path,
                                     const gctb_session_opts *opts, char *err,
                                     size_t errlen) {
  char msg[1024];
  json_t *root = gctb_config_read_file(path, msg, sizeof msg);
  if (!root) {
    snprintf(err, errlen, "config error: %s", msg);
    return NULL;
  }
  return open_root(root, opts, err, errlen);
}

gc_heap *gctb_session_heap(gctb_session *s) { return s->run.heap; }

const gc_options *gctb_session_params(gctb_session *s) {
  return &s->cfg.workload_params;
}

uint64_t gctb_session_seed(gctb_session *s) { return s->cfg.seed; }

void gctb_session_run_threads(gctb_session *s, unsigned n,
                              void (*fn)(gc_mutator *m, unsigned index,
                                         void *arg),
                              void *arg) {
  wl_run_threads(s->run.heap, n, fn, arg, s->cfg.workload->name);
}

void gctb_session_metric(gctb_session *s, const char *name, double value) {
  pthread_mutex_lock(&s->run.workload_lock);
  json_object_set_new(s->run.metrics, name, json_real(value));
  pthread_mutex_unlock(&s->run.workload_lock);
}

int gctb_session_finish(gctb_session *s, char **record_json) {
  json_t *record = gctb_run_finish(&s->run);
  int rc = s->run.res.record_path[0] ? 0 : 1;
  if (record_json) {
    *record_json = json_dumps(record, JSON_COMPACT | JSON_REAL_PRECISION(10));
    if (!*record_json)
      rc = 1;
  }
  json_decref(record);
  gctb_config_free(&s->cfg);
  free(s);
  declared = NULL;
  return rc;
}
