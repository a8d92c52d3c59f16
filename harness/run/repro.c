/* repro.c — re-running a recorded run (repro.h).
 *
 * A record's "config" is the effective config, every default spelt out, so
 * loading it again gives the same run: policy and options, workload and
 * parameters, seed, threads, stress, verify, pinning. Only the heap may be
 * given indirectly (a multiple of the live size or of a measured minimum
 * heap, which a cache may since have changed), so the heap becomes the
 * exact size the record says the run had. The build is compared field by
 * field: the same config under another commit or other flags may well not
 * reproduce. */
#define _GNU_SOURCE /* getline */
#include "harness/run/repro.h"
#include "harness/run/run.h"
#include "heap/util.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* "FILE:LINE" -> path (new string) and line; "FILE" -> line 0. */
static char *split_spec(const char *spec, long *line) {
  const char *colon = strrchr(spec, ':');
  char *end;
  *line = 0;
  if (colon && colon[1]) {
    long n = strtol(colon + 1, &end, 10);
    if (*end == 0 && n > 0) {
      *line = n;
      return strndup(spec, (size_t)(colon - spec));
    }
  }
  return strdup(spec);
}

/* Line `want` of path (1-based), or with want 0 the only non-empty line;
 * *which gets its number. NULL with a message. */
static char *read_line(const char *path, long want, long *which, char *err,
                       size_t errlen) {
  FILE *f = fopen(path, "r");
  if (!f) {
    gc_errorf(err, errlen, "--repro: %s: %s", path, strerror(errno));
    return NULL;
  }
  char *line = NULL, *found = NULL;
  size_t cap = 0;
  long n = 0, records = 0;
  while (getline(&line, &cap, f) > 0) {
    n++;
    if (want ? n != want : line[strspn(line, " \t\r\n")] == 0)
      continue;
    records++;
    if (!found) {
      found = strdup(line);
      *which = n;
    }
    if (want)
      break;
  }
  free(line);
  fclose(f);
  if (!found)
    gc_errorf(err, errlen,
              want ? "--repro: %s has no line %ld" : "--repro: %s is empty",
              path, want);
  else if (records > 1) {
    gc_errorf(err, errlen,
              "--repro: %s holds %ld lines (a results file has one record "
              "a line): say which, as %s:LINE",
              path, records, path);
    free(found);
    found = NULL;
  }
  return found;
}

/* Prints the build fields that differ; returns how many. */
static int compare_builds(const json_t *then, FILE *out) {
  json_t *now = gctb_build_json(), *v;
  const char *key;
  int differ = 0;
  json_object_foreach(now, key, v) {
    json_t *old = json_object_get(then, key);
    if (json_equal(old, v))
      continue;
    char *a = old ? json_dumps(old, JSON_ENCODE_ANY) : strdup("(absent)");
    char *b = json_dumps(v, JSON_ENCODE_ANY);
    fprintf(out, "repro: build differs: %s was %s, is %s\n", key, a, b);
    free(a);
    free(b);
    differ++;
  }
  json_decref(now);
  return differ;
}

static void describe(const char *path, long line, const json_t *rec,
                     FILE *out) {
  const char *status = json_string_value(json_object_get(rec, "status"));
  const char *error = json_string_value(json_object_get(rec, "error"));
  fprintf(out, "repro: %s:%ld, a run that ended %s%s%s\n", path, line,
          status ? status : "?", error ? ": " : "", error ? error : "");
  const json_t *build = json_object_get(rec, "build");
  if (!json_is_object(build))
    fprintf(out, "repro: the record does not say which build made it\n");
  else if (compare_builds(build, out) == 0)
    fprintf(out, "repro: same build (commit %s)\n",
            json_string_value(json_object_get(build, "commit")));
}

json_t *gctb_repro_config(const char *spec, FILE *out, char *err,
                          size_t errlen) {
  long want, line = 0;
  char *path = split_spec(spec, &want);
  char *text = path ? read_line(path, want, &line, err, errlen) : NULL;
  json_error_t jerr;
  /* Not inside json_is_object(): a macro, it would parse twice. */
  json_t *rec = text ? json_loads(text, 0, &jerr) : NULL, *config = NULL;
  if (text && !json_is_object(rec))
    gc_errorf(err, errlen, "--repro: %s:%ld: not a JSON record (%s)", path,
              line, rec ? "not an object" : jerr.text);
  else if (text && !json_is_object(json_object_get(rec, "config")))
    gc_errorf(err, errlen, "--repro: %s:%ld: the record has no \"config\"",
              path, line);
  else if (text) {
    config = json_deep_copy(json_object_get(rec, "config"));
    json_t *size = json_object_get(json_object_get(rec, "heap"), "size_bytes");
    if (json_is_integer(size) && json_integer_value(size) > 0)
      json_object_set_new(config, "heap", json_pack("{s:O}", "size", size));
    describe(path, line, rec, out);
  }
  json_decref(rec);
  free(text);
  free(path);
  return config;
}
