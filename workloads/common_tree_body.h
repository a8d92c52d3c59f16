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

enum { WL_KIND_NODE = 1, WL_KIND_HOLE = 2 };

/* A garbage object of k words, k geometric (k = 0: nothing). */
static void wl_hole(wl_tree *t) {
  if (t->hole_p <= 0)
    return;
  uint64_t k = wl_rng_geometric(t->rng, t->hole_p, t->hole_cap);
  if (k == 0)
    return;
  gc_alloc(t->m, &wl_hole_type, k);
  wl_sum_alloc(t->sum, WL_KIND_HOLE, k);
  t->holes++;
  t->hole_words += k;
}

static gc_ref wl_node(wl_tree *t, uint64_t salt, uint64_t index) {
  gc_ref n = gc_alloc(t->m, &wl_node_type, 0);
  gc_write_word(t->m, n, WL_DATA, wl_corrupt(wl_node_data(salt, index)));
  wl_sum_alloc(t->sum, WL_KIND_NODE, 3);
  t->nodes_built++;
  return n;
}

static void wl_link(wl_tree *t, gc_ref parent, unsigned field, gc_ref child,
                    uint64_t salt, uint64_t index) {
  gc_write_ref(t->m, parent, field, child);
  wl_sum_store(t->sum, salt + index, field, salt + 2 * index + 1 + field);
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
    wl_link(t, gc_local_get(m, slot), f, c, salt, index);
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
  wl_hole(t);
  gc_local_set(t->m, slot, wl_node(t, salt, 0));
  wl_top_down_at(t, slot, depth, 0, salt);
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
  wl_link(t, n, WL_LEFT, gc_local_get(m, l), salt, index);
  wl_link(t, n, WL_RIGHT, gc_local_get(m, r), salt, index);
  gc_local_pop(m, 2);
  return n;
}

/* Bottom-up: returns the root of a new tree (holes before every parent);
 * the caller must root it before its next allocation. */
WL_TREE_FN gc_ref wl_tree_bottom_up(wl_tree *t, int depth, uint64_t salt) {
  return wl_bottom_up_at(t, depth, 0, salt);
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
  if (n == GC_NULL)
    wl_bad_node(t, id, level, index, "a node, found null", 1, 0);
  unsigned type = gc_type_of(m, n);
  if (type != wl_node_type.id)
    wl_bad_node(t, id, level, index, "type id", wl_node_type.id, type);
  uint64_t data = gc_read_word(m, n, WL_DATA);
  if (data != wl_node_data(salt, index))
    wl_bad_node(t, id, level, index, "data word", wl_node_data(salt, index),
                data);
  gc_ref l = gc_read_ref(m, n, WL_LEFT), r = gc_read_ref(m, n, WL_RIGHT);
  bool inner = level < id->depth;
  uint64_t shape = (l != GC_NULL) | (uint64_t)(r != GC_NULL) << 1;
  if (inner && shape != 3)
    wl_bad_node(t, id, level, index, "two children, left|right", 3, shape);
  if (!inner && shape != 0)
    wl_bad_node(t, id, level, index, "a leaf, left|right", 0, shape);
  t->nodes_checked++;
  return inner;
}

/* Walks the tree in local root slot and checks every node's type, data word and
 * shape; gc_fail names the node and tree on a mismatch. Returns the nodes seen.
 */
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
