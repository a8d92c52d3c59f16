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
 * sets and barriers pay for. The hot code is in gcold_body.h, compiled once
 * per policy family; this file has the parameters, the types and the
 * metrics. */
#include "gcold.h"
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

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

gc_type go_node_type = {
    .name = "gcold_node", .kind = GC_TYPE_FIXED, .nwords = 3, .ref_map = 0x3};
gc_type go_array_type = {.name = "gcold_trees", .kind = GC_TYPE_REF_ARRAY};
gc_type go_young_type = {.name = "gcold_young", .kind = GC_TYPE_WORD_ARRAY};

bool go_types(void) {
  return gc_type_register(&go_node_type) && gc_type_register(&go_array_type) &&
         gc_type_register(&go_young_type);
}

uint64_t go_tree_bytes(int height, unsigned h) {
  return ((2ull << height) - 1) * gc_object_bytes(&go_node_type, 0, h);
}
uint64_t go_array_bytes(size_t ntrees, unsigned h) {
  return gc_object_bytes(&go_array_type, ntrees, h);
}
uint64_t go_young_bytes(uint64_t words, unsigned h) {
  return gc_object_bytes(&go_young_type, words, h);
}

/* This thread's CPU time (the thread CPU clock: schedstat's own figure
 * lags by up to a scheduler tick for a running thread) and its time waiting
 * for a CPU (Linux schedstat), so that the longest step can be told apart
 * from the machine's load. */
go_sched go_sched_now(int fd) {
  go_sched g = {gc_thread_cpu_ns(), 0};
  char buf[96];
  ssize_t n = fd >= 0 ? pread(fd, buf, sizeof buf - 1, 0) : -1;
  if (n > 0) {
    buf[n] = 0;
    unsigned long long cpu, wait;
    if (sscanf(buf, "%llu %llu", &cpu, &wait) == 2)
      g.wait_ns = wait;
  }
  return g;
}

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

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

/* The median time of the steps whose kind is like (any: every step). What
 * a step costs without a collector's delay: the yardstick for the worst
 * step (docs/delays.md), best taken over steps that did the same work. */
static uint64_t median_step(const go_run *run, bool any, bool like) {
  uint64_t n = run->c.steps, k = 0;
  const go_stats *st = &run->st;
  if (!st->step_ns || n == 0)
    return 0;
  uint64_t *d = wl_calloc(n, sizeof *d, "gcold");
  for (uint64_t i = 0; i < n; i++)
    if (any || st->step_replaced[i] == like)
      d[k++] = st->step_ns[i];
  qsort(d, k, sizeof *d, cmp_u64);
  uint64_t med = k ? d[(k - 1) / 2] : 0;
  free(d);
  return med;
}

void go_metrics(json_t *out, const go_run *run, uint64_t wall_ns) {
  const go_stats *st = &run->st;
  double mut_s = (double)st->mutate_ns / 1e9;
  json_t *top = json_pack(
      "{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
      "s:f}",
      "wall_ns", (json_int_t)wall_ns, "trees", (json_int_t)run->c.ntrees,
      "steps", (json_int_t)run->c.steps, "young_ns", (json_int_t)st->young_ns,
      "work_ns", (json_int_t)st->work_ns, "promote_ns",
      (json_int_t)st->promote_ns, "mutate_ns", (json_int_t)st->mutate_ns,
      "check_ns", (json_int_t)st->check_ns, "max_step_ns",
      (json_int_t)st->max_step_ns, "young_objects",
      (json_int_t)st->young_objects, "trees_replaced",
      (json_int_t)st->trees_replaced, "swaps", (json_int_t)st->swaps,
      "nodes_checked", (json_int_t)st->nodes_checked, "mutations_per_s",
      mut_s > 0 ? 2.0 * (double)st->swaps / mut_s : 0.0);
  json_object_update(out, top);
  json_decref(top);
  wl_sum_json(out, &run->sum);
  wl_work_json(out, run->c.steps, "steps");
  json_object_set_new(out, "median_step_ns",
                      json_integer((json_int_t)median_step(run, true, false)));
  json_object_set_new(out, "max_step_replaced_tree",
                      json_boolean(run->st.max_step_replaced));
  json_object_set_new(out, "median_like_step_ns",
                      json_integer((json_int_t)median_step(
                          run, false, run->st.max_step_replaced)));
  /* on the record's clock, to find the delays within the longest step */
  json_object_set_new(
      out, "max_step_start_ns",
      json_integer((json_int_t)(run->st.max_step_start - run->t_start)));
  json_object_set_new(out, "max_step_cpu_ns",
                      json_integer((json_int_t)run->st.max_step_cpu_ns));
  json_object_set_new(out, "max_step_runqueue_ns",
                      json_integer((json_int_t)run->st.max_step_wait_ns));
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
  run.st.step_replaced =
      wl_calloc(run.c.steps ? run.c.steps : 1, sizeof(bool), "gcold");
  uint64_t t0 = gc_now_ns();
  wl_run_threads(ctx->heap, 1, GC_INSTANCE_PICK(wl_instance(ctx), go_thread),
                 &run, "gcold");
  wl_metrics_lock(ctx);
  go_metrics(ctx->metrics, &run, gc_now_ns() - t0);
  wl_metrics_unlock(ctx);
  free(run.st.step_ns);
  free(run.st.step_replaced);
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
