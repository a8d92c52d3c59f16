/* bdw_verify.c — what the heap verifier can ask of libgc, and the numbers
 * bdw adds to the result record.
 *
 * Per object: the address is the start of a libgc object (GC_base) big
 * enough for the object its header describes (GC_size). After a collection
 * the verifier ran with the world held since (bdw_collect): every object
 * reachable from the shadow stacks carries libgc's mark, i.e. libgc saw the
 * same roots and references as the verifier. */
#include "../../heap/trace.h"
#include "bdw.h"
#include <gc/gc_mark.h>
#include <stdlib.h>

static bool bdw_remember(bdw_state *s, uintptr_t addr) {
  if (s->nchecked == s->checked_cap) {
    size_t cap = s->checked_cap ? 2 * s->checked_cap : 4096;
    uintptr_t *n = realloc(s->checked, cap * sizeof *n);
    if (!n)
      return false;
    s->checked = n;
    s->checked_cap = cap;
  }
  s->checked[s->nchecked++] = addr;
  return true;
}

bool bdw_verify_object(gc_heap *heap, gc_verifier *v, uintptr_t addr) {
  bdw_state *s = heap->policy_state;
  void *base = GC_base((void *)addr);
  if (base != (void *)addr) {
    gc_verify_fail(v, "0x%lx is not the start of a libgc object (base %p)",
                   (unsigned long)addr, base);
    return false;
  }
  size_t need = gc_object_size(addr, heap->c.header_words);
  size_t have = GC_size(base);
  if (have < need) {
    gc_verify_fail(v, "object 0x%lx needs %zu bytes, its libgc cell has %zu",
                   (unsigned long)addr, need, have);
    return false;
  }
  if (s->marks_valid && !bdw_remember(s, addr)) {
    gc_verify_fail(v, "bdw: out of memory remembering objects to check");
    return false;
  }
  return true;
}

/* Under libgc's lock (GC_is_marked requires it): the first remembered
 * object without a mark, or NULL. */
static void *GC_CALLBACK bdw_first_unmarked(void *arg) {
  bdw_state *s = arg;
  for (size_t i = 0; i < s->nchecked; i++)
    if (!GC_is_marked((void *)s->checked[i]))
      return (void *)s->checked[i];
  return NULL;
}

bool bdw_verify_heap(gc_heap *heap, gc_verifier *v) {
  bdw_state *s = heap->policy_state;
  if (!s->marks_valid)
    return true;
  void *bad = GC_call_with_alloc_lock(bdw_first_unmarked, s);
  size_t n = s->nchecked;
  s->nchecked = 0;
  if (bad) {
    /* Reported outside the lock: the failure handler may ask libgc for
     * statistics, which takes the lock again. */
    gc_verify_fail(v,
                   "object %p is reachable from the roots but libgc's "
                   "collection left it unmarked (%zu objects checked)",
                   bad, n);
    return false;
  }
  return true;
}

size_t bdw_heap_used(gc_heap *heap) {
  GC_word size = 0, free_bytes = 0;
  GC_get_heap_usage_safe(&size, &free_bytes, NULL, NULL, NULL);
  return (size_t)(size - free_bytes);
}

static json_t *bdw_version(void) {
  unsigned v = GC_get_version();
  char buf[32];
  snprintf(buf, sizeof buf, "%u.%u.%u", v >> 16, (v >> 8) & 0xff, v & 0xff);
  return json_string(buf);
}

#define BDW_SET(obj, key, val)                                                 \
  json_object_set_new(obj, key, json_integer((json_int_t)(val)))

void bdw_report(gc_heap *heap, json_t *out) {
  bdw_state *s = heap->policy_state;
  struct GC_prof_stats_s p, *i = &s->at_init;
  GC_get_prof_stats(&p, sizeof p);
  json_object_set_new(out, "libgc_version", bdw_version());
  BDW_SET(out, "markers", p.markers_m1 + 1);
  BDW_SET(out, "max_heap_bytes", heap->cfg.heap_bytes);
  BDW_SET(out, "heap_bytes", p.heapsize_full);
  BDW_SET(out, "heap_bytes_at_start", i->heapsize_full);
  BDW_SET(out, "free_bytes", p.free_bytes_full);
  BDW_SET(out, "unmapped_bytes", p.unmapped_bytes);
  BDW_SET(out, "obtained_from_os_bytes", p.obtained_from_os_bytes);
  BDW_SET(out, "free_space_divisor", GC_get_free_space_divisor());
  /* libgc's counters run for the whole process; these are this heap's. */
  BDW_SET(out, "collections", p.gc_no - i->gc_no);
  BDW_SET(out, "bytes_allocated",
          (p.allocd_bytes_before_gc + p.bytes_allocd_since_gc) -
              (i->allocd_bytes_before_gc + i->bytes_allocd_since_gc));
  BDW_SET(out, "bytes_reclaimed",
          (p.reclaimed_bytes_before_gc + p.bytes_reclaimed_since_gc) -
              (i->reclaimed_bytes_before_gc + i->bytes_reclaimed_since_gc));
  BDW_SET(out, "cycles_recorded",
          __atomic_load_n(&s->cycles, __ATOMIC_RELAXED));
  BDW_SET(out, "pauses_recorded",
          __atomic_load_n(&s->pauses, __ATOMIC_RELAXED));
}
