/* quads.c — a long-lived quad tree beside rounds of short-lived ones. See
 * docs/workloads/quads.md.
 *
 * A quad tree of depth D (four children per node, built bottom-up) stays
 * live all run; then each of `rounds` rounds allocates about garbage_bytes
 * (by default one sixth of the heap) as small quad trees of garbage_depth,
 * each checked and dropped, and walks the whole long-lived tree again. The
 * long-lived tree is the large, stable old generation a collector should
 * not keep tracing; the rounds are a steady stream of short-lived nodes.
 * Per-round times are recorded. D = 10 is the reference size: 1,398,101
 * nodes, 64 MiB with one header word. The hot code is in quads_body.h,
 * compiled once per policy family. */
#include "quads.h"
#include <stdio.h>
#include <stdlib.h>

static const gc_option_spec qd_params[] = {
    {"depth", GC_OPT_INT, "depth D of the long-lived quad tree", 10, 0,
     QD_MAX_DEPTH, NULL},
    {"rounds", GC_OPT_INT, "rounds of garbage and re-validation", 20, 0, 1e6,
     NULL},
    {"garbage_bytes", GC_OPT_SIZE,
     "bytes of short-lived trees per round (0: one sixth of the heap size)", 0,
     0, 1e15, NULL},
    {"garbage_depth", GC_OPT_INT, "depth of each short-lived quad tree", 3, 0,
     8, NULL},
    {"check_every", GC_OPT_INT,
     "check every Nth short-lived tree (0: none; the long-lived tree is "
     "checked every round)",
     1, 0, 1e9, NULL},
    {0},
};

gc_type qd_node_type = {
    .name = "quad_node", .kind = GC_TYPE_FIXED, .nwords = 5, .ref_map = 0xf};

static qd_config qd_config_from(const gc_options *p, uint64_t seed) {
  return (qd_config){.depth = (int)gc_opt_int(p, "depth"),
                     .garbage_depth = (int)gc_opt_int(p, "garbage_depth"),
                     .rounds = (unsigned)gc_opt_int(p, "rounds"),
                     .garbage_bytes = (uint64_t)gc_opt_int(p, "garbage_bytes"),
                     .check_every = (uint64_t)gc_opt_int(p, "check_every"),
                     .seed = seed};
}

static uint64_t qd_live_bytes(const gc_options *params, unsigned h) {
  qd_config c = qd_config_from(params, 0);
  return qd_tree_bytes(c.depth, h) + qd_tree_bytes(c.garbage_depth, h);
}

static void qd_metrics(json_t *out, const qd_run *run, uint64_t wall_ns) {
  json_t *rounds = json_array();
  for (unsigned r = 0; r < run->c.rounds; r++)
    json_array_append_new(
        rounds,
        json_pack("{s:I, s:I, s:I}", "trees", (json_int_t)run->rounds[r].trees,
                  "alloc_ns", (json_int_t)run->rounds[r].alloc_ns, "check_ns",
                  (json_int_t)run->rounds[r].check_ns));
  json_t *top =
      json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "wall_ns",
                (json_int_t)wall_ns, "build_ns", (json_int_t)run->build_ns,
                "long_lived_nodes", (json_int_t)qd_nodes(run->c.depth),
                "garbage_bytes_per_round", (json_int_t)run->c.garbage_bytes,
                "nodes_built", (json_int_t)run->s.nodes_built, "nodes_checked",
                (json_int_t)run->s.nodes_checked, "rounds", rounds);
  json_object_update(out, top);
  json_decref(top);
  wl_sum_json(out, &run->s.sum);
  wl_work_json(out, run->s.nodes_built, "nodes");
}

static void qd_run_workload(gc_workload_ctx *ctx) {
  qd_run run = {.c = qd_config_from(ctx->params, ctx->seed)};
  if (!gc_type_register(&qd_node_type)) {
    fprintf(stderr, "quads: cannot register its node type\n");
    exit(2);
  }
  if (run.c.garbage_bytes == 0)
    run.c.garbage_bytes = gc_heap_size(ctx->heap) / 6;
  wl_corrupt_init();
  run.rounds = wl_calloc(run.c.rounds, sizeof *run.rounds, "quads");
  uint64_t t0 = gc_now_ns();
  wl_run_threads(ctx->heap, 1, GC_INSTANCE_PICK(wl_instance(ctx), qd_thread),
                 &run, "quads");
  wl_metrics_lock(ctx);
  qd_metrics(ctx->metrics, &run, gc_now_ns() - t0);
  wl_metrics_unlock(ctx);
  free(run.rounds);
}

const gc_workload gc_workload_quads = {
    .name = "quads",
    .summary = "a long-lived quad tree of depth D, then rounds that each "
               "allocate a sixth of the heap as small quad trees and "
               "re-validate the big one",
    .params = qd_params,
    .live_bytes = qd_live_bytes,
    .run = qd_run_workload,
};
