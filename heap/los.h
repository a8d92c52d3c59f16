/* los.h — the large-object space every arena policy can use.
 *
 * Large objects are placed page-aligned in runs of 4 KiB pages carved from
 * arena chunks the space owns (objects bigger than a chunk get contiguous
 * chunks of their own), never move, and are marked in a side byte per arena
 * page. Sweeping frees unmarked objects, coalesces free runs and gives wholly
 * free chunks back to the arena.
 */
#ifndef GCTB_LOS_H
#define GCTB_LOS_H

#include "arena.h"
#include <pthread.h>

typedef struct gc_los_object {
  uintptr_t addr;
  size_t pages;
} gc_los_object;

typedef struct gc_los_run {
  uintptr_t addr;
  size_t pages;
} gc_los_run;

typedef struct gc_los {
  gc_arena *arena;
  uint8_t space;
  uint8_t *mark; /* per arena page; set on the first page of a live object */
  gc_los_object *objects;
  size_t nobjects, objects_cap;
  gc_los_run *free; /* sorted by address, coalesced */
  size_t nfree, free_cap;
  size_t bytes_in_use; /* pages held by objects */
  size_t chunks_held;
  pthread_mutex_t lock;
} gc_los;

bool gc_los_init(gc_los *l, gc_arena *a);
void gc_los_destroy(gc_los *l);
/* Zeroed, page-aligned memory for bytes; 0 when the arena has no room. */
uintptr_t gc_los_alloc(gc_los *l, size_t bytes);
/* gc_los_alloc with the object's header word written before the object is
 * listed: a concurrent collector that walks the listed objects (shenandoah's
 * update-refs) never finds one whose header is not yet there. */
uintptr_t gc_los_alloc_header(gc_los *l, size_t bytes, uint64_t header);
static inline bool gc_los_contains(const gc_los *l, uintptr_t addr) {
  return gc_arena_space_of(l->arena, addr) == l->space;
}
/* Marks the object at addr; returns true if it was unmarked (thread-safe). */
static inline bool gc_los_mark(gc_los *l, uintptr_t addr) {
  uint8_t *m = &l->mark[(addr - l->arena->base) / GC_PAGE_BYTES];
  if (__atomic_load_n(m, __ATOMIC_RELAXED))
    return false;
  return __atomic_exchange_n(m, 1, __ATOMIC_RELAXED) == 0;
}
static inline bool gc_los_is_marked(const gc_los *l, uintptr_t addr) {
  return __atomic_load_n(&l->mark[(addr - l->arena->base) / GC_PAGE_BYTES],
                         __ATOMIC_RELAXED) != 0;
}
/* True if addr is the start of an object the space holds (verifier). */
bool gc_los_is_object(gc_los *l, uintptr_t addr);
/* Frees unmarked objects, clears marks; returns bytes still in use. */
size_t gc_los_sweep(gc_los *l);
/* Pages held by objects now (any thread: read under the space's lock). */
size_t gc_los_bytes_in_use(gc_los *l);
/* The same, keeping the survivors' marks (sticky mark bits: a marked
 * object is old, otf-gen); gc_los_clear_marks clears them before a full
 * collection. Both may run while mutators allocate. */
size_t gc_los_sweep_sticky(gc_los *l);
void gc_los_clear_marks(gc_los *l);

#endif
