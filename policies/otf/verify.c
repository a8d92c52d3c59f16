/* verify.c — what the heap verifier asks of otf, and the statistics.
 *
 * Besides the space's and the LOS's own checks, the verifier runs once per
 * cycle in checked mode (or with verify on) in mode checking_marks: right
 * after tracing, with the world stopped for this check only, every object
 * reachable from the roots must be marked. An unmarked one would be freed
 * by the sweep while reachable: a handshake or a barrier mode let the
 * marker lose it (the unsafe_skip option shows that the check notices). */
#include "otf.h"

/* The mark check's failure: "0x... is reachable but unmarked <lost>". */
static const char lost[] = "after tracing: the on-the-fly marker lost it (a "
                           "handshake or barrier mode missing?)";

bool otf_verify_object(gc_heap *heap, gc_verifier *v, uintptr_t addr) {
  otf_state *s = otf_of(heap);
  return gc_sf_los_verify_object(&s->sf, heap, v, addr,
                                 s->checking_marks ? lost : NULL);
}

bool otf_verify_heap(gc_heap *heap, gc_verifier *v) {
  return gc_sf_verify_space(&otf_of(heap)->sf, v);
}

size_t otf_heap_used(gc_heap *heap) {
  return gc_los_bytes_in_use(&heap->los) + gc_sf_used_bytes(&otf_of(heap)->sf);
}

static json_t *u(uint64_t x) { return json_integer((json_int_t)x); }

/* Totals (cycles, handshakes, flush rounds, marking, GC thread CPU,
 * allocation stalls), then the space. Read under the lock: the report may
 * be built while the collector thread works (an early end). */
void otf_report(gc_heap *heap, json_t *out) {
  otf_state *s = otf_of(heap);
  pthread_mutex_lock(&s->lock);
  const otf_totals *t = &s->totals;
  json_object_set_new(out, "cycles_done", u(t->cycles));
  json_object_set_new(out, "young_cycles", u(t->young_cycles));
  json_object_set_new(out, "full_cycles", u(t->full_cycles));
  json_object_set_new(out, "handshakes", u(t->handshakes));
  json_object_set_new(out, "flush_rounds", u(t->flush_rounds));
  json_object_set_new(out, "shaded_entries", u(t->entries));
  json_object_set_new(out, "remembered_objects", u(t->remembered));
  json_object_set_new(out, "objects_marked", u(t->objects));
  json_object_set_new(out, "bytes_marked", u(t->bytes));
  json_object_set_new(out, "gc_thread_cpu_ns", u(t->gc_thread_cpu_ns));
  json_object_set_new(out, "degenerated_cycles", u(t->degenerated_cycles));
  gc_collector_report(&s->gc, out, false);
  pthread_mutex_unlock(&s->lock);
  json_object_set_new(out, "trigger", json_real(s->trigger));
  if (s->gen)
    json_object_set_new(out, "full_every", json_integer(s->full_every));
  gc_sf_report(&s->sf, out);
  json_object_set_new(out, "los_bytes", u(gc_los_bytes_in_use(&heap->los)));
}
