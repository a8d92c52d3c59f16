/* gcbench_body.h — the phases of one GCBench thread, in the original's order:
 * stretch tree, long-lived tree and array, rounds of short-lived trees, final
 * check. Construction and checking are timed apart so that the top-down and
 * bottom-up times stay comparable with the unchecked original.
 *
 * This is the benchmark's hot code: the build compiles it once per policy
 * family (workloads/instances/bodies.cmake), with the fast paths' kinds as
 * constants, and gcbench.c runs the heap's instance (workloads/instance.h).
 * The only external symbol is GC_INSTANCE(gb_run_thread). */
#ifndef GCTB_FAMILY
#error                                                                         \
    "gcbench_body.h is compiled once per family (workloads/instances/bodies.cmake)"
#endif

#include "gcbench_array_body.h"
#include "gcbench_run.h"
#include "gcbench_tree_body.h"
#include "instance.h"

static uint64_t gb_nodes(int depth) { return (2ull << depth) - 1; }

/* The original's NumIters. */
static uint64_t gb_iterations(const gb_config *c, int depth) {
  return 2 * gb_nodes(c->stretch_depth) / gb_nodes(depth);
}

static void gb_stretch(gb_thread *t, const gb_config *c, gb_result *out) {
  uint64_t t0 = gc_now_ns();
  gb_tree_id id = {"stretch", c->stretch_depth, 0};
  uint64_t salt = gb_tree_salt(t, &id);
  gc_local s = gc_local_push(t->m, gb_make_tree(t, id.depth, salt));
  if (c->check_every)
    gb_check_tree(t, s, &id, salt);
  gc_local_pop(t->m, 1);
  out->stretch_ns = gc_now_ns() - t0;
}

static void gb_long_lived(gb_thread *t, const gb_config *c, gc_local tree,
                          gc_local array, gb_result *out) {
  gc_mutator *m = t->m;
  uint64_t t0 = gc_now_ns();
  gb_tree_id id = {"long-lived", c->long_lived_depth, 0};
  uint64_t salt = gb_tree_salt(t, &id);
  gc_local_set(m, tree, gb_new_root(t, salt));
  gb_populate(t, tree, id.depth, salt);
  gc_local_set(m, array, gc_alloc(m, &gb_array_type, c->array_size));
  wl_array_fill(m, array, c->array_size);
  out->long_lived_ns = gc_now_ns() - t0;
}

/* One tree of a round: build (timed into *build_ns), maybe check, drop. */
static void gb_one_tree(gb_thread *t, const gb_config *c, gc_local slot,
                        bool top_down, const gb_tree_id *id, uint64_t *build_ns,
                        uint64_t *check_ns) {
  gc_mutator *m = t->m;
  uint64_t salt = gb_tree_salt(t, id);
  uint64_t t0 = gc_now_ns();
  if (top_down) {
    gc_local_set(m, slot, gb_new_root(t, salt));
    gb_populate(t, slot, id->depth, salt);
  } else {
    gc_local_set(m, slot, gb_make_tree(t, id->depth, salt));
  }
  uint64_t t1 = gc_now_ns();
  *build_ns += t1 - t0;
  if (c->check_every && id->iteration % c->check_every == 0) {
    gb_check_tree(t, slot, id, salt);
    *check_ns += gc_now_ns() - t1;
  }
  gc_local_set(m, slot, GC_NULL);
}

static void gb_round_run(gb_thread *t, const gb_config *c, int depth,
                         gb_round *r) {
  gc_mutator *m = t->m;
  r->depth = depth;
  r->iterations = gb_iterations(c, depth);
  gc_local slot = gc_local_push(m, GC_NULL);
  for (uint64_t i = 0; i < r->iterations; i++) {
    gc_safepoint(m);
    gb_tree_id id = {"top-down", depth, i};
    gb_one_tree(t, c, slot, true, &id, &r->top_down_ns, &r->check_ns);
  }
  for (uint64_t i = 0; i < r->iterations; i++) {
    gc_safepoint(m);
    gb_tree_id id = {"bottom-up", depth, i};
    gb_one_tree(t, c, slot, false, &id, &r->bottom_up_ns, &r->check_ns);
  }
  gc_local_pop(m, 1);
}

static void gb_final_check(gb_thread *t, const gb_config *c, gc_local tree,
                           gc_local array, gb_result *out) {
  uint64_t t0 = gc_now_ns();
  gb_tree_id id = {"long-lived", c->long_lived_depth, 0};
  gb_check_tree(t, tree, &id, gb_tree_salt(t, &id));
  wl_array_check(t->m, array, c->array_size, &gb_array_type, "gcbench", t->id);
  out->final_check_ns = gc_now_ns() - t0;
}

void GC_INSTANCE(gb_run_thread)(gc_mutator *m, const gb_config *c, unsigned id,
                                gb_result *out) {
  gc_instance_check(m, GC_FAMILY_THIS, "gcbench");
  if (!gc_type_register(&gb_node_type) || !gc_type_register(&gb_array_type))
    gc_fail(m, "gcbench: cannot register the node and array types");
  gb_thread t = {.m = m, .node_type = &gb_node_type, .id = id, .seed = c->seed};
  uint64_t t0 = gc_now_ns();
  gb_stretch(&t, c, out);
  gc_local tree = gc_local_push(m, GC_NULL);
  gc_local array = gc_local_push(m, GC_NULL);
  gb_long_lived(&t, c, tree, array, out);
  for (unsigned i = 0; i < c->ndepths; i++)
    gb_round_run(&t, c, gb_depth_at(c, i), &out->rounds[i]);
  gb_final_check(&t, c, tree, array, out);
  gc_local_pop(m, 2);
  out->total_ns = gc_now_ns() - t0;
  out->nodes_built = t.nodes_built;
  out->nodes_checked = t.nodes_checked;
}
