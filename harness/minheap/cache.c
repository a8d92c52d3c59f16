/* cache.c — the file of measured minimum heaps (minheap.h).
 *
 * {"version": 2, "entries": [{"policy": {...}, "workload": {...},
 *  "gc_threads": 2, "build": {...}, "ncpus": 2, "min_heap_bytes": ...,
 *  "probes": [...], ...}, {"reference": ["bdw", ...], "workload": ...}]}
 * Entries match on the identity fields with json_equal, so option order and
 * whether a default was spelt out do not matter (the key holds effective
 * values); the build and CPU count then say whether the entry is fresh.
 * Writes go to a temporary file renamed over the cache, under an flock on a
 * side file, so a reader never sees half a file and two searches do not
 * drop each other's entries. */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include "harness/minheap/minheap.h"
#include "harness/record/results_dir.h"
#include "harness/run/run.h"
#include "heap/util.h"
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* What an entry is the minimum heap of, and what must be the same for it
 * to be used. */
static const char *const identity_fields[] = {"policy", "reference", "workload",
                                              "gc_threads", NULL};
static const char *const fresh_fields[] = {"build", "ncpus", NULL};
static char *cache_override;

/* Also exported, so that child runs (matrix, minheap probes) read the
 * same cache. */
void gctb_minheap_set_cache(const char *path) {
  free(cache_override);
  cache_override = path ? strdup(path) : NULL;
  if (path)
    setenv(GCTB_MINHEAP_ENV, path, 1);
}

const char *gctb_minheap_cache_path(void) {
  const char *env = getenv(GCTB_MINHEAP_ENV);
  if (cache_override)
    return cache_override;
  if (env && *env)
    return env;
  static char path[4200];
  snprintf(path, sizeof path, "%s/%s", gctb_results_dir(),
           GCTB_MINHEAP_DEFAULT);
  return path;
}

/* The CPUs this process may run on: concurrent collectors' minimum heaps
 * depend on how many threads really run at once. */
static int ncpus(void) {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0)
    return CPU_COUNT(&set);
  return (int)sysconf(_SC_NPROCESSORS_ONLN);
}

/* The workload, GC threads, build and CPU count: what every key holds. */
static json_t *common_key(const gctb_config *cfg) {
  json_t *key = json_pack(
      "{s:{s:s,s:o},s:i,s:o,s:i}", "workload", "name", cfg->workload->name,
      "params", gc_options_to_json(&cfg->workload_params), "gc_threads",
      (int)cfg->gc_threads, "build", gctb_build_key_json(), "ncpus", ncpus());
  if (cfg->workload_plugin) /* a plugin's name alone is not unique */
    json_object_set_new(json_object_get(key, "workload"), "plugin",
                        json_string(cfg->workload_plugin));
  return key;
}

json_t *gctb_minheap_key(const gctb_config *cfg) {
  json_t *k = common_key(cfg);
  json_object_set_new(k, "policy",
                      json_pack("{s:s,s:o}", "name", cfg->policy->name,
                                "options",
                                gc_options_to_json(&cfg->policy_options)));
  return k;
}

json_t *gctb_minheap_ref_key(const gctb_config *cfg) {
  json_t *k = common_key(cfg);
  json_object_set(k, "reference", cfg->heap_reference);
  return k;
}

/* json_equal, with two absent members equal. */
static bool same(const json_t *a, const json_t *b) {
  return (!a && !b) || json_equal(a, b);
}

static bool fields_match(const json_t *entry, const json_t *key,
                         const char *const *fields) {
  for (size_t i = 0; fields[i]; i++)
    if (!same(json_object_get(entry, fields[i]),
              json_object_get(key, fields[i])))
      return false;
  return true;
}

static bool matches(const json_t *entry, const json_t *key) {
  return fields_match(entry, key, identity_fields);
}

/* "commit 1a2b3c4d5e6f (clean) -> 7a8b9c0d1e2f (dirty)": the first fresh
 * field that differs, for people. */
static void describe_stale(const json_t *entry, const json_t *key, char *why,
                           size_t len) {
  const json_t *eb = json_object_get(entry, "build"),
               *kb = json_object_get(key, "build");
  const char *bk;
  json_t *v;
  if (!same(json_object_get(entry, "ncpus"), json_object_get(key, "ncpus"))) {
    snprintf(why, len, "measured on %lld CPUs, this process has %lld",
             (long long)json_integer_value(json_object_get(entry, "ncpus")),
             (long long)json_integer_value(json_object_get(key, "ncpus")));
    return;
  }
  snprintf(why, len, "measured by another build");
  json_object_foreach((json_t *)kb, bk, v) {
    json_t *old = json_object_get(eb, bk);
    if (same(old, v))
      continue;
    char *a = old ? json_dumps(old, JSON_ENCODE_ANY) : strdup("none");
    char *b = json_dumps(v, JSON_ENCODE_ANY);
    snprintf(why, len, "measured by another build (%s %s, this build %s)", bk,
             a ? a : "?", b ? b : "?");
    free(a);
    free(b);
    return;
  }
}

/* The cache's entries array (a new reference; empty when there is no file
 * or it cannot be read, which a later store then replaces). */
static json_t *load_entries(const char *path) {
  json_t *root = json_load_file(path, 0, NULL);
  json_t *entries = json_object_get(root, "entries");
  entries = json_is_array(entries) ? json_incref(entries) : json_array();
  json_decref(root);
  return entries;
}

gctb_minheap_state gctb_minheap_lookup(const json_t *key, json_t **entry,
                                       char *why, size_t whylen) {
  json_t *entries = load_entries(gctb_minheap_cache_path()), *e, *found = NULL;
  size_t i;
  json_array_foreach(entries, i, e) {
    if (matches(e, key))
      found = e;
  }
  gctb_minheap_state st = !found ? GCTB_MINHEAP_MISSING
                          : fields_match(found, key, fresh_fields)
                              ? GCTB_MINHEAP_FRESH
                              : GCTB_MINHEAP_STALE;
  if (st == GCTB_MINHEAP_STALE && why)
    describe_stale(found, key, why, whylen);
  *entry = found ? json_incref(found) : NULL;
  json_decref(entries);
  return st;
}

bool gctb_minheap_lookup_bytes(const json_t *key, uint64_t *bytes) {
  json_t *e;
  bool fresh = gctb_minheap_lookup(key, &e, NULL, 0) == GCTB_MINHEAP_FRESH;
  json_t *b = json_object_get(e, "min_heap_bytes");
  bool ok = fresh && json_is_integer(b) && json_integer_value(b) > 0;
  if (ok)
    *bytes = (uint64_t)json_integer_value(b);
  json_decref(e);
  return ok;
}

/* mkdir -p of path's directory (a nested --minheap-cache or results
 * directory); a failure shows when the file is written. */
static void make_parent(const char *path) {
  char *copy = strdup(path), err[512];
  if (!copy)
    return;
  const char *dir = dirname(copy);
  if (strcmp(dir, ".") != 0 && strcmp(dir, "/") != 0)
    gctb_mkdir_p(dir, err, sizeof err);
  free(copy);
}

static bool write_cache(const char *path, json_t *entries, char *err,
                        size_t errlen) {
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
  json_t *root = json_pack("{s:i,s:O}", "version", 2, "entries", entries);
  int rc = json_dump_file(root, tmp, JSON_INDENT(1) | JSON_SORT_KEYS);
  json_decref(root);
  if (rc != 0 || rename(tmp, path) != 0) {
    unlink(tmp);
    return gc_errorf(err, errlen, "cannot write %s: %s", path, strerror(errno));
  }
  return true;
}

bool gctb_minheap_store(const json_t *key, const json_t *fields, char *err,
                        size_t errlen) {
  const char *path = gctb_minheap_cache_path();
  char lock[4200];
  make_parent(path);
  snprintf(lock, sizeof lock, "%s.lock", path);
  int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0)
    return gc_errorf(err, errlen, "cannot open %s: %s", lock, strerror(errno));
  flock(fd, LOCK_EX);
  json_t *entries = load_entries(path), *kept = json_array(), *e;
  size_t i;
  json_array_foreach(entries, i, e) {
    if (!matches(e, key))
      json_array_append(kept, e);
  }
  e = json_deep_copy(key);
  json_object_update(e, (json_t *)fields);
  json_array_append_new(kept, e);
  bool ok = write_cache(path, kept, err, errlen);
  json_decref(entries);
  json_decref(kept);
  flock(fd, LOCK_UN);
  close(fd);
  return ok;
}
