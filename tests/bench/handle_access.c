/* handle_access — the cost of one reference read and one write under a
 * policy, through the mutator API's generic (run-time dispatched) paths.
 *
 * Allocates N 32-byte nodes, then times loops that read a word of each,
 * write a word of each, and write a reference into each, visiting the
 * nodes in allocation order and in a random order. No collection runs in
 * the timed loops. Prints the median of 5 timings per loop in ns per
 * access. For handle-copy, "copying" as the third argument starts a copy
 * cycle first (and nothing copies during the loops, which allocate
 * nothing): the lock-free write's copy-phase path.
 *   build/handle_access semispace '{}' [copying] [N]
 *   build/handle_access handle-copy '{"writes":"lockfree"}' copying
 * Under callgrind (--toggle-collect=read_loop etc.) instructions / N is
 * the per-access instruction count, free of machine noise
 * (tests/bench/handle_access.sh). */
#include "heap/heap.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static gc_type node = {"bench-hnode", GC_TYPE_FIXED, 3, 0x1};

__attribute__((noinline)) uint64_t read_loop(gc_mutator *m, const gc_ref *r,
                                             const uint32_t *idx, long n) {
  uint64_t sum = 0;
  for (long i = 0; i < n; i++)
    sum += gc_read_word(m, r[idx[i]], 1);
  return sum;
}

__attribute__((noinline)) uint64_t write_loop(gc_mutator *m, const gc_ref *r,
                                              const uint32_t *idx, long n) {
  for (long i = 0; i < n; i++)
    gc_write_word(m, r[idx[i]], 1, (uint64_t)i);
  return 0;
}

__attribute__((noinline)) uint64_t
write_ref_loop(gc_mutator *m, const gc_ref *r, const uint32_t *idx, long n) {
  for (long i = 0; i < n; i++)
    gc_write_ref(m, r[idx[i]], 0, r[idx[(i + 1) % n]]);
  return 0;
}

__attribute__((noinline)) uint64_t empty_loop(gc_mutator *m, const gc_ref *r,
                                              const uint32_t *idx, long n) {
  uint64_t sum = 0;
  for (long i = 0; i < n; i++) {
    __asm__ volatile("" : "+r"(sum));
    sum += r[idx[i]];
  }
  return sum;
}

typedef uint64_t (*loop_fn)(gc_mutator *, const gc_ref *, const uint32_t *,
                            long);

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Median of 5 timings, ns per access. */
static double time_loop(loop_fn f, gc_mutator *m, const gc_ref *r,
                        const uint32_t *idx, long n) {
  double t[5];
  volatile uint64_t sink = f(m, r, idx, n); /* warm up */
  for (int k = 0; k < 5; k++) {
    uint64_t t0 = now_ns();
    sink += f(m, r, idx, n);
    t[k] = (double)(now_ns() - t0) / (double)n;
  }
  (void)sink;
  qsort(t, 5, sizeof *t, cmp_double);
  return t[2];
}

static gc_heap *make_heap(const char *name, const char *options, long n) {
  const gc_policy *p = gc_policy_find(name);
  json_t *o = json_loads(options, 0, NULL);
  gc_options opts;
  char err[256];
  if (!p || !o || !gc_type_register(&node) ||
      !gc_options_parse(&opts, p->options, o, "policy.options", err,
                        sizeof err)) {
    fprintf(stderr, "handle_access: bad policy or options\n");
    exit(2);
  }
  json_decref(o);
  gc_heap_config cfg = {.heap_bytes = (size_t)n * 160 + (64u << 20),
                        .gc_threads = 1,
                        .root_slots = (size_t)n + 64};
  gc_heap *heap = gc_heap_create(&cfg, p, &opts, err, sizeof err);
  if (!heap) {
    fprintf(stderr, "handle_access: %s\n", err);
    exit(2);
  }
  return heap;
}

int main(int argc, char **argv) {
  const char *name = argc > 1 ? argv[1] : "semispace";
  const char *options = argc > 2 ? argv[2] : "{}";
  bool copying = argc > 3 && strcmp(argv[3], "copying") == 0;
  long n = argc > 4 ? atol(argv[4]) : 1000000;
  gc_heap *heap = make_heap(name, options, n);
  gc_mutator *m = gc_attach(heap);
  gc_ref *r = malloc(n * sizeof *r);
  uint32_t *seq = malloc(n * sizeof *seq), *rnd = malloc(n * sizeof *rnd);
  size_t base = gc_root_depth(m);
  for (long i = 0; i < n; i++) /* rooted: the allocations may collect */
    gc_root_push(m, gc_alloc(m, &node, 0));
  if (copying)
    m->policy->collect(m, GC_REASON_STRESS); /* starts a copy cycle */
  for (long i = 0; i < n; i++) {             /* no collection from here on */
    r[i] = gc_root_get(m, base + i);
    seq[i] = rnd[i] = (uint32_t)i;
  }
  srand(1);
  for (long i = n - 1; i > 0; i--) {
    long j = rand() % (i + 1);
    uint32_t t = rnd[i];
    rnd[i] = rnd[j];
    rnd[j] = t;
  }
  const struct {
    const char *what;
    loop_fn f;
  } loops[] = {{"empty", empty_loop},
               {"read", read_loop},
               {"write", write_loop},
               {"write_ref", write_ref_loop}};
  for (size_t k = 0; k < sizeof loops / sizeof *loops; k++)
    printf("%s %s%s %s: seq %.2f ns, random %.2f ns\n", name, options,
           copying ? " copying" : "", loops[k].what,
           time_loop(loops[k].f, m, r, seq, n),
           time_loop(loops[k].f, m, r, rnd, n));
  gc_detach(m);
  gc_heap_destroy(heap);
  free(r), free(seq), free(rnd);
  return 0;
}
