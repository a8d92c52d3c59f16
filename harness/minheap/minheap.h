/* minheap.h — the measured minimum heap of a workload: the search (`gctb
 * minheap`, minheap/search.c), the reference minimum over a set of policies
 * (minheap/reference.c), the cache both use (minheap/cache.c) and what a record
 * says about its heap (heap_axis.c). docs/matrix.md, "Minimum heap".
 *
 * heap.min_multiple is a multiple of the *reference* minimum: the smallest
 * minimum heap of the reference policies (heap.reference, default: every
 * policy) on the workload, so that "2x min heap" is the same number of
 * bytes for every policy. Each policy's own minimum is cached too.
 *
 * The cache is a JSON file, by default minheap.json in the results
 * directory (harness/record/results_dir.h; GCTB_MINHEAP_CACHE or
 * --minheap-cache choose another file).
 * An entry is identified by what decides how much heap a run needs: the
 * policy with its effective options (or, for a reference entry, the list of
 * reference policies), the workload with its effective parameters and the
 * GC thread count. It is *fresh* only for the build that measured it (the
 * commit, dirty flag and diff hash, build type and options: build.c) on as
 * many CPUs: an entry from another build or CPU count is stale, is never
 * used, and is replaced when measured again. The seed is not part of the
 * key: the search runs with the config's seed, and its result is taken as
 * a property of the policy and the workload.
 */
#ifndef GCTB_HARNESS_MINHEAP_H
#define GCTB_HARNESS_MINHEAP_H

#include "harness/config/config.h"
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define GCTB_MINHEAP_ENV "GCTB_MINHEAP_CACHE"
#define GCTB_MINHEAP_DEFAULT "minheap.json" /* in the results directory */

/* The cache file: the path set here, else $GCTB_MINHEAP_CACHE, else the
 * default. */
void gctb_minheap_set_cache(const char *path);
const char *gctb_minheap_cache_path(void);

/* The cache key of a validated config: its policy's own minimum. */
json_t *gctb_minheap_key(const gctb_config *cfg);
/* The key of the reference minimum of cfg's workload over
 * cfg->heap_reference. */
json_t *gctb_minheap_ref_key(const gctb_config *cfg);

typedef enum gctb_minheap_state {
  GCTB_MINHEAP_MISSING, /* nothing cached for this policy and workload */
  GCTB_MINHEAP_FRESH,   /* measured by this build on as many CPUs */
  GCTB_MINHEAP_STALE    /* measured, but by another build or CPU count */
} gctb_minheap_state;

/* The cached entry for key: *entry gets a new reference (NULL when
 * missing); for a stale entry why says what differs ("commit 1a2b... ->
 * 3c4d..."). */
gctb_minheap_state gctb_minheap_lookup(const json_t *key, json_t **entry,
                                       char *why, size_t whylen);
/* A fresh entry's minimum heap in bytes; false when there is none. */
bool gctb_minheap_lookup_bytes(const json_t *key, uint64_t *bytes);
/* Adds the entry for key (fields merged over the key), replacing any entry
 * for the same policy (or reference) and workload, stale ones included;
 * atomically and under a lock so concurrent searches do not lose entries. */
bool gctb_minheap_store(const json_t *key, const json_t *fields, char *err,
                        size_t errlen);

/* Search settings (matrix "minheap" object, `gctb minheap` flags). */
typedef struct gctb_minheap_opts {
  double precision;    /* stop when the bracket is within this x live; 0.01 */
  double timeout_s;    /* per probe before any success; 300 */
  double max_multiple; /* give up above this x live; 64 */
  bool force;          /* measure even when cached */
  bool quiet;
  json_t *reference; /* minheap.reference: heap.reference for the cells
                        (borrowed from the matrix), NULL: theirs */
} gctb_minheap_opts;

void gctb_minheap_opts_default(gctb_minheap_opts *o);
/* Parses a matrix's "minheap" object over the defaults. */
bool gctb_minheap_opts_parse(const json_t *obj, gctb_minheap_opts *o, char *err,
                             size_t errlen);

/* Sets config's heap.reference to o->reference (minheap.reference) unless
 * it has its own. A bad list is reported when the config is validated. */
void gctb_minheap_set_reference(json_t *config, const gctb_minheap_opts *o);

/* Finds (or, unless forced, reads from the cache) the minimum heap of the
 * config root's policy (any heap key is replaced). Probes run as child
 * processes (matrix/child.c). Returns an exit code (run.h): 0 with *entry
 * (a new reference: min_heap_bytes, bound, probes...) set and cached;
 * GCTB_EXIT_USAGE for a bad config; GCTB_EXIT_ERROR when the search failed
 * (nothing fits, or a probe found a wrong value). A stale cached entry is
 * measured again (and says so unless quiet). */
int gctb_minheap_find_entry(const json_t *root, const gctb_minheap_opts *o,
                            json_t **entry, char *err, size_t errlen);
/* A fresh cached entry for key (a new reference) unless o->force; a stale
 * one is reported (what: "segfit on gcbench") and ignored. NULL: measure. */
json_t *gctb_minheap_cached(const json_t *key, const gctb_minheap_opts *o,
                            const char *what);
/* The same, for the bytes alone. */
int gctb_minheap_find(const json_t *root, const gctb_minheap_opts *o,
                      uint64_t *bytes, char *err, size_t errlen);
/* The reference minimum (minheap/reference.c): every reference policy's own
 * minimum (found as above, with the policy's default options), the smallest
 * of those that complete, cached under gctb_minheap_ref_key. Same returns;
 * GCTB_EXIT_ERROR when no reference policy completes. */
int gctb_minheap_find_reference(const json_t *root, const gctb_minheap_opts *o,
                                uint64_t *bytes, char *err, size_t errlen);

/* The validated config as searches run it: no verifier or stress (they
 * add time, not space) and a placeholder heap. NULL with a message. */
json_t *gctb_minheap_probe_config(const json_t *root, gctb_config *cfg,
                                  char *err, size_t errlen);

/* heap_axis.c: the record's "heap" object for cfg: size, live size and
 * multiples, the reference minimum and the policy's own minimum (fresh
 * cache entries only) with where they came from. Built before the run. */
json_t *gctb_heap_axis_json(const gctb_config *cfg);

/* `gctb minheap CONFIG.json [--set K=V]... [options]` */
int gctb_minheap_main(int argc, char **argv);

#endif
