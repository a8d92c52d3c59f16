/* gcbench_tree_body.h — building and checking GCBench trees: hot code,
 * included by gcbench_body.h and so compiled once per policy family
 * (workloads/instance.h). Everything here is static.
 *
 * Every reference that must survive an allocation lives in a local root
 * (gc_local: a shadow-stack slot, or a C local where the policy scans C
 * stacks) and is re-read from it afterwards: a moving collector rewrites
 * roots, not other C locals. The check walk uses the shadow stack itself as
 * its DFS stack so that it can poll safepoints at every node without
 * pinning anything. */
#ifndef GCTB_GCBENCH_TREE_BODY_H
#define GCTB_GCBENCH_TREE_BODY_H

#include "gcbench_tree.h"

/* splitmix64's finaliser (Steele, Lea, Flood 2014): a cheap bijective mix. */
static uint64_t gb_mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

static uint64_t gb_str_hash(const char *s) {
  uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
  return h;
}

static uint64_t gb_tree_salt(const gb_thread *t, const gb_tree_id *id) {
  uint64_t h = gb_mix(t->seed ^ gb_str_hash(id->what));
  h = gb_mix(h ^ ((uint64_t)t->id << 40) ^ (uint64_t)id->depth);
  return gb_mix(h ^ id->iteration);
}

/* The payload word expected in node index of a tree with salt. Low int: the
 * node's index (so a wrong node names itself in the failure message); high
 * int: a hash of salt and index. */
static uint64_t gb_node_ints(uint64_t salt, uint64_t index) {
  uint64_t hash = gb_mix(salt + index) >> 32;
  return (hash << 32) | (index & 0xffffffffu);
}

static gc_ref gb_new_node(gb_thread *t, uint64_t salt, uint64_t index) {
  gc_ref n = gc_alloc(t->m, t->node_type, 0);
  gc_write_word(t->m, n, GB_INTS, gb_node_ints(salt, index));
  t->nodes_built++;
  return n;
}

/* Allocates the root of a tree to populate (level 0, index 0). */
static gc_ref gb_new_root(gb_thread *t, uint64_t salt) {
  return gb_new_node(t, salt, 0);
}

/* Fills the tree whose node index `index` is in local root `slot` down to
 * `depth` levels below it, allocating children and storing them into their
 * (older) parent. The right subtree is filled in the same frame, as a
 * compiler makes a loop of the tail call in C GCBench's Populate: `slot`
 * then holds the right child, so a caller passes a root it no longer
 * needs. */
static void gb_populate_at(gb_thread *t, gc_local slot, int depth,
                           uint64_t index, uint64_t salt) {
  gc_mutator *m = t->m;
  for (; depth > 0; depth--, index = 2 * index + 2) {
    gc_safepoint(m);
    gc_ref l = gb_new_node(t, salt, 2 * index + 1);
    gc_write_ref(m, gc_local_get(m, slot), GB_LEFT, l);
    gc_ref r = gb_new_node(t, salt, 2 * index + 2);
    gc_write_ref(m, gc_local_get(m, slot), GB_RIGHT, r);
    gc_local child =
        gc_local_push(m, gc_read_ref(m, gc_local_get(m, slot), GB_LEFT));
    gb_populate_at(t, child, depth - 1, 2 * index + 1, salt);
    gc_local_pop(m, 1);
    gc_local_set(m, slot, gc_read_ref(m, gc_local_get(m, slot), GB_RIGHT));
  }
}

/* Populate: fills the tree whose root is in local root `slot` down to
 * `depth` levels below it; `slot` keeps the root. */
static void gb_populate(gb_thread *t, gc_local slot, int depth, uint64_t salt) {
  gc_local cur = gc_local_push(t->m, gc_local_get(t->m, slot));
  gb_populate_at(t, cur, depth, 0, salt);
  gc_local_pop(t->m, 1);
}

static gc_ref gb_make_at(gb_thread *t, int depth, uint64_t index,
                         uint64_t salt) {
  if (depth <= 0)
    return gb_new_node(t, salt, index);
  gc_mutator *m = t->m;
  gc_safepoint(m);
  gc_local ls = gc_local_push(m, gb_make_at(t, depth - 1, 2 * index + 1, salt));
  gc_local rs = gc_local_push(m, gb_make_at(t, depth - 1, 2 * index + 2, salt));
  gc_ref n = gb_new_node(t, salt, index);
  gc_write_ref(m, n, GB_LEFT, gc_local_get(m, ls));
  gc_write_ref(m, n, GB_RIGHT, gc_local_get(m, rs));
  gc_local_pop(m, 2);
  return n;
}

/* MakeTree: builds a tree of depth `depth` bottom-up and returns its root
 * (the caller must root it before its next allocation). */
static gc_ref gb_make_tree(gb_thread *t, int depth, uint64_t salt) {
  return gb_make_at(t, depth, 0, salt);
}

_Noreturn static void gb_bad_node(gb_thread *t, const gb_tree_id *id, int level,
                                  uint64_t index, const char *what,
                                  uint64_t expected, uint64_t found) {
  gc_fail(t->m,
          "gcbench: node at depth %d index %llu of the %s tree (thread %u, "
          "tree depth %d, iteration %llu): expected %s %#llx, found %#llx",
          level, (unsigned long long)index, id->what, t->id, id->depth,
          (unsigned long long)id->iteration, what, (unsigned long long)expected,
          (unsigned long long)found);
}

/* Checks one node; returns whether it has children to visit. */
static bool gb_check_node(gb_thread *t, gc_ref n, const gb_tree_id *id,
                          int level, uint64_t index, uint64_t salt) {
  gc_mutator *m = t->m;
  unsigned type = gc_type_of(m, n);
  if (type != t->node_type->id)
    gb_bad_node(t, id, level, index, "type id", t->node_type->id, type);
  uint64_t ints = gc_read_word(m, n, GB_INTS);
  if (ints != gb_node_ints(salt, index))
    gb_bad_node(t, id, level, index, "payload", gb_node_ints(salt, index),
                ints);
  gc_ref l = gc_read_ref(m, n, GB_LEFT), r = gc_read_ref(m, n, GB_RIGHT);
  bool inner = level < id->depth;
  if (inner && (l == GC_NULL || r == GC_NULL))
    gb_bad_node(t, id, level, index, "two children, left|right", ~(uint64_t)0,
                (l != GC_NULL) | (uint64_t)(r != GC_NULL) << 1);
  if (!inner && (l != GC_NULL || r != GC_NULL))
    gb_bad_node(t, id, level, index, "a leaf, left|right", 0,
                (l != GC_NULL) | (uint64_t)(r != GC_NULL) << 1);
  t->nodes_checked++;
  return inner;
}

/* Walks the tree whose root is in local root `slot` and checks every node's
 * type, payload and shape (children present exactly above the last level);
 * calls gc_fail on the first mismatch. */
static void gb_check_tree(gb_thread *t, gc_local slot, const gb_tree_id *id,
                          uint64_t salt) {
  gc_mutator *m = t->m;
  /* Pending nodes sit in shadow-stack slots base..base+n-1; their positions
   * in pos[]. A DFS that pops one node and pushes two holds at most
   * depth + 1 of them. */
  struct {
    int level;
    uint64_t index;
  } pos[GB_MAX_DEPTH + 2];
  size_t base = gc_root_depth(m), n = 0;
  gc_root_push(m, gc_local_get(m, slot));
  pos[n].level = 0, pos[n++].index = 0;
  while (n > 0) {
    gc_safepoint(m);
    gc_ref node = gc_root_get(m, base + n - 1);
    int level = pos[n - 1].level;
    uint64_t index = pos[--n].index;
    gc_root_pop(m, 1);
    if (!gb_check_node(t, node, id, level, index, salt))
      continue;
    gc_root_push(m, gc_read_ref(m, node, GB_RIGHT));
    pos[n].level = level + 1, pos[n++].index = 2 * index + 2;
    gc_root_push(m, gc_read_ref(m, node, GB_LEFT));
    pos[n].level = level + 1, pos[n++].index = 2 * index + 1;
  }
}

#endif
