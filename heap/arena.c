/* arena.c — reserving, pre-touching and handing out chunks. */
#include "arena.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

/* Touch every page once, now, so collectors never take first-touch faults.
 * Huge pages (where the kernel allows them) cut the number of faults 512x;
 * MADV_POPULATE_WRITE faults in the kernel without a trap per page. */
static void pretouch(uintptr_t base, size_t bytes) {
  madvise((void *)base, bytes, MADV_HUGEPAGE);
  if (madvise((void *)base, bytes, MADV_POPULATE_WRITE) == 0)
    return;
  for (size_t off = 0; off < bytes; off += GC_PAGE_BYTES)
    ((volatile char *)base)[off] = 0;
}

bool gc_arena_init(gc_arena *a, size_t bytes, char *err, size_t errlen) {
  memset(a, 0, sizeof *a);
  a->nchunks = (bytes + GC_CHUNK_BYTES - 1) >> GC_CHUNK_LOG;
  if (a->nchunks == 0)
    a->nchunks = 1;
  a->map_bytes = (a->nchunks + 1) << GC_CHUNK_LOG;
  void *p = mmap(NULL, a->map_bytes, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) {
    snprintf(err, errlen, "cannot reserve %zu bytes for the heap",
             a->map_bytes);
    return false;
  }
  a->map_base = (uintptr_t)p;
  a->base = (a->map_base + GC_CHUNK_BYTES - 1) & ~(GC_CHUNK_BYTES - 1);
  a->space_of = calloc(a->nchunks, 1);
  if (!a->space_of) {
    munmap(p, a->map_bytes);
    snprintf(err, errlen, "out of memory for the space table");
    return false;
  }
  pretouch(a->base, a->nchunks << GC_CHUNK_LOG);
  a->free_chunks = a->nchunks;
  a->space_name[GC_SPACE_FREE] = "free";
  a->nspaces = 1;
  pthread_mutex_init(&a->lock, NULL);
  return true;
}

void gc_arena_destroy(gc_arena *a) {
  if (!a->map_base)
    return;
  munmap((void *)a->map_base, a->map_bytes);
  free(a->space_of);
  pthread_mutex_destroy(&a->lock);
  memset(a, 0, sizeof *a);
}

uint8_t gc_arena_add_space(gc_arena *a, const char *name) {
  pthread_mutex_lock(&a->lock);
  uint8_t id = 0;
  if (a->nspaces < GC_SPACE_MAX) {
    id = (uint8_t)a->nspaces++;
    a->space_name[id] = name;
  }
  pthread_mutex_unlock(&a->lock);
  return id;
}

static void set_space(gc_arena *a, size_t first, size_t n, uint8_t space) {
  for (size_t i = first; i < first + n; i++)
    __atomic_store_n(&a->space_of[i], space, __ATOMIC_RELAXED);
}

uintptr_t gc_arena_take(gc_arena *a, size_t n, uint8_t space) {
  uintptr_t addr = 0;
  pthread_mutex_lock(&a->lock);
  if (n > 0 && n <= a->free_chunks) {
    size_t run = 0;
    for (size_t i = 0; i < a->nchunks; i++) {
      run = a->space_of[i] == GC_SPACE_FREE ? run + 1 : 0;
      if (run == n) {
        size_t first = i + 1 - n;
        set_space(a, first, n, space);
        __atomic_store_n(&a->free_chunks, a->free_chunks - n, __ATOMIC_RELAXED);
        addr = a->base + (first << GC_CHUNK_LOG);
        break;
      }
    }
  }
  pthread_mutex_unlock(&a->lock);
  return addr;
}

void gc_arena_give(gc_arena *a, uintptr_t addr, size_t n) {
  pthread_mutex_lock(&a->lock);
  set_space(a, gc_arena_chunk_index(a, addr), n, GC_SPACE_FREE);
  __atomic_store_n(&a->free_chunks, a->free_chunks + n, __ATOMIC_RELAXED);
  pthread_mutex_unlock(&a->lock);
}

void gc_arena_retag(gc_arena *a, uintptr_t addr, size_t n, uint8_t space) {
  pthread_mutex_lock(&a->lock);
  set_space(a, gc_arena_chunk_index(a, addr), n, space);
  pthread_mutex_unlock(&a->lock);
}
