/* heap_axis.c — the record's "heap" object: where a run sits on the x axes
 * of time-space curves (minheap.h, docs/results-format.md).
 *
 * Built before the run (cache lookups stay out of the measurement). Only a
 * fresh cache entry is used: a minimum measured by another build says
 * nothing reliable about this one. With the minimum comes where it came
 * from (when, which build, over which policies) and whether it is a bound
 * (a floor the search cannot go below) rather than a measurement. */
#include "harness/minheap/minheap.h"
#include "harness/run/run.h"

/* The parts of a cache entry a record keeps as its minimum's provenance. */
static json_t *provenance(const json_t *entry) {
  static const char *const keep[] = {
      "measured_at", "build",     "ncpus",      "reference",       "policy",
      "per_policy",  "precision", "bound_kind", "smallest_policy", NULL};
  json_t *p = json_object();
  for (size_t i = 0; keep[i]; i++) {
    json_t *v = json_object_get(entry, keep[i]);
    if (v)
      json_object_set(p, keep[i], v);
  }
  return p;
}

/* Sets <prefix>min_heap_bytes, <prefix>min_multiple, <prefix>min_heap_is_bound
 * and <prefix>min_heap_provenance from the fresh entry for key, if any. */
static void add_min(json_t *o, const char *prefix, const json_t *key,
                    uint64_t heap_bytes) {
  char name[64];
  json_t *entry = NULL;
  if (gctb_minheap_lookup(key, &entry, NULL, 0) != GCTB_MINHEAP_FRESH) {
    json_decref(entry);
    return;
  }
  json_int_t min = json_integer_value(json_object_get(entry, "min_heap_bytes"));
  if (min > 0) {
    snprintf(name, sizeof name, "%smin_heap_bytes", prefix);
    json_object_set_new(o, name, json_integer(min));
    snprintf(name, sizeof name, "%smin_multiple", prefix);
    json_object_set_new(o, name, json_real((double)heap_bytes / (double)min));
    snprintf(name, sizeof name, "%smin_heap_is_bound", prefix);
    json_object_set_new(
        o, name, json_boolean(json_is_true(json_object_get(entry, "bound"))));
    snprintf(name, sizeof name, "%smin_heap_provenance", prefix);
    json_object_set_new(o, name, provenance(entry));
  }
  json_decref(entry);
}

json_t *gctb_heap_axis_json(const gctb_config *cfg) {
  double multiple =
      cfg->live_bytes ? (double)cfg->heap_bytes / (double)cfg->live_bytes : 0.0;
  json_t *o = json_pack("{s:I,s:I,s:f}", "size_bytes",
                        (json_int_t)cfg->heap_bytes, "live_declared_bytes",
                        (json_int_t)cfg->live_bytes, "multiple", multiple);
  json_t *ref = gctb_minheap_ref_key(cfg), *own = gctb_minheap_key(cfg);
  add_min(o, "", ref, cfg->heap_bytes);
  add_min(o, "policy_", own, cfg->heap_bytes);
  json_decref(ref);
  json_decref(own);
  return o;
}
