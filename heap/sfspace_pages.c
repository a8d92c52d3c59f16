/* sfspace_pages.c — the segregated-fit space's shared page pool: pages a
 * sweep left wholly free, which any size class may take, so that a class
 * that runs out is not starved while others hold free memory (issue 15).
 *
 * The space takes whole arena chunks and carves each into GC_SF_CHUNK_PAGES
 * pages. Per held chunk, a bit mask says which of its pages are free; the
 * chunks with some free page form a set (an array plus each chunk's
 * position, for O(1) removal). A class takes the free page of the chunk
 * added last (its other pages are likely in use, so chunks that empty
 * stay empty), and a chunk whose pages are all free again goes back to the
 * arena at once: the LOS and the other spaces need whole chunks. Everything
 * here runs under sp->page_lock; only slow paths (a class that ran out, a
 * sweep giving a page back) come here.
 *
 * A free page keeps the size class it last had (gc_sf_pool.cls), so that
 * gc_sf_cell_of stays in bounds for any address of a held chunk; the
 * verifier tells free pages apart by gc_sf_pool.free. */
#include "sfspace.h"
#include <stdlib.h>

#define NOT_PARTIAL UINT32_MAX
#define ALL_PAGES ((uint32_t)((1ull << GC_SF_CHUNK_PAGES) - 1))

bool gc_sf_pages_init(gc_sf_space *sp) {
  pthread_mutex_init(&sp->page_lock, NULL);
  sp->chunk_free = calloc(sp->nchunks, sizeof *sp->chunk_free);
  sp->partial = malloc(sp->nchunks * sizeof *sp->partial);
  sp->partial_at = malloc(sp->nchunks * sizeof *sp->partial_at);
  if (!sp->chunk_free || !sp->partial || !sp->partial_at)
    return false;
  for (size_t i = 0; i < sp->nchunks; i++)
    sp->partial_at[i] = NOT_PARTIAL;
  return true;
}

void gc_sf_pages_destroy(gc_sf_space *sp) {
  free(sp->chunk_free);
  free(sp->partial);
  free(sp->partial_at);
  sp->chunk_free = sp->partial = sp->partial_at = NULL;
  pthread_mutex_destroy(&sp->page_lock);
}

static void partial_add(gc_sf_space *sp, size_t chunk) {
  sp->partial_at[chunk] = (uint32_t)sp->npartial;
  sp->partial[sp->npartial++] = (uint32_t)chunk;
}

static void partial_remove(gc_sf_space *sp, size_t chunk) {
  uint32_t at = sp->partial_at[chunk], last = sp->partial[--sp->npartial];
  sp->partial[at] = last;
  sp->partial_at[last] = at;
  sp->partial_at[chunk] = NOT_PARTIAL;
}

/* A fresh arena chunk, every page free (the caller takes one at once). */
static bool carve_chunk(gc_sf_space *sp) {
  uintptr_t addr = gc_arena_take(sp->arena, 1, sp->space);
  if (!addr)
    return false;
  size_t chunk = gc_arena_chunk_index(sp->arena, addr);
  for (size_t i = 0; i < GC_SF_CHUNK_PAGES; i++) {
    gc_sf_pool *p = &sp->pools[chunk * GC_SF_CHUNK_PAGES + i];
    __atomic_store_n(&p->cls, 0, __ATOMIC_RELAXED);
    p->free = 1;
  }
  sp->chunk_free[chunk] = ALL_PAGES;
  partial_add(sp, chunk);
  return true;
}

size_t gc_sf_page_take(gc_sf_space *sp, bool from_arena) {
  pthread_mutex_lock(&sp->page_lock);
  size_t page = SIZE_MAX;
  bool fresh = false;
  if (!sp->npartial && from_arena)
    fresh = carve_chunk(sp);
  if (sp->npartial) {
    size_t chunk = sp->partial[sp->npartial - 1];
    unsigned i = (unsigned)__builtin_ctz(sp->chunk_free[chunk]);
    sp->chunk_free[chunk] &= ~(1u << i);
    if (!sp->chunk_free[chunk])
      partial_remove(sp, chunk);
    page = chunk * GC_SF_CHUNK_PAGES + i;
    sp->pools[page].free = 0;
    sp->pages_reused += !fresh;
  }
  pthread_mutex_unlock(&sp->page_lock);
  return page;
}

void gc_sf_release(gc_sf_space *sp, size_t page) {
  size_t chunk = page / GC_SF_CHUNK_PAGES;
  pthread_mutex_lock(&sp->page_lock);
  sp->pools[page].free = 1;
  __atomic_sub_fetch(&sp->pages_held, 1, __ATOMIC_RELAXED);
  sp->pages_released++;
  uint32_t was = sp->chunk_free[chunk];
  sp->chunk_free[chunk] = was | 1u << (page % GC_SF_CHUNK_PAGES);
  if (!was)
    partial_add(sp, chunk);
  if (sp->chunk_free[chunk] == ALL_PAGES) {
    partial_remove(sp, chunk);
    sp->chunk_free[chunk] = 0;
    gc_arena_give(sp->arena, sp->arena->base + (chunk << GC_CHUNK_LOG), 1);
    sp->chunks_released++;
  }
  pthread_mutex_unlock(&sp->page_lock);
}

size_t gc_sf_pages_free(gc_sf_space *sp) {
  pthread_mutex_lock(&sp->page_lock);
  size_t n = 0;
  for (size_t i = 0; i < sp->npartial; i++)
    n += (size_t)__builtin_popcount(sp->chunk_free[sp->partial[i]]);
  pthread_mutex_unlock(&sp->page_lock);
  return n;
}
