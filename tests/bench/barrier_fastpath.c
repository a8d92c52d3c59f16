/* barrier_fastpath — the cost of each barrier's inline sequence, with no
 * collection running (the barrier as the mutator pays it between cycles).
 *
 *   build/barrier_fastpath POLICY N [write|read|empty]
 *
 * attaches to a heap of POLICY (large: nothing collects), allocates two
 * objects and runs the chosen loop N times in the instance compiled for the
 * policy's family (tests/bench/barrier_body.h); it prints the family, so
 * that tests/bench/barrier_fastpath.sh can count the instance's loop under
 * callgrind and print instructions per access. */
#include "heap/heap.h"
#include "workloads/instance.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t bar_loop_fn(gc_mutator *m, gc_ref obj, gc_ref val, long n);
GC_INSTANCE_DECLARE(bar_loop_fn, bar_write_loop);
GC_INSTANCE_DECLARE(bar_loop_fn, bar_read_loop);
GC_INSTANCE_DECLARE(bar_loop_fn, bar_empty_loop);

static gc_type node = {"bench-node", GC_TYPE_FIXED, 3, 0x3};

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: barrier_fastpath POLICY N [write|read|empty]\n");
    return 2;
  }
  const char *name = argv[1], *what = argc > 3 ? argv[3] : "write";
  long n = atol(argv[2]);
  const gc_policy *p = gc_policy_find(name);
  if (!p || !gc_type_register(&node) || n <= 0) {
    fprintf(stderr, "barrier_fastpath: unknown policy %s or bad N\n", name);
    return 2;
  }
  gc_options opts;
  char err[256];
  gc_options_parse(&opts, p->options, NULL, "policy.options", err, sizeof err);
  gc_heap_config cfg = {.heap_bytes = 256u << 20, .gc_threads = 1};
  gc_heap *heap = gc_heap_create(&cfg, p, &opts, err, sizeof err);
  if (!heap) {
    fprintf(stderr, "barrier_fastpath: %s\n", err);
    return 2;
  }
  gc_mutator *m = gc_attach(heap);
  gc_family f = gc_heap_family(heap);
  size_t a = gc_root_push(m, gc_alloc(m, &node, 0));
  size_t b = gc_root_push(m, gc_alloc(m, &node, 0));
  gc_write_ref(m, gc_root_get(m, a), 0, gc_root_get(m, b));
  bar_loop_fn *loop =
      strcmp(what, "read") == 0    ? GC_INSTANCE_PICK(f, bar_read_loop)
      : strcmp(what, "empty") == 0 ? GC_INSTANCE_PICK(f, bar_empty_loop)
                                   : GC_INSTANCE_PICK(f, bar_write_loop);
  uint64_t t0 = gc_now_ns();
  uint64_t sum = loop(m, gc_root_get(m, a), gc_root_get(m, b), n);
  uint64_t t1 = gc_now_ns();
  printf("%s %s %s: %.2f ns per access [%llx]\n", name, gc_family_name(f), what,
         (double)(t1 - t0) / n, (unsigned long long)sum & 1);
  gc_root_pop(m, 2);
  gc_detach(m);
  gc_heap_destroy(heap);
  return 0;
}
