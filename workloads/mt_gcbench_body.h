/* mt_gcbench_body.h — mt-gcbench's hot code: one thread's long-lived tree
 * and array, its rounds of short-lived trees and its final check. Compiled
 * once per policy family by the build (workloads/instances/bodies.cmake,
 * workloads/instance.h); the only external symbol is
 * GC_INSTANCE(mt_thread). */
#ifndef GCTB_FAMILY
#error                                                                         \
    "mt_gcbench_body.h is compiled once per family (workloads/instances/bodies.cmake)"
#endif

#include "common_tree_body.h"
#include "gcbench_array_body.h"
#include "mt_gcbench.h"

/* One depth: iterations top-down, then as many bottom-up. */
static void mt_round_run(wl_tree *t, const mt_config *c, int depth,
                         mt_round *r) {
  gc_mutator *m = t->m;
  r->depth = depth;
  r->iterations = 2 * wl_tree_nodes(c->iterations_depth) / wl_tree_nodes(depth);
  gc_local slot = gc_local_push(m, GC_NULL);
  for (int bottom_up = 0; bottom_up <= 1; bottom_up++) {
    for (uint64_t i = 0; i < r->iterations; i++) {
      gc_safepoint(m);
      wl_tree_id id = {bottom_up ? "bottom-up" : "top-down", depth, i};
      uint64_t salt = wl_tree_salt(t, c->seed, &id), t0 = gc_now_ns();
      if (bottom_up)
        gc_local_set(m, slot, wl_tree_bottom_up(t, depth, salt));
      else
        wl_tree_top_down(t, slot, depth, salt);
      uint64_t t1 = gc_now_ns();
      *(bottom_up ? &r->bottom_up_ns : &r->top_down_ns) += t1 - t0;
      if (c->check_every && i % c->check_every == 0) {
        wl_tree_check(t, slot, &id, salt);
        r->check_ns += gc_now_ns() - t1;
      }
      gc_local_set(m, slot, GC_NULL);
    }
  }
  gc_local_pop(m, 1);
}

void GC_INSTANCE(mt_thread)(gc_mutator *m, unsigned index, void *arg) {
  gc_instance_check(m, GC_FAMILY_THIS, "mt-gcbench");
  mt_run *run = arg;
  const mt_config *c = &run->c;
  mt_thread_result *out = &run->res[index];
  wl_rng rng;
  wl_rng_seed(&rng, c->seed, index);
  wl_geometric holes = {0};
  if (c->holes)
    wl_geometric_init(&holes, c->hole_p, c->hole_max);
  wl_tree t = {.m = m,
               .workload = "mt-gcbench",
               .thread = index,
               .make_holes = c->holes,
               .hole = &holes,
               .rng = &rng,
               .sum = &out->sum};
  uint64_t t0 = gc_now_ns();
  gc_local tree = gc_local_push(m, GC_NULL), array = gc_local_push(m, GC_NULL);
  wl_tree_id lid = {"long-lived", c->long_lived_depth, 0};
  uint64_t lsalt = wl_tree_salt(&t, c->seed, &lid);
  wl_tree_top_down(&t, tree, c->long_lived_depth, lsalt);
  gc_local_set(m, array, gc_alloc(m, &mt_array_type, c->array_size));
  wl_sum_alloc(&out->sum, 3, c->array_size);
  wl_array_fill(m, array, c->array_size);
  out->long_lived_ns = gc_now_ns() - t0;
  for (unsigned i = 0; i < c->ndepths; i++)
    mt_round_run(&t, c, mt_depth_at(c, i), &out->rounds[i]);
  uint64_t t1 = gc_now_ns();
  wl_tree_check(&t, tree, &lid, lsalt);
  wl_array_check(m, array, c->array_size, &mt_array_type, "mt-gcbench", index);
  gc_local_pop(m, 2);
  uint64_t end = gc_now_ns();
  out->final_check_ns = end - t1;
  out->total_ns = end - t0;
  out->nodes_built = t.nodes_built;
  out->nodes_checked = t.nodes_checked;
  out->holes = t.holes;
  out->hole_words = t.hole_words;
  wl_geometric_free(&holes);
}
