/* gcbench_run.h — one mutator thread's run of GCBench and its metrics: what
 * the driver (gcbench.c, gcbench_metrics.c) and the per-family bodies
 * (gcbench_body.h) share. */
#ifndef GCTB_GCBENCH_RUN_H
#define GCTB_GCBENCH_RUN_H

#include "../heap/gctb.h"
#include "../heap/options.h"
#include "gcbench_tree.h"
#include "instance.h"
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef struct gb_config {
  int stretch_depth, long_lived_depth, min_depth, max_depth, depth_step;
  size_t array_size;
  unsigned threads;
  unsigned ndepths; /* rounds of short-lived trees */
  uint64_t check_every;
  uint64_t seed;
} gb_config;

gb_config gb_config_from(const gc_options *params, uint64_t seed);

/* Depth of round i (0 <= i < ndepths). */
static inline int gb_depth_at(const gb_config *c, unsigned i) {
  return c->min_depth + (int)i * c->depth_step;
}

typedef struct gb_round {
  int depth;
  uint64_t iterations;
  uint64_t top_down_ns, bottom_up_ns, check_ns;
} gb_round;

typedef struct gb_result {
  uint64_t stretch_ns, long_lived_ns, final_check_ns, total_ns;
  uint64_t nodes_built, nodes_checked;
  gb_round *rounds; /* ndepths of them */
} gb_result;

/* One result per thread, zeroed; NULL if out of memory. */
gb_result *gb_results_new(const gb_config *c);
void gb_results_free(const gb_config *c, gb_result *r);

/* The node and array types (gcbench.c), registered by each thread. */
extern gc_type gb_node_type, gb_array_type;

/* Runs the whole benchmark on mutator m as thread id: gb_run_thread_<family>
 * for each family, compiled from gcbench_body.h. */
typedef void gb_run_fn(gc_mutator *m, const gb_config *c, unsigned id,
                       gb_result *out);
GC_INSTANCE_DECLARE(gb_run_fn, gb_run_thread);

/* Adds the metrics of all threads to obj (wall_ns: the run's wall time). */
void gb_metrics(json_t *obj, const gb_config *c, const gb_result *r,
                uint64_t wall_ns);

#endif
