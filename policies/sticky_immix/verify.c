/* verify.c — sticky-immix's verifier hooks, footprint and report.
 *
 * Besides the space's checks (heap/immix_verify.c), right after a
 * collection: every reachable object is marked (a nursery collection that
 * missed a young object reachable only from an old one means the barrier
 * or the remembered set lost a store), carries GC_HDR_UNLOGGED (it is old
 * and not logged since), and the logs are empty. */
#include "sticky.h"

static bool check_logged(sticky_state *s, gc_verifier *v, uintptr_t addr) {
  if (!s->after_gc ||
      (__atomic_load_n((uint64_t *)addr, __ATOMIC_RELAXED) & GC_HDR_UNLOGGED))
    return true;
  gc_verify_fail(v,
                 "sticky-immix: object 0x%lx survived a collection without "
                 "the unlogged bit (its next store would not be remembered)",
                 (unsigned long)addr);
  return false;
}

bool sticky_verify_object(gc_heap *heap, gc_verifier *v, uintptr_t addr) {
  sticky_state *s = sticky_of(heap);
  bool in_space = immix_owns(&s->sp, addr)
                      ? immix_verify_object(&s->sp, v, addr, s->after_gc)
                      : gc_verify_large_object(heap, v, addr, 1, NULL);
  return in_space && check_logged(s, v, addr);
}

static size_t logged(sticky_state *s) {
  size_t n = sticky_gather_logs(s);
  s->nlogs = 0;
  return n;
}

bool sticky_verify_heap(gc_heap *heap, gc_verifier *v) {
  sticky_state *s = sticky_of(heap);
  bool after = s->after_gc;
  s->after_gc = false;
  size_t n;
  if (after && (n = logged(s)) != 0) {
    gc_verify_fail(v,
                   "sticky-immix: %zu objects still logged after a "
                   "collection",
                   n);
    return false;
  }
  return immix_verify_space(&s->sp, v);
}

size_t sticky_heap_used(gc_heap *heap) {
  return immix_bytes_in_use(&sticky_of(heap)->sp);
}

void sticky_report(gc_heap *heap, json_t *out) {
  sticky_state *s = sticky_of(heap);
  immix_report_space(&s->sp, out);
#define SET(key, val)                                                          \
  json_object_set_new(out, key, json_integer((json_int_t)(val)))
  SET("nursery_bytes", s->nursery_bytes);
  SET("nursery_collections", s->nursery_collections);
  SET("full_collections", s->full_collections);
  SET("remembered_objects", s->remembered);
#undef SET
}
