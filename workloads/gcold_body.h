/* gcold_body.h — GCOld's hot code: the trees and the steps. Compiled once
 * per policy family by the build (workloads/instances/bodies.cmake,
 * workloads/instance.h); the only external symbol is GC_INSTANCE(go_thread).
 *
 * A node is left, right and a data word: bits 0..20 its index in heap order
 * within the tree it was built in (root 0, children 2i+1, 2i+2), bits 21..47
 * that tree's serial number, bits 48..63 hash bits of both. Swaps move
 * subtrees between trees at the same depth, so a node keeps its level but
 * not its tree; a walk checks every node's type, hash bits, level and
 * shape, and adds up a hash of every node's data word. The workload keeps
 * the expected total of all trees (adding each new tree, subtracting each
 * replaced one, which is walked as it dies; swaps move nodes but keep the
 * total), so a lost, duplicated or foreign node is caught. */
#ifndef GCTB_FAMILY
#error                                                                         \
    "gcold_body.h is compiled once per family (workloads/instances/bodies.cmake)"
#endif

#include "gcold.h"
#include <fcntl.h>
#include <unistd.h>

typedef struct go_state {
  gc_mutator *m;
  go_run *run;
  wl_rng rng;
  size_t trees;         /* root slot: the array of trees */
  uint64_t next_serial; /* of the next tree built */
  uint64_t total;       /* expected sum of node hashes over all trees */
  int sched_fd;         /* this thread's /proc schedstat, or -1 */
} go_state;

static uint64_t go_data(uint64_t seed, uint64_t serial, uint64_t index) {
  uint64_t id = serial << 21 | index;
  return (wl_mix64(seed ^ id) & 0xffff000000000000ull) | id;
}

static int go_level(uint64_t index) { return 63 - __builtin_clzll(index + 1); }

static gc_ref go_build(go_state *s, int height, uint64_t serial,
                       uint64_t index) {
  gc_mutator *m = s->m;
  size_t base = gc_root_depth(m);
  if (height > 0) {
    gc_safepoint(m);
    gc_root_push(m, go_build(s, height - 1, serial, 2 * index + 1));
    gc_root_push(m, go_build(s, height - 1, serial, 2 * index + 2));
  }
  uint64_t data = go_data(s->run->c.seed, serial, index);
  gc_ref n = gc_alloc(m, &go_node_type, 0);
  wl_sum_alloc(&s->run->sum, GO_KIND_NODE, 3);
  gc_write_word(m, n, GO_DATA, wl_corrupt(data));
  s->total += wl_mix64(data);
  for (unsigned f = 0; height > 0 && f < 2; f++) {
    gc_write_ref(m, n, f, gc_root_get(m, base + f));
    wl_sum_store(&s->run->sum, data, f,
                 go_data(s->run->c.seed, serial, 2 * index + 1 + f));
  }
  gc_root_pop(m, gc_root_depth(m) - base);
  return n;
}

/* A new tree (rooted by the caller before its next allocation). */
static gc_ref go_new_tree(go_state *s) {
  s->run->st.trees_built++;
  return go_build(s, s->run->c.tree_height, s->next_serial++, 0);
}

/* Checks one node found at `level` of tree `tree`; returns its data. */
static uint64_t go_check_node(go_state *s, gc_ref n, size_t tree, int level) {
  gc_mutator *m = s->m;
  const go_config *c = &s->run->c;
  if (n == GC_NULL || gc_type_of(m, n) != go_node_type.id)
    gc_fail(m,
            "gcold: node at depth %d of tree %zu: expected a node (type "
            "%u), found %s",
            level, tree, go_node_type.id, n ? "another type" : "null");
  uint64_t data = gc_read_word(m, n, GO_DATA);
  uint64_t serial = (data >> 21) & ((1ull << 27) - 1), index = data & 0x1fffff;
  if (data != go_data(c->seed, serial, index) || go_level(index) != level)
    gc_fail(m,
            "gcold: node at depth %d of tree %zu: expected the data word "
            "of a node of that depth, found %#llx (it names serial %llu "
            "index %llu, whose data word is %#llx)",
            level, tree, (unsigned long long)data, (unsigned long long)serial,
            (unsigned long long)index,
            (unsigned long long)go_data(c->seed, serial, index));
  bool inner = level < c->tree_height;
  gc_ref l = gc_read_ref(m, n, GO_LEFT), r = gc_read_ref(m, n, GO_RIGHT);
  if (inner != (l != GC_NULL) || inner != (r != GC_NULL))
    gc_fail(m,
            "gcold: node %#llx at depth %d of tree %zu: expected %s, "
            "found left %s, right %s",
            (unsigned long long)data, level, tree,
            inner ? "two children" : "a leaf", l ? "set" : "null",
            r ? "set" : "null");
  s->run->st.nodes_checked++;
  return data;
}

/* Walks the tree in array entry `tree`; returns the sum of its node hashes.
 * The shadow stack is the DFS stack. */
static uint64_t go_walk(go_state *s, size_t tree) {
  gc_mutator *m = s->m;
  int level[GO_MAX_HEIGHT + 2];
  uint64_t sum = 0;
  size_t base = gc_root_depth(m), n = 0;
  gc_root_push(m, gc_read_ref(m, gc_root_get(m, s->trees), tree));
  level[n++] = 0;
  while (n > 0) {
    gc_safepoint(m);
    gc_ref node = gc_root_get(m, base + n - 1);
    int lv = level[--n];
    gc_root_pop(m, 1);
    sum += wl_mix64(go_check_node(s, node, tree, lv));
    if (lv == s->run->c.tree_height)
      continue;
    gc_root_push(m, gc_read_ref(m, node, GO_RIGHT));
    level[n++] = lv + 1;
    gc_root_push(m, gc_read_ref(m, node, GO_LEFT));
    level[n++] = lv + 1;
  }
  return sum;
}

static void go_check_all(go_state *s, const char *when) {
  uint64_t t0 = gc_now_ns(), sum = 0;
  for (size_t i = 0; i < s->run->c.ntrees; i++)
    sum += go_walk(s, i);
  if (sum != s->total)
    gc_fail(s->m,
            "gcold: %s: expected the trees' node hashes to total "
            "%#llx, found %#llx: a node was lost, duplicated or "
            "replaced",
            when, (unsigned long long)s->total, (unsigned long long)sum);
  s->run->st.check_ns += gc_now_ns() - t0;
}

static uint64_t go_young_mark(const go_state *s, uint64_t step, uint64_t k) {
  return wl_mix64(s->run->c.seed ^ step << 24 ^ k) | 1;
}

static void go_check_young(go_state *s, gc_local slot, uint64_t step,
                           uint64_t k) {
  gc_mutator *m = s->m;
  gc_ref y = gc_local_get(m, slot);
  uint64_t w = s->run->c.young_words, mark = go_young_mark(s, step, k);
  uint64_t first = gc_read_word(m, y, 0), last = gc_read_word(m, y, w - 1);
  if (gc_type_of(m, y) != go_young_type.id || gc_length(m, y) != w ||
      first != mark || last != mark)
    gc_fail(m,
            "gcold: young array %llu of step %llu: expected type %u "
            "length %llu marked %#llx, found type %u length %zu marked "
            "%#llx...%#llx",
            (unsigned long long)k, (unsigned long long)step, go_young_type.id,
            (unsigned long long)w, (unsigned long long)mark, gc_type_of(m, y),
            gc_length(m, y), (unsigned long long)first,
            (unsigned long long)last);
}

/* step_bytes of young arrays; each is checked after the next is allocated
 * (a collection may have run, or moved it, in between). */
static void go_young(go_state *s, uint64_t step) {
  gc_mutator *m = s->m;
  const go_config *c = &s->run->c;
  uint64_t n = (c->step_bytes + go_young_bytes(c->young_words, 1) - 1) /
               go_young_bytes(c->young_words, 1);
  gc_local prev = gc_local_push(m, GC_NULL);
  for (uint64_t k = 0; k < n; k++) {
    gc_safepoint(m);
    gc_ref y = gc_alloc(m, &go_young_type, c->young_words);
    wl_sum_alloc(&s->run->sum, GO_KIND_YOUNG, c->young_words);
    if (k > 0)
      go_check_young(s, prev, step, k - 1);
    uint64_t mark = go_young_mark(s, step, k);
    gc_write_word(m, y, 0, wl_corrupt(mark));
    gc_write_word(m, y, c->young_words - 1, mark);
    gc_local_set(m, prev, y);
  }
  if (n > 0)
    go_check_young(s, prev, step, n - 1);
  gc_local_pop(m, 1);
  s->run->st.young_objects += n;
}

/* GCOld's doMutWork: a loop the compiler cannot drop. */
static void go_work(go_state *s) {
  uint64_t n = (uint64_t)(s->run->c.work * (double)s->run->c.step_bytes / 10);
  uint64_t x = s->run->st.work_result;
  for (uint64_t i = 0; i < n; i++) {
    if (i % WL_POLL_WORDS == 0) /* a few microseconds between polls */
      gc_safepoint(s->m);
    x = x * 6364136223846793005ull + 1442695040888963407ull;
  }
  s->run->st.work_result = x;
}

/* Replaces the oldest trees with new ones worth step_bytes / ratio. */
static void go_promote(go_state *s, double *credit, size_t *cursor) {
  gc_mutator *m = s->m;
  const go_config *c = &s->run->c;
  double tree = (double)go_tree_bytes(c->tree_height, 1);
  *credit += (double)c->step_bytes / c->ratio;
  gc_local fresh = gc_local_push(m, GC_NULL);
  while (*credit >= tree) {
    *credit -= tree;
    gc_local_set(m, fresh, go_new_tree(s));
    s->total -= go_walk(s, *cursor); /* the dying tree, checked */
    gc_write_ref(m, gc_root_get(m, s->trees), *cursor, gc_local_get(m, fresh));
    wl_sum_store(&s->run->sum, 0, *cursor, s->next_serial - 1);
    *cursor = (*cursor + 1) % c->ntrees;
    s->run->st.trees_replaced++;
  }
  gc_local_pop(m, 1);
}

/* One child slot on the way down: checks the node, returns the child. */
static gc_ref go_down(go_state *s, gc_ref n, size_t tree, int level,
                      unsigned f) {
  go_check_node(s, n, tree, level);
  return gc_read_ref(s->m, n, f);
}

/* Swaps the subtrees at the same random depth and path of two random
 * trees: two old-to-old reference stores. No allocation happens here, so
 * the nodes can stay in C locals. */
static void go_swap(go_state *s) {
  gc_mutator *m = s->m;
  const go_config *c = &s->run->c;
  size_t ta = wl_rng_below(&s->rng, c->ntrees),
         tb = wl_rng_below(&s->rng, c->ntrees);
  int depth = (int)wl_rng_range(&s->rng, 1, (uint64_t)c->tree_height);
  uint64_t path = wl_rng_next(&s->rng);
  gc_ref trees = gc_root_get(m, s->trees);
  gc_ref a = gc_read_ref(m, trees, ta), b = gc_read_ref(m, trees, tb);
  for (int lv = 0; lv < depth - 1; lv++, path >>= 1) {
    a = go_down(s, a, ta, lv, path & 1);
    b = go_down(s, b, tb, lv, path & 1);
  }
  unsigned f = path & 1;
  go_check_node(s, a, ta, depth - 1);
  go_check_node(s, b, tb, depth - 1);
  gc_ref ca = gc_read_ref(m, a, f), cb = gc_read_ref(m, b, f);
  gc_write_ref(m, a, f, cb);
  gc_write_ref(m, b, f, ca);
  uint64_t da = gc_read_word(m, a, GO_DATA), db = gc_read_word(m, b, GO_DATA);
  wl_sum_store(&s->run->sum, da, f, gc_read_word(m, cb, GO_DATA));
  wl_sum_store(&s->run->sum, db, f, gc_read_word(m, ca, GO_DATA));
  s->run->st.swaps++;
}

static uint64_t go_elapsed(uint64_t *t) {
  uint64_t now = gc_now_ns(), d = now - *t;
  *t = now;
  return d;
}

static void go_step(go_state *s, uint64_t step, double *credit,
                    size_t *cursor) {
  go_stats *st = &s->run->st;
  uint64_t t = gc_now_ns(), t0 = t, replaced = st->trees_replaced;
  go_sched g0 = go_sched_now(s->sched_fd);
  go_young(s, step);
  st->young_ns += go_elapsed(&t);
  go_work(s);
  st->work_ns += go_elapsed(&t);
  go_promote(s, credit, cursor);
  st->promote_ns += go_elapsed(&t);
  for (uint64_t i = 0; i < s->run->c.mutations / 2; i++) {
    gc_safepoint(s->m);
    go_swap(s);
  }
  st->mutate_ns += go_elapsed(&t);
  if (t - t0 > st->max_step_ns) {
    go_sched g = go_sched_now(s->sched_fd);
    st->max_step_ns = t - t0;
    st->max_step_start = t0;
    st->max_step_cpu_ns = g.cpu_ns - g0.cpu_ns;
    st->max_step_wait_ns = g.wait_ns - g0.wait_ns;
    st->max_step_replaced = st->trees_replaced != replaced;
  }
  if (st->step_ns) {
    st->step_ns[step] = t - t0;
    st->step_replaced[step] = st->trees_replaced != replaced;
  }
}

void GC_INSTANCE(go_thread)(gc_mutator *m, unsigned index, void *arg) {
  gc_instance_check(m, GC_FAMILY_THIS, "gcold");
  go_run *run = arg;
  const go_config *c = &run->c;
  go_state s = {.m = m,
                .run = run,
                .sched_fd = open("/proc/thread-self/schedstat", O_RDONLY)};
  wl_rng_seed(&s.rng, c->seed, 0x6763);
  s.trees = gc_root_push(m, gc_alloc(m, &go_array_type, c->ntrees));
  wl_sum_alloc(&run->sum, 3, c->ntrees);
  for (size_t i = 0; i < c->ntrees; i++) {
    gc_ref t = go_new_tree(&s);
    gc_write_ref(m, gc_root_get(m, s.trees), i, t);
    wl_sum_store(&run->sum, 0, i, s.next_serial - 1);
  }
  double credit = 0;
  size_t cursor = 0;
  for (uint64_t step = 0; step < c->steps; step++) {
    go_step(&s, step, &credit, &cursor);
    if (c->check_every && (step + 1) % c->check_every == 0)
      go_check_all(&s, "periodic check");
  }
  go_check_all(&s, "final check");
  if (s.sched_fd >= 0)
    close(s.sched_fd);
  gc_root_pop(m, 1);
}
