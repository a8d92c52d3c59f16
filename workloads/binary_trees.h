/* binary_trees.h — binary-trees' configuration and run state: what the
 * driver (binary_trees.c) and the per-family body (binary_trees_body.h)
 * share. */
#ifndef GCTB_BINARY_TREES_H
#define GCTB_BINARY_TREES_H

#include "common.h"

typedef struct bt_config {
  int max_depth, min_depth;
  unsigned threads, ndepths;
  uint64_t seed;
} bt_config;

typedef struct bt_depth {
  int depth;
  unsigned thread;
  uint64_t iterations, nodes_checked, ns;
} bt_depth;

typedef struct bt_run {
  bt_config c;
  bt_depth *depths;
  wl_sum *sums;
  uint64_t stretch_ns, long_lived_ns, stretch_check, long_lived_check;
} bt_run;

static inline int bt_depth_at(const bt_config *c, unsigned i) {
  return c->min_depth + 2 * (int)i;
}

/* One thread's share of the run (arg: the bt_run), per family. */
GC_INSTANCE_DECLARE(wl_thread_body, bt_thread);

#endif
