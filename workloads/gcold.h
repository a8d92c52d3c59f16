/* gcold.h — GCOld's configuration, trees and steps. */
#ifndef GCTB_GCOLD_H
#define GCTB_GCOLD_H

#include "common.h"
#include <jansson.h>

#define GO_MAX_HEIGHT 20 /* node indices below 2^21 fit the data word */

typedef struct go_config {
  int tree_height;
  size_t ntrees;
  double work, ratio;
  uint64_t mutations, steps, step_bytes, young_words, check_every, seed;
} go_config;

go_config go_config_from(const gc_options *params, uint64_t seed);

typedef struct go_stats {
  uint64_t young_ns, work_ns, promote_ns, mutate_ns, check_ns, max_step_ns;
  uint64_t max_step_start; /* gc_now_ns() when the longest step began */
  /* the longest step's time on a CPU and waiting for one (0: unknown) */
  uint64_t max_step_cpu_ns, max_step_wait_ns;
  uint64_t young_objects, trees_built, trees_replaced, swaps, nodes_checked;
  uint64_t work_result;
  uint64_t *step_ns; /* each step's time, for the median (NULL: none) */
  /* Steps are of two kinds: most only mutate, every ratio-th or so also
   * builds a tree to replace an old one, several times the work. Each
   * step's kind (true: it replaced a tree), and the longest step's. */
  bool *step_replaced, max_step_replaced;
} go_stats;

typedef struct go_run {
  go_config c;
  uint64_t t_start; /* the workload's start (gc_workload_ctx) */
  go_stats st;
  wl_sum sum;
} go_run;

enum { GO_LEFT = 0, GO_RIGHT = 1, GO_DATA = 2 };
enum { GO_KIND_NODE = 1, GO_KIND_YOUNG = 2 };

extern gc_type go_node_type, go_array_type, go_young_type;
bool go_types(void);
uint64_t go_tree_bytes(int height, unsigned hdr_words);
uint64_t go_array_bytes(size_t ntrees, unsigned hdr_words);
uint64_t go_young_bytes(uint64_t words, unsigned hdr_words);

/* A thread's CPU time and its time waiting for a CPU (gcold.c). */
typedef struct go_sched {
  uint64_t cpu_ns, wait_ns;
} go_sched;
go_sched go_sched_now(int schedstat_fd);

/* The whole benchmark on one mutator (arg: the go_run), per family. */
GC_INSTANCE_DECLARE(wl_thread_body, go_thread);
void go_metrics(json_t *out, const go_run *run, uint64_t wall_ns);

#endif
