/* gcbench_tree.h — the node trees of GCBench (Ellis, Kovac, Boehm): building
 * them top-down and bottom-up, and walking them to check every node.
 *
 * A tree of depth d has levels 0..d and nodes(d) = 2^(d+1) - 1 nodes. Nodes
 * are numbered in heap order (root 0, children of i are 2i+1 and 2i+2), so a
 * node's identity is (tree salt, index) whichever way the tree was built.
 * The types shared by the driver and the per-family bodies. */
#ifndef GCTB_GCBENCH_TREE_H
#define GCTB_GCBENCH_TREE_H

#include "../heap/gctb.h"
#include <stdint.h>

#define GB_MAX_DEPTH 30 /* keeps node indices and payload halves in 32 bits */

/* Node payload words: left, right, and the two 32-bit ints of the original
 * packed into one data word. */
enum { GB_LEFT = 0, GB_RIGHT = 1, GB_INTS = 2 };

/* One thread's run of the benchmark. */
typedef struct gb_thread {
  gc_mutator *m;
  gc_type *node_type;
  unsigned id;
  uint64_t seed;
  uint64_t nodes_built, nodes_checked;
} gb_thread;

/* Identity of one tree: which phase built it, for which depth, which
 * iteration. Mixed with the seed and thread into the payload salt, so a
 * pointer into another tree (or a stale one) is caught. */
typedef struct gb_tree_id {
  const char *what; /* "stretch", "long-lived", "top-down", "bottom-up" */
  int depth;
  uint64_t iteration;
} gb_tree_id;

/* Building and checking trees is hot code, compiled once per policy family:
 * gcbench_tree_body.h. */

#endif
