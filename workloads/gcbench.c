/* gcbench.c — GCBench (John Ellis and Pete Kovac, C port by Hans Boehm): the
 * classic tree benchmark, with every constant a parameter and every tree
 * checked. See docs/workloads/gcbench.md.
 *
 * Phases (per mutator thread, each running the whole benchmark on its own):
 *   1. a stretch tree of stretch_depth, built bottom-up, checked, dropped;
 *   2. a long-lived tree of long_lived_depth (top-down) and an array of
 *      array_size doubles (element i = 1.0/i for the first half), kept;
 *   3. for d = min_depth, min_depth + depth_step ... max_depth:
 *      iterations(d) = 2 nodes(stretch_depth) / nodes(d) trees built top-down
 *      (Populate), then as many bottom-up (MakeTree), each dropped;
 *   4. the long-lived tree and the array checked in full. */
#include "common.h"
#include "gcbench_run.h"
#include "workload.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static const gc_option_spec gb_params[] = {
    {"stretch_depth", GC_OPT_INT,
     "depth of the stretch tree; also sets the iteration counts "
     "(2 nodes(stretch_depth) / nodes(d))",
     18, 0, GB_MAX_DEPTH, NULL},
    {"long_lived_depth", GC_OPT_INT, "depth of the tree kept all run", 16, 0,
     GB_MAX_DEPTH, NULL},
    {"array_size", GC_OPT_INT, "doubles in the array kept all run", 500000, 0,
     1 << 30, NULL},
    {"min_depth", GC_OPT_INT, "first depth of the short-lived trees", 4, 0,
     GB_MAX_DEPTH, NULL},
    {"max_depth", GC_OPT_INT, "last depth of the short-lived trees", 16, 0,
     GB_MAX_DEPTH, NULL},
    {"depth_step", GC_OPT_INT, "depth increment between rounds", 2, 1,
     GB_MAX_DEPTH, NULL},
    {"threads", GC_OPT_INT, "mutator threads, each running the whole benchmark",
     1, 1, 256, NULL},
    {"check_every", GC_OPT_INT,
     "walk and check every Nth short-lived tree of each depth (1: all, 0: "
     "none; the kept tree and array are always checked at the end)",
     1, 0, 1e9, NULL},
    {0},
};

gb_config gb_config_from(const gc_options *p, uint64_t seed) {
  gb_config c = {
      .stretch_depth = (int)gc_opt_int(p, "stretch_depth"),
      .long_lived_depth = (int)gc_opt_int(p, "long_lived_depth"),
      .array_size = (size_t)gc_opt_int(p, "array_size"),
      .min_depth = (int)gc_opt_int(p, "min_depth"),
      .max_depth = (int)gc_opt_int(p, "max_depth"),
      .depth_step = (int)gc_opt_int(p, "depth_step"),
      .threads = (unsigned)gc_opt_int(p, "threads"),
      .check_every = (uint64_t)gc_opt_int(p, "check_every"),
      .seed = seed,
  };
  c.ndepths = c.min_depth <= c.max_depth
                  ? (unsigned)((c.max_depth - c.min_depth) / c.depth_step + 1)
                  : 0;
  return c;
}

gc_type gb_node_type = {
    .name = "gcbench_node", .kind = GC_TYPE_FIXED, .nwords = 3, .ref_map = 0x3};
gc_type gb_array_type = {.name = "gcbench_array", .kind = GC_TYPE_WORD_ARRAY};

static uint64_t gb_nodes(int depth) { return (2ull << depth) - 1; }

/* The analytic maximum live size: the stretch tree alone, or later the
 * long-lived tree, the array and one short-lived tree of the largest depth
 * under construction; per thread. */
static uint64_t gb_live_bytes(const gc_options *params, unsigned hdr_words) {
  gb_config c = gb_config_from(params, 0);
  uint64_t node = (hdr_words + 3) * GC_WORD;
  uint64_t array = (hdr_words + c.array_size) * GC_WORD;
  if (array < GC_MIN_OBJECT_BYTES)
    array = GC_MIN_OBJECT_BYTES;
  uint64_t steady = gb_nodes(c.long_lived_depth) * node + array;
  if (c.ndepths > 0)
    steady += gb_nodes(gb_depth_at(&c, c.ndepths - 1)) * node;
  uint64_t stretch = gb_nodes(c.stretch_depth) * node;
  return (stretch > steady ? stretch : steady) * c.threads;
}

gb_result *gb_results_new(const gb_config *c) {
  gb_result *r = calloc(c->threads, sizeof *r);
  for (unsigned i = 0; r && i < c->threads; i++) {
    r[i].rounds = calloc(c->ndepths ? c->ndepths : 1, sizeof *r[i].rounds);
    if (!r[i].rounds) {
      gb_results_free(c, r);
      return NULL;
    }
  }
  return r;
}

void gb_results_free(const gb_config *c, gb_result *r) {
  for (unsigned i = 0; r && i < c->threads; i++)
    free(r[i].rounds);
  free(r);
}

typedef struct gb_start {
  gc_workload_ctx *ctx;
  gb_run_fn *run; /* the instance for the heap's policy family */
  const gb_config *cfg;
  gb_result *result;
  unsigned id;
} gb_start;

static void *gb_thread_main(void *arg) {
  gb_start *s = arg;
  gc_mutator *m = gc_attach(s->ctx->heap);
  s->run(m, s->cfg, s->id, s->result);
  gc_detach(m);
  return NULL;
}

/* One thread runs in the caller; more run on their own threads while the
 * caller, never attached, only joins them. */
static void gb_run(gc_workload_ctx *ctx) {
  gb_config cfg = gb_config_from(ctx->params, ctx->seed);
  gb_result *res = gb_results_new(&cfg);
  gb_start *starts = calloc(cfg.threads, sizeof *starts);
  pthread_t *tids = calloc(cfg.threads, sizeof *tids);
  if (!res || !starts || !tids) {
    fprintf(stderr, "gcbench: out of C memory for %u threads\n", cfg.threads);
    exit(2);
  }
  gb_run_fn *run = GC_INSTANCE_PICK(wl_instance(ctx), gb_run_thread);
  uint64_t t0 = gc_now_ns();
  for (unsigned i = 0; i < cfg.threads; i++)
    starts[i] = (gb_start){ctx, run, &cfg, &res[i], i};
  if (cfg.threads == 1) {
    gb_thread_main(&starts[0]);
  } else {
    for (unsigned i = 0; i < cfg.threads; i++)
      if (pthread_create(&tids[i], NULL, gb_thread_main, &starts[i]) != 0) {
        fprintf(stderr, "gcbench: cannot start mutator thread %u\n", i);
        exit(2);
      }
    for (unsigned i = 0; i < cfg.threads; i++)
      pthread_join(tids[i], NULL);
  }
  wl_metrics_lock(ctx);
  gb_metrics(ctx->metrics, &cfg, res, gc_now_ns() - t0);
  wl_metrics_unlock(ctx);
  gb_results_free(&cfg, res);
  free(starts);
  free(tids);
}

const gc_workload gc_workload_gcbench = {
    .name = "gcbench",
    .summary = "GCBench (Ellis, Kovac, Boehm): binary trees built top-down and "
               "bottom-up beside a long-lived tree and array",
    .params = gb_params,
    .live_bytes = gb_live_bytes,
    .run = gb_run,
};
