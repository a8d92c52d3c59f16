/* regions.c — the region space (heap/regions.h): regions taken from and given
 * back to the arena, the mark bitmap, the cset map, labs and walking. */
#include "regions.h"
#include "trace.h"
#include "util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Fills holes so that a region stays walkable (never reachable). */
static gc_type filler_type = {.name = "region-filler",
                              .kind = GC_TYPE_WORD_ARRAY};

bool gc_regions_init(gc_regions *rs, gc_arena *a, const char *name,
                     size_t region_bytes, unsigned hdr_words, char *err,
                     size_t errlen) {
  memset(rs, 0, sizeof *rs);
  if (region_bytes < GC_CHUNK_BYTES || (region_bytes & (region_bytes - 1)) != 0)
    return gc_errorf(err, errlen,
                     "%s: region size %zu must be a power of two of at least "
                     "%zu bytes",
                     name, region_bytes, GC_CHUNK_BYTES);
  if (!gc_type_register(&filler_type))
    return gc_errorf(err, errlen, "%s: type table full", name);
  rs->arena = a;
  rs->region_bytes = region_bytes;
  rs->region_chunks = region_bytes >> GC_CHUNK_LOG;
  rs->region_log = (unsigned)__builtin_ctzll(region_bytes);
  rs->hdr_words = hdr_words;
  size_t words = (a->nchunks << GC_CHUNK_LOG) / GC_WORD;
  rs->by_chunk = calloc(a->nchunks, sizeof *rs->by_chunk);
  rs->region_at = calloc(a->nchunks, sizeof *rs->region_at);
  rs->cset = calloc(a->nchunks, 1);
  /* touched now, page by page, so that no cycle pays first-touch faults */
  size_t bitmap_bytes = (words + 63) / 64 * sizeof *rs->bitmap;
  rs->bitmap = malloc(bitmap_bytes);
  if (rs->bitmap)
    memset(rs->bitmap, 0, bitmap_bytes);
  if (!rs->by_chunk || !rs->region_at || !rs->cset || !rs->bitmap) {
    gc_regions_destroy(rs);
    return gc_errorf(err, errlen, "%s: out of memory for region tables", name);
  }
  rs->space = gc_arena_add_space(a, name);
  pthread_mutex_init(&rs->lock, NULL);
  return true;
}

void gc_regions_destroy(gc_regions *rs) {
  free(rs->by_chunk);
  free(rs->region_at);
  free(rs->cset);
  free(rs->bitmap);
  free(rs->used);
  if (rs->space)
    pthread_mutex_destroy(&rs->lock);
  memset(rs, 0, sizeof *rs);
}

/* Under the lock. */
static gc_region *take_locked(gc_regions *rs) {
  if (!gc_vec_reserve((void **)&rs->used, &rs->used_cap, rs->nused,
                      sizeof *rs->used, 64))
    return NULL;
  uintptr_t a = gc_arena_take(rs->arena, rs->region_chunks, rs->space);
  if (!a)
    return NULL;
  size_t c = gc_arena_chunk_index(rs->arena, a);
  gc_region *r = &rs->by_chunk[c];
  r->start = a;
  r->end = a + rs->region_bytes;
  __atomic_store_n(&r->top, a, __ATOMIC_RELAXED);
  __atomic_store_n(&r->tams, a, __ATOMIC_RELAXED);
  r->watermark = a;
  __atomic_store_n(&r->live, 0, __ATOMIC_RELAXED);
  __atomic_store_n(&r->state, GC_REGION_USED, __ATOMIC_RELAXED);
  r->evac_failed = false;
  for (size_t i = 0; i < rs->region_chunks; i++)
    __atomic_store_n(&rs->region_at[c + i], (uint32_t)(c + 1),
                     __ATOMIC_RELEASE);
  r->index = (uint32_t)rs->nused;
  rs->used[rs->nused] = r;
  __atomic_store_n(&rs->nused, rs->nused + 1, __ATOMIC_RELAXED);
  return r;
}

gc_region *gc_regions_take(gc_regions *rs) {
  pthread_mutex_lock(&rs->lock);
  gc_region *r = take_locked(rs);
  pthread_mutex_unlock(&rs->lock);
  return r;
}

void gc_regions_release(gc_regions *rs, gc_region *r) {
  __atomic_store_n(&r->top, r->end, __ATOMIC_RELAXED); /* clear it all */
  gc_regions_clear_marks(rs, r);
  gc_regions_set_cset(rs, r, false);
  pthread_mutex_lock(&rs->lock);
  gc_region *last = rs->used[rs->nused - 1];
  rs->used[r->index] = last;
  last->index = r->index;
  __atomic_store_n(&rs->nused, rs->nused - 1, __ATOMIC_RELAXED);
  __atomic_store_n(&r->state, GC_REGION_FREE, __ATOMIC_RELAXED);
  gc_arena_give(rs->arena, r->start, rs->region_chunks);
  pthread_mutex_unlock(&rs->lock);
}

void gc_regions_set_cset(gc_regions *rs, gc_region *r, bool on) {
  size_t c = gc_arena_chunk_index(rs->arena, r->start);
  for (size_t i = 0; i < rs->region_chunks; i++)
    __atomic_store_n(&rs->cset[c + i], on, __ATOMIC_RELAXED);
  if (on)
    __atomic_store_n(&r->state, GC_REGION_CSET, __ATOMIC_RELAXED);
}

void gc_regions_clear_marks(gc_regions *rs, gc_region *r) {
  /* regions are at least a chunk, so their bitmap is whole words */
  size_t first = (r->start - rs->arena->base) >> 9;
  size_t used = __atomic_load_n(&r->top, __ATOMIC_RELAXED) - r->start;
  size_t n = (used + 511) >> 9;
  for (size_t i = 0; i < n; i++)
    __atomic_store_n(&rs->bitmap[first + i], 0, __ATOMIC_RELAXED);
  __atomic_store_n(&r->live, 0, __ATOMIC_RELAXED);
}

void gc_regions_each_marked(gc_regions *rs, uintptr_t from, uintptr_t to,
                            gc_region_object_fn fn, void *ctx) {
  if (from >= to)
    return;
  size_t i = (from - rs->arena->base) >> 3, e = (to - rs->arena->base) >> 3;
  while (i < e) {
    uint64_t w = __atomic_load_n(&rs->bitmap[i >> 6], __ATOMIC_RELAXED);
    w &= ~(uint64_t)0 << (i & 63);
    if (!w) {
      i = (i | 63) + 1;
      continue;
    }
    size_t j = (i & ~(size_t)63) + (size_t)__builtin_ctzll(w);
    if (j >= e)
      return;
    fn(rs->arena->base + j * GC_WORD, ctx);
    i = j + 1;
  }
}

void gc_regions_walk(gc_regions *rs, uintptr_t from, uintptr_t to,
                     gc_region_object_fn fn, void *ctx) {
  uintptr_t p = from;
  while (p < to) {
    uint64_t h = __atomic_load_n((uint64_t *)p, __ATOMIC_RELAXED);
    if (h == 0) {
      p += GC_WORD;
      continue;
    }
    size_t bytes = gc_object_size(p, (unsigned)rs->hdr_words);
    if (gc_header_type(h) != filler_type.id)
      fn(p, ctx);
    p += bytes;
  }
}

void gc_regions_fill(gc_regions *rs, uintptr_t from, uintptr_t to) {
  size_t words = (to - from) / GC_WORD;
  if (words >= rs->hdr_words + 1) {
    __atomic_store_n((uint64_t *)from,
                     gc_header_make(&filler_type, words - rs->hdr_words),
                     __ATOMIC_RELAXED);
    return;
  }
  for (size_t i = 0; i < words; i++)
    __atomic_store_n((uint64_t *)from + i, 0, __ATOMIC_RELAXED);
}

uintptr_t gc_regions_carve(gc_regions *rs, gc_region **cur, size_t min,
                           size_t want, size_t *got,
                           bool (*may_take)(void *ctx), void *ctx) {
  pthread_mutex_lock(&rs->lock);
  gc_region *r = *cur;
  uintptr_t top = r ? __atomic_load_n(&r->top, __ATOMIC_RELAXED) : 0;
  if (!r || r->end - top < min) {
    if (r) { /* retire the region: its tail stays walkable */
      gc_regions_fill(rs, top, r->end);
      __atomic_store_n(&r->top, r->end, __ATOMIC_RELAXED);
    }
    *cur = NULL;
    r = (!may_take || may_take(ctx)) ? take_locked(rs) : NULL;
    if (!r) {
      pthread_mutex_unlock(&rs->lock);
      return 0;
    }
    *cur = r;
    top = r->start;
  }
  size_t n = r->end - top < want ? r->end - top : want;
  __atomic_store_n(&r->top, top + n, __ATOMIC_RELAXED);
  pthread_mutex_unlock(&rs->lock);
  *got = n;
  return top;
}

void gc_regions_retire_lab(gc_regions *rs, gc_lab *lab) {
  if (lab->cur < lab->end)
    gc_regions_fill(rs, lab->cur, lab->end);
  lab->cur = lab->end = 0;
}
