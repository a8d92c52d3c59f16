/* gcold.c — old-generation mutation, after David Detlefs' GCOld benchmark.
 * See docs/workloads/gcold.md.
 *
 * An array of balanced binary trees of tree_height holds live_mb MiB. Each
 * step then (1) allocates step_bytes of young garbage in arrays of
 * young_words words, (2) does work units of busy work per byte allocated,
 * (3) promotes: builds new trees worth step_bytes / ratio bytes and stores
 * each over the oldest tree (round-robin), and (4) makes `mutations` old-to-
 * old pointer stores by swapping random subtrees at the same depth between
 * two random trees (two stores per swap). Swaps keep every tree full and of
 * the same height, so the live size stays constant while the old objects'
 * pointers churn: what a generational or concurrent collector's remembered
 * sets and barriers pay for. */
#include "gcold.h"
#include "../heap/events.h"
#include "workload.h"
#include <stdio.h>
#include <stdlib.h>

static const gc_option_spec go_params[] = {
    {"live_mb", GC_OPT_DOUBLE, "live storage in MiB (the trees)", 25, 0.01, 1e6,
     NULL},
    {"tree_height", GC_OPT_INT, "height of each tree", 14, 1, GO_MAX_HEIGHT,
     NULL},
    {"work", GC_OPT_DOUBLE,
     "busy-work units per step (GCOld's work: work x step_bytes / 10 loop "
     "iterations)",
     1, 0, 1e6, NULL},
    {"ratio", GC_OPT_DOUBLE,
     "promotion ratio: short-lived bytes per long-lived byte", 10, 0.01, 1e9,
     NULL},
    {"mutations", GC_OPT_INT, "old-to-old pointer stores per step", 1000, 0,
     1e9, NULL},
    {"steps", GC_OPT_INT, "steps", 500, 0, 1e9, NULL},
    {"step_bytes", GC_OPT_SIZE, "young garbage allocated per step", 1 << 20, 8,
     1e12, NULL},
    {"young_words", GC_OPT_INT, "words in each young garbage array", 100, 1,
     1 << 20, NULL},
    {"check_every", GC_OPT_INT,
     "check every tree every N steps (0: only at the end; replaced trees are "
     "always checked as they die)",
     0, 0, 1e9, NULL},
    {0},
};

go_config go_config_from(const gc_options *p, uint64_t seed) {
  go_config c = {.tree_height = (int)gc_opt_int(p, "tree_height"),
                 .work = gc_opt_double(p, "work"),
                 .ratio = gc_opt_double(p, "ratio"),
                 .mutations = (uint64_t)gc_opt_int(p, "mutations"),
                 .steps = (uint64_t)gc_opt_int(p, "steps"),
                 .step_bytes = (uint64_t)gc_opt_int(p, "step_bytes"),
                 .young_words = (uint64_t)gc_opt_int(p, "young_words"),
                 .check_every = (uint64_t)gc_opt_int(p, "check_every"),
                 .seed = seed};
  /* Counted with one header word whatever the policy, so that every policy
   * builds the same number of trees. */
  double tree = (double)go_tree_bytes(c.tree_height, 1);
  double n = gc_opt_double(p, "live_mb") * 1048576.0 / tree + 0.5;
  c.ntrees = n < 1 ? 1 : (size_t)n;
  return c;
}

/* The trees, the array holding them, one new tree under construction, and
 * two young arrays (the newest and the one kept to check it). */
static uint64_t go_live_bytes(const gc_options *params, unsigned h) {
  go_config c = go_config_from(params, 0);
  return (c.ntrees + 1) * go_tree_bytes(c.tree_height, h) +
         go_array_bytes(c.ntrees, h) + 2 * go_young_bytes(c.young_words, h);
}

static void go_run_workload(gc_workload_ctx *ctx) {
  go_run run = {.c = go_config_from(ctx->params, ctx->seed),
                .t_start = ctx->t_start};
  if (!go_types()) {
    fprintf(stderr, "gcold: cannot register its types\n");
    exit(2);
  }
  wl_corrupt_init();
  run.st.step_ns =
      wl_calloc(run.c.steps ? run.c.steps : 1, sizeof(uint64_t), "gcold");
  uint64_t t0 = gc_now_ns();
  wl_run_threads(ctx->heap, 1, go_thread, &run, "gcold");
  go_metrics(ctx->metrics, &run, gc_now_ns() - t0);
  free(run.st.step_ns);
}

const gc_workload gc_workload_gcold = {
    .name = "gcold",
    .summary = "GCOld (Detlefs): an array of binary trees holding a live "
               "size, young garbage, promotion at a ratio and old-to-old "
               "subtree swaps",
    .params = go_params,
    .live_bytes = go_live_bytes,
    .run = go_run_workload,
};
