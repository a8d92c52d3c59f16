/* gctb_freelist.h — the inline fast path of the FREELIST allocation style
 * (heap/gctb.h includes it; installed beside it, needs nothing else).
 *
 * The mutator holds two kinds of GC_FREELISTS singly linked lists of free
 * cells, one kind for types with references and one for pointer-free types
 * (gc_type.pointer_free); list g of either kind holds cells of exactly g
 * granules of GC_FREELIST_GRANULE bytes, linked through their first word. An
 * allocation pops the head of its list; an empty list or a size beyond the
 * lists goes to the policy's allocation function, which refills the list.
 * This is the shape of libgc's own thread-local allocation and of its
 * gc_inline.h: the bdw policy (policies/bdw/bdw_lists.c) fills the lists
 * with libgc's GC_generic_malloc_many, so a bdw mutator allocates as a
 * program written on libgc does, with nothing of libgc in this header.
 *
 * The contract with the policy that fills the lists:
 *  - a cell on a list for references is zero but for its link word, which
 *    the header store overwrites (libgc clears objects of its NORMAL kind
 *    when it sweeps them or builds a free list); pointer-free cells hold
 *    stale data (libgc's PTRFREE kind), so the pop zeroes the payload;
 *  - the policy keeps every cell on a list from being reclaimed while it
 *    waits (bdw: a root range and a marking hook).
 * The pop counts the object's bytes as allocated, as the call path does. */
#ifndef GCTB_FREELIST_H
#define GCTB_FREELIST_H

/* The free cell at the head of the list for bytes, unlinked; 0 when the
 * policy must allocate instead. */
GC__FAST uintptr_t gc__freelist_pop(gc_mutator *m, const gc_type *t,
                                    size_t bytes) {
  size_t g = (bytes + GC_FREELIST_GRANULE - 1) / GC_FREELIST_GRANULE;
  if (__builtin_expect(g >= GC_FREELISTS, 0))
    return 0;
  size_t pointer_free = t->pointer_free; /* 0 or 1 */
  void **head = &m->free_lists[0][0] + 2 * g + pointer_free;
  void *cell = *head;
  if (__builtin_expect(cell == NULL, 0))
    return 0;
  /* Relaxed atomics: libgc's collector reads the lists of a thread it has
   * stopped with a signal, so a plain aligned store suffices, but the
   * compiler must not split or defer it. */
  __atomic_store_n(head, *(void **)cell, __ATOMIC_RELAXED);
  if (pointer_free)
    memset((char *)cell + GC_WORD, 0, bytes - GC_WORD);
  m->stats.bytes_allocated += bytes;
  return (uintptr_t)cell;
}

#endif
