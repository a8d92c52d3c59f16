/* gcbench_array_body.h — GCBench's kept array of doubles, shared by gcbench
 * and mt-gcbench: element i holds 1.0/i for the first half (element 0 is
 * +inf) and zero after it, as the original fills it; the zeros check that
 * allocation zeroed the array. Hot code for the bodies that include it
 * (compiled once per policy family, workloads/instance.h); all static. */
#ifndef GCTB_WORKLOADS_GCBENCH_ARRAY_BODY_H
#define GCTB_WORKLOADS_GCBENCH_ARRAY_BODY_H

#include "../heap/gctb.h"
#include <string.h>

/* Bits of element i of an array of n. */
static uint64_t wl_array_bits(size_t i, size_t n) {
  if (i >= n / 2)
    return 0;
  double d = 1.0 / (double)i;
  uint64_t bits;
  memcpy(&bits, &d, sizeof bits);
  return bits;
}

/* Fills the first half of the array in local root `slot` (the rest stays as
 * allocated), polling every 4096 elements. */
static void wl_array_fill(gc_mutator *m, gc_local slot, size_t n) {
  for (size_t i = 0; i < n / 2; i++) {
    if ((i & 4095) == 0)
      gc_safepoint(m);
    gc_write_word(m, gc_local_get(m, slot), i, wl_array_bits(i, n));
  }
}

/* Checks the array in local root `slot`: its type, its length n and every
 * element; gc_fail names the workload and thread on a mismatch. */
static void wl_array_check(gc_mutator *m, gc_local slot, size_t n,
                           const gc_type *type, const char *workload,
                           unsigned thread) {
  gc_ref a = gc_local_get(m, slot);
  if (gc_type_of(m, a) != type->id || gc_length(m, a) != n)
    gc_fail(m,
            "%s: array (thread %u): expected type %u length %zu, found type "
            "%u length %zu",
            workload, thread, type->id, n, gc_type_of(m, a), gc_length(m, a));
  for (size_t i = 0; i < n; i++) {
    if ((i & 4095) == 0) {
      gc_safepoint(m);
      a = gc_local_get(m, slot);
    }
    uint64_t found = gc_read_word(m, a, i);
    if (found != wl_array_bits(i, n))
      gc_fail(m,
              "%s: array element %zu (thread %u): expected %#llx, found %#llx",
              workload, i, thread, (unsigned long long)wl_array_bits(i, n),
              (unsigned long long)found);
  }
}

#endif
