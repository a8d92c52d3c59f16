/* verify.c — what the heap verifier asks of segfit, and the statistics.
 * The space's cells are checked by heap/sfspace_verify.c; large objects by
 * the LOS. */
#include "segfit.h"

bool segfit_verify_object(gc_heap *heap, gc_verifier *v, uintptr_t addr) {
  return gc_sf_los_verify_object(&segfit_of(heap)->sf, heap, v, addr, NULL);
}

bool segfit_verify_heap(gc_heap *heap, gc_verifier *v) {
  return gc_sf_verify_space(&segfit_of(heap)->sf, v);
}

size_t segfit_heap_used(gc_heap *heap) {
  return gc_los_bytes_in_use(&heap->los) +
         gc_sf_used_bytes(&segfit_of(heap)->sf);
}

/* Per class: pools, blocks, cells used and free, and fragmentation (see
 * gc_sf_report), plus the sweep mode and the LOS. */
void segfit_report(gc_heap *heap, json_t *out) {
  segfit_state *s = segfit_of(heap);
  json_object_set_new(out, "sweep", json_string(s->sweep ? "lazy" : "eager"));
  gc_sf_report(&s->sf, out);
  json_object_set_new(
      out, "los_bytes",
      json_integer((json_int_t)gc_los_bytes_in_use(&heap->los)));
}
