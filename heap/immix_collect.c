/* immix_collect.c — what a collection does to the space around tracing:
 * clearing marks before a full trace, and the sweep after it.
 *
 * The sweep is eager and touches only side tables: a block without its
 * block mark is free at once; a marked block's line marks are counted into
 * its census (marked lines, usable free lines, holes), which decides its
 * state and feeds the next collection's defragmentation candidates. A
 * chunk whose blocks are all free goes back to the arena, where the
 * large-object space can take it. */
#include "immix_space.h"
#include "util.h"
#include <string.h>

/* Calls fn on every chunk the space owns (world stopped). */
static void for_each_chunk(immix_space *sp,
                           void (*fn)(immix_space *sp, uintptr_t chunk,
                                      void *ctx),
                           void *ctx) {
  gc_arena *a = sp->arena;
  for (size_t c = 0; c < a->nchunks; c++) {
    uintptr_t addr = a->base + (c << GC_CHUNK_LOG);
    if (gc_arena_space_of(a, addr) == sp->id)
      fn(sp, addr, ctx);
  }
}

static void clear_chunk(immix_space *sp, uintptr_t chunk, void *ctx) {
  size_t off = chunk - sp->base;
  memset(sp->line_mark + (off >> sp->line_log), 0,
         GC_CHUNK_BYTES >> sp->line_log);
  memset(sp->obj_mark + off / 512, 0, GC_CHUNK_BYTES / 64);
  memset(sp->block_mark + immix_block_of(sp, chunk), 0, sp->blocks_per_chunk);
}

void immix_clear_marks(immix_space *sp) { for_each_chunk(sp, clear_chunk, 0); }

void immix_los_clear_marks(gc_los *l) {
  pthread_mutex_lock(&l->lock);
  for (size_t i = 0; i < l->nobjects; i++)
    __atomic_store_n(
        &l->mark[(l->objects[i].addr - l->arena->base) / GC_PAGE_BYTES], 0,
        __ATOMIC_RELAXED);
  pthread_mutex_unlock(&l->lock);
}

typedef struct sweep_ctx {
  immix_sweep_stats *st;
  size_t nfree, nrec;
} sweep_ctx;

/* Census of block b; returns its new state. */
static immix_block_state census_block(immix_space *sp, size_t b) {
  immix_census c = {0, sp->lines_per_block, 1};
  if (sp->block_mark[b])
    immix_census_of(immix_lines_of(sp, b), sp->lines_per_block,
                    sp->conservative, &c);
  immix_block *blk = &sp->blocks[b];
  blk->marked = (uint16_t)c.marked;
  blk->free = (uint16_t)c.free;
  blk->holes = (uint16_t)c.holes;
  return c.marked == 0 ? IMMIX_FREE
         : c.free == 0 ? IMMIX_FULL
                       : IMMIX_RECYCLABLE;
}

static void count_block(immix_space *sp, immix_sweep_stats *st,
                        const immix_block *blk) {
  st->marked_line_bytes += (uint64_t)blk->marked << sp->line_log;
  if (blk->state == IMMIX_FULL) {
    st->full_blocks++;
  } else if (blk->state == IMMIX_RECYCLABLE) {
    st->recyclable_blocks++;
    st->holes += blk->holes;
    st->max_holes = blk->holes > st->max_holes ? blk->holes : st->max_holes;
    st->hole_hist[(blk->holes < IMMIX_HOLE_BINS ? blk->holes
                                                : IMMIX_HOLE_BINS) -
                  1]++;
    st->free_line_bytes += (uint64_t)blk->free << sp->line_log;
  } else {
    st->free_blocks++;
  }
}

static void sweep_chunk(immix_space *sp, uintptr_t chunk, void *ctx) {
  sweep_ctx *sc = ctx;
  size_t first = immix_block_of(sp, chunk);
  unsigned nfree = 0;
  for (size_t b = first; b < first + sp->blocks_per_chunk; b++) {
    sp->blocks[b].state = (uint8_t)census_block(sp, b);
    nfree += sp->blocks[b].state == IMMIX_FREE;
  }
  if (nfree == sp->blocks_per_chunk) {
    for (size_t b = first; b < first + sp->blocks_per_chunk; b++)
      sp->blocks[b] = (immix_block){.state = IMMIX_UNOWNED};
    gc_arena_give(sp->arena, chunk, 1);
    __atomic_sub_fetch(&sp->chunks_held, 1, __ATOMIC_RELAXED);
    sc->st->chunks_released++;
    return;
  }
  for (size_t b = first; b < first + sp->blocks_per_chunk; b++) {
    count_block(sp, sc->st, &sp->blocks[b]);
    if (sp->blocks[b].state == IMMIX_FREE)
      sp->free_list[sc->nfree++] = (uint32_t)b;
    else if (sp->blocks[b].state == IMMIX_RECYCLABLE)
      sp->recyclable[sc->nrec++] = (uint32_t)b;
  }
}

void immix_sweep(immix_space *sp, immix_sweep_stats *st) {
  memset(st, 0, sizeof *st);
  sweep_ctx sc = {st, 0, 0};
  for_each_chunk(sp, sweep_chunk, &sc);
  /* the free list pops from the end: lowest addresses first */
  for (size_t i = 0; i < sc.nfree / 2; i++) {
    uint32_t t = sp->free_list[i];
    sp->free_list[i] = sp->free_list[sc.nfree - 1 - i];
    sp->free_list[sc.nfree - 1 - i] = t;
  }
  __atomic_store_n(&sp->nfree, sc.nfree, __ATOMIC_RELAXED);
  sp->nrecyclable = sc.nrec;
  __atomic_store_n(&sp->recycle_next, 0, __ATOMIC_RELAXED);
  __atomic_store_n(&sp->handed_out, 0, __ATOMIC_RELAXED);
  st->block_bytes_in_use = (uint64_t)(st->recyclable_blocks + st->full_blocks)
                           << sp->block_log;
  sp->last = *st;
}

void immix_log_cycle(immix_space *sp, const immix_cycle_log *c) {
  sp->ncycles++;
  sp->sum_in_use += c->sweep.block_bytes_in_use;
  if (c->sweep.block_bytes_in_use > sp->max_in_use)
    sp->max_in_use = c->sweep.block_bytes_in_use;
  if (sp->nlog < IMMIX_LOG_MAX &&
      gc_vec_reserve((void **)&sp->log, &sp->log_cap, sp->nlog, sizeof *sp->log,
                     64))
    sp->log[sp->nlog++] = *c;
}
