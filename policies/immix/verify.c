/* verify.c — the immix policy's verifier hooks, footprint and report.
 *
 * The space checks each reachable object and its own bookkeeping
 * (heap/immix_verify.c); here objects outside it must be large objects.
 * Right after a collection every reachable object must be marked, which
 * also catches a reference left pointing into an evacuated block: the old
 * copy there is never marked. The flag that says "right after" is set by
 * the collection and cleared once the after-gc walk ends. */
#include "immix.h"

bool ix_verify_object(gc_heap *heap, gc_verifier *v, uintptr_t addr) {
  ix_state *s = ix_of(heap);
  if (immix_owns(&s->sp, addr))
    return immix_verify_object(&s->sp, v, addr, s->after_gc);
  return gc_verify_large_object(heap, v, addr, 1, NULL);
}

bool ix_verify_heap(gc_heap *heap, gc_verifier *v) {
  ix_state *s = ix_of(heap);
  s->after_gc = false;
  return immix_verify_space(&s->sp, v);
}

size_t ix_heap_used(gc_heap *heap) {
  return immix_bytes_in_use(&ix_of(heap)->sp);
}

void ix_report(gc_heap *heap, json_t *out) {
  ix_state *s = ix_of(heap);
  immix_report_space(&s->sp, out);
  static const char *const modes[] = {"off", "normal", "every"};
#define SET(key, val)                                                          \
  json_object_set_new(out, key, json_integer((json_int_t)(val)))
  json_object_set_new(out, "defrag", json_string(modes[s->defrag]));
  SET("collections", s->collections);
  SET("defrag_collections", s->defrag_collections);
  SET("candidate_blocks", s->candidates);
  SET("objects_copied", s->objects_copied);
  SET("bytes_copied", s->bytes_copied);
  SET("objects_kept_in_place", s->objects_kept);
#undef SET
}
