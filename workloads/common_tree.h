/* common_tree.h — GCBench-style binary trees for mt-gcbench and
 * binary-trees: built top-down (each child stored into its older parent) or
 * bottom-up (children first), optionally with garbage "holes" allocated
 * between the nodes, and walked to check every node.
 *
 * A node is a fixed layout of three payload words: left, right and a data
 * word (32 bytes with one header word, the node of GCBench and of the
 * multi-threaded GCBench other GC libraries ship). A tree of depth d has
 * levels 0..d and 2^(d+1) - 1 nodes, numbered in heap order (root 0,
 * children of i at 2i+1 and 2i+2) whichever way it was built; the data word
 * holds the index in its low 32 bits and hash bits of (tree salt, index) in
 * the high ones, so a node from another tree or position is caught.
 */
#ifndef GCTB_WORKLOADS_COMMON_TREE_H
#define GCTB_WORKLOADS_COMMON_TREE_H

#include "../heap/gctb.h"
#include "common.h"
#include <stdint.h>

#define WL_TREE_MAX_DEPTH 30

enum { WL_LEFT = 0, WL_RIGHT = 1, WL_DATA = 2 };

/* Builder state of one thread. */
typedef struct wl_tree {
  gc_mutator *m;
  const char *workload; /* for messages */
  unsigned thread;
  bool make_holes;          /* allocate holes */
  const wl_geometric *hole; /* a hole's size in words (holes on) */
  wl_rng *rng;              /* hole sizes (when holes are on) */
  wl_sum *sum;
  uint64_t nodes_built, nodes_checked, holes, hole_words;
  uint64_t stores; /* reference stores into nodes */
} wl_tree;

/* Identity of one tree, for its salt and for messages. */
typedef struct wl_tree_id {
  const char *what; /* "long-lived", "top-down", "stretch"... */
  int depth;
  uint64_t iteration;
} wl_tree_id;

/* Registers the node and hole types (call before threads start). */
bool wl_tree_types(void);
extern gc_type wl_node_type, wl_hole_type;
/* Bytes of a tree of depth d with hdr header words. */
uint64_t wl_tree_bytes(int depth, unsigned hdr_words);
static inline uint64_t wl_tree_nodes(int depth) { return (2ull << depth) - 1; }

uint64_t wl_tree_salt(const wl_tree *t, uint64_t seed, const wl_tree_id *id);

/* Node index's data word in the tree with this salt. */
static inline uint64_t wl_node_data(uint64_t salt, uint64_t index) {
  return (wl_mix64(salt + index) & 0xffffffff00000000ull) | index;
}

/* The builders and the walk, wl_tree_top_down, wl_tree_bottom_up and
 * wl_tree_check, are hot code: a workload body includes
 * common_tree_body.h, which defines them for its policy family. */

#endif
