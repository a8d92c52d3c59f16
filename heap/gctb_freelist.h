/* gctb_freelist.h — the inline fast path of the FREELIST allocation style
 * (heap/gctb.h includes it; installed beside it, needs nothing else).
 *
 * The mutator holds GC_FREELISTS singly linked lists of free cells, list g
 * holding cells of exactly g granules of GC_FREELIST_GRANULE bytes, linked
 * through their first word. An allocation pops the head of its size's list;
 * an empty list, a pointer-free type or a size beyond the lists goes to the
 * policy's allocation function, which refills the list. This is the shape of
 * libgc's own thread-local allocation and of its gc_inline.h: the bdw policy
 * (policies/bdw/bdw_freelist.c) fills the lists with libgc's
 * GC_generic_malloc_many, so a bdw mutator allocates as a program written
 * on libgc does, with nothing of libgc in this header.
 *
 * The contract with the policy that fills the lists:
 *  - every cell on a list is zero but for its link word, which the header
 *    store overwrites (libgc clears objects of its NORMAL kind when it
 *    sweeps them or builds a free list);
 *  - the lists themselves are traced (libgc: a root range), so cells on
 *    them are never reclaimed under the mutator;
 *  - only types with references come from the lists: pointer-free objects
 *    (libgc's other kind, scanned by nobody, so a list of them would not
 *    stay reachable) always take the call.
 * The pop counts the object's bytes as allocated, as the call path does. */
#ifndef GCTB_FREELIST_H
#define GCTB_FREELIST_H

/* The free cell at the head of the list for bytes, unlinked; 0 when the
 * policy must allocate instead. */
GC__FAST uintptr_t gc__freelist_pop(gc_mutator *m, const gc_type *t,
                                    size_t bytes) {
  size_t g = (bytes + GC_FREELIST_GRANULE - 1) / GC_FREELIST_GRANULE;
  if (__builtin_expect(g >= GC_FREELISTS || t->pointer_free, 0))
    return 0;
  void **head = &m->free_lists[g];
  void *cell = *head;
  if (__builtin_expect(cell == NULL, 0))
    return 0;
  /* Relaxed atomics: libgc's collector reads the lists of a thread it has
   * stopped with a signal, so a plain aligned store suffices, but the
   * compiler must not split or defer it. */
  __atomic_store_n(head, *(void **)cell, __ATOMIC_RELAXED);
  m->stats.bytes_allocated += bytes;
  return (uintptr_t)cell;
}

#endif
