/* verify.c — the heap verifier: walks the object graph from every root and
 * checks each reference and object, then asks the policy for its own
 * invariants (verify_object per object, verify_heap once at the end).
 *
 * It runs with the world stopped, single-threaded, using its own side
 * structures (a hash set of visited addresses and a stack), so it does not
 * depend on any mark bit the policy might have got wrong. */
#include "heap.h"
#include "trace.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct gc_verifier {
  gc_heap *heap;
  const char *when;
  uint64_t objects, bytes;
  bool failed;
  char msg[768];
  uintptr_t *set; /* open addressing; 0 = empty */
  size_t set_cap, set_n;
  uintptr_t *stack;
  size_t top, cap;
  const char *where; /* what holds the reference being checked */
  uintptr_t holder;
  size_t index;
};

void gc_verify_fail(gc_verifier *v, const char *fmt, ...) {
  if (v->failed)
    return; /* keep the first failure: later ones are often consequences */
  v->failed = true;
  char detail[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(detail, sizeof detail, fmt, ap);
  va_end(ap);
  snprintf(v->msg, sizeof v->msg,
           "heap verification failed (%s, after %llu collections): %s", v->when,
           (unsigned long long)v->heap->collections, detail);
}

bool gc_verify_unmarked(gc_verifier *v, uintptr_t addr, const char *unmarked) {
  gc_verify_fail(v, "0x%lx is reachable but unmarked %s", (unsigned long)addr,
                 unmarked);
  return false;
}

bool gc_verify_large_object(gc_heap *heap, gc_verifier *v, uintptr_t addr,
                            unsigned hw, const char *unmarked) {
  gc_los *l = &heap->los;
  const char *who = heap->policy->name;
  if (!gc_los_contains(l, addr)) {
    gc_verify_fail(v, "%s: 0x%lx is neither in its space nor in the LOS", who,
                   (unsigned long)addr);
    return false;
  }
  if (!gc_los_is_object(l, addr) ||
      gc_object_size(addr, hw) < heap->c.large_object_bytes) {
    gc_verify_fail(v, "%s: 0x%lx is not a large object's start", who,
                   (unsigned long)addr);
    return false;
  }
  if (unmarked && !gc_los_is_marked(l, addr))
    return gc_verify_unmarked(v, addr, unmarked);
  return true;
}

static size_t hash(uintptr_t a, size_t cap) {
  return (size_t)((a >> 3) * 0x9e3779b97f4a7c15ull) & (cap - 1);
}

/* Inserts a; false if it was already there. */
static bool set_insert(gc_verifier *v, uintptr_t a) {
  if (2 * (v->set_n + 1) > v->set_cap) {
    size_t ncap = v->set_cap ? 2 * v->set_cap : 1 << 16;
    uintptr_t *ns = calloc(ncap, sizeof *ns);
    if (!ns) {
      fprintf(stderr, "gctb: verifier out of memory\n");
      abort();
    }
    for (size_t i = 0; i < v->set_cap; i++)
      if (v->set[i]) {
        size_t j = hash(v->set[i], ncap);
        while (ns[j])
          j = (j + 1) & (ncap - 1);
        ns[j] = v->set[i];
      }
    free(v->set);
    v->set = ns;
    v->set_cap = ncap;
  }
  size_t j = hash(a, v->set_cap);
  while (v->set[j]) {
    if (v->set[j] == a)
      return false;
    j = (j + 1) & (v->set_cap - 1);
  }
  v->set[j] = a;
  v->set_n++;
  return true;
}

static void push(gc_verifier *v, uintptr_t a) {
  if (v->top == v->cap) {
    v->cap = v->cap ? 2 * v->cap : 4096;
    v->stack = realloc(v->stack, v->cap * sizeof *v->stack);
    if (!v->stack) {
      fprintf(stderr, "gctb: verifier out of memory\n");
      abort();
    }
  }
  v->stack[v->top++] = a;
}

/* Checks the object a reference leads to; queues it the first time. */
static void check_ref(gc_verifier *v, gc_ref r) {
  gc_heap *heap = v->heap;
  uintptr_t a = heap->policy->resolve(heap, r);
#define BAD(...)                                                               \
  do {                                                                         \
    char what[256];                                                            \
    snprintf(what, sizeof what, __VA_ARGS__);                                  \
    gc_verify_fail(v, "%s (held by %s 0x%lx slot %zu)", what, v->where,        \
                   (unsigned long)v->holder, v->index);                        \
    return;                                                                    \
  } while (0)
  if (a == 0 || (a & 7))
    BAD("reference 0x%lx resolves to bad address 0x%lx", (unsigned long)r,
        (unsigned long)a);
  if (!heap->c.external_memory) {
    uint8_t space = gc_arena_space_of(&heap->arena, a);
    if (space == GC_SPACE_FREE)
      BAD("reference 0x%lx: address 0x%lx is %s", (unsigned long)r,
          (unsigned long)a,
          gc_arena_contains(&heap->arena, a) ? "in a free chunk"
                                             : "outside the heap");
  }
  if (!set_insert(v, a))
    return;
  uint64_t h = *(uint64_t *)a;
  const gc_type *t = gc_type_by_id(gc_header_type(h));
  if (!t)
    BAD("object 0x%lx has unknown type id %u (header 0x%llx)", (unsigned long)a,
        gc_header_type(h), (unsigned long long)h);
  if (t->kind == GC_TYPE_FIXED && gc_header_length(h) != 0)
    BAD("fixed-layout object 0x%lx (%s) has length %zu", (unsigned long)a,
        t->name, gc_header_length(h));
  size_t bytes = gc_object_bytes(t, gc_header_length(h), heap->c.header_words);
  if (bytes > heap->cfg.heap_bytes)
    BAD("object 0x%lx (%s) claims %zu bytes, more than the heap",
        (unsigned long)a, t->name, bytes);
  if (heap->c.header_words == 2 && ((uintptr_t *)a)[1] != a)
    BAD("object 0x%lx (%s): forwarding word 0x%lx does not point to itself",
        (unsigned long)a, t->name, (unsigned long)((uintptr_t *)a)[1]);
  if (!heap->policy->verify_object(heap, v, a))
    gc_verify_fail(v, "policy %s rejected object 0x%lx (%s)",
                   heap->policy->name, (unsigned long)a, t->name);
  v->objects++;
  v->bytes += bytes;
  push(v, a);
#undef BAD
}

static void visit_root(gc_ref *slot, void *ctx) {
  gc_verifier *v = ctx;
  check_ref(v, *slot);
  v->index++;
}

static void visit_slot(uintptr_t *slot, void *ctx) {
  gc_verifier *v = ctx;
  gc_ref r = __atomic_load_n(slot, __ATOMIC_RELAXED);
  v->index = (size_t)(slot - (uintptr_t *)v->holder) - v->heap->c.header_words;
  if (r != GC_NULL)
    check_ref(v, r);
}

static void visit_mutator(gc_mutator *m, void *ctx) {
  gc_verifier *v = ctx;
  v->where = "root of mutator";
  v->holder = m->priv->id;
  v->index = 0;
  gc_mutator_roots(m, visit_root, v);
}

void gc_verify(gc_heap *heap, const char *when) {
  gc_verifier v = {.heap = heap, .when = when};
  gc_for_each_mutator(heap, visit_mutator, &v);
  v.where = "object";
  while (v.top && !v.failed) {
    v.holder = v.stack[--v.top];
    gc_for_each_slot(v.holder, heap->c.header_words, visit_slot, &v);
  }
  if (!v.failed && !heap->policy->verify_heap(heap, &v))
    gc_verify_fail(&v, "policy %s: heap invariants do not hold",
                   heap->policy->name);
  free(v.set);
  free(v.stack);
  heap->verifications++;
  if (v.failed)
    heap->on_fail(heap, NULL, v.msg);
}
