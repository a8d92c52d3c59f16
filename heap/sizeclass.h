/* sizeclass.h — the small-object size classes of the "My GC" seed (segregated
 * fits).
 *
 * Sixteen-byte steps up to 128 bytes, then four classes per doubling up to
 * 4096 bytes: 16, 32, ... 128, 160, 192, 224, 256, 320, ..., 2048, 2560,
 * 3072, 3584, 4096 (the seed writes "3580", a typo: every class is a multiple
 * of 16, and 3584 = 7 * 512 continues the 2560/3072/.../4096 progression).
 * Four classes per doubling bound internal fragmentation by 25%.
 *
 * Lookup is one table load, gc_sizeclass_of_table[(bytes + 15) >> 4], which
 * the inline FREEBITS fast path in gctb.h reads through m->size_class_of.
 * Address -> cell index uses the seed's "size class reciprocal multiplier":
 * offset * ceil(2^32 / size) >> 32 is exact for every offset below 2^18
 * (one arena chunk), because the rounding error is below offset / 2^32 <
 * 2^-14 while offset / size sits at least 1/size >= 2^-12 below the next
 * integer. tests/unit/test_sizeclass.c checks every offset of every class.
 */
#ifndef GCTB_SIZECLASS_H
#define GCTB_SIZECLASS_H

#include "gctb.h"
#include <stddef.h>
#include <stdint.h>

#define GC_SIZECLASS_COUNT 28
#define GC_SIZECLASS_MAX_BYTES 4096u
/* Entries in the lookup table: (4096 + 15) >> 4 = 256, plus index 0. */
#define GC_SIZECLASS_TABLE_LEN 257

_Static_assert(GC_SIZECLASS_COUNT <= GC_SIZE_CLASSES,
               "gctb.h's per-mutator cache has too few size classes");

extern const uint32_t gc_sizeclass_bytes[GC_SIZECLASS_COUNT];
extern const uint32_t gc_sizeclass_recip[GC_SIZECLASS_COUNT];
extern const uint8_t gc_sizeclass_of_table[GC_SIZECLASS_TABLE_LEN];

/* The smallest class holding bytes (bytes <= GC_SIZECLASS_MAX_BYTES). */
static inline unsigned gc_sizeclass_of(size_t bytes) {
  return gc_sizeclass_of_table[(bytes + 15) >> 4];
}

/* offset / size without a division, for offset < 2^18 (see above). */
static inline uint32_t gc_sizeclass_div(uint32_t offset, uint32_t recip) {
  return (uint32_t)(((uint64_t)offset * recip) >> 32);
}

#endif
