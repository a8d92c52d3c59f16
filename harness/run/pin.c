/* pin.c — placing mutator and GC threads on CPUs (pin.h).
 *
 * Placement follows the OpenMP vocabulary (OMP_PROC_BIND close/spread):
 * "compact" packs threads onto neighbouring PUs, so two threads may share a
 * core's caches; "scatter" spreads them so each gets its own package, then
 * its own core, before any hyperthread sibling is used. The threads pin
 * themselves as they start (heap/pin.h hook), which is the only moment the
 * harness sees GC threads and workload-created mutators. */
#include "harness/run/pin.h"
#include "heap/pin.h"
#include "heap/util.h"
#include <hwloc.h>
#include <stdlib.h>
#include <string.h>

#define PIN_LOG_MAX 4096

typedef struct pin_entry {
  int kind; /* gc_thread_kind */
  unsigned index;
  int pu; /* OS index, or -1 on failure */
} pin_entry;

static struct {
  hwloc_topology_t topo;
  gctb_pinning spec;
  unsigned order[2][GCTB_PIN_LIST_MAX]; /* by gc_thread_kind */
  size_t norder[2];
  size_t npus;
  pin_entry log[PIN_LOG_MAX];
  size_t nlog; /* atomic: entries claimed */
} pin;

static const char *mode_name(gctb_pin_mode m) {
  static const char *const names[] = {"none", "compact", "scatter", "list"};
  return names[m];
}

/* ---- the config key ---- */

static bool parse_list(const json_t *v, const char *key, gctb_pin_spec *s,
                       char *err, size_t errlen) {
  size_t i;
  json_t *x;
  if (json_array_size(v) == 0 || json_array_size(v) > GCTB_PIN_LIST_MAX)
    return gc_errorf(err, errlen, "%s: a PU list needs 1 to %d entries", key,
                     GCTB_PIN_LIST_MAX);
  json_array_foreach(v, i, x) {
    if (!json_is_integer(x) || json_integer_value(x) < 0 ||
        json_integer_value(x) > 1 << 20)
      return gc_errorf(err, errlen,
                       "%s[%zu]: expected a PU number (an integer >= 0)", key,
                       i);
    s->list[i] = (unsigned)json_integer_value(x);
  }
  s->nlist = json_array_size(v);
  s->mode = GCTB_PIN_LIST;
  return true;
}

static bool parse_spec(const json_t *v, const char *key, gctb_pin_spec *s,
                       char *err, size_t errlen) {
  memset(s, 0, sizeof *s);
  if (!v)
    return true;
  if (json_is_array(v))
    return parse_list(v, key, s, err, errlen);
  if (json_is_string(v))
    for (int m = GCTB_PIN_NONE; m < GCTB_PIN_LIST; m++)
      if (strcmp(json_string_value(v), mode_name(m)) == 0) {
        s->mode = m;
        return true;
      }
  return gc_errorf(err, errlen,
                   "%s: expected \"none\", \"compact\", \"scatter\" or a list "
                   "of PU numbers such as [0, 2]",
                   key);
}

bool gctb_pin_parse(const json_t *obj, gctb_pinning *out, char *err,
                    size_t errlen) {
  memset(out, 0, sizeof *out);
  if (!obj)
    return true;
  if (!json_is_object(obj))
    return gc_errorf(err, errlen,
                     "pinning: expected an object such as "
                     "{\"mutators\": \"compact\", \"gc\": "
                     "\"scatter\"}");
  const char *key;
  json_t *v;
  json_object_foreach((json_t *)obj, key, v) {
    if (strcmp(key, "mutators") != 0 && strcmp(key, "gc") != 0)
      return gc_errorf(err, errlen,
                       "unknown key \"pinning.%s\" (known: mutators, gc)", key);
  }
  return parse_spec(json_object_get(obj, "mutators"), "pinning.mutators",
                    &out->mutators, err, errlen) &&
         parse_spec(json_object_get(obj, "gc"), "pinning.gc", &out->gc, err,
                    errlen);
}

static json_t *spec_json(const gctb_pin_spec *s) {
  if (s->mode != GCTB_PIN_LIST)
    return json_string(mode_name(s->mode));
  json_t *a = json_array();
  for (size_t i = 0; i < s->nlist; i++)
    json_array_append_new(a, json_integer(s->list[i]));
  return a;
}

json_t *gctb_pin_to_json(const gctb_pinning *p) {
  return json_pack("{s:o,s:o}", "mutators", spec_json(&p->mutators), "gc",
                   spec_json(&p->gc));
}

/* ---- placement orders ---- */

typedef struct pu_key {
  unsigned os, in_core, core_in_pkg, pkg, logical;
} pu_key;

/* Rank of obj among objects of its type inside ancestor (0 if none). */
static unsigned rank_inside(hwloc_topology_t t, hwloc_obj_t anc,
                            hwloc_obj_type_t type, hwloc_obj_t obj) {
  if (!anc || !obj)
    return 0;
  hwloc_obj_t first =
      hwloc_get_next_obj_inside_cpuset_by_type(t, anc->cpuset, type, NULL);
  return first ? obj->logical_index - first->logical_index : 0;
}

static pu_key key_of(hwloc_topology_t t, hwloc_obj_t pu) {
  hwloc_obj_t core = hwloc_get_ancestor_obj_by_type(t, HWLOC_OBJ_CORE, pu);
  hwloc_obj_t pkg = hwloc_get_ancestor_obj_by_type(t, HWLOC_OBJ_PACKAGE, pu);
  return (pu_key){.os = pu->os_index,
                  .in_core = rank_inside(t, core, HWLOC_OBJ_PU, pu),
                  .core_in_pkg = rank_inside(t, pkg, HWLOC_OBJ_CORE, core),
                  .pkg = pkg ? pkg->logical_index : 0,
                  .logical = pu->logical_index};
}

/* Scatter: first one PU of every core of every package, packages
 * alternating, then the second hyperthread of each core, and so on. */
static int cmp_scatter(const void *a, const void *b) {
  const pu_key *x = a, *y = b;
  if (x->in_core != y->in_core)
    return x->in_core < y->in_core ? -1 : 1;
  if (x->core_in_pkg != y->core_in_pkg)
    return x->core_in_pkg < y->core_in_pkg ? -1 : 1;
  if (x->pkg != y->pkg)
    return x->pkg < y->pkg ? -1 : 1;
  return (x->logical > y->logical) - (x->logical < y->logical);
}

static size_t order_in(hwloc_topology_t t, gctb_pin_mode m, unsigned *out,
                       size_t max) {
  int n = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PU);
  if (n <= 0)
    return 0;
  pu_key *keys = calloc((size_t)n, sizeof *keys);
  if (!keys)
    return 0;
  for (int i = 0; i < n; i++)
    keys[i] = key_of(t, hwloc_get_obj_by_type(t, HWLOC_OBJ_PU, (unsigned)i));
  if (m == GCTB_PIN_SCATTER)
    qsort(keys, (size_t)n, sizeof *keys, cmp_scatter);
  size_t k = (size_t)n < max ? (size_t)n : max;
  for (size_t i = 0; i < k; i++)
    out[i] = keys[i].os;
  free(keys);
  return k;
}

size_t gctb_pin_order(gctb_pin_mode m, unsigned *out, size_t max) {
  hwloc_topology_t t;
  if (hwloc_topology_init(&t) != 0)
    return 0;
  size_t n = hwloc_topology_load(t) == 0 ? order_in(t, m, out, max) : 0;
  hwloc_topology_destroy(t);
  return n;
}

/* ---- applying ---- */

static void log_entry(gc_thread_kind kind, unsigned index, int pu) {
  size_t i = __atomic_fetch_add(&pin.nlog, 1, __ATOMIC_RELAXED);
  if (i < PIN_LOG_MAX)
    pin.log[i] = (pin_entry){.kind = kind, .index = index, .pu = pu};
}

static bool bind_self(unsigned os) {
  hwloc_bitmap_t set = hwloc_bitmap_alloc();
  if (!set)
    return false;
  hwloc_bitmap_only(set, os);
  bool ok = hwloc_set_cpubind(pin.topo, set, HWLOC_CPUBIND_THREAD) == 0;
  hwloc_bitmap_free(set);
  return ok;
}

static void on_thread(gc_thread_kind kind, unsigned index, void *ctx) {
  size_t n = pin.norder[kind];
  if (n == 0)
    return; /* "none" */
  unsigned os = pin.order[kind][index % n];
  log_entry(kind, index, bind_self(os) ? (int)os : -1);
}

static bool check_list(const gctb_pin_spec *s, const char *key, char *err,
                       size_t errlen) {
  hwloc_const_bitmap_t allowed = hwloc_topology_get_allowed_cpuset(pin.topo);
  for (size_t i = 0; s->mode == GCTB_PIN_LIST && i < s->nlist; i++)
    if (!hwloc_get_pu_obj_by_os_index(pin.topo, s->list[i]) ||
        !hwloc_bitmap_isset(allowed, s->list[i]))
      return gc_errorf(err, errlen,
                       "%s: PU %u is not available to this process (%zu PUs "
                       "available)",
                       key, s->list[i], pin.npus);
  return true;
}

static void make_order(const gctb_pin_spec *s, gc_thread_kind kind) {
  if (s->mode == GCTB_PIN_LIST) {
    memcpy(pin.order[kind], s->list, s->nlist * sizeof s->list[0]);
    pin.norder[kind] = s->nlist;
  } else if (s->mode != GCTB_PIN_NONE) {
    pin.norder[kind] =
        order_in(pin.topo, s->mode, pin.order[kind], GCTB_PIN_LIST_MAX);
  }
}

bool gctb_pin_start(const gctb_pinning *p, char *err, size_t errlen) {
  gctb_pin_stop();
  pin.spec = *p;
  if (hwloc_topology_init(&pin.topo) != 0 ||
      hwloc_topology_load(pin.topo) != 0) {
    if (pin.topo)
      hwloc_topology_destroy(pin.topo);
    pin.topo = NULL;
    if (p->mutators.mode == GCTB_PIN_NONE && p->gc.mode == GCTB_PIN_NONE)
      return true;
    return gc_errorf(err, errlen, "pinning: cannot load the hwloc topology");
  }
  pin.npus = (size_t)hwloc_get_nbobjs_by_type(pin.topo, HWLOC_OBJ_PU);
  if (!check_list(&p->mutators, "pinning.mutators", err, errlen) ||
      !check_list(&p->gc, "pinning.gc", err, errlen)) {
    gctb_pin_stop();
    return false;
  }
  make_order(&p->mutators, GC_THREAD_MUTATOR);
  make_order(&p->gc, GC_THREAD_GC);
  gc_set_thread_hook(on_thread, NULL);
  return true;
}

json_t *gctb_pin_applied_json(void) {
  json_t *o = gctb_pin_to_json(&pin.spec), *threads = json_array();
  size_t n = __atomic_load_n(&pin.nlog, __ATOMIC_ACQUIRE);
  for (size_t i = 0; i < n && i < PIN_LOG_MAX; i++) {
    const pin_entry *e = &pin.log[i];
    json_t *t = json_pack("{s:s,s:i}", "kind",
                          e->kind == GC_THREAD_GC ? "gc" : "mutator", "index",
                          (int)e->index);
    if (e->pu >= 0)
      json_object_set_new(t, "pu", json_integer(e->pu));
    else
      json_object_set_new(t, "error", json_string("hwloc_set_cpubind failed"));
    json_array_append_new(threads, t);
  }
  json_object_set_new(o, "pus_available", json_integer((json_int_t)pin.npus));
  json_object_set_new(o, "threads", threads);
  if (n > PIN_LOG_MAX)
    json_object_set_new(o, "threads_not_listed",
                        json_integer((json_int_t)(n - PIN_LOG_MAX)));
  return o;
}

void gctb_pin_stop(void) {
  gc_set_thread_hook(NULL, NULL);
  if (pin.topo)
    hwloc_topology_destroy(pin.topo);
  memset(&pin, 0, sizeof pin);
}
