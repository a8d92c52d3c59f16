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
 * nodes, 64 MiB with one header word. */
#include "../heap/events.h"
#include "../heap/heap.h" /* the heap size, for the default garbage volume */
#include "common.h"
#include "workload.h"
#include <stdio.h>
#include <stdlib.h>

#define QD_MAX_DEPTH 15 /* node indices stay below 2^32 */

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

enum { QD_DATA = 4 }; /* payload: four children, then the data word */

static gc_type qd_node_type = {
    .name = "quad_node", .kind = GC_TYPE_FIXED, .nwords = 5, .ref_map = 0xf};

typedef struct qd_config {
  int depth, garbage_depth;
  unsigned rounds;
  uint64_t garbage_bytes, check_every, seed;
} qd_config;

typedef struct qd_round {
  uint64_t trees, alloc_ns, check_ns;
} qd_round;

typedef struct qd_state {
  gc_mutator *m;
  const qd_config *c;
  wl_sum sum;
  uint64_t nodes_built, nodes_checked;
} qd_state;

static qd_config qd_config_from(const gc_options *p, uint64_t seed) {
  return (qd_config){.depth = (int)gc_opt_int(p, "depth"),
                     .garbage_depth = (int)gc_opt_int(p, "garbage_depth"),
                     .rounds = (unsigned)gc_opt_int(p, "rounds"),
                     .garbage_bytes = (uint64_t)gc_opt_int(p, "garbage_bytes"),
                     .check_every = (uint64_t)gc_opt_int(p, "check_every"),
                     .seed = seed};
}

static uint64_t qd_nodes(int depth) {
  return ((1ull << (2 * (depth + 1))) - 1) / 3;
}

static uint64_t qd_tree_bytes(int depth, unsigned h) {
  return qd_nodes(depth) * gc_object_bytes(&qd_node_type, 0, h);
}

static uint64_t qd_live_bytes(const gc_options *params, unsigned h) {
  qd_config c = qd_config_from(params, 0);
  return qd_tree_bytes(c.depth, h) + qd_tree_bytes(c.garbage_depth, h);
}

static uint64_t qd_salt(uint64_t seed, uint64_t round, uint64_t tree) {
  return wl_mix64(wl_mix64(seed ^ 0x71756164ull) ^ round << 32 ^ tree);
}

static uint64_t qd_data(uint64_t salt, uint64_t index) {
  return (wl_mix64(salt + index) & 0xffffffff00000000ull) | index;
}

/* Bottom-up: the four subtrees first (rooted), then their parent. */
static gc_ref qd_build(qd_state *s, int depth, uint64_t index, uint64_t salt) {
  gc_mutator *m = s->m;
  size_t base = gc_root_depth(m);
  if (depth > 0) {
    gc_safepoint(m);
    for (uint64_t k = 0; k < 4; k++)
      gc_root_push(m, qd_build(s, depth - 1, 4 * index + 1 + k, salt));
  }
  gc_ref n = gc_alloc(m, &qd_node_type, 0);
  wl_sum_alloc(&s->sum, 1, 5);
  gc_write_word(m, n, QD_DATA, wl_corrupt(qd_data(salt, index)));
  for (uint64_t k = 0; depth > 0 && k < 4; k++) {
    gc_write_ref(m, n, k, gc_root_get(m, base + k));
    wl_sum_store(&s->sum, salt + index, k, salt + 4 * index + 1 + k);
  }
  gc_root_pop(m, gc_root_depth(m) - base);
  s->nodes_built++;
  return n;
}

_Noreturn static void qd_bad(qd_state *s, const char *tree, int level,
                             uint64_t index, const char *what,
                             uint64_t expected, uint64_t found) {
  gc_fail(s->m,
          "quads: node at depth %d index %llu of %s: expected %s %#llx, found "
          "%#llx",
          level, (unsigned long long)index, tree, what,
          (unsigned long long)expected, (unsigned long long)found);
}

static void qd_check_node(qd_state *s, gc_ref n, const char *tree, int depth,
                          int level, uint64_t index, uint64_t salt) {
  gc_mutator *m = s->m;
  if (gc_type_of(m, n) != qd_node_type.id)
    qd_bad(s, tree, level, index, "type id", qd_node_type.id, gc_type_of(m, n));
  uint64_t data = gc_read_word(m, n, QD_DATA);
  if (data != qd_data(salt, index))
    qd_bad(s, tree, level, index, "data word", qd_data(salt, index), data);
  uint64_t shape = 0;
  for (unsigned k = 0; k < 4; k++)
    shape |= (uint64_t)(gc_read_ref(m, n, k) != GC_NULL) << k;
  uint64_t want = level < depth ? 0xf : 0;
  if (shape != want)
    qd_bad(s, tree, level, index, "children mask", want, shape);
  s->nodes_checked++;
}

/* Depth-first walk with the shadow stack as the stack (safepoint at every
 * node): at most 3 D + 1 nodes pending. */
static void qd_check(qd_state *s, size_t slot, const char *tree, int depth,
                     uint64_t salt) {
  gc_mutator *m = s->m;
  struct {
    int level;
    uint64_t index;
  } pos[3 * QD_MAX_DEPTH + 2];
  size_t base = gc_root_depth(m), n = 0;
  gc_root_push(m, gc_root_get(m, slot));
  pos[n].level = 0, pos[n++].index = 0;
  while (n > 0) {
    gc_safepoint(m);
    gc_ref node = gc_root_get(m, base + n - 1);
    int level = pos[n - 1].level;
    uint64_t index = pos[--n].index;
    gc_root_pop(m, 1);
    qd_check_node(s, node, tree, depth, level, index, salt);
    if (level == depth)
      continue;
    for (int k = 3; k >= 0; k--) {
      gc_root_push(m, gc_read_ref(m, node, (size_t)k));
      pos[n].level = level + 1, pos[n++].index = 4 * index + 1 + (uint64_t)k;
    }
  }
}

static void qd_round_run(qd_state *s, unsigned round, size_t kept,
                         uint64_t kept_salt, qd_round *r) {
  const qd_config *c = s->c;
  gc_mutator *m = s->m;
  uint64_t tree_bytes = qd_tree_bytes(c->garbage_depth, 1);
  uint64_t ntrees = (c->garbage_bytes + tree_bytes - 1) / tree_bytes;
  size_t slot = gc_root_push(m, GC_NULL);
  uint64_t t0 = gc_now_ns();
  for (uint64_t i = 0; i < ntrees; i++) {
    gc_safepoint(m);
    uint64_t salt = qd_salt(c->seed, round + 1, i);
    gc_root_set(m, slot, qd_build(s, c->garbage_depth, 0, salt));
    if (c->check_every && i % c->check_every == 0)
      qd_check(s, slot, "a short-lived tree", c->garbage_depth, salt);
  }
  gc_root_pop(m, 1);
  uint64_t t1 = gc_now_ns();
  qd_check(s, kept, "the long-lived tree", c->depth, kept_salt);
  r->trees = ntrees;
  r->alloc_ns = t1 - t0;
  r->check_ns = gc_now_ns() - t1;
}

typedef struct qd_run {
  qd_config c;
  qd_state s;
  qd_round *rounds;
  uint64_t build_ns;
} qd_run;

static void qd_thread(gc_mutator *m, unsigned index, void *arg) {
  qd_run *run = arg;
  run->s = (qd_state){.m = m, .c = &run->c};
  uint64_t t0 = gc_now_ns(), salt = qd_salt(run->c.seed, 0, 0);
  size_t kept = gc_root_push(m, GC_NULL);
  gc_root_set(m, kept, qd_build(&run->s, run->c.depth, 0, salt));
  qd_check(&run->s, kept, "the long-lived tree", run->c.depth, salt);
  run->build_ns = gc_now_ns() - t0;
  for (unsigned r = 0; r < run->c.rounds; r++)
    qd_round_run(&run->s, r, kept, salt, &run->rounds[r]);
  gc_root_pop(m, 1);
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
    run.c.garbage_bytes = ctx->heap->cfg.heap_bytes / 6;
  wl_corrupt_init();
  run.rounds = wl_calloc(run.c.rounds, sizeof *run.rounds, "quads");
  uint64_t t0 = gc_now_ns();
  wl_run_threads(ctx->heap, 1, qd_thread, &run, "quads");
  qd_metrics(ctx->metrics, &run, gc_now_ns() - t0);
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
