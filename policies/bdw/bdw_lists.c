/* bdw_lists.c — the mutators' free lists (heap/gctb_freelist.h) filled from
 * libgc, as libgc's own thread-local allocator and gc_inline.h fill theirs.
 *
 * Each mutator has lists of two kinds, one per libgc object kind:
 * free_lists[g][0] holds NORMAL cells (scanned; libgc clears them),
 * free_lists[g][1] PTRFREE cells (never scanned, not cleared). An empty list is
 * refilled with GC_generic_malloc_many, usually a block's worth of cells (libgc
 * may collect first).
 *
 * Cells waiting on a list must survive collections: they are libgc objects
 * nothing else references. gc_inline.h leaves that to its caller ("the
 * caller must make sure that *result is traced even if objects are
 * ptrfree"); libgc marks its own thread-local lists at every collection.
 * Here all the heads are a root range of their own, which keeps a NORMAL list
 * whole (its head is found there and each cell's link word is scanned);
 * PTRFREE cells are not scanned, so their links would not be followed, and
 * a push-other-roots hook marks every cell on every mutator's PTRFREE lists
 * instead. The hook walks a registry of the mutators with lists, changed
 * only under libgc's allocation lock, which a collection holds. */
#include "bdw.h"
#include <gc/gc_mark.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(GC_FREELIST_GRANULE == GC_GRANULE_BYTES &&
                   GC_FREELISTS <= GC_TINY_FREELISTS,
               "gctb's free lists must be sized as libgc's tiny lists");

/* The mutators with lists; libgc's allocation lock guards it. */
static bdw_mutator *registry;
static GC_push_other_roots_proc chained_push;

/* During a collection (libgc's lock held, the world stopped): marks every
 * cell on every PTRFREE list. Each cell's address is pushed eagerly, as a
 * one-word range, so libgc marks it now. A thread stopped inside a pop
 * still has the cell it is taking at its list's head or in its registers
 * and stack, which libgc scans too. */
static void GC_CALLBACK bdw_push_lists(void) {
  if (chained_push)
    chained_push();
  for (bdw_mutator *b = registry; b; b = b->next)
    for (size_t g = 0; g < GC_FREELISTS; g++)
      for (void *cell = b->m->free_lists[g][1]; cell;
           cell = *(void *volatile *)cell)
        GC_push_all_eager(&cell, &cell + 1);
}

void bdw_lists_install(void) {
  chained_push = GC_get_push_other_roots();
  GC_set_push_other_roots(bdw_push_lists);
}

static void *GC_CALLBACK bdw_link(void *arg) {
  bdw_mutator *b = arg;
  b->prev = NULL;
  b->next = registry;
  if (registry)
    registry->prev = b;
  registry = b;
  return NULL;
}

static void *GC_CALLBACK bdw_unlink(void *arg) {
  bdw_mutator *b = arg;
  if (b->prev)
    b->prev->next = b->next;
  else
    registry = b->next;
  if (b->next)
    b->next->prev = b->prev;
  return NULL;
}

void bdw_lists_attach(bdw_mutator *b) {
  gc_mutator *m = b->m;
  GC_add_roots(m->free_lists, (char *)m->free_lists + sizeof m->free_lists);
  GC_call_with_alloc_lock(bdw_link, b);
}

/* The cells left on the lists become garbage for libgc's next cycle. */
void bdw_lists_detach(bdw_mutator *b) {
  gc_mutator *m = b->m;
  GC_call_with_alloc_lock(bdw_unlink, b);
  GC_remove_roots(m->free_lists, (char *)m->free_lists + sizeof m->free_lists);
  memset(m->free_lists, 0, sizeof m->free_lists);
}

uint64_t *bdw_list_pop(gc_mutator *m, bool pointer_free, size_t g) {
  void **head = &m->free_lists[g][pointer_free];
  if (!*head)
    GC_generic_malloc_many(g * GC_FREELIST_GRANULE,
                           pointer_free ? GC_I_PTRFREE : GC_I_NORMAL, head);
  void *cell = *head;
  if (cell)
    __atomic_store_n(head, *(void **)cell, __ATOMIC_RELAXED);
  return cell;
}
