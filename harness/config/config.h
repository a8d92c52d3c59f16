/* config.h — loading and validating a run config (docs/config.md).
 *
 * A config is a JSON object; every key is checked (unknown keys are errors,
 * so a typo never silently runs the default), policy options and workload
 * parameters are validated against what the policy/workload declares, and
 * the heap must hold at least the workload's declared live size. Every error
 * message names the dotted key it is about. heap.min_multiple is resolved
 * through the minimum-heap cache (minheap.h).
 */
#ifndef GCTB_HARNESS_CONFIG_H
#define GCTB_HARNESS_CONFIG_H

#include "harness/run/pin.h"
#include "heap/heap.h"
#include "workloads/workload.h"
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct gctb_config {
  char *name; /* optional label (owned), NULL if none */
  const gc_policy *policy;
  gc_options policy_options;
  const gc_workload *workload;
  const char *workload_plugin; /* its shared object (plugins.c), or NULL */
  gc_options workload_params;
  uint64_t heap_bytes;      /* resolved heap size */
  double heap_multiple;     /* as given; 0 when heap.size was given */
  double heap_min_multiple; /* as given; 0 unless heap.min_multiple */
  uint64_t min_heap_bytes;  /* the reference minimum heap, 0 if unknown */
  json_t *heap_reference;   /* owned: the reference policies' names, sorted
                               (heap.reference, default every policy) */
  bool heap_reference_given;
  uint64_t live_bytes;    /* the workload's declared live size */
  unsigned gc_threads;    /* default 1 */
  uint64_t seed;          /* default 1 */
  gc_verify_mode verify;  /* default none */
  uint64_t stress_allocs; /* 0: off */
  uint64_t stress_bytes;  /* 0: off */
  size_t roots;           /* shadow-stack slots per mutator; default 65536 */
  uint64_t
      runqueue_sample_us; /* run-queue sampler period; default 1000, 0 off */
  gctb_pinning pinning;   /* default none */
  unsigned warmup_iterations;  /* iterations.warmup: discarded; default 0 */
  unsigned measure_iterations; /* iterations.measure: recorded; default 1 */
} gctb_config;

/* Validates root and fills cfg. On error writes a message naming the key
 * (without a "config error:" prefix) and returns false; cfg then needs no
 * freeing. */
bool gctb_config_load_json(const json_t *root, gctb_config *cfg, char *err,
                           size_t errlen);

/* Reads a JSON file ("-" is stdin). NULL with a message on a missing file or
 * invalid JSON. */
json_t *gctb_config_read_file(const char *path, char *err, size_t errlen);

/* Applies one "--set dotted.key=VALUE" override to root before validation.
 * VALUE is parsed as JSON, and taken as a string if it is not valid JSON.
 * Intermediate objects are created as needed. Setting heap.size removes
 * heap.multiple and vice versa, so a matrix can override either. */
bool gctb_config_set(json_t *root, const char *assignment, char *err,
                     size_t errlen);

/* The same with a JSON value (taken over, even on failure): what a matrix
 * axis sets. key "policy" replaces the whole policy object. */
bool gctb_config_set_value(json_t *root, const char *key, json_t *value,
                           char *err, size_t errlen);

/* The effective config, every default filled in; loading it again gives the
 * same run. */
json_t *gctb_config_to_json(const gctb_config *cfg);

void gctb_config_free(gctb_config *cfg);

const char *gctb_verify_name(gc_verify_mode v);

/* "64M", "14.5M", "512K", "100B": a short human-readable byte count. */
void gctb_format_size(uint64_t bytes, char *buf, size_t len);

#endif
