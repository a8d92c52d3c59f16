/* los.c — the large-object space: page runs in arena chunks, side marks. */
#include "los.h"
#include "util.h"
#include <stdlib.h>
#include <string.h>

#define PAGES_PER_CHUNK (GC_CHUNK_BYTES / GC_PAGE_BYTES)

bool gc_los_init(gc_los *l, gc_arena *a) {
  memset(l, 0, sizeof *l);
  l->arena = a;
  l->space = gc_arena_add_space(a, "los");
  l->mark = calloc((a->nchunks << GC_CHUNK_LOG) / GC_PAGE_BYTES, 1);
  pthread_mutex_init(&l->lock, NULL);
  return l->space != 0 && l->mark != NULL;
}

void gc_los_destroy(gc_los *l) {
  free(l->mark);
  free(l->objects);
  free(l->free);
  pthread_mutex_destroy(&l->lock);
}

/* Inserts a free run keeping the list sorted and coalesced. */
static void free_run(gc_los *l, uintptr_t addr, size_t pages) {
  size_t i = 0;
  while (i < l->nfree && l->free[i].addr < addr)
    i++;
  bool joins_prev =
      i > 0 &&
      l->free[i - 1].addr + l->free[i - 1].pages * GC_PAGE_BYTES == addr;
  bool joins_next =
      i < l->nfree && addr + pages * GC_PAGE_BYTES == l->free[i].addr;
  if (joins_prev && joins_next) {
    l->free[i - 1].pages += pages + l->free[i].pages;
    memmove(&l->free[i], &l->free[i + 1], (l->nfree - i - 1) * sizeof *l->free);
    l->nfree--;
  } else if (joins_prev) {
    l->free[i - 1].pages += pages;
  } else if (joins_next) {
    l->free[i].addr = addr;
    l->free[i].pages += pages;
  } else {
    if (!gc_vec_reserve((void **)&l->free, &l->free_cap, l->nfree,
                        sizeof *l->free, 64))
      return; /* leaks the run; only on malloc failure */
    memmove(&l->free[i + 1], &l->free[i], (l->nfree - i) * sizeof *l->free);
    l->free[i] = (gc_los_run){addr, pages};
    l->nfree++;
  }
}

static uintptr_t take_run(gc_los *l, size_t pages) {
  for (size_t i = 0; i < l->nfree; i++) {
    if (l->free[i].pages < pages)
      continue;
    uintptr_t addr = l->free[i].addr;
    l->free[i].addr += pages * GC_PAGE_BYTES;
    l->free[i].pages -= pages;
    if (l->free[i].pages == 0) {
      memmove(&l->free[i], &l->free[i + 1],
              (l->nfree - i - 1) * sizeof *l->free);
      l->nfree--;
    }
    return addr;
  }
  return 0;
}

uintptr_t gc_los_alloc(gc_los *l, size_t bytes) {
  return gc_los_alloc_header(l, bytes, 0);
}

uintptr_t gc_los_alloc_header(gc_los *l, size_t bytes, uint64_t header) {
  size_t pages = (bytes + GC_PAGE_BYTES - 1) / GC_PAGE_BYTES;
  size_t chunks = (pages + PAGES_PER_CHUNK - 1) / PAGES_PER_CHUNK;
  /* Objects of half a chunk or more start a chunk of their own, so that
   * when they die their chunks go straight back to the arena. */
  bool own_chunks = pages >= PAGES_PER_CHUNK / 2;
  pthread_mutex_lock(&l->lock);
  uintptr_t addr = own_chunks ? 0 : take_run(l, pages);
  if (!addr) {
    uintptr_t c = gc_arena_take(l->arena, chunks, l->space);
    if (c) {
      l->chunks_held += chunks;
      addr = c;
      if (chunks * PAGES_PER_CHUNK > pages)
        free_run(l, c + pages * GC_PAGE_BYTES,
                 chunks * PAGES_PER_CHUNK - pages);
    }
  }
  if (addr && !gc_vec_reserve((void **)&l->objects, &l->objects_cap,
                              l->nobjects, sizeof *l->objects, 64)) {
    free_run(l, addr, pages);
    addr = 0;
  }
  if (addr) {
    /* Zeroed before it is listed: a concurrent collector walks the listed
     * objects (shenandoah's update-refs) and must not read a reused run's
     * old words as references (TSan saw exactly that race). Zeroing under
     * the lock delays other large allocations, which are rare. */
    memset((void *)addr, 0, pages * GC_PAGE_BYTES); /* chunks are reused */
    __atomic_store_n((uint64_t *)addr, header, __ATOMIC_RELAXED);
    l->objects[l->nobjects++] = (gc_los_object){addr, pages};
    l->bytes_in_use += pages * GC_PAGE_BYTES;
  }
  pthread_mutex_unlock(&l->lock);
  return addr;
}

bool gc_los_is_object(gc_los *l, uintptr_t addr) {
  bool found = false;
  pthread_mutex_lock(&l->lock);
  for (size_t i = 0; i < l->nobjects && !found; i++)
    found = l->objects[i].addr == addr;
  pthread_mutex_unlock(&l->lock);
  return found;
}

/* Gives wholly free, chunk-aligned parts of free runs back to the arena. */
static void release_free_chunks(gc_los *l) {
  for (size_t i = 0; i < l->nfree; i++) {
    gc_los_run r = l->free[i];
    uintptr_t end = r.addr + r.pages * GC_PAGE_BYTES;
    uintptr_t lo = (r.addr + GC_CHUNK_BYTES - 1) & ~(GC_CHUNK_BYTES - 1);
    uintptr_t hi = end & ~(GC_CHUNK_BYTES - 1);
    if (hi <= lo)
      continue;
    size_t chunks = (hi - lo) >> GC_CHUNK_LOG;
    memmove(&l->free[i], &l->free[i + 1], (l->nfree - i - 1) * sizeof *l->free);
    l->nfree--;
    if (lo > r.addr)
      free_run(l, r.addr, (lo - r.addr) / GC_PAGE_BYTES);
    if (end > hi)
      free_run(l, hi, (end - hi) / GC_PAGE_BYTES);
    gc_arena_give(l->arena, lo, chunks);
    l->chunks_held -= chunks;
    i = (size_t)-1; /* the list changed; rescan */
  }
}

static uint8_t *mark_of(gc_los *l, uintptr_t addr) {
  return &l->mark[(addr - l->arena->base) / GC_PAGE_BYTES];
}

static size_t sweep(gc_los *l, bool keep_marks) {
  pthread_mutex_lock(&l->lock);
  size_t kept = 0;
  for (size_t i = 0; i < l->nobjects; i++) {
    gc_los_object o = l->objects[i];
    uint8_t *m = mark_of(l, o.addr);
    if (__atomic_load_n(m, __ATOMIC_RELAXED)) {
      if (!keep_marks)
        __atomic_store_n(m, 0, __ATOMIC_RELAXED);
      l->objects[kept++] = o;
    } else {
      free_run(l, o.addr, o.pages);
      l->bytes_in_use -= o.pages * GC_PAGE_BYTES;
    }
  }
  l->nobjects = kept;
  release_free_chunks(l);
  size_t in_use = l->bytes_in_use;
  pthread_mutex_unlock(&l->lock);
  return in_use;
}

size_t gc_los_sweep(gc_los *l) { return sweep(l, false); }

size_t gc_los_bytes_in_use(gc_los *l) {
  pthread_mutex_lock(&l->lock);
  size_t n = l->bytes_in_use;
  pthread_mutex_unlock(&l->lock);
  return n;
}
size_t gc_los_sweep_sticky(gc_los *l) { return sweep(l, true); }

void gc_los_clear_marks(gc_los *l) {
  pthread_mutex_lock(&l->lock);
  for (size_t i = 0; i < l->nobjects; i++)
    __atomic_store_n(mark_of(l, l->objects[i].addr), 0, __ATOMIC_RELAXED);
  pthread_mutex_unlock(&l->lock);
}
