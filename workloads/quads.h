/* quads.h — quads' configuration, node layout and run state: what the
 * driver (quads.c) and the per-family body (quads_body.h) share. */
#ifndef GCTB_QUADS_H
#define GCTB_QUADS_H

#include "common.h"

#define QD_MAX_DEPTH 15 /* node indices stay below 2^32 */

enum { QD_DATA = 4 }; /* payload: four children, then the data word */

extern gc_type qd_node_type;

typedef struct qd_config {
  int depth, garbage_depth;
  unsigned rounds;
  uint64_t garbage_bytes, check_every, seed;
} qd_config;

typedef struct qd_round {
  uint64_t trees, alloc_ns, check_ns;
} qd_round;

typedef struct qd_state {
  gc_mutator *m;
  const qd_config *c;
  wl_sum sum;
  uint64_t nodes_built, nodes_checked;
} qd_state;

typedef struct qd_run {
  qd_config c;
  qd_state s;
  qd_round *rounds;
  uint64_t build_ns;
} qd_run;

static inline uint64_t qd_nodes(int depth) {
  return ((1ull << (2 * (depth + 1))) - 1) / 3;
}

static inline uint64_t qd_tree_bytes(int depth, unsigned h) {
  return qd_nodes(depth) * gc_object_bytes(&qd_node_type, 0, h);
}

static inline uint64_t qd_salt(uint64_t seed, uint64_t round, uint64_t tree) {
  return wl_mix64(wl_mix64(seed ^ 0x71756164ull) ^ round << 32 ^ tree);
}

/* The whole run on one mutator (arg: the qd_run), per family. */
GC_INSTANCE_DECLARE(wl_thread_body, qd_thread);

#endif
