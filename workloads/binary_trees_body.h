/* binary_trees_body.h — binary-trees' hot code: one thread's trees, built,
 * walked and dropped. Compiled once per policy family by the build
 * (workloads/instances/bodies.cmake, workloads/instance.h); the only
 * external symbol is GC_INSTANCE(bt_thread). */
#ifndef GCTB_FAMILY
#error                                                                         \
    "binary_trees_body.h is compiled once per family (workloads/instances/bodies.cmake)"
#endif

#include "binary_trees.h"
#include "common_tree_body.h"

/* Builds, walks and drops one tree; returns the nodes walked. */
static uint64_t bt_one(wl_tree *t, const bt_config *c, gc_local slot,
                       const wl_tree_id *id) {
  uint64_t salt = wl_tree_salt(t, c->seed, id);
  gc_local_set(t->m, slot, wl_tree_bottom_up(t, id->depth, salt));
  uint64_t n = wl_tree_check(t, slot, id, salt);
  gc_local_set(t->m, slot, GC_NULL);
  return n;
}

static void bt_depth_run(wl_tree *t, const bt_config *c, gc_local slot,
                         bt_depth *r) {
  uint64_t t0 = gc_now_ns();
  r->iterations = 1ull << (c->max_depth - r->depth + c->min_depth);
  for (uint64_t i = 0; i < r->iterations; i++) {
    gc_safepoint(t->m);
    wl_tree_id id = {"short-lived", r->depth, i};
    r->nodes_checked += bt_one(t, c, slot, &id);
  }
  r->ns = gc_now_ns() - t0;
}

void GC_INSTANCE(bt_thread)(gc_mutator *m, unsigned index, void *arg) {
  gc_instance_check(m, GC_FAMILY_THIS, "binary-trees");
  bt_run *run = arg;
  const bt_config *c = &run->c;
  wl_tree t = {.m = m,
               .workload = "binary-trees",
               .thread = index,
               .sum = &run->sums[index]};
  gc_local slot = gc_local_push(m, GC_NULL), kept = gc_local_push(m, GC_NULL);
  wl_tree_id lid = {"long-lived", c->max_depth, 0};
  uint64_t lsalt = wl_tree_salt(&t, c->seed, &lid);
  if (index == 0) {
    uint64_t t0 = gc_now_ns();
    wl_tree_id sid = {"stretch", c->max_depth + 1, 0};
    run->stretch_check = bt_one(&t, c, slot, &sid);
    uint64_t t1 = gc_now_ns();
    run->stretch_ns = t1 - t0;
    gc_local_set(m, kept, wl_tree_bottom_up(&t, c->max_depth, lsalt));
    run->long_lived_ns = gc_now_ns() - t1;
  }
  for (unsigned i = index; i < c->ndepths; i += c->threads) {
    run->depths[i].depth = bt_depth_at(c, i);
    run->depths[i].thread = index;
    bt_depth_run(&t, c, slot, &run->depths[i]);
  }
  if (index == 0)
    run->long_lived_check = wl_tree_check(&t, kept, &lid, lsalt);
  gc_local_pop(m, 2);
}
