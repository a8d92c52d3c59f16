/* arena.h — one reserved, pre-committed arena of aligned chunks, and the
 * address -> space table.
 *
 * The whole heap is reserved and touched once at start-up (first-touch page
 * faults cost ~11 us each on our machines, so no collector may pay them per
 * cycle). Spaces take chunks from the arena and give them back; freed chunks
 * stay committed and are reused. space_of[] maps each chunk to the space that
 * owns it (0 = free), so "which space is this address in" is one load.
 */
#ifndef GCTB_ARENA_H
#define GCTB_ARENA_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GC_CHUNK_LOG 18 /* 256 KiB */
#define GC_CHUNK_BYTES ((size_t)1 << GC_CHUNK_LOG)
#define GC_PAGE_BYTES ((size_t)4096)

#define GC_SPACE_FREE 0 /* space id of a chunk nobody owns */
#define GC_SPACE_MAX 32

typedef struct gc_arena {
  uintptr_t base; /* chunk-aligned */
  size_t nchunks;
  size_t free_chunks;
  uint8_t *space_of;  /* per chunk: owning space id */
  uintptr_t map_base; /* what mmap returned (for munmap) */
  size_t map_bytes;
  pthread_mutex_t lock;
  const char *space_name[GC_SPACE_MAX];
  unsigned nspaces;
} gc_arena;

/* Reserves bytes (rounded up to whole chunks) and touches every page once
 * (populate: MAP_POPULATE, plus transparent huge pages where allowed). */
bool gc_arena_init(gc_arena *a, size_t bytes, char *err, size_t errlen);
void gc_arena_destroy(gc_arena *a);

/* Registers a named space; returns its id (1..GC_SPACE_MAX-1). */
uint8_t gc_arena_add_space(gc_arena *a, const char *name);

/* Takes n contiguous free chunks for space; returns their address or 0. */
uintptr_t gc_arena_take(gc_arena *a, size_t n, uint8_t space);
/* Gives n chunks starting at addr back (their contents are left dirty). */
void gc_arena_give(gc_arena *a, uintptr_t addr, size_t n);
/* Reassigns n chunks at addr to another space (e.g. a semispace flip). */
void gc_arena_retag(gc_arena *a, uintptr_t addr, size_t n, uint8_t space);

static inline bool gc_arena_contains(const gc_arena *a, uintptr_t addr) {
  return addr - a->base < (a->nchunks << GC_CHUNK_LOG);
}
static inline size_t gc_arena_chunk_index(const gc_arena *a, uintptr_t addr) {
  return (addr - a->base) >> GC_CHUNK_LOG;
}
/* Space owning addr; GC_SPACE_FREE outside the arena or in a free chunk. */
static inline uint8_t gc_arena_space_of(const gc_arena *a, uintptr_t addr) {
  if (!gc_arena_contains(a, addr))
    return GC_SPACE_FREE;
  return __atomic_load_n(&a->space_of[gc_arena_chunk_index(a, addr)],
                         __ATOMIC_RELAXED);
}
static inline size_t gc_arena_free_bytes(gc_arena *a) {
  return __atomic_load_n(&a->free_chunks, __ATOMIC_RELAXED) << GC_CHUNK_LOG;
}

#endif
