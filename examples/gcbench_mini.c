/* gcbench_mini.c — a small GCBench-like mutator that uses gctb as a library
 * (<gctb/embed.h>): a long-lived tree and array, then short-lived trees
 * built bottom-up and checked, under whichever policy the command line
 * names. It writes the same result record as `gctb run`.
 *
 *   gcbench_mini POLICY OUT.jsonl [HEAP_SIZE]    e.g. immix runs.jsonl 8M
 *   gctb report OUT.jsonl
 *
 * Build it against an installed gctb (examples/README.md):
 *   cc gcbench_mini.c $(pkg-config --cflags --libs gctb) -o gcbench_mini */
#include <gctb/embed.h>
#include <gctb/workload.h>
#include <stdio.h>

enum { LEFT, RIGHT, DEPTH }; /* node payload words */
static gc_type node = {.name = "mini-node",
                       .kind = GC_TYPE_FIXED,
                       .nwords = 3,
                       .ref_map = 1u << LEFT | 1u << RIGHT};
static gc_type doubles = {.name = "mini-doubles", .kind = GC_TYPE_WORD_ARRAY};

/* The parameters a config may set under workload.params, checked by gctb
 * like a built-in workload's. */
static const gc_option_spec params[] = {
    {"long_lived_depth", GC_OPT_INT, "long-lived tree depth", 12, 1, 20, NULL},
    {"max_depth", GC_OPT_INT, "largest short-lived tree", 14, 4, 20, NULL},
    {"array_size", GC_OPT_INT, "long-lived array words", 50000, 1, 1e7, NULL},
    {0}};

static uint64_t tree_bytes(int depth, unsigned hdr_words) {
  return ((2ull << depth) - 1) * (hdr_words + 3) * 8;
}
static uint64_t live_bytes(const gc_options *p, unsigned hdr_words) {
  return tree_bytes(gc_opt_int(p, "long_lived_depth"), hdr_words) +
         tree_bytes(gc_opt_int(p, "max_depth"), hdr_words) +
         8 * (uint64_t)gc_opt_int(p, "array_size") + 4096;
}
static const gc_workload mini = {.name = "gcbench-mini",
                                 .summary = "examples/gcbench_mini.c",
                                 .params = params,
                                 .live_bytes = live_bytes};

/* A tree of the given depth, bottom-up; every reference that must survive
 * an allocation is in a root slot (a moving policy updates the slots). */
static gc_ref make_tree(gc_mutator *m, int depth) {
  gc_safepoint(m);
  size_t l = gc_root_push(m, depth > 0 ? make_tree(m, depth - 1) : GC_NULL);
  size_t r = gc_root_push(m, depth > 0 ? make_tree(m, depth - 1) : GC_NULL);
  gc_ref n = gc_alloc(m, &node, 0);
  gc_write_ref(m, n, LEFT, gc_root_get(m, l));
  gc_write_ref(m, n, RIGHT, gc_root_get(m, r));
  gc_write_word(m, n, DEPTH, (uint64_t)depth);
  gc_root_pop(m, 2);
  return n;
}

/* Counts the nodes of a tree, checking every node's depth word. */
static uint64_t check_tree(gc_mutator *m, gc_ref t, int depth) {
  if (gc_read_word(m, t, DEPTH) != (uint64_t)depth)
    gc_fail(m, "gcbench-mini: a node of depth %d reads %llu", depth,
            (unsigned long long)gc_read_word(m, t, DEPTH));
  if (depth == 0)
    return 1;
  return 1 + check_tree(m, gc_read_ref(m, t, LEFT), depth - 1) +
         check_tree(m, gc_read_ref(m, t, RIGHT), depth - 1);
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s POLICY OUT.jsonl [HEAP_SIZE]\n", argv[0]);
    return 2;
  }
  char config[512], err[1024];
  snprintf(config, sizeof config,
           "{\"policy\": {\"name\": \"%s\"}, \"heap\": {\"size\": \"%s\"},"
           " \"gc_threads\": 2, \"verify\": \"after-gc\"}",
           argv[1], argc > 3 ? argv[3] : "4M");
  gctb_session_opts opts = {.out_path = argv[2], .workload = &mini};
  gctb_session *s = gctb_session_open(config, &opts, err, sizeof err);
  if (!s) {
    fprintf(stderr, "%s\n", err); /* the message `gctb run` would give */
    return 2;
  }
  const gc_options *p = gctb_session_params(s);
  int long_depth = gc_opt_int(p, "long_lived_depth");
  int max_depth = gc_opt_int(p, "max_depth");
  if (!gc_type_register(&node) || !gc_type_register(&doubles)) {
    fprintf(stderr, "gcbench-mini: cannot register the types\n");
    return 2;
  }
  gc_mutator *m = gc_attach(gctb_session_heap(s));
  size_t old = gc_root_push(m, make_tree(m, long_depth));
  size_t arr =
      gc_root_push(m, gc_alloc(m, &doubles, gc_opt_int(p, "array_size")));
  for (size_t i = 0; i < gc_length(m, gc_root_get(m, arr)); i++)
    gc_write_word(m, gc_root_get(m, arr), i, i);
  uint64_t nodes = 0;
  for (int d = 4; d <= max_depth; d += 2)
    for (int i = 0; i < 1 << (max_depth - d + 2); i++) {
      size_t t = gc_root_push(m, make_tree(m, d));
      nodes += check_tree(m, gc_root_get(m, t), d);
      gc_root_pop(m, 1);
    }
  if (check_tree(m, gc_root_get(m, old), long_depth) !=
      (2ull << long_depth) - 1)
    gc_fail(m, "gcbench-mini: the long-lived tree lost nodes");
  gc_ref a = gc_root_get(m, arr);
  for (size_t i = 0; i < gc_length(m, a); i += 1000)
    if (gc_read_word(m, a, i) != i)
      gc_fail(m, "gcbench-mini: array word %zu changed", i);
  gc_root_pop(m, 2);
  gc_detach(m);
  gctb_session_metric(s, "short_lived_nodes", (double)nodes);
  return gctb_session_finish(s, NULL);
}
