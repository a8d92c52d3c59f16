/* minheap.h — the measured minimum heap of a policy on a workload: the
 * search (`gctb minheap`, minheap.c) and its cache (minheap_cache.c), which
 * `heap.min_multiple` in a config reads (docs/matrix.md, "Minimum heap").
 *
 * The cache is a JSON file, by default results/minheap.json under the
 * current directory (GCTB_MINHEAP_CACHE or --minheap-cache choose another).
 * An entry is keyed by what decides how much heap a run needs: the policy
 * with its effective options, the workload with its effective parameters,
 * and the GC thread count. The seed is not part of the key: the search runs
 * with the config's seed, and its result is taken as a property of the
 * policy and the workload.
 */
#ifndef GCTB_HARNESS_MINHEAP_H
#define GCTB_HARNESS_MINHEAP_H

#include "config.h"
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define GCTB_MINHEAP_ENV "GCTB_MINHEAP_CACHE"
#define GCTB_MINHEAP_DEFAULT "results/minheap.json"

/* The cache file: the path set here, else $GCTB_MINHEAP_CACHE, else the
 * default. */
void gctb_minheap_set_cache(const char *path);
const char *gctb_minheap_cache_path(void);

/* The cache key of a validated config. */
json_t *gctb_minheap_key(const gctb_config *cfg);

/* The cached entry for key (a new reference), or NULL. */
json_t *gctb_minheap_lookup(const json_t *key);
/* The entry's minimum heap in bytes; false when there is none. */
bool gctb_minheap_lookup_bytes(const json_t *key, uint64_t *bytes);
/* Adds or replaces the entry for key (fields merged over the key),
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
} gctb_minheap_opts;

void gctb_minheap_opts_default(gctb_minheap_opts *o);
/* Parses a matrix's "minheap" object over the defaults. */
bool gctb_minheap_opts_parse(const json_t *obj, gctb_minheap_opts *o, char *err,
                             size_t errlen);

/* Finds (or, unless forced, reads from the cache) the minimum heap for the
 * config root (any heap key is replaced). Probes run as child processes
 * (matrix_child.c). Returns an exit code (run.h): 0 with *bytes set and
 * cached; GCTB_EXIT_USAGE for a bad config; GCTB_EXIT_ERROR when the search
 * failed (nothing fits, or a probe found a wrong value). */
int gctb_minheap_find(const json_t *root, const gctb_minheap_opts *o,
                      uint64_t *bytes, char *err, size_t errlen);

/* `gctb minheap CONFIG.json [--set K=V]... [options]` */
int gctb_minheap_main(int argc, char **argv);

#endif
