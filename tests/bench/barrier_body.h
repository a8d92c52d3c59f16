/* barrier_body.h — the loops tests/bench/barrier_fastpath.c counts, compiled
 * once per policy family (tests/CMakeLists.txt, cmake/families.cmake) so
 * that each barrier's inline sequence is the one workloads run: the
 * family's kinds are constants and the switches in gctb.h fold away.
 *
 * Not inlined, so that callgrind can count exactly one loop
 * (--toggle-collect=bar_write_loop_<family>). Each iteration is one
 * reference store into, or one reference load from, a payload slot of an
 * object allocated just before (young, as most stores are); the empty loop
 * is the loops' own overhead, so a plain store or load counts 1. */
#include "workloads/instance.h"

__attribute__((noinline)) uint64_t
GC_INSTANCE(bar_write_loop)(gc_mutator *m, gc_ref obj, gc_ref val, long n) {
  for (long i = 0; i < n; i++) {
    __asm__ volatile("" : "+r"(val));
    gc_write_ref(m, obj, 0, val);
  }
  return val;
}

__attribute__((noinline)) uint64_t
GC_INSTANCE(bar_read_loop)(gc_mutator *m, gc_ref obj, gc_ref val, long n) {
  for (long i = 0; i < n; i++) {
    __asm__ volatile("" : "+r"(obj));
    gc_ref v = gc_read_ref(m, obj, 0);
    __asm__ volatile("" ::"r"(v));
  }
  return obj;
}

__attribute__((noinline)) uint64_t
GC_INSTANCE(bar_empty_loop)(gc_mutator *m, gc_ref obj, gc_ref val, long n) {
  for (long i = 0; i < n; i++)
    __asm__ volatile("" : "+r"(obj));
  return obj;
}
