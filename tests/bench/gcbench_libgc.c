/* gcbench_libgc.c — GCBench written directly on libgc: the program the bdw
 * policy is measured against (issue 14, docs/policies/bdw.md). It links
 * libgc only, nothing of gctb.
 *
 * The same benchmark as gctb's gcbench (workloads/gcbench_body.h) with the
 * same parameters and the same work per node: every node's data word holds
 * the same hash of (seed, phase, depth, iteration, index), the same trees
 * are built in the same order, the same checks run. What differs is what a
 * program written on libgc does not have: a node is a C struct of three
 * words (no header word; 24 bytes, a 32-byte libgc cell like gctb's 32-byte
 * node with its header), references live in C locals that libgc finds on
 * the stack (no shadow stack), and nothing counts objects.
 *
 * Allocation is one of
 *   alloc=malloc  GC_MALLOC for nodes, as the classic C GCBench does (a call
 *                 into libgc's thread-local free lists);
 *   alloc=inline  gc_inline.h's inline free-list pop (GC_MALLOC_WORDS) on a
 *                 free-list array in static data, refilled by libgc.
 * The array is GC_MALLOC_ATOMIC'd either way.
 *
 * The heap is fixed as the bdw policy fixes it (policies/bdw/bdw.c): capped
 * at, expanded to and touched over heap= bytes before the timed run, never
 * expanded, collected only when full (min_bytes_allocd = heap), interior
 * pointers off, gc_threads= markers, blocks never given back to the OS.
 *
 * Usage: gcbench_libgc [key=value ...]
 *   stretch_depth=18 long_lived_depth=16 array_size=500000 min_depth=4
 *   max_depth=16 depth_step=2 check_every=1 seed=1 heap=64M gc_threads=2
 *   alloc=malloc
 * Prints one line: the parameters, wall_ns (stretch tree to final check,
 * the span gctb's record calls wall_ns), collections and nodes built. */
#define _POSIX_C_SOURCE 200809L /* setenv */
#define GC_THREADS 1
#define GC_NO_THREAD_REDIRECTS 1
#include <gc/gc.h>
#include <gc/gc_inline.h>

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct node {
  struct node *left, *right;
  uint64_t ints; /* the original's two ints i and j, packed */
} node;

/* The parameters, with gctb's gcbench defaults (workloads/gcbench.c). */
static struct {
  long stretch_depth, long_lived_depth, array_size, min_depth, max_depth,
      depth_step, check_every, seed, gc_threads;
  size_t heap;
  bool inline_alloc;
} P = {18, 16, 500000, 4, 16, 2, 1, 1, 2, 64u << 20, false};

static uint64_t nodes_built;

/* alloc=inline: libgc's tiny free lists for this (only) thread. Static
 * data is a root, so the lists' objects (NORMAL kind, linked through their
 * first word) stay reachable and are not reclaimed under us. */
static void *free_lists[GC_TINY_FREELISTS];

/* ---- The per-node work, the same as gctb's gcbench ---------------------
 * These must compute what workloads/gcbench_tree_body.h computes
 * (gb_mix, gb_tree_salt, gb_node_ints) so that both programs do the same
 * arithmetic per node; thread id is 0. */

static uint64_t mix64(uint64_t x) { /* splitmix64's finaliser */
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

static uint64_t fnv1a(const char *s) {
  uint64_t h = 0xcbf29ce484222325ull;
  while (*s)
    h = (h ^ (unsigned char)*s++) * 0x100000001b3ull;
  return h;
}

static uint64_t tree_salt(const char *phase, long depth, uint64_t iteration) {
  uint64_t h = mix64((uint64_t)P.seed ^ fnv1a(phase));
  h = mix64(h ^ (uint64_t)depth);
  return mix64(h ^ iteration);
}

static uint64_t node_ints(uint64_t salt, uint64_t index) {
  return (mix64(salt + index) >> 32 << 32) | (index & 0xffffffffu);
}

/* ---- Trees --------------------------------------------------------------- */

static node *new_node(uint64_t salt, uint64_t index) {
  node *n;
  if (P.inline_alloc) {
    GC_MALLOC_WORDS(n, sizeof(node) / sizeof(void *), free_lists);
  } else {
    n = GC_MALLOC(sizeof(node));
  }
  if (!n) {
    fprintf(stderr, "gcbench_libgc: out of memory (heap=%zu)\n", P.heap);
    exit(1);
  }
  n->ints = node_ints(salt, index);
  nodes_built++;
  return n;
}

/* Populate: children below n down to depth more levels, top-down. */
static void populate(node *n, long depth, uint64_t index, uint64_t salt) {
  if (depth <= 0)
    return;
  n->left = new_node(salt, 2 * index + 1);
  n->right = new_node(salt, 2 * index + 2);
  populate(n->left, depth - 1, 2 * index + 1, salt);
  populate(n->right, depth - 1, 2 * index + 2, salt);
}

/* MakeTree: a tree of depth levels below its root, bottom-up. */
static node *make_tree(long depth, uint64_t index, uint64_t salt) {
  if (depth <= 0)
    return new_node(salt, index);
  node *l = make_tree(depth - 1, 2 * index + 1, salt);
  node *r = make_tree(depth - 1, 2 * index + 2, salt);
  node *n = new_node(salt, index);
  n->left = l;
  n->right = r;
  return n;
}

static _Noreturn void bad(const char *what, long level, uint64_t index) {
  fprintf(stderr,
          "gcbench_libgc: %s tree: wrong node at level %ld index %" PRIu64 "\n",
          what, level, index);
  exit(1);
}

/* Checks payload and shape: children exactly above the last level. */
static void check_tree(const node *n, long level, long depth, uint64_t index,
                       uint64_t salt, const char *what) {
  if (n->ints != node_ints(salt, index))
    bad(what, level, index);
  bool inner = level < depth;
  if (inner != (n->left != NULL) || inner != (n->right != NULL))
    bad(what, level, index);
  if (!inner)
    return;
  check_tree(n->right, level + 1, depth, 2 * index + 2, salt, what);
  check_tree(n->left, level + 1, depth, 2 * index + 1, salt, what);
}

static uint64_t array_bits(size_t i, size_t n) {
  if (i >= n / 2)
    return 0;
  double d = 1.0 / (double)i;
  uint64_t bits;
  memcpy(&bits, &d, sizeof bits);
  return bits;
}

static uint64_t nodes(long depth) { return (2ull << depth) - 1; }

/* ---- The benchmark ------------------------------------------------------- */

static void one_tree(bool top_down, long depth, uint64_t i) {
  const char *what = top_down ? "top-down" : "bottom-up";
  uint64_t salt = tree_salt(what, depth, i);
  node *root;
  if (top_down) {
    root = new_node(salt, 0);
    populate(root, depth, 0, salt);
  } else {
    root = make_tree(depth, 0, salt);
  }
  if (P.check_every && i % (uint64_t)P.check_every == 0)
    check_tree(root, 0, depth, 0, salt, what);
}

/* Not inlined: bdw_vs_libgc.sh --instructions counts from its entry. */
__attribute__((noinline)) static void gcbench_run(void) {
  uint64_t salt = tree_salt("stretch", P.stretch_depth, 0);
  node *stretch = make_tree(P.stretch_depth, 0, salt);
  if (P.check_every)
    check_tree(stretch, 0, P.stretch_depth, 0, salt, "stretch");
  stretch = NULL;

  uint64_t lsalt = tree_salt("long-lived", P.long_lived_depth, 0);
  node *volatile kept = new_node(lsalt, 0);
  populate(kept, P.long_lived_depth, 0, lsalt);
  size_t n = (size_t)P.array_size;
  /* gctb's arrays come zeroed; GC_MALLOC_ATOMIC's do not. */
  uint64_t *volatile array = GC_MALLOC_ATOMIC(n ? n * 8 : 8);
  if (!array) {
    fprintf(stderr, "gcbench_libgc: out of memory for the array\n");
    exit(1);
  }
  memset(array, 0, n * 8);
  for (size_t i = 0; i < n / 2; i++)
    array[i] = array_bits(i, n);

  for (long d = P.min_depth; d <= P.max_depth; d += P.depth_step) {
    uint64_t iters = 2 * nodes(P.stretch_depth) / nodes(d);
    for (uint64_t i = 0; i < iters; i++)
      one_tree(true, d, i);
    for (uint64_t i = 0; i < iters; i++)
      one_tree(false, d, i);
  }

  check_tree(kept, 0, P.long_lived_depth, 0, lsalt, "long-lived");
  for (size_t i = 0; i < n; i++)
    if (array[i] != array_bits(i, n)) {
      fprintf(stderr, "gcbench_libgc: array element %zu is wrong\n", i);
      exit(1);
    }
}

/* ---- The heap, fixed as bdw fixes it ------------------------------------ */

static void fix_heap(void) {
  setenv("GC_UNMAP_THRESHOLD", "0", 0);
  GC_set_markers_count((unsigned)P.gc_threads);
  GC_set_all_interior_pointers(0);
  GC_INIT();
  GC_set_max_heap_size(P.heap);
  GC_set_max_retries(1);
  GC_set_min_bytes_allocd(P.heap); /* no collection while touching */
  size_t now = GC_get_heap_size();
  if (P.heap > now && !GC_expand_hp(P.heap - now)) {
    fprintf(stderr, "gcbench_libgc: cannot expand libgc's heap to %zu\n",
            P.heap);
    exit(1);
  }
  GC_set_dont_expand(1);
  /* Touch every free block once, then free them all again. */
  size_t blocks = GC_get_free_bytes() / (64u << 10);
  for (size_t i = 0; i < blocks; i++) {
    void *p = GC_MALLOC_ATOMIC(64u << 10);
    if (!p)
      break;
    memset(p, 0, 64u << 10);
  }
  GC_gcollect();
}

/* ---- Arguments ------------------------------------------------------------
 */

static _Noreturn void usage(const char *why, const char *arg) {
  fprintf(stderr,
          "gcbench_libgc: %s: %s\n"
          "usage: gcbench_libgc [key=value ...]; keys: stretch_depth "
          "long_lived_depth array_size min_depth max_depth depth_step "
          "check_every seed gc_threads (integers), heap (bytes, K/M/G "
          "suffix), alloc (malloc|inline)\n",
          why, arg);
  exit(2);
}

static long int_arg(const char *arg, const char *v, long lo, long hi) {
  char *end;
  errno = 0;
  long x = strtol(v, &end, 10);
  if (errno || end == v || *end || x < lo || x > hi)
    usage("bad value", arg);
  return x;
}

static size_t size_arg(const char *arg, const char *v) {
  char *end;
  errno = 0;
  unsigned long long x = strtoull(v, &end, 10);
  int shift = *end == 'K' ? 10 : *end == 'M' ? 20 : *end == 'G' ? 30 : 0;
  if (shift)
    end++;
  if (errno || end == v || *end || *v == '-' || x == 0 ||
      x > (1ull << (40 - shift)))
    usage("bad size", arg);
  return (size_t)(x << shift);
}

static void parse(int argc, char **argv) {
  static const struct {
    const char *key;
    long *field;
    long lo, hi;
  } ints[] = {
      {"stretch_depth", &P.stretch_depth, 0, 30},
      {"long_lived_depth", &P.long_lived_depth, 0, 30},
      {"array_size", &P.array_size, 0, 1l << 30},
      {"min_depth", &P.min_depth, 0, 30},
      {"max_depth", &P.max_depth, 0, 30},
      {"depth_step", &P.depth_step, 1, 30},
      {"check_every", &P.check_every, 0, 1000000000},
      {"seed", &P.seed, 0, INT64_MAX},
      {"gc_threads", &P.gc_threads, 1, 256},
  };
  for (int a = 1; a < argc; a++) {
    char *eq = strchr(argv[a], '=');
    if (!eq)
      usage("not key=value", argv[a]);
    size_t klen = (size_t)(eq - argv[a]);
    const char *v = eq + 1;
    bool known = false;
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
      if (strlen(ints[i].key) == klen && !strncmp(argv[a], ints[i].key, klen)) {
        *ints[i].field = int_arg(argv[a], v, ints[i].lo, ints[i].hi);
        known = true;
      }
    if (known)
      continue;
    if (klen == 4 && !strncmp(argv[a], "heap", 4))
      P.heap = size_arg(argv[a], v);
    else if (klen == 5 && !strncmp(argv[a], "alloc", 5) &&
             (!strcmp(v, "malloc") || !strcmp(v, "inline")))
      P.inline_alloc = !strcmp(v, "inline");
    else
      usage("unknown key or value", argv[a]);
  }
}

int main(int argc, char **argv) {
  parse(argc, argv);
  fix_heap();
  GC_word gcs = GC_get_gc_no();
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  gcbench_run();
  clock_gettime(CLOCK_MONOTONIC, &t1);
  uint64_t ns = (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000000000u +
                (uint64_t)t1.tv_nsec - (uint64_t)t0.tv_nsec;
  printf("gcbench_libgc alloc=%s heap=%zu gc_threads=%ld check_every=%ld "
         "wall_ns=%" PRIu64 " collections=%lu nodes_built=%" PRIu64 "\n",
         P.inline_alloc ? "inline" : "malloc", P.heap, P.gc_threads,
         P.check_every, ns, (unsigned long)(GC_get_gc_no() - gcs), nodes_built);
  return 0;
}
