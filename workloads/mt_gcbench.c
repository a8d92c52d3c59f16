/* mt_gcbench.c — multi-threaded GCBench with holes, shaped like the
 * mt-gcbench that other GC libraries ship (whippet's, after Boehm's GCBench)
 * so that results compare across projects. See docs/workloads/mt-gcbench.md.
 *
 * Each of N mutator threads, independently:
 *   1. builds a long-lived tree of long_lived_depth top-down and an array of
 *      array_size doubles (element i = 1.0/i for the first half), kept;
 *   2. for d = min_depth, min_depth + depth_step ... max_depth:
 *      2 nodes(iterations_depth) / nodes(d) trees built top-down, then as
 *      many bottom-up, each checked and dropped;
 *   3. checks the long-lived tree and the array.
 * Before each node allocated top-down and before each parent allocated
 * bottom-up it allocates a garbage "hole" of k words, k geometric with
 * success probability hole_p (mean (1-p)/p, about 5.7 at 0.15; k = 0
 * allocates nothing), so that the heap is not perfectly regular. */
#include "mt_gcbench.h"
#include "workload.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const gc_option_spec mt_params[] = {
    {"threads", GC_OPT_INT, "mutator threads, each running the whole benchmark",
     2, 1, 256, NULL},
    {"long_lived_depth", GC_OPT_INT, "depth of the tree each thread keeps", 16,
     0, WL_TREE_MAX_DEPTH, NULL},
    {"array_size", GC_OPT_INT, "doubles in the array each thread keeps", 500000,
     0, 1 << 30, NULL},
    {"iterations_depth", GC_OPT_INT,
     "trees per depth d: 2 nodes(iterations_depth) / nodes(d) (GCBench's "
     "stretch depth; no stretch tree is built)",
     18, 0, WL_TREE_MAX_DEPTH, NULL},
    {"min_depth", GC_OPT_INT, "first depth of the short-lived trees", 4, 0,
     WL_TREE_MAX_DEPTH, NULL},
    {"max_depth", GC_OPT_INT, "last depth of the short-lived trees", 16, 0,
     WL_TREE_MAX_DEPTH, NULL},
    {"depth_step", GC_OPT_INT, "depth increment between rounds", 2, 1,
     WL_TREE_MAX_DEPTH, NULL},
    {"holes", GC_OPT_BOOL, "allocate garbage holes between nodes", 1, 0, 0,
     NULL},
    {"hole_p", GC_OPT_DOUBLE,
     "success probability of the geometric hole size (words)", 0.15, 0.001, 1,
     NULL},
    {"hole_max_words", GC_OPT_INT, "cap on one hole's size in words", 1000, 1,
     1 << 20, NULL},
    {"check_every", GC_OPT_INT,
     "check every Nth short-lived tree of each depth (0: none; the kept tree "
     "and array are always checked)",
     1, 0, 1e9, NULL},
    {0},
};

gc_type mt_array_type = {.name = "mt_gcbench_array",
                         .kind = GC_TYPE_WORD_ARRAY};

static mt_config mt_config_from(const gc_options *p, uint64_t seed) {
  mt_config c = {
      .threads = (unsigned)gc_opt_int(p, "threads"),
      .long_lived_depth = (int)gc_opt_int(p, "long_lived_depth"),
      .array_size = (size_t)gc_opt_int(p, "array_size"),
      .iterations_depth = (int)gc_opt_int(p, "iterations_depth"),
      .min_depth = (int)gc_opt_int(p, "min_depth"),
      .max_depth = (int)gc_opt_int(p, "max_depth"),
      .depth_step = (int)gc_opt_int(p, "depth_step"),
      .holes = gc_opt_bool(p, "holes"),
      .hole_p = gc_opt_double(p, "hole_p"),
      .hole_max = (uint64_t)gc_opt_int(p, "hole_max_words"),
      .check_every = (uint64_t)gc_opt_int(p, "check_every"),
      .seed = seed,
  };
  c.ndepths = c.min_depth <= c.max_depth
                  ? (unsigned)((c.max_depth - c.min_depth) / c.depth_step + 1)
                  : 0;
  return c;
}

static uint64_t mt_array_bytes(const mt_config *c, unsigned h) {
  return gc_object_bytes(&mt_array_type, c->array_size, h);
}

/* Per thread: the long-lived tree, the array and the largest short-lived
 * tree; holes are garbage the moment they are allocated. With the defaults
 * and one header word: 2 x 4 MiB + 4 MB = 12.4 MB per thread. */
static uint64_t mt_live_bytes(const gc_options *params, unsigned h) {
  mt_config c = mt_config_from(params, 0);
  uint64_t per = wl_tree_bytes(c.long_lived_depth, h) + mt_array_bytes(&c, h);
  if (c.ndepths)
    per += wl_tree_bytes(mt_depth_at(&c, c.ndepths - 1), h);
  return per * c.threads;
}

static json_t *mt_rounds_json(const mt_config *c, const mt_round *r) {
  json_t *a = json_array();
  for (unsigned i = 0; i < c->ndepths; i++)
    json_array_append_new(
        a, json_pack("{s:i, s:I, s:I, s:I, s:I}", "depth", r[i].depth,
                     "iterations", (json_int_t)r[i].iterations, "top_down_ns",
                     (json_int_t)r[i].top_down_ns, "bottom_up_ns",
                     (json_int_t)r[i].bottom_up_ns, "check_ns",
                     (json_int_t)r[i].check_ns));
  return a;
}

static uint64_t mt_max(uint64_t a, uint64_t b) { return a > b ? a : b; }

/* Top level: slowest thread's times, counts summed; then each thread's. */
static void mt_metrics(json_t *out, const mt_config *c,
                       const mt_thread_result *r, uint64_t wall_ns) {
  mt_thread_result all = {0};
  json_t *per = json_array();
  for (unsigned t = 0; t < c->threads; t++) {
    all.long_lived_ns = mt_max(all.long_lived_ns, r[t].long_lived_ns);
    all.final_check_ns = mt_max(all.final_check_ns, r[t].final_check_ns);
    all.total_ns = mt_max(all.total_ns, r[t].total_ns);
    all.nodes_built += r[t].nodes_built;
    all.nodes_checked += r[t].nodes_checked;
    all.holes += r[t].holes;
    all.hole_words += r[t].hole_words;
    wl_sum_merge(&all.sum, &r[t].sum, t);
    for (unsigned i = 0; i < c->ndepths; i++) {
      mt_round *a = &all.rounds[i];
      const mt_round *x = &r[t].rounds[i];
      a->depth = x->depth, a->iterations = x->iterations;
      a->top_down_ns = mt_max(a->top_down_ns, x->top_down_ns);
      a->bottom_up_ns = mt_max(a->bottom_up_ns, x->bottom_up_ns);
      a->check_ns = mt_max(a->check_ns, x->check_ns);
    }
    json_array_append_new(
        per, json_pack("{s:I, s:I, s:o}", "total_ns", (json_int_t)r[t].total_ns,
                       "nodes_built", (json_int_t)r[t].nodes_built, "depths",
                       mt_rounds_json(c, r[t].rounds)));
  }
  json_t *top = json_pack(
      "{s:I, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o}", "wall_ns",
      (json_int_t)wall_ns, "threads", (int)c->threads, "long_lived_ns",
      (json_int_t)all.long_lived_ns, "final_check_ns",
      (json_int_t)all.final_check_ns, "total_ns", (json_int_t)all.total_ns,
      "nodes_built", (json_int_t)all.nodes_built, "nodes_checked",
      (json_int_t)all.nodes_checked, "holes", (json_int_t)all.holes,
      "hole_words", (json_int_t)all.hole_words, "depths",
      mt_rounds_json(c, all.rounds), "per_thread", per);
  json_object_update(out, top);
  json_decref(top);
  wl_sum_json(out, &all.sum);
  wl_work_json(out, all.nodes_built, "nodes");
}

static void mt_run_workload(gc_workload_ctx *ctx) {
  mt_run run = {.c = mt_config_from(ctx->params, ctx->seed)};
  if (!wl_tree_types() || !gc_type_register(&mt_array_type)) {
    fprintf(stderr, "mt-gcbench: cannot register its types\n");
    exit(2);
  }
  wl_corrupt_init();
  run.res = wl_calloc(run.c.threads, sizeof *run.res, "mt-gcbench");
  uint64_t t0 = gc_now_ns();
  wl_run_threads(ctx->heap, run.c.threads,
                 GC_INSTANCE_PICK(wl_instance(ctx), mt_thread), &run,
                 "mt-gcbench");
  wl_metrics_lock(ctx);
  mt_metrics(ctx->metrics, &run.c, run.res, gc_now_ns() - t0);
  wl_metrics_unlock(ctx);
  free(run.res);
}

const gc_workload gc_workload_mt_gcbench = {
    .name = "mt-gcbench",
    .summary = "multi-threaded GCBench with garbage holes between nodes (the "
               "shape other GC libraries ship): per thread a long-lived tree "
               "and array beside short-lived trees",
    .params = mt_params,
    .live_bytes = mt_live_bytes,
    .run = mt_run_workload,
};
