/* shard.c — `gctb matrix --shard K/N` (matrix.h, docs/cluster.md):
 * the runs of a matrix split into N disjoint parts of about equal expected
 * cost.
 *
 * The partition must come out the same in every task of a job array, on
 * any machine, at any time: it depends on the matrix file and N only (not
 * on caches, results or the clock), and uses no floating-point operation
 * whose result could differ between machines (sums and products of the
 * same doubles in the same order). Each run's expected cost is the product
 * of the weights the matrix's "cost" object gives its cell (1 without one).
 * Runs are dealt longest first, each to the shard with the least cost so
 * far (Graham's LPT rule, within 4/3 of the best split); among runs of
 * equal cost the order is a seeded shuffle, so that equal-cost runs of one
 * axis value do not all land in one shard when N divides an axis length. */
#include "harness/matrix/matrix.h"
#include "heap/util.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool gctb_shard_parse(const char *text, gctb_shard *s, char *err,
                      size_t errlen) {
  char *end;
  const char *p = text;
  unsigned long k = 0, n = 0;
  bool ok = text && *p >= '0' && *p <= '9';
  if (ok) {
    errno = 0;
    k = strtoul(p, &end, 10);
    ok = !errno && *end == '/' && end[1] >= '0' && end[1] <= '9';
  }
  if (ok) {
    n = strtoul(end + 1, &end, 10);
    ok = !errno && *end == 0;
  }
  if (!ok)
    return gc_errorf(err, errlen,
                     "--shard \"%s\": expected K/N (shard K of N, e.g. 2/8)",
                     text ? text : "");
  if (n < 1 || n > GCTB_SHARDS_MAX)
    return gc_errorf(err, errlen, "--shard %s: N must be 1 to %u", text,
                     GCTB_SHARDS_MAX);
  if (k < 1 || k > n)
    return gc_errorf(err, errlen,
                     "--shard %s: K must be 1 to %lu (shards count from 1)",
                     text, n);
  s->k = (unsigned)k;
  s->n = (unsigned)n;
  return true;
}

bool gctb_matrix_cost_check(const json_t *cost, char *err, size_t errlen) {
  const char *key, *vkey;
  json_t *table, *w;
  if (!cost)
    return true;
  if (!json_is_object(cost))
    return gc_errorf(err, errlen,
                     "cost: expected an object of \"dotted.key\": {\"value\": "
                     "weight, ...} or \"value\"");
  json_object_foreach((json_t *)cost, key, table) {
    if (json_is_string(table) && strcmp(json_string_value(table), "value") == 0)
      continue;
    if (!json_is_object(table))
      return gc_errorf(err, errlen,
                       "cost.%s: expected {\"value\": weight, ..., \"*\": "
                       "weight} or \"value\"",
                       key);
    json_object_foreach(table, vkey, w) {
      if (!json_is_number(w) || !(json_number_value(w) > 0))
        return gc_errorf(err, errlen,
                         "cost.%s.%s: expected a weight (a number > 0)", key,
                         vkey);
    }
  }
  return true;
}

/* The value at a dotted key of config, or NULL. */
static json_t *dotted_get(json_t *config, const char *key) {
  char part[256];
  while (config && *key) {
    size_t n = strcspn(key, ".");
    snprintf(part, sizeof part, "%.*s", (int)n, key);
    config = json_object_get(config, part);
    key += n + (key[n] == '.');
  }
  return config;
}

/* A value as a cost table's key: strings as they are, numbers as %g. */
static void value_key(const json_t *v, char *buf, size_t len) {
  if (json_is_string(v)) {
    snprintf(buf, len, "%s", json_string_value(v));
  } else if (json_is_number(v)) {
    snprintf(buf, len, "%g", json_number_value(v));
  } else {
    char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
    snprintf(buf, len, "%s", text ? text : "");
    free(text);
  }
}

/* One key's weight for a cell config; 0 (message set) on an error. */
static double weight(const char *key, json_t *table, json_t *config,
                     size_t cell, bool *seen, char *err, size_t errlen) {
  json_t *v = dotted_get(config, key), *w;
  char vk[512];
  *seen |= v != NULL;
  if (json_is_string(table)) { /* "value": the number itself */
    if (!v)
      return 1;
    if (!json_is_number(v) || !(json_number_value(v) > 0)) {
      gc_errorf(err, errlen,
                "cost.%s is \"value\", but cell %zu's %s is not a number > 0",
                key, cell, key);
      return 0;
    }
    return json_number_value(v);
  }
  if (!v)
    w = json_object_get(table, "*");
  else {
    value_key(v, vk, sizeof vk);
    w = json_object_get(table, vk);
    w = w ? w : json_object_get(table, "*");
  }
  return w ? json_number_value(w) : 1;
}

/* Every cell's expected cost; false with a message. */
static bool cell_costs(const gctb_matrix *m, double *cost, char *err,
                       size_t errlen) {
  size_t nkeys = json_object_size(m->cost);
  bool *seen = calloc(nkeys + 1, sizeof *seen), ok = true;
  for (size_t c = 0; c < m->ncells && ok; c++) {
    json_t *config = gctb_matrix_cell_config(m, c, err, errlen), *table;
    const char *key;
    size_t i = 0;
    cost[c] = 1;
    ok = config != NULL;
    json_object_foreach(m->cost, key, table) {
      if (!ok)
        break;
      double w = weight(key, table, config, c, &seen[i++], err, errlen);
      ok = w > 0;
      cost[c] *= w;
    }
    json_decref(config);
  }
  const char *key;
  json_t *table;
  size_t i = 0;
  json_object_foreach(m->cost, key, table) {
    if (ok && !seen[i])
      ok = gc_errorf(err, errlen,
                     "cost.%s: no cell's config has this key (a typo?)", key);
    i++;
  }
  free(seen);
  return ok;
}

/* ---- the partition ---- */

typedef struct pending_run {
  double cost;
  size_t pos; /* in the seeded shuffle: breaks ties */
  size_t run; /* cell * invocations + invocation */
} pending_run;

static int by_cost_then_pos(const void *a, const void *b) {
  const pending_run *x = a, *y = b;
  if (x->cost != y->cost)
    return x->cost > y->cost ? -1 : 1;
  return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* A min-heap of shards by (load, number): the least-loaded shard on top,
 * the lowest-numbered among equals, so equal costs are dealt round-robin. */
typedef struct shard_heap {
  double *load;
  unsigned *h; /* shard numbers 0..n-1 */
  unsigned n;
} shard_heap;

static bool heap_less(const shard_heap *s, unsigned a, unsigned b) {
  return s->load[a] < s->load[b] || (s->load[a] == s->load[b] && a < b);
}

static void heap_sift_down(shard_heap *s, unsigned i) {
  for (;;) {
    unsigned l = 2 * i + 1, r = l + 1, m = i;
    if (l < s->n && heap_less(s, s->h[l], s->h[m]))
      m = l;
    if (r < s->n && heap_less(s, s->h[r], s->h[m]))
      m = r;
    if (m == i)
      return;
    unsigned t = s->h[i];
    s->h[i] = s->h[m];
    s->h[m] = t;
    i = m;
  }
}

unsigned *gctb_matrix_partition(const gctb_matrix *m, unsigned n, char *err,
                                size_t errlen) {
  size_t nruns = m->ncells * m->invocations;
  double *cost = calloc(m->ncells ? m->ncells : 1, sizeof *cost);
  pending_run *runs = calloc(nruns ? nruns : 1, sizeof *runs);
  unsigned *shard = calloc(nruns ? nruns : 1, sizeof *shard);
  shard_heap heap = {.load = calloc(n, sizeof(double)),
                     .h = calloc(n, sizeof(unsigned)),
                     .n = n};
  bool ok = cost && runs && shard && heap.load && heap.h &&
            cell_costs(m, cost, err, errlen);
  if (ok) {
    /* The shuffle's seed is the matrix's, mixed so that it is not the
     * execution order's sequence. */
    uint64_t state = m->seed ^ 0x5348415244ull;
    for (size_t r = 0; r < nruns; r++)
      runs[r] = (pending_run){cost[r / m->invocations], 0, r};
    for (size_t i = nruns; i > 1; i--) { /* Fisher-Yates */
      size_t j = (size_t)(gctb_splitmix64(&state) % i);
      pending_run t = runs[i - 1];
      runs[i - 1] = runs[j];
      runs[j] = t;
    }
    for (size_t i = 0; i < nruns; i++)
      runs[i].pos = i;
    qsort(runs, nruns, sizeof *runs, by_cost_then_pos);
    for (unsigned i = 0; i < n; i++)
      heap.h[i] = i;
    for (size_t i = 0; i < nruns; i++) {
      unsigned top = heap.h[0];
      shard[runs[i].run] = top + 1;
      heap.load[top] += runs[i].cost;
      heap_sift_down(&heap, 0);
    }
  }
  free(cost);
  free(runs);
  free(heap.load);
  free(heap.h);
  if (!ok) {
    free(shard);
    return NULL;
  }
  return shard;
}
