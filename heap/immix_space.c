/* immix_space.c — the immix space's geometry, side tables, chunks and block
 * lists.
 *
 * The space grows a chunk (8 blocks of 32 KiB) at a time from the arena
 * when its free list is empty, and the sweep gives wholly free chunks back,
 * so the large-object space and the immix space share one heap budget.
 * Mutators leave sp->reserve_blocks free blocks (counting the arena's free
 * chunks) to the collector: the paper's defragmentation headroom, into
 * which an evacuating collection copies. */
#include "immix_space.h"
#include "util.h"
#include <stdlib.h>
#include <string.h>

const char *const immix_line_marking_choices[] = {"conservative", "exact",
                                                  NULL};

static bool pow2(size_t x) { return x && !(x & (x - 1)); }

bool immix_config_read(immix_config *c, const gc_options *opts, char *err,
                       size_t errlen) {
  c->block_bytes = (size_t)gc_opt_int(opts, "block_bytes");
  c->line_bytes = (size_t)gc_opt_int(opts, "line_bytes");
  c->large_object_bytes = (size_t)gc_opt_int(opts, "large_object_bytes");
  c->conservative = strcmp(gc_opt_enum(opts, "line_marking"),
                           immix_line_marking_choices[IMMIX_CONSERVATIVE]) == 0;
  if (!pow2(c->block_bytes) || c->block_bytes > GC_CHUNK_BYTES)
    return gc_errorf(err, errlen,
                     "policy.options.block_bytes: %zu is not a power of two "
                     "of at most %zu",
                     c->block_bytes, GC_CHUNK_BYTES);
  if (!pow2(c->line_bytes) || c->line_bytes * 4 > c->block_bytes)
    return gc_errorf(err, errlen,
                     "policy.options.line_bytes: %zu is not a power of two of "
                     "at most a quarter of block_bytes (%zu)",
                     c->line_bytes, c->block_bytes);
  if (c->large_object_bytes > c->block_bytes)
    return gc_errorf(err, errlen,
                     "policy.options.large_object_bytes: %zu is bigger than "
                     "a block (%zu): medium objects must fit in one",
                     c->large_object_bytes, c->block_bytes);
  return true;
}

/* Side tables are touched page by page now (malloc + memset), so no
 * collection pays first-touch faults on them. */
static void *alloc_zeroed(size_t bytes) {
  void *p = malloc(bytes ? bytes : 1);
  if (p)
    memset(p, 0, bytes);
  return p;
}

static unsigned log2_of(size_t x) { return (unsigned)__builtin_ctzll(x); }

bool immix_space_init(immix_space *sp, gc_heap *heap, const immix_config *c,
                      const char *name, char *err, size_t errlen) {
  memset(sp, 0, sizeof *sp);
  sp->heap = heap;
  sp->arena = &heap->arena;
  sp->base = heap->arena.base;
  sp->conservative = c->conservative;
  sp->block_bytes = c->block_bytes;
  sp->line_bytes = c->line_bytes;
  sp->block_log = log2_of(c->block_bytes);
  sp->line_log = log2_of(c->line_bytes);
  sp->lines_per_block = (unsigned)(c->block_bytes / c->line_bytes);
  sp->blocks_per_chunk = (unsigned)(GC_CHUNK_BYTES / c->block_bytes);
  size_t arena_bytes = heap->arena.nchunks << GC_CHUNK_LOG;
  sp->nblocks = heap->arena.nchunks * sp->blocks_per_chunk;
  sp->id = gc_arena_add_space(sp->arena, name);
  sp->blocks = alloc_zeroed(sp->nblocks * sizeof *sp->blocks);
  sp->line_mark = alloc_zeroed(arena_bytes >> sp->line_log);
  sp->block_mark = alloc_zeroed(sp->nblocks);
  sp->obj_mark = alloc_zeroed(arena_bytes / 64);
  sp->free_list = alloc_zeroed(sp->nblocks * sizeof *sp->free_list);
  sp->recyclable = alloc_zeroed(sp->nblocks * sizeof *sp->recyclable);
  pthread_mutex_init(&sp->lock, NULL);
  double reserve = c->reserve * (double)sp->nblocks;
  sp->reserve_blocks = (size_t)reserve + (reserve > (double)(size_t)reserve);
  sp->handout_limit = UINT64_MAX;
  if (!sp->id || !sp->blocks || !sp->line_mark || !sp->block_mark ||
      !sp->obj_mark || !sp->free_list || !sp->recyclable) {
    immix_space_destroy(sp);
    return gc_errorf(err, errlen, "%s: cannot set up the immix space", name);
  }
  return true;
}

void immix_space_destroy(immix_space *sp) {
  free(sp->blocks);
  free(sp->line_mark);
  free(sp->block_mark);
  free(sp->obj_mark);
  free(sp->free_list);
  free(sp->recyclable);
  free(sp->log);
  sp->log = NULL;
  pthread_mutex_destroy(&sp->lock);
  sp->blocks = NULL;
  sp->line_mark = sp->block_mark = NULL;
  sp->obj_mark = NULL;
  sp->free_list = sp->recyclable = NULL;
}

size_t immix_free_blocks(immix_space *sp) {
  return __atomic_load_n(&sp->nfree, __ATOMIC_RELAXED) +
         (gc_arena_free_bytes(sp->arena) >> GC_CHUNK_LOG) *
             sp->blocks_per_chunk;
}

/* Under sp->lock: a fresh chunk's blocks join the free list, lowest address
 * on top. Its side tables are cleared: the chunk may come back from the LOS
 * or from an earlier spell in this space. */
static bool take_chunk(immix_space *sp) {
  uintptr_t c = gc_arena_take(sp->arena, 1, sp->id);
  if (!c)
    return false;
  __atomic_add_fetch(&sp->chunks_held, 1, __ATOMIC_RELAXED);
  size_t first = immix_block_of(sp, c), off = c - sp->base;
  memset(sp->line_mark + (off >> sp->line_log), 0,
         GC_CHUNK_BYTES >> sp->line_log);
  memset(sp->obj_mark + off / 512, 0, GC_CHUNK_BYTES / 64);
  memset(sp->block_mark + first, 0, sp->blocks_per_chunk);
  size_t n = sp->nfree;
  for (size_t i = sp->blocks_per_chunk; i-- > 0;) {
    sp->blocks[first + i] = (immix_block){
        .state = IMMIX_FREE, .free = (uint16_t)sp->lines_per_block, .holes = 1};
    sp->free_list[n++] = (uint32_t)(first + i);
  }
  __atomic_store_n(&sp->nfree, n, __ATOMIC_RELAXED); /* read without lock */
  return true;
}

uint32_t immix_take_free(immix_space *sp, bool for_mutator) {
  uint32_t b = IMMIX_NO_BLOCK;
  pthread_mutex_lock(&sp->lock);
  if (for_mutator && immix_free_blocks(sp) <= sp->reserve_blocks)
    goto out;
  if (sp->nfree == 0 && !take_chunk(sp))
    goto out;
  b = sp->free_list[sp->nfree - 1];
  __atomic_store_n(&sp->nfree, sp->nfree - 1, __ATOMIC_RELAXED);
  sp->blocks[b].state = IMMIX_IN_USE;
out:
  pthread_mutex_unlock(&sp->lock);
  return b;
}

uint32_t immix_take_recyclable(immix_space *sp) {
  size_t i = __atomic_fetch_add(&sp->recycle_next, 1, __ATOMIC_RELAXED);
  if (i >= sp->nrecyclable)
    return IMMIX_NO_BLOCK;
  uint32_t b = sp->recyclable[i];
  sp->blocks[b].state = IMMIX_IN_USE;
  return b;
}

size_t immix_bytes_in_use(immix_space *sp) {
  size_t held = __atomic_load_n(&sp->chunks_held, __ATOMIC_RELAXED) *
                sp->blocks_per_chunk;
  size_t blocks = held - __atomic_load_n(&sp->nfree, __ATOMIC_RELAXED);
  gc_los *l = &sp->heap->los;
  pthread_mutex_lock(&l->lock);
  size_t los = l->bytes_in_use;
  pthread_mutex_unlock(&l->lock);
  return (blocks << sp->block_log) + los;
}
