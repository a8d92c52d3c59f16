/* quads_body.h — quads' hot code: the quad trees built, checked and
 * dropped. Compiled once per policy family by the build
 * (workloads/instances/bodies.cmake, workloads/instance.h); the only
 * external symbol is GC_INSTANCE(qd_thread). */
#ifndef GCTB_FAMILY
#error                                                                         \
    "quads_body.h is compiled once per family (workloads/instances/bodies.cmake)"
#endif

#include "quads.h"

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
static void qd_check(qd_state *s, gc_local slot, const char *tree, int depth,
                     uint64_t salt) {
  gc_mutator *m = s->m;
  struct {
    int level;
    uint64_t index;
  } pos[3 * QD_MAX_DEPTH + 2];
  size_t base = gc_root_depth(m), n = 0;
  gc_root_push(m, gc_local_get(m, slot));
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

static void qd_round_run(qd_state *s, unsigned round, gc_local kept,
                         uint64_t kept_salt, qd_round *r) {
  const qd_config *c = s->c;
  gc_mutator *m = s->m;
  uint64_t tree_bytes = qd_tree_bytes(c->garbage_depth, 1);
  uint64_t ntrees = (c->garbage_bytes + tree_bytes - 1) / tree_bytes;
  gc_local slot = gc_local_push(m, GC_NULL);
  uint64_t t0 = gc_now_ns();
  for (uint64_t i = 0; i < ntrees; i++) {
    gc_safepoint(m);
    uint64_t salt = qd_salt(c->seed, round + 1, i);
    gc_local_set(m, slot, qd_build(s, c->garbage_depth, 0, salt));
    if (c->check_every && i % c->check_every == 0)
      qd_check(s, slot, "a short-lived tree", c->garbage_depth, salt);
  }
  gc_local_pop(m, 1);
  uint64_t t1 = gc_now_ns();
  qd_check(s, kept, "the long-lived tree", c->depth, kept_salt);
  r->trees = ntrees;
  r->alloc_ns = t1 - t0;
  r->check_ns = gc_now_ns() - t1;
}

void GC_INSTANCE(qd_thread)(gc_mutator *m, unsigned index, void *arg) {
  gc_instance_check(m, GC_FAMILY_THIS, "quads");
  qd_run *run = arg;
  run->s = (qd_state){.m = m, .c = &run->c};
  uint64_t t0 = gc_now_ns(), salt = qd_salt(run->c.seed, 0, 0);
  gc_local kept = gc_local_push(m, GC_NULL);
  gc_local_set(m, kept, qd_build(&run->s, run->c.depth, 0, salt));
  qd_check(&run->s, kept, "the long-lived tree", run->c.depth, salt);
  run->build_ns = gc_now_ns() - t0;
  for (unsigned r = 0; r < run->c.rounds; r++)
    qd_round_run(&run->s, r, kept, salt, &run->rounds[r]);
  gc_local_pop(m, 1);
}
