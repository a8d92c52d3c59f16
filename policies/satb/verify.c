/* verify.c — what the heap verifier asks of satb, and the statistics.
 *
 * The verifier (heap/verify.c) walks the graph from the roots on its own
 * side structures, so it does not trust the marker. Besides the space's
 * and the LOS's own checks it is run in two satb-specific modes:
 *   checking_marks  inside the final-mark pause, before anything is swept:
 *                   every reachable object must be marked. An unmarked one
 *                   would be freed by this cycle's sweep while reachable:
 *                   the marker lost it (a missing or wrong barrier, a
 *                   mutator whose allocations were not black, a buffer not
 *                   drained). This is the stop-the-world re-trace.
 *   marks_clear     between cycles (before init-mark, around a degenerated
 *                   collection): no mark bit may be set in any pool, since
 *                   the next marking starts from clear bits and nobody
 *                   clears them in a pause; and no mutator's barrier is on.
 */
#include "satb.h"

/* The mark check's failure: "0x... is reachable but unmarked <lost>". */
static const char lost[] = "after final mark: the concurrent marker lost it "
                           "(missing SATB barrier?)";

bool satb_verify_object(gc_heap *heap, gc_verifier *v, uintptr_t addr) {
  satb_state *s = satb_of(heap);
  return gc_sf_los_verify_object(&s->sf, heap, v, addr,
                                 s->checking_marks ? lost : NULL);
}

static void count_active(gc_mutator *m, void *ctx) {
  *(unsigned *)ctx += __atomic_load_n(&m->barrier_active, __ATOMIC_RELAXED);
}

bool satb_verify_heap(gc_heap *heap, gc_verifier *v) {
  satb_state *s = satb_of(heap);
  if (!gc_sf_verify_space(&s->sf, v))
    return false;
  if (!s->marks_clear)
    return true;
  unsigned active = 0;
  gc_for_each_mutator(heap, count_active, &active);
  const char *bad = !gc_sf_marks_clear(&s->sf) ? "a pool has mark bits set"
                    : active ? "a mutator's SATB barrier is still on"
                    : satb_active(&s->marker) ? "the marker is still active"
                                              : NULL;
  if (bad)
    gc_verify_fail(v, "between cycles, %s", bad);
  return bad == NULL;
}

size_t satb_heap_used(gc_heap *heap) {
  return gc_los_bytes_in_use(&heap->los) + gc_sf_used_bytes(&satb_of(heap)->sf);
}

static json_t *log_json(const satb_cycle_log *l) {
  json_t *o = json_pack(
      "{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "kind",
      l->kind, "init_ttsp_ns", (json_int_t)l->init_ttsp_ns, "init_work_ns",
      (json_int_t)l->init_work_ns, "final_ttsp_ns",
      (json_int_t)l->final_ttsp_ns, "final_work_ns",
      (json_int_t)l->final_work_ns, "satb_buffers", (json_int_t)l->buffers,
      "satb_entries", (json_int_t)l->entries, "final_mark_buffers",
      (json_int_t)l->final_buffers, "objects_marked", (json_int_t)l->objects,
      "bytes_marked", (json_int_t)l->bytes, "final_mark_objects",
      (json_int_t)l->final_objects, "preclean_rounds",
      (json_int_t)l->preclean_rounds);
  json_object_set_new(o, "trigger", gc_trigger_decision_json(&l->trigger));
  return o;
}

/* Under s->lock. */
static void totals_json(satb_state *s, json_t *out) {
  const satb_totals *t = &s->totals;
  json_t *o = json_pack(
      "{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "concurrent_cycles",
      (json_int_t)t->concurrent, "degenerated_cycles",
      (json_int_t)t->degenerated, "satb_buffers", (json_int_t)t->buffers,
      "satb_entries", (json_int_t)t->entries, "objects_marked",
      (json_int_t)t->objects, "bytes_marked", (json_int_t)t->bytes,
      "barrier_enqueued", (json_int_t)t->enqueued, "barrier_filtered",
      (json_int_t)t->filtered, "gc_thread_cpu_ns",
      (json_int_t)t->gc_thread_cpu_ns);
  json_object_set_new(o, "max_pause_work_ns",
                      json_integer((json_int_t)t->max_pause_work_ns));
  json_object_set_new(o, "max_ttsp_ns",
                      json_integer((json_int_t)t->max_ttsp_ns));
  json_object_update(out, o);
  json_decref(o);
}

/* Totals (cycles by kind, SATB buffers and entries, barrier records of
 * detached mutators, GC thread CPU, allocation stalls), one entry per cycle
 * (cycle_log, in the order of the record's cycles), then the space. The
 * report may be built while the GC thread works (an early end), so it reads
 * under the lock or atomically. */
void satb_report(gc_heap *heap, json_t *out) {
  satb_state *s = satb_of(heap);
  json_t *log = json_array();
  pthread_mutex_lock(&s->lock);
  totals_json(s, out);
  gc_collector_report(&s->gc, out, false);
  for (size_t i = 0; i < s->nlog; i++)
    json_array_append_new(log, log_json(&s->log[i]));
  pthread_mutex_unlock(&s->lock);
  gc_trigger_report(&s->trigger, out);
  json_object_set_new(out, "preclean", json_integer(s->preclean));
  json_object_set_new(out, "unsafe_no_barrier", json_boolean(s->no_barrier));
  json_object_set_new(out, "cycle_log", log);
  gc_sf_report(&s->sf, out);
  json_object_set_new(
      out, "los_bytes",
      json_integer((json_int_t)gc_los_bytes_in_use(&heap->los)));
}
