/* common_tree_body.h — building and checking binary trees, with holes: hot
 * code, compiled into each workload body that includes it with that body's
 * policy family (workloads/instance.h), as static functions.
 *
 * Every reference that must survive an allocation sits in a shadow-stack
 * slot and is re-read from it afterwards (a moving collector rewrites slots,
 * not C locals). The check walk uses the shadow stack as its DFS stack so
 * that it can poll a safepoint at every node. */
#ifndef GCTB_WORKLOADS_COMMON_TREE_BODY_H
#define GCTB_WORKLOADS_COMMON_TREE_BODY_H

/* The three entry points: static, and unused in some bodies. */
#define WL_TREE_FN static __attribute__((unused))
#include "common_tree.h"

enum { WL_KIND_HOLE = 2, WL_KIND_TOP_DOWN = 4, WL_KIND_BOTTOM_UP = 5 };

/* The work summary (common.h) of tree building. A tree's nodes, holes and
 * links are counted as they happen, in the wl_tree's counters, and enter
 * the summary once per tree (wl_tree_summed), with the tree's salt, kind
 * and counts folded into the hash; each hole's size, the one random
 * choice, is folded as it is drawn. The builders fix the order of a tree's
 * nodes and links, so folding each one added 31 instructions per node (a
 * third of building it) and no information. */
typedef struct wl_tree_mark {
  uint64_t nodes, holes, hole_words, stores;
} wl_tree_mark;

static wl_tree_mark wl_tree_mark_now(const wl_tree *t) {
  return (wl_tree_mark){t->nodes_built, t->holes, t->hole_words, t->stores};
}

static void wl_tree_summed(wl_tree *t, const wl_tree_mark *before,
                           uint64_t kind, uint64_t salt) {
  wl_sum *s = t->sum;
  uint64_t nodes = t->nodes_built - before->nodes;
  uint64_t stores = t->stores - before->stores;
  s->allocs += nodes + t->holes - before->holes;
  s->words += 3 * nodes + t->hole_words - before->hole_words;
  s->stores += stores;
  wl_sum_fold(s, salt);
  wl_sum_fold(s, kind << 40 ^ nodes);
  wl_sum_fold(s, stores);
}

/* A garbage object of k words, k geometric (k = 0: nothing). Inlined, as
 * wl_node is, to save the call. */
static inline __attribute__((always_inline)) void wl_hole(wl_tree *t) {
  if (!t->make_holes)
    return;
  uint64_t k = wl_rng_geometric(t->rng, t->hole);
  if (k == 0)
    return;
  gc_alloc(t->m, &wl_hole_type, k);
  wl_sum_fold(t->sum, (uint64_t)WL_KIND_HOLE << 40 ^ k);
  t->holes++;
  t->hole_words += k;
}

/* Inlined: as a call (GCC's choice) its register saves and restores cost 15
 * instructions per node. */
static inline __attribute__((always_inline)) gc_ref
wl_node(wl_tree *t, uint64_t salt, uint64_t index) {
  gc_ref n = gc_alloc(t->m, &wl_node_type, 0);
  gc_write_word(t->m, n, WL_DATA, wl_corrupt(wl_node_data(salt, index)));
  t->nodes_built++;
  return n;
}

static inline __attribute__((always_inline)) void
wl_link(wl_tree *t, gc_ref parent, unsigned field, gc_ref child) {
  gc_write_ref(t->m, parent, field, child);
  t->stores++;
}

static void wl_top_down_at(wl_tree *t, gc_local slot, int depth, uint64_t index,
                           uint64_t salt) {
  if (depth <= 0)
    return;
  gc_mutator *m = t->m;
  gc_safepoint(m);
  for (unsigned f = WL_LEFT; f <= WL_RIGHT; f++) {
    wl_hole(t);
    gc_ref c = wl_node(t, salt, 2 * index + 1 + f);
    wl_link(t, gc_local_get(m, slot), f, c);
  }
  gc_local child =
      gc_local_push(m, gc_read_ref(m, gc_local_get(m, slot), WL_LEFT));
  wl_top_down_at(t, child, depth - 1, 2 * index + 1, salt);
  gc_local_set(m, child, gc_read_ref(m, gc_local_get(m, slot), WL_RIGHT));
  wl_top_down_at(t, child, depth - 1, 2 * index + 2, salt);
  gc_local_pop(m, 1);
}

/* Top-down: allocates the root into slot, then fills depth levels below it
 * (holes before every node allocated). */
WL_TREE_FN void wl_tree_top_down(wl_tree *t, gc_local slot, int depth,
                                 uint64_t salt) {
  wl_tree_mark before = wl_tree_mark_now(t);
  wl_hole(t);
  gc_local_set(t->m, slot, wl_node(t, salt, 0));
  wl_top_down_at(t, slot, depth, 0, salt);
  wl_tree_summed(t, &before, WL_KIND_TOP_DOWN, salt);
}

static gc_ref wl_bottom_up_at(wl_tree *t, int depth, uint64_t index,
                              uint64_t salt) {
  if (depth <= 0)
    return wl_node(t, salt, index);
  gc_mutator *m = t->m;
  gc_safepoint(m);
  gc_local l =
      gc_local_push(m, wl_bottom_up_at(t, depth - 1, 2 * index + 1, salt));
  gc_local r =
      gc_local_push(m, wl_bottom_up_at(t, depth - 1, 2 * index + 2, salt));
  wl_hole(t);
  gc_ref n = wl_node(t, salt, index);
  wl_link(t, n, WL_LEFT, gc_local_get(m, l));
  wl_link(t, n, WL_RIGHT, gc_local_get(m, r));
  gc_local_pop(m, 2);
  return n;
}

/* Bottom-up: returns the root of a new tree (holes before every parent);
 * the caller must root it before its next allocation. */
WL_TREE_FN gc_ref wl_tree_bottom_up(wl_tree *t, int depth, uint64_t salt) {
  wl_tree_mark before = wl_tree_mark_now(t);
  gc_ref root = wl_bottom_up_at(t, depth, 0, salt);
  wl_tree_summed(t, &before, WL_KIND_BOTTOM_UP, salt);
  return root;
}

_Noreturn static void wl_bad_node(wl_tree *t, const wl_tree_id *id, int level,
                                  uint64_t index, const char *what,
                                  uint64_t expected, uint64_t found) {
  gc_fail(t->m,
          "%s: node at depth %d index %llu of the %s tree (thread %u, tree "
          "depth %d, iteration %llu): expected %s %#llx, found %#llx",
          t->workload, level, (unsigned long long)index, id->what, t->thread,
          id->depth, (unsigned long long)id->iteration, what,
          (unsigned long long)expected, (unsigned long long)found);
}

/* Checks one node; returns whether it has children to visit. */
static bool wl_check_node(wl_tree *t, gc_ref n, const wl_tree_id *id, int level,
                          uint64_t index, uint64_t salt) {
  gc_mutator *m = t->m;
  unsigned type = gc_type_of(m, n);
  if (type != wl_node_type.id)
    wl_bad_node(t, id, level, index, "type id", wl_node_type.id, type);
  uint64_t data = gc_read_word(m, n, WL_DATA);
  if (data != wl_node_data(salt, index))
    wl_bad_node(t, id, level, index, "data word", wl_node_data(salt, index),
                data);
  gc_ref l = gc_read_ref(m, n, WL_LEFT), r = gc_read_ref(m, n, WL_RIGHT);
  bool inner = level < id->depth;
  /* Null children are caught here, so only the root can be null. */
  if (inner ? l == GC_NULL || r == GC_NULL : l != GC_NULL || r != GC_NULL)
    wl_bad_node(t, id, level, index,
                inner ? "two children, left|right" : "a leaf, left|right",
                inner ? 3 : 0, (l != GC_NULL) | (uint64_t)(r != GC_NULL) << 1);
  t->nodes_checked++;
  return inner;
}

/* Walks the tree in slot and checks every node's type, data word and shape;
 * gc_fail names the node and tree on a mismatch. Returns the nodes seen. */
WL_TREE_FN uint64_t wl_tree_check(wl_tree *t, gc_local slot,
                                  const wl_tree_id *id, uint64_t salt) {
  gc_mutator *m = t->m;
  /* Pending nodes sit in root slots base..base+n-1, their positions in
   * pos[]; a DFS that pops one and pushes two holds at most depth + 1. */
  struct {
    int level;
    uint64_t index;
  } pos[WL_TREE_MAX_DEPTH + 2];
  uint64_t seen = 0;
  size_t base = gc_root_depth(m), n = 0;
  if (gc_local_get(m, slot) == GC_NULL)
    wl_bad_node(t, id, 0, 0, "a root, found null", 1, 0);
  gc_root_push(m, gc_local_get(m, slot));
  pos[n].level = 0, pos[n++].index = 0;
  while (n > 0) {
    gc_safepoint(m);
    gc_ref node = gc_root_get(m, base + n - 1);
    int level = pos[n - 1].level;
    uint64_t index = pos[--n].index;
    gc_root_pop(m, 1);
    seen++;
    if (!wl_check_node(t, node, id, level, index, salt))
      continue;
    gc_root_push(m, gc_read_ref(m, node, WL_RIGHT));
    pos[n].level = level + 1, pos[n++].index = 2 * index + 2;
    gc_root_push(m, gc_read_ref(m, node, WL_LEFT));
    pos[n].level = level + 1, pos[n++].index = 2 * index + 1;
  }
  return seen;
}

#endif
