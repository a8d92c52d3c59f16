/* trace.h — visiting the reference slots of an object, from its type
 * descriptor. Inline so a tracing loop compiles to a bitmap walk. */
#ifndef GCTB_TRACE_H
#define GCTB_TRACE_H

#include "gctb.h"

typedef void (*gc_slot_visitor)(uintptr_t *slot, void *ctx);

/* Object size in bytes from its header. */
static inline size_t gc_object_size(uintptr_t addr, unsigned hdr_words) {
  /* atomic: a mutator may set a GC bit of a header a marker reads (otf-gen
   * remembers old objects in their headers) */
  uint64_t h = __atomic_load_n((uint64_t *)addr, __ATOMIC_RELAXED);
  const gc_type *t = gc_type_by_id(gc_header_type(h));
  return gc_object_bytes(t, gc_header_length(h), hdr_words);
}

/* Calls visit(slot, ctx) for every reference slot of the object at addr
 * (null slots included: the visitor decides). */
static inline void gc_for_each_slot(uintptr_t addr, unsigned hdr_words,
                                    gc_slot_visitor visit, void *ctx) {
  uint64_t h = __atomic_load_n((uint64_t *)addr, __ATOMIC_RELAXED);
  const gc_type *t = gc_type_by_id(gc_header_type(h));
  uintptr_t *payload = (uintptr_t *)addr + hdr_words;
  switch (t->kind) {
  case GC_TYPE_FIXED:
    for (uint64_t map = t->ref_map; map; map &= map - 1)
      visit(payload + __builtin_ctzll(map), ctx);
    break;
  case GC_TYPE_REF_ARRAY: {
    size_t n = gc_header_length(h);
    for (size_t i = 0; i < n; i++)
      visit(payload + i, ctx);
    break;
  }
  case GC_TYPE_WORD_ARRAY:
    break;
  }
}

#endif
