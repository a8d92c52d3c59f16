/* sizeclass.c — the size-class tables (see sizeclass.h for the rationale).
 * Compile-time constants, so no start-up order matters; the lookup table
 * uses GNU range designators and test_sizeclass.c checks it against the
 * class list for every size. */
#include "sizeclass.h"

#define RECIP(s) ((uint32_t)((((uint64_t)1 << 32) + (s)-1) / (s)))

const uint32_t gc_sizeclass_bytes[GC_SIZECLASS_COUNT] = {
    16,   32,   48,   64,   80,   96,   112,  128,  /* 16-byte steps */
    160,  192,  224,  256,                          /* then 4 per doubling */
    320,  384,  448,  512,  640,  768,  896,  1024, /* */
    1280, 1536, 1792, 2048, 2560, 3072, 3584, 4096};

const uint32_t gc_sizeclass_recip[GC_SIZECLASS_COUNT] = {
    RECIP(16),   RECIP(32),   RECIP(48),   RECIP(64),   RECIP(80),
    RECIP(96),   RECIP(112),  RECIP(128),  RECIP(160),  RECIP(192),
    RECIP(224),  RECIP(256),  RECIP(320),  RECIP(384),  RECIP(448),
    RECIP(512),  RECIP(640),  RECIP(768),  RECIP(896),  RECIP(1024),
    RECIP(1280), RECIP(1536), RECIP(1792), RECIP(2048), RECIP(2560),
    RECIP(3072), RECIP(3584), RECIP(4096)};

/* Index i covers sizes 16*(i-1)+1 .. 16*i; each range ends at a class size
 * divided by 16. */
const uint8_t gc_sizeclass_of_table[GC_SIZECLASS_TABLE_LEN] = {
    [0 ... 1] = 0,
    [2] = 1,
    [3] = 2,
    [4] = 3,
    [5] = 4,
    [6] = 5,
    [7] = 6,
    [8] = 7,
    [9 ... 10] = 8,
    [11 ... 12] = 9,
    [13 ... 14] = 10,
    [15 ... 16] = 11,
    [17 ... 20] = 12,
    [21 ... 24] = 13,
    [25 ... 28] = 14,
    [29 ... 32] = 15,
    [33 ... 40] = 16,
    [41 ... 48] = 17,
    [49 ... 56] = 18,
    [57 ... 64] = 19,
    [65 ... 80] = 20,
    [81 ... 96] = 21,
    [97 ... 112] = 22,
    [113 ... 128] = 23,
    [129 ... 160] = 24,
    [161 ... 192] = 25,
    [193 ... 224] = 26,
    [225 ... 256] = 27};
