/* common_table.h — a large table of references kept in the heap.
 *
 * Workloads that hold many independent objects (lifetimes, fragger) keep
 * them in a table whose spine is one root slot: a reference array of chunks,
 * each a reference array of WL_TABLE_CHUNK slots. Chunks are small objects
 * (about 2 KiB) so that the table never needs a large-object space, and the
 * whole table is allocated up front, so it is live data the workload
 * declares (wl_table_bytes) rather than a growing surprise. Storing into a
 * chunk is an old-to-young store when the object is new: the write barrier
 * sees it.
 */
#ifndef GCTB_WORKLOADS_COMMON_TABLE_H
#define GCTB_WORKLOADS_COMMON_TABLE_H

#include "../heap/gctb.h"
#include <stddef.h>
#include <stdint.h>

#define WL_TABLE_CHUNK 256u

typedef struct wl_table {
  size_t slot; /* root slot holding the spine */
  size_t cap;  /* entries */
} wl_table;

/* Allocates a table of cap null entries; pushes one root slot (the caller
 * pops it when done). */
void wl_table_new(gc_mutator *m, wl_table *t, size_t cap);

static inline gc_ref wl_table_get(gc_mutator *m, const wl_table *t, size_t i) {
  gc_ref chunk = gc_read_ref(m, gc_root_get(m, t->slot), i / WL_TABLE_CHUNK);
  return gc_read_ref(m, chunk, i % WL_TABLE_CHUNK);
}

static inline void wl_table_set(gc_mutator *m, const wl_table *t, size_t i,
                                gc_ref v) {
  gc_ref chunk = gc_read_ref(m, gc_root_get(m, t->slot), i / WL_TABLE_CHUNK);
  gc_write_ref(m, chunk, i % WL_TABLE_CHUNK, v);
}

/* Bytes a table of cap entries occupies, for live-size declarations. */
uint64_t wl_table_bytes(size_t cap, unsigned hdr_words);

#endif
