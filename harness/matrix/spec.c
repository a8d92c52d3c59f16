/* spec.c — the matrix file (matrix.h, docs/matrix.md): checking it,
 * its cells, the order runs go in, and the id that ties records to it. */
#include "harness/matrix/matrix.h"
#include "heap/util.h"
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MATRIX_MAX_RUNS 10000000u

static const char *const matrix_keys[] = {
    "name",    "base",          "axes",    "invocations", "seed", "order",
    "timeout", "minheap_cache", "minheap", "cost",        NULL};

static bool check_keys(const json_t *root, char *err, size_t errlen) {
  const char *key;
  json_t *v;
  json_object_foreach((json_t *)root, key, v) {
    bool known = false;
    for (size_t i = 0; matrix_keys[i] && !known; i++)
      known = strcmp(key, matrix_keys[i]) == 0;
    if (!known)
      return gc_errorf(err, errlen,
                       "unknown matrix key \"%s\" (known: name, base, axes, "
                       "invocations, seed, order, timeout, minheap_cache, "
                       "minheap, cost)",
                       key);
  }
  return true;
}

static bool parse_axes(const json_t *axes, gctb_matrix *m, char *err,
                       size_t errlen) {
  const char *key;
  json_t *v;
  if (axes && !json_is_object(axes))
    return gc_errorf(err, errlen,
                     "axes: expected an object of \"dotted.key\": "
                     "[values]");
  m->axes = calloc(json_object_size(axes) + 1, sizeof *m->axes);
  m->ncells = 1;
  json_object_foreach((json_t *)axes, key, v) {
    if (!json_is_array(v) || json_array_size(v) == 0)
      return gc_errorf(err, errlen,
                       "axes.%s: expected a non-empty array of values", key);
    if (!*key || key[0] == '.' || key[strlen(key) - 1] == '.' ||
        strstr(key, ".."))
      return gc_errorf(err, errlen, "axes: \"%s\" is not a dotted config key",
                       key);
    m->axes[m->naxes++] = (gctb_axis){.key = key, .values = v};
    if (m->ncells > MATRIX_MAX_RUNS / json_array_size(v))
      return gc_errorf(err, errlen, "axes: more than %u cells",
                       MATRIX_MAX_RUNS);
    m->ncells *= json_array_size(v);
  }
  return true;
}

static bool get_int(const json_t *root, const char *key, int64_t min,
                    int64_t max, int64_t *out, char *err, size_t errlen) {
  json_t *v = json_object_get(root, key);
  if (!v)
    return true;
  if (!json_is_integer(v) || json_integer_value(v) < min ||
      json_integer_value(v) > max)
    return gc_errorf(err, errlen,
                     "%s: expected an integer in [%" PRId64 ", %" PRId64 "]",
                     key, min, max);
  *out = json_integer_value(v);
  return true;
}

static bool parse_order(const json_t *v, gctb_matrix *m, char *err,
                        size_t errlen) {
  static const char *const names[] = {"rounds", "shuffle", "fixed"};
  if (!v)
    return true;
  for (int i = 0; i < 3; i++)
    if (json_is_string(v) && strcmp(json_string_value(v), names[i]) == 0) {
      m->order = (gctb_order)i;
      return true;
    }
  return gc_errorf(err, errlen,
                   "order: expected \"rounds\", \"shuffle\" or \"fixed\"");
}

static bool parse_scalars(const json_t *root, gctb_matrix *m, char *err,
                          size_t errlen) {
  int64_t inv = 1, seed = 1;
  json_t *name = json_object_get(root, "name");
  json_t *timeout = json_object_get(root, "timeout");
  json_t *cache = json_object_get(root, "minheap_cache");
  if (name && !json_is_string(name))
    return gc_errorf(err, errlen, "name: expected a string");
  if (cache && !json_is_string(cache))
    return gc_errorf(err, errlen, "minheap_cache: expected a file name");
  if (timeout &&
      (!json_is_number(timeout) || !(json_number_value(timeout) > 0)))
    return gc_errorf(err, errlen, "timeout: expected seconds (a number > 0)");
  if (!get_int(root, "invocations", 1, 100000, &inv, err, errlen) ||
      !get_int(root, "seed", 0, INT64_MAX, &seed, err, errlen) ||
      !parse_order(json_object_get(root, "order"), m, err, errlen))
    return false;
  m->name = name ? json_string_value(name) : "matrix";
  m->minheap_cache = cache ? json_string_value(cache) : NULL;
  m->timeout_s = timeout ? json_number_value(timeout) : 600.0;
  m->invocations = (unsigned)inv;
  m->seed = (uint64_t)seed;
  if (m->ncells * m->invocations > MATRIX_MAX_RUNS)
    return gc_errorf(err, errlen, "more than %u runs", MATRIX_MAX_RUNS);
  return true;
}

/* FNV-1a: the id only has to tell matrices apart, not resist anyone. */
static uint64_t fnv1a(const char *s, uint64_t h) {
  for (; *s; s++)
    h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
  return h;
}

/* The id covers what defines the cells: the base (keys sorted, so
 * reformatting the file does not matter) and the axes in order (their
 * order numbers the cells). Invocations, seed and timeout are left out:
 * resuming with more invocations adds runs to the same cells. */
static void make_id(gctb_matrix *m) {
  json_t *axes = json_array();
  for (size_t i = 0; i < m->naxes; i++)
    json_array_append_new(
        axes, json_pack("[s,O]", m->axes[i].key, m->axes[i].values));
  char *b = json_dumps(m->base, JSON_COMPACT | JSON_SORT_KEYS);
  char *a = json_dumps(axes, JSON_COMPACT | JSON_SORT_KEYS);
  uint64_t h = fnv1a(a, fnv1a(b, 0xcbf29ce484222325ull));
  snprintf(m->id, sizeof m->id, "%016" PRIx64, h);
  free(b);
  free(a);
  json_decref(axes);
}

bool gctb_matrix_parse(json_t *root, gctb_matrix *m, char *err, size_t errlen) {
  memset(m, 0, sizeof *m);
  m->root = json_incref(root);
  gctb_minheap_opts_default(&m->minheap);
  if (!json_is_object(root)) {
    gctb_matrix_free(m);
    return gc_errorf(err, errlen, "a matrix must be a JSON object");
  }
  m->base = json_object_get(root, "base");
  bool ok = check_keys(root, err, errlen);
  if (ok && !json_is_object(m->base))
    ok = gc_errorf(err, errlen, "base: expected a run config (an object)");
  ok = ok && parse_axes(json_object_get(root, "axes"), m, err, errlen) &&
       parse_scalars(root, m, err, errlen) &&
       gctb_minheap_opts_parse(json_object_get(root, "minheap"), &m->minheap,
                               err, errlen) &&
       gctb_matrix_cost_check(m->cost = json_object_get(root, "cost"), err,
                              errlen);
  if (!ok) {
    gctb_matrix_free(m);
    return false;
  }
  make_id(m);
  return true;
}

void gctb_matrix_free(gctb_matrix *m) {
  free(m->axes);
  json_decref(m->root);
  memset(m, 0, sizeof *m);
}

/* Axis i's value index in cell c: the last axis varies fastest. */
static size_t value_index(const gctb_matrix *m, size_t c, size_t i) {
  for (size_t j = m->naxes; j-- > i + 1;)
    c /= json_array_size(m->axes[j].values);
  return c % json_array_size(m->axes[i].values);
}

json_t *gctb_matrix_cell_values(const gctb_matrix *m, size_t c) {
  json_t *o = json_object();
  for (size_t i = 0; i < m->naxes; i++)
    json_object_set(o, m->axes[i].key,
                    json_array_get(m->axes[i].values, value_index(m, c, i)));
  return o;
}

json_t *gctb_matrix_cell_config(const gctb_matrix *m, size_t c, char *err,
                                size_t errlen) {
  json_t *cfg = json_deep_copy(m->base);
  for (size_t i = 0; i < m->naxes; i++) {
    json_t *v = json_array_get(m->axes[i].values, value_index(m, c, i));
    if (!gctb_config_set_value(cfg, m->axes[i].key, json_deep_copy(v), err,
                               errlen)) {
      json_decref(cfg);
      return NULL;
    }
  }
  return cfg;
}

/* splitmix64 (Steele, Lea, Flood 2014): a seeded, portable sequence, so
 * the same seed gives the same order on every machine. */
uint64_t gctb_splitmix64(uint64_t *s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static void shuffle(gctb_run_ref *r, size_t n, uint64_t *state) {
  for (size_t i = n; i > 1; i--) {
    size_t j = (size_t)(gctb_splitmix64(state) % i); /* Fisher-Yates */
    gctb_run_ref t = r[i - 1];
    r[i - 1] = r[j];
    r[j] = t;
  }
}

gctb_run_ref *gctb_matrix_order(const gctb_matrix *m, size_t *n) {
  size_t total = m->ncells * m->invocations, k = 0;
  gctb_run_ref *r = calloc(total ? total : 1, sizeof *r);
  uint64_t state = m->seed;
  if (!r)
    return NULL;
  if (m->order == GCTB_ORDER_FIXED) {
    for (size_t c = 0; c < m->ncells; c++)
      for (unsigned i = 0; i < m->invocations; i++)
        r[k++] = (gctb_run_ref){c, i};
  } else {
    for (unsigned i = 0; i < m->invocations; i++) {
      for (size_t c = 0; c < m->ncells; c++)
        r[k++] = (gctb_run_ref){c, i};
      if (m->order == GCTB_ORDER_ROUNDS)
        shuffle(r + k - m->ncells, m->ncells, &state);
    }
    if (m->order == GCTB_ORDER_SHUFFLE)
      shuffle(r, total, &state);
  }
  *n = total;
  return r;
}

void gctb_matrix_run_key(const gctb_matrix *m, gctb_run_ref r, char *buf,
                         size_t len) {
  snprintf(buf, len, "%s/%zu/%u", m->id, r.cell, r.invocation);
}

bool gctb_matrix_parse_run_key(const gctb_matrix *m, const char *key,
                               gctb_run_ref *r) {
  size_t cell;
  unsigned inv;
  int end = 0;
  size_t idlen = strlen(m->id);
  if (!key || strncmp(key, m->id, idlen) != 0 || key[idlen] != '/' ||
      sscanf(key + idlen + 1, "%zu/%u%n", &cell, &inv, &end) != 2 ||
      key[idlen + 1 + end] != 0 || cell >= m->ncells || inv >= m->invocations)
    return false;
  *r = (gctb_run_ref){cell, inv};
  return true;
}

json_t *gctb_matrix_tag(const gctb_matrix *m, gctb_run_ref r) {
  char key[64];
  gctb_matrix_run_key(m, r, key, sizeof key);
  return json_pack("{s:s,s:s,s:I,s:i,s:s,s:o}", "id", m->id, "name", m->name,
                   "cell", (json_int_t)r.cell, "invocation", (int)r.invocation,
                   "run_key", key, "values",
                   gctb_matrix_cell_values(m, r.cell));
}
