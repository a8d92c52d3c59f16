/* binary_trees.c — the Computer Language Benchmarks Game's binary-trees
 * (after Hans Boehm's GCBench): a stretch tree of depth N+1, a long-lived
 * tree of depth N, and at every depth d = min_depth, min_depth + 2 ... N,
 * 2^(N - d + min_depth) trees built bottom-up, walked and dropped. See
 * docs/workloads/binary-trees.md.
 *
 * With several threads the depths are dealt round-robin (depth index i to
 * thread i mod threads), as the game's parallel programs split the work;
 * every depth allocates about the same number of nodes, 2^(N + 5) or so.
 * Thread 0 also builds the stretch and long-lived trees. Nodes carry the
 * data word of common_tree.h (the game's nodes have none) so that every
 * walk checks identity, not just the count. The hot code is in
 * binary_trees_body.h, compiled once per policy family. */
#include "binary_trees.h"
#include "common_tree.h"
#include <stdio.h>
#include <stdlib.h>

static const gc_option_spec bt_params[] = {
    {"max_depth", GC_OPT_INT,
     "N: depth of the long-lived tree and of the deepest short-lived trees "
     "(the game runs 21)",
     16, 0, WL_TREE_MAX_DEPTH - 1, NULL},
    {"min_depth", GC_OPT_INT, "depth of the shallowest short-lived trees", 4, 0,
     WL_TREE_MAX_DEPTH - 1, NULL},
    {"threads", GC_OPT_INT, "mutator threads; depths are dealt round-robin", 1,
     1, 256, NULL},
    {0},
};

static bt_config bt_config_from(const gc_options *p, uint64_t seed) {
  bt_config c = {.max_depth = (int)gc_opt_int(p, "max_depth"),
                 .min_depth = (int)gc_opt_int(p, "min_depth"),
                 .threads = (unsigned)gc_opt_int(p, "threads"),
                 .seed = seed};
  /* The game's rule: N is at least min_depth + 2. */
  if (c.max_depth < c.min_depth + 2)
    c.max_depth = c.min_depth + 2;
  if (c.max_depth > WL_TREE_MAX_DEPTH - 1)
    c.max_depth = WL_TREE_MAX_DEPTH - 1;
  c.ndepths = c.min_depth <= c.max_depth
                  ? (unsigned)((c.max_depth - c.min_depth) / 2 + 1)
                  : 0;
  return c;
}

/* Deepest short-lived tree thread t builds (-1: none). */
static int bt_thread_max_depth(const bt_config *c, unsigned t) {
  int d = -1;
  for (unsigned i = t; i < c->ndepths; i += c->threads)
    d = bt_depth_at(c, i);
  return d;
}

/* Thread 0 builds the stretch tree while the others may already build
 * theirs; later it holds the long-lived tree beside its own. */
static uint64_t bt_live_bytes(const gc_options *params, unsigned h) {
  bt_config c = bt_config_from(params, 0);
  uint64_t others = 0, own = 0;
  for (unsigned t = 0; t < c.threads; t++) {
    int d = bt_thread_max_depth(&c, t);
    uint64_t b = d < 0 ? 0 : wl_tree_bytes(d, h);
    *(t == 0 ? &own : &others) += b;
  }
  uint64_t stretch = wl_tree_bytes(c.max_depth + 1, h);
  uint64_t steady = wl_tree_bytes(c.max_depth, h) + own;
  return (stretch > steady ? stretch : steady) + others;
}

static void bt_metrics(json_t *out, const bt_run *run, uint64_t wall_ns) {
  const bt_config *c = &run->c;
  json_t *depths = json_array();
  wl_sum all = {0};
  for (unsigned i = 0; i < c->ndepths; i++) {
    const bt_depth *d = &run->depths[i];
    json_array_append_new(
        depths, json_pack("{s:i, s:I, s:I, s:I, s:i}", "depth", d->depth,
                          "iterations", (json_int_t)d->iterations, "check",
                          (json_int_t)d->nodes_checked, "ns", (json_int_t)d->ns,
                          "thread", (int)d->thread));
  }
  for (unsigned t = 0; t < c->threads; t++)
    wl_sum_merge(&all, &run->sums[t], t);
  json_t *top =
      json_pack("{s:I, s:i, s:i, s:i, s:I, s:I, s:I, s:I, s:o}", "wall_ns",
                (json_int_t)wall_ns, "threads", (int)c->threads, "max_depth",
                c->max_depth, "min_depth", c->min_depth, "stretch_ns",
                (json_int_t)run->stretch_ns, "stretch_check",
                (json_int_t)run->stretch_check, "long_lived_ns",
                (json_int_t)run->long_lived_ns, "long_lived_check",
                (json_int_t)run->long_lived_check, "depths", depths);
  json_object_update(out, top);
  json_decref(top);
  wl_sum_json(out, &all);
  uint64_t nodes = 0; /* the iterated trees' nodes, each built and walked */
  for (unsigned i = 0; i < c->ndepths; i++)
    nodes += run->depths[i].nodes_checked;
  wl_work_json(out, nodes, "nodes");
}

static void bt_run_workload(gc_workload_ctx *ctx) {
  bt_run run = {.c = bt_config_from(ctx->params, ctx->seed)};
  if (!wl_tree_types()) {
    fprintf(stderr, "binary-trees: cannot register its types\n");
    exit(2);
  }
  wl_corrupt_init();
  run.depths = wl_calloc(run.c.ndepths, sizeof *run.depths, "binary-trees");
  run.sums = wl_calloc(run.c.threads, sizeof *run.sums, "binary-trees");
  uint64_t t0 = gc_now_ns();
  wl_run_threads(ctx->heap, run.c.threads,
                 GC_INSTANCE_PICK(wl_instance(ctx), bt_thread), &run,
                 "binary-trees");
  wl_metrics_lock(ctx);
  bt_metrics(ctx->metrics, &run, gc_now_ns() - t0);
  wl_metrics_unlock(ctx);
  free(run.depths);
  free(run.sums);
}

const gc_workload gc_workload_binary_trees = {
    .name = "binary-trees",
    .summary = "the Benchmarks Game's binary-trees: a stretch tree, a "
               "long-lived tree and 2^(N-d+4) bottom-up trees at each depth d",
    .params = bt_params,
    .live_bytes = bt_live_bytes,
    .run = bt_run_workload,
};
