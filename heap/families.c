/* families.c — the policy families the build generated (heap/gctb.h,
 * "Policy families"; cmake/families.cmake): names and lookups by signature.
 * Called once per run or thread, never on a fast path. */
#include "gctb.h"
#include "gctb_families.h"

#define GC__NAME_ONE(a, name, style, hdr, rb, wb, roots) #name,
static const char *const family_names[] = {"generic",
                                           GC__FAMILIES(GC__NAME_ONE, ~)};

/* The fixed ids of heap/gctb.h are the first three generated families. */
#define GC__CHECK_ID(name, id)                                                 \
  _Static_assert(GC__FAMILY_ID_##name - 1 == id, "family " #name " moved")
GC__CHECK_ID(bump1, GC_FAMILY_BUMP1);
GC__CHECK_ID(freebits1, GC_FAMILY_FREEBITS1);
GC__CHECK_ID(call1, GC_FAMILY_CALL1);

unsigned gc_family_count(void) {
  return sizeof family_names / sizeof *family_names;
}

const char *gc_family_name(gc_family f) {
  return f < gc_family_count() ? family_names[f] : "generic";
}

gc_family gc_family_find(gc_alloc_style style, unsigned hdr_words,
                         gc_read_barrier rb, gc_write_barrier wb,
                         bool conservative_roots) {
#define GC__MATCH_ONE(a, name, st, hdr, r, w, roots)                           \
  if (style == GC_ALLOC_##st && hdr_words == hdr && rb == GC_RB_##r &&         \
      wb == GC_WB_##w && conservative_roots == GC__ROOTS_##roots)              \
    return GC__FAMILY_ID_##name - 1;
  GC__FAMILIES(GC__MATCH_ONE, ~)
  return GC_FAMILY_GENERIC;
}

gc_family gc_family_of(const gc_constraints *c, bool stress) {
  return gc_family_find(stress ? GC_ALLOC_CALL : c->alloc, c->header_words,
                        c->read_barrier, c->write_barrier,
                        c->conservative_roots && !stress);
}

gc_family gc_mutator_family(const gc_mutator *m) {
  return gc_family_find(m->alloc_style, m->hdr_words, m->read_barrier,
                        m->write_barrier, m->conservative_roots);
}
