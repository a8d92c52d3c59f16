/* plugin_workload.c — a workload plugin (<gctb/plugin.h>): `gctb run`
 * loads it when a config says
 *
 *   "workload": {"plugin": "./libringwl.so", "params": {"cells": 5000}}
 *
 * Each round copies a linked list of `cells` cells into a new list whose
 * values are one higher, drops the old one and checks the new one.
 * Build it against the headers alone (the gctb executable provides the
 * functions it calls):
 *   cc -shared -fPIC $(pkg-config --cflags gctb) plugin_workload.c \
 *      -o libringwl.so */
#include <gctb/plugin.h>

enum { NEXT, VALUE }; /* cell payload words */
static gc_type cell = {.name = "ring-cell",
                       .kind = GC_TYPE_FIXED,
                       .nwords = 2,
                       .ref_map = 1u << NEXT};

static const gc_option_spec params[] = {
    {"cells", GC_OPT_INT, "cells in the list", 2000, 1, 1e7, NULL},
    {"rounds", GC_OPT_INT, "copies of the list", 50, 0, 1e9, NULL},
    {0}};

/* The list and its copy under construction. */
static uint64_t live_bytes(const gc_options *p, unsigned hdr_words) {
  return 2 * (uint64_t)gc_opt_int(p, "cells") * (hdr_words + 2) * 8;
}

/* Copies the list in root slot `from` into root slot `to`, in order, every
 * value plus one. References live in root slots across each allocation:
 * a moving policy updates slots, not C locals. */
static void copy_list(gc_mutator *m, size_t from, size_t to) {
  size_t tail = gc_root_push(m, GC_NULL);
  size_t cur = gc_root_push(m, gc_root_get(m, from));
  gc_root_set(m, to, GC_NULL);
  while (gc_root_get(m, cur)) {
    gc_safepoint(m);
    uint64_t v = gc_read_word(m, gc_root_get(m, cur), VALUE) + 1;
    gc_ref fresh = gc_alloc(m, &cell, 0);
    gc_write_word(m, fresh, VALUE, v);
    if (gc_root_get(m, tail))
      gc_write_ref(m, gc_root_get(m, tail), NEXT, fresh);
    else
      gc_root_set(m, to, fresh);
    gc_root_set(m, tail, fresh);
    gc_root_set(m, cur, gc_read_ref(m, gc_root_get(m, cur), NEXT));
  }
  gc_root_pop(m, 2);
}

static void run(gc_workload_ctx *ctx) {
  int64_t n = gc_opt_int(ctx->params, "cells");
  int64_t rounds = gc_opt_int(ctx->params, "rounds");
  gc_mutator *m = gc_attach(ctx->heap);
  if (!gc_type_register(&cell))
    gc_fail(m, "ring: cannot register its type");
  size_t a = gc_root_push(m, GC_NULL), b = gc_root_push(m, GC_NULL);
  for (int64_t i = 0; i < n; i++) { /* values 0: the list before round 1 */
    gc_ref fresh = gc_alloc(m, &cell, 0);
    gc_write_ref(m, fresh, NEXT, gc_root_get(m, a));
    gc_root_set(m, a, fresh);
  }
  for (int64_t r = 1; r <= rounds; r++) {
    copy_list(m, a, b);
    gc_root_set(m, a, gc_root_get(m, b)); /* the old list is garbage */
    gc_root_set(m, b, GC_NULL);
    int64_t seen = 0;
    for (gc_ref c = gc_root_get(m, a); c; c = gc_read_ref(m, c, NEXT))
      if (gc_read_word(m, c, VALUE) != (uint64_t)r || ++seen > n)
        gc_fail(m, "ring: round %lld: cell %lld is wrong", (long long)r,
                (long long)seen);
    if (seen != n)
      gc_fail(m, "ring: round %lld: %lld cells, expected %lld", (long long)r,
              (long long)seen, (long long)n);
  }
  gc_root_pop(m, 2);
  gc_detach(m);
  json_object_set_new(ctx->metrics, "cells_copied", json_integer(n * rounds));
}

static const gc_workload ring = {.name = "ring",
                                 .summary = "a list copied round after round",
                                 .params = params,
                                 .live_bytes = live_bytes,
                                 .run = run};
GCTB_WORKLOAD_PLUGIN(ring)
