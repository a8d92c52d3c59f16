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
#include "common_tree.h"
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

typedef struct mt_config {
  unsigned threads;
  int long_lived_depth, iterations_depth, min_depth, max_depth, depth_step;
  size_t array_size;
  bool holes;
  double hole_p;
  uint64_t hole_max, check_every, seed;
  unsigned ndepths;
} mt_config;

typedef struct mt_round {
  int depth;
  uint64_t iterations, top_down_ns, bottom_up_ns, check_ns;
} mt_round;

typedef struct mt_thread_result {
  wl_sum sum;
  uint64_t long_lived_ns, final_check_ns, total_ns;
  uint64_t nodes_built, nodes_checked, holes, hole_words;
  mt_round rounds[WL_TREE_MAX_DEPTH + 1];
} mt_thread_result;

typedef struct mt_run {
  mt_config c;
  mt_thread_result *res;
} mt_run;

static gc_type mt_array_type = {.name = "mt_gcbench_array",
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

static int mt_depth_at(const mt_config *c, unsigned i) {
  return c->min_depth + (int)i * c->depth_step;
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

static uint64_t mt_array_bits(size_t i, size_t n) {
  if (i >= n / 2)
    return 0;
  double d = 1.0 / (double)i;
  uint64_t bits;
  memcpy(&bits, &d, sizeof bits);
  return bits;
}

static void mt_fill_array(gc_mutator *m, size_t slot, size_t n) {
  for (size_t i = 0; i < n / 2; i++) {
    if ((i & 4095) == 0)
      gc_safepoint(m);
    gc_write_word(m, gc_root_get(m, slot), i, mt_array_bits(i, n));
  }
}

static void mt_check_array(wl_tree *t, size_t slot, size_t n) {
  gc_mutator *m = t->m;
  gc_ref a = gc_root_get(m, slot);
  if (gc_type_of(m, a) != mt_array_type.id || gc_length(m, a) != n)
    gc_fail(m,
            "mt-gcbench: array (thread %u): expected type %u length %zu, "
            "found type %u length %zu",
            t->thread, mt_array_type.id, n, gc_type_of(m, a), gc_length(m, a));
  for (size_t i = 0; i < n; i++) {
    if ((i & 4095) == 0) {
      gc_safepoint(m);
      a = gc_root_get(m, slot);
    }
    uint64_t found = gc_read_word(m, a, i);
    if (found != mt_array_bits(i, n))
      gc_fail(m,
              "mt-gcbench: array element %zu (thread %u): expected %#llx, "
              "found %#llx",
              i, t->thread, (unsigned long long)mt_array_bits(i, n),
              (unsigned long long)found);
  }
}

/* One depth: iterations top-down, then as many bottom-up. */
static void mt_round_run(wl_tree *t, const mt_config *c, int depth,
                         mt_round *r) {
  gc_mutator *m = t->m;
  r->depth = depth;
  r->iterations = 2 * wl_tree_nodes(c->iterations_depth) / wl_tree_nodes(depth);
  size_t slot = gc_root_push(m, GC_NULL);
  for (int bottom_up = 0; bottom_up <= 1; bottom_up++) {
    for (uint64_t i = 0; i < r->iterations; i++) {
      gc_safepoint(m);
      wl_tree_id id = {bottom_up ? "bottom-up" : "top-down", depth, i};
      uint64_t salt = wl_tree_salt(t, c->seed, &id), t0 = gc_now_ns();
      if (bottom_up)
        gc_root_set(m, slot, wl_tree_bottom_up(t, depth, salt));
      else
        wl_tree_top_down(t, slot, depth, salt);
      uint64_t t1 = gc_now_ns();
      *(bottom_up ? &r->bottom_up_ns : &r->top_down_ns) += t1 - t0;
      if (c->check_every && i % c->check_every == 0) {
        wl_tree_check(t, slot, &id, salt);
        r->check_ns += gc_now_ns() - t1;
      }
      gc_root_set(m, slot, GC_NULL);
    }
  }
  gc_root_pop(m, 1);
}

static void mt_thread(gc_mutator *m, unsigned index, void *arg) {
  mt_run *run = arg;
  const mt_config *c = &run->c;
  mt_thread_result *out = &run->res[index];
  wl_rng rng;
  wl_rng_seed(&rng, c->seed, index);
  wl_tree t = {.m = m,
               .workload = "mt-gcbench",
               .thread = index,
               .hole_p = c->holes ? c->hole_p : 0,
               .hole_cap = c->hole_max,
               .rng = &rng,
               .sum = &out->sum};
  uint64_t t0 = gc_now_ns();
  size_t tree = gc_root_push(m, GC_NULL), array = gc_root_push(m, GC_NULL);
  wl_tree_id lid = {"long-lived", c->long_lived_depth, 0};
  uint64_t lsalt = wl_tree_salt(&t, c->seed, &lid);
  wl_tree_top_down(&t, tree, c->long_lived_depth, lsalt);
  gc_root_set(m, array, gc_alloc(m, &mt_array_type, c->array_size));
  wl_sum_alloc(&out->sum, 3, c->array_size);
  mt_fill_array(m, array, c->array_size);
  out->long_lived_ns = gc_now_ns() - t0;
  for (unsigned i = 0; i < c->ndepths; i++)
    mt_round_run(&t, c, mt_depth_at(c, i), &out->rounds[i]);
  uint64_t t1 = gc_now_ns();
  wl_tree_check(&t, tree, &lid, lsalt);
  mt_check_array(&t, array, c->array_size);
  gc_root_pop(m, 2);
  uint64_t end = gc_now_ns();
  out->final_check_ns = end - t1;
  out->total_ns = end - t0;
  out->nodes_built = t.nodes_built;
  out->nodes_checked = t.nodes_checked;
  out->holes = t.holes;
  out->hole_words = t.hole_words;
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
  wl_run_threads(ctx->heap, run.c.threads, mt_thread, &run, "mt-gcbench");
  mt_metrics(ctx->metrics, &run.c, run.res, gc_now_ns() - t0);
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
