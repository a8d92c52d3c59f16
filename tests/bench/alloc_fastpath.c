/* alloc_fastpath — the cost of the inline allocation fast path.
 *
 * Allocates N fixed 32-byte objects in a loop under a policy (default nogc)
 * and keeps none. Run under callgrind with collection toggled on
 * alloc_loop only, instructions / N is the per-object cost of the fast path
 * plus the amortised refills:
 *   valgrind --tool=callgrind --toggle-collect=alloc_loop \
 *     build/alloc_fastpath nogc 1000000
 * (tests/bench/alloc_fastpath.sh counts each loop and prints the ratios). */
#include "heap/heap.h"
#include <stdio.h>
#include <stdlib.h>

static gc_type node = {"bench-node", GC_TYPE_FIXED, 3, 0x3};

/* Not inlined, so callgrind can count exactly these loops. alloc_loop
 * dispatches on the policy's declared kinds at run time (what workloads
 * do); alloc_loop_bump1 is the instance specialised for bump allocation
 * with one header word; empty_loop is the loop's own overhead. */
__attribute__((noinline)) uint64_t alloc_loop(gc_mutator *m, long n) {
  uint64_t sum = 0;
  for (long i = 0; i < n; i++)
    sum += (uint64_t)gc_alloc(m, &node, 0);
  return sum;
}

__attribute__((noinline)) uint64_t alloc_loop_bump1(gc_mutator *m, long n) {
  uint64_t sum = 0;
  for (long i = 0; i < n; i++)
    sum += (uint64_t)gc_alloc_as(m, &node, 0, GC_ALLOC_BUMP, 1);
  return sum;
}

__attribute__((noinline)) uint64_t empty_loop(gc_mutator *m, long n) {
  uint64_t sum = 0;
  for (long i = 0; i < n; i++) {
    __asm__ volatile("" : "+r"(sum));
    sum += (uint64_t)m->bump_cur;
  }
  return sum;
}

int main(int argc, char **argv) {
  const char *name = argc > 1 ? argv[1] : "nogc";
  long n = argc > 2 ? atol(argv[2]) : 1000000;
  const gc_policy *p = gc_policy_find(name);
  if (!p || !gc_type_register(&node)) {
    fprintf(stderr, "alloc_fastpath: unknown policy %s\n", name);
    return 2;
  }
  gc_options opts;
  char err[256];
  gc_options_parse(&opts, p->options, NULL, "policy.options", err, sizeof err);
  gc_heap_config cfg = {.heap_bytes = (size_t)n * 40 + (64u << 20),
                        .gc_threads = 1};
  gc_heap *heap = gc_heap_create(&cfg, p, &opts, err, sizeof err);
  if (!heap) {
    fprintf(stderr, "alloc_fastpath: %s\n", err);
    return 2;
  }
  gc_mutator *m = gc_attach(heap);
  uint64_t t0 = gc_now_ns();
  uint64_t sum = alloc_loop(m, n);
  uint64_t t1 = gc_now_ns();
  if (p->constraints.alloc == GC_ALLOC_BUMP && p->constraints.header_words == 1)
    sum += alloc_loop_bump1(m, n);
  sum += empty_loop(m, n);
  printf("%s: %ld objects in %.3f ms (%.2f ns/object) [%llx]\n", name, n,
         (t1 - t0) / 1e6, (double)(t1 - t0) / n, (unsigned long long)sum & 1);
  gc_detach(m);
  gc_heap_destroy(heap);
  return 0;
}
