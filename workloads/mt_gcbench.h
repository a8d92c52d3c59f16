/* mt_gcbench.h — mt-gcbench's configuration and run state: what the driver
 * (mt_gcbench.c) and the per-family body (mt_gcbench_body.h) share. */
#ifndef GCTB_MT_GCBENCH_H
#define GCTB_MT_GCBENCH_H

#include "common.h"
#include "common_tree.h"

typedef struct mt_config {
  unsigned threads;
  int long_lived_depth, iterations_depth, min_depth, max_depth, depth_step;
  size_t array_size;
  bool holes;
  double hole_p;
  uint64_t hole_max, check_every, seed;
  unsigned ndepths;
} mt_config;

typedef struct mt_round {
  int depth;
  uint64_t iterations, top_down_ns, bottom_up_ns, check_ns;
} mt_round;

typedef struct mt_thread_result {
  wl_sum sum;
  uint64_t long_lived_ns, final_check_ns, total_ns;
  uint64_t nodes_built, nodes_checked, holes, hole_words;
  mt_round rounds[WL_TREE_MAX_DEPTH + 1];
} mt_thread_result;

typedef struct mt_run {
  mt_config c;
  mt_thread_result *res;
} mt_run;

extern gc_type mt_array_type;

static inline int mt_depth_at(const mt_config *c, unsigned i) {
  return c->min_depth + (int)i * c->depth_step;
}

/* One thread's share of the run (arg: the mt_run), per family. */
GC_INSTANCE_DECLARE(wl_thread_body, mt_thread);

#endif
