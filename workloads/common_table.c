/* common_table.c — the chunked reference table. */
#include "common_table.h"
#include "common.h" /* WL_POLL_WORDS */

static gc_type wl_table_type = {.name = "wl_table", .kind = GC_TYPE_REF_ARRAY};

static size_t wl_table_chunks(size_t cap) {
  return (cap + WL_TABLE_CHUNK - 1) / WL_TABLE_CHUNK;
}

void wl_table_new(gc_mutator *m, wl_table *t, size_t cap) {
  if (!gc_type_register(&wl_table_type))
    gc_fail(m, "workload table: cannot register its type");
  size_t n = wl_table_chunks(cap);
  t->cap = cap;
  t->slot = gc_root_push(m, gc_alloc(m, &wl_table_type, n));
  for (size_t i = 0; i < n; i++) {
    if (i % (WL_POLL_WORDS / WL_TABLE_CHUNK) == 0)
      gc_safepoint(m); /* each chunk is zeroed: WL_POLL_WORDS words apart */
    gc_ref chunk = gc_alloc(m, &wl_table_type, WL_TABLE_CHUNK);
    gc_write_ref(m, gc_root_get(m, t->slot), i, chunk);
  }
}

uint64_t wl_table_bytes(size_t cap, unsigned hdr_words) {
  size_t n = wl_table_chunks(cap);
  return gc_object_bytes(&wl_table_type, n, hdr_words) +
         n * gc_object_bytes(&wl_table_type, WL_TABLE_CHUNK, hdr_words);
}
