/* Mutator-visible delays (heap/delay.h, harness/record/delays.c): each mutator's
 * own delays and the world pauses merged into one timeline per mutator, and
 * handshake holds recorded by the safepoint code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h> /* after the three it needs */

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness/record/delays.h"
#include "heap_fixture.h"

#define MS 1000000u

static gc_heap *make_heap(void) {
  gc_heap_config cfg = {.heap_bytes = 4u << 20, .gc_threads = 1};
  return fixture_heap("nogc", &cfg);
}

static void assert_stats(const gctb_pause_stats *s, size_t count,
                         uint64_t total, uint64_t max) {
  assert_int_equal(s->count, count);
  assert_int_equal(s->total_ns, total);
  assert_int_equal(s->max_ns, max);
}

/* Two mutators held 5 ms each, one after the other: each saw one 5 ms
 * delay, not two (a hold is not a world stop), and no world stopped. */
static void holds_in_turn_are_per_mutator(void **state) {
  gc_heap *heap = make_heap();
  gc_mutator *m[2] = {gc_attach(heap), gc_attach(heap)};
  uint64_t t = gc_now_ns();
  gc_delay_log(m[0]->priv->log, GC_DELAY_HOLD, "h", t, t + 5 * MS);
  gc_delay_log(m[1]->priv->log, GC_DELAY_HOLD, "h", t + 5 * MS, t + 10 * MS);
  gctb_delays d;
  assert_true(gctb_delays_compute(&heap->events, t + 20 * MS, &d));
  assert_int_equal(d.nmutators, 2);
  for (int i = 0; i < 2; i++) {
    gctb_mutator_delays *md = &d.mutators[i];
    assert_int_equal(md->id, i);
    assert_stats(&md->stats, 1, 5 * MS, 5 * MS);
    assert_int_equal(md->kind_ns[GC_DELAY_HOLD], 5 * MS);
    assert_int_equal(md->paused_ns, 0);
    assert_int_equal(md->mutator_ns, md->lifetime_ns - 5 * MS);
  }
  assert_int_equal(d.kind_ns[GC_DELAY_HOLD], 10 * MS);
  assert_int_equal(d.world.count, 0);
  gctb_delays_free(&d);
  gc_detach(m[0]);
  gc_detach(m[1]);
  gc_heap_destroy(heap);
}

/* A stall that a world pause overlaps is one interval; a long assist is an
 * interval too, a short one only a sum; the pause applies to every
 * mutator, clipped to its lifetime. */
static void overlaps_merge(void **state) {
  gc_heap *heap = make_heap();
  gc_mutator *m[2] = {gc_attach(heap), gc_attach(heap)};
  uint64_t t = gc_now_ns() + 1000 * MS; /* surely after m[1] detaches */
  gc_mutator_log *log = m[0]->priv->log;
  gc_delay_log(log, GC_DELAY_STALL, "s", t, t + 4 * MS);
  gc_events_pause(&heap->events, "p", t + 3 * MS, t + 6 * MS);
  gc_delay_log(log, GC_DELAY_ASSIST, "a", t + 8 * MS, t + 8 * MS + 20000);
  gc_delay_log(log, GC_DELAY_ASSIST, "a", t + 9 * MS, t + 9 * MS + 1000);
  gc_detach(m[1]); /* its lifetime ends now, before the pause */
  gctb_delays d;
  assert_true(gctb_delays_compute(&heap->events, t + 20 * MS, &d));
  gctb_mutator_delays *a = &d.mutators[0], *b = &d.mutators[1];
  assert_stats(&a->stats, 2, 6 * MS + 20000, 6 * MS);
  assert_int_equal(a->paused_ns, 3 * MS);
  assert_int_equal(a->small_assists, 1);
  assert_int_equal(a->kind_ns[GC_DELAY_ASSIST], 21000);
  assert_int_equal(a->mutator_ns, a->lifetime_ns - 6 * MS - 21000);
  assert_int_equal(b->stats.count, 0); /* detached before the pause */
  assert_int_equal(d.worst, 0);
  assert_stats(&d.world, 1, 3 * MS, 3 * MS);
  gctb_delays_free(&d);
  gc_detach(m[0]);
  gc_heap_destroy(heap);
}

/* A mutator outside the heap (sleeping by its own choice) is delayed by a
 * world stop only from the moment it wants to run again. */
static void blocked_time_is_not_a_delay(void **state) {
  gc_heap *heap = make_heap();
  gc_mutator *m = gc_attach(heap);
  uint64_t t = gc_now_ns() + 1000 * MS;
  gc_delay_blocked(m->priv->log, t, t + 5 * MS);
  gc_delay_blocked(m->priv->log, t + 6 * MS, t + 7 * MS);
  gc_events_pause(&heap->events, "p", t + 3 * MS, t + 8 * MS);
  gctb_delays d;
  assert_true(gctb_delays_compute(&heap->events, t + 20 * MS, &d));
  /* [t+5, t+6) and [t+7, t+8): the stop less the blocked spans */
  assert_stats(&d.mutators[0].stats, 2, 2 * MS, MS);
  assert_int_equal(d.mutators[0].paused_ns, 2 * MS);
  assert_stats(&d.world, 1, 5 * MS, 5 * MS);
  gctb_delays_free(&d);
  gc_detach(m);
  gc_heap_destroy(heap);
}

typedef struct spinner {
  gc_heap *heap;
  gc_mutator *m; /* written by the thread once attached */
  int stop;      /* atomic */
} spinner;

static void *spin(void *arg) {
  spinner *s = arg;
  gc_mutator *m = gc_attach(s->heap);
  __atomic_store_n(&s->m, m, __ATOMIC_RELEASE);
  while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE))
    gc_safepoint(m);
  gc_detach(m);
  return NULL;
}

static void hold_5ms_if_target(gc_mutator *m, void *target) {
  if (m == target)
    usleep(5000);
}

/* Real handshakes, named and not: each mutator in turn held 5 ms; the
 * safepoint code records every hold, and each mutator's largest delay is
 * its own 5 ms hold. */
static void handshake_holds_are_recorded(void **state) {
  gc_heap *heap = make_heap();
  spinner s[2] = {{heap}, {heap}};
  pthread_t t[2];
  for (int i = 0; i < 2; i++) {
    pthread_create(&t[i], NULL, spin, &s[i]);
    while (!__atomic_load_n(&s[i].m, __ATOMIC_ACQUIRE))
      sched_yield();
  }
  gc_handshake(heap, NULL, hold_5ms_if_target, s[0].m);
  gc_handshake_named(heap, NULL, "named", hold_5ms_if_target, s[1].m);
  gctb_delays d;
  assert_true(gctb_delays_compute(&heap->events, gc_now_ns(), &d));
  for (int i = 0; i < 2; i++) {
    gctb_mutator_delays *md = &d.mutators[i];
    assert_int_equal(md->stats.count, 2); /* one hold per handshake */
    assert_true(md->stats.max_ns >= 5 * MS);
    assert_true(md->kind_ns[GC_DELAY_HOLD] >= 5 * MS);
  }
  /* Only the named handshake's holds enter the legacy pause list. */
  assert_int_equal(heap->events.npauses, 2);
  assert_int_equal(d.world.count, 0);
  gctb_delays_free(&d);
  for (int i = 0; i < 2; i++) {
    __atomic_store_n(&s[i].stop, 1, __ATOMIC_RELEASE);
    pthread_join(t[i], NULL);
  }
  gc_heap_destroy(heap);
}

/* A mutator that notices a request only 10 ms after it arrived: polls
 * once it sees its pending flag and the time has passed. */
static void *late_poller(void *arg) {
  spinner *s = arg;
  gc_mutator *m = gc_attach(s->heap);
  __atomic_store_n(&s->m, m, __ATOMIC_RELEASE);
  while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
    if (!__atomic_load_n(&m->safepoint_pending, __ATOMIC_ACQUIRE))
      continue;
    uint64_t seen = gc_now_ns();
    while (gc_now_ns() - seen < 10 * MS)
      ;
    gc_safepoint(m);
  }
  gc_detach(m);
  return NULL;
}

static uint64_t field(json_t *o, const char *kind, const char *key) {
  json_t *k = kind ? json_object_get(o, kind) : o;
  return (uint64_t)json_integer_value(json_object_get(k, key));
}

/* Time to safepoint (heap/safepoint.c): a world stop and a handshake each
 * wait at least 10 ms for the late mutator, and the record says so, per
 * kind and per mutator. */
static void time_to_safepoint_is_recorded(void **state) {
  gc_heap *heap = make_heap();
  spinner s = {heap};
  pthread_t t;
  pthread_create(&t, NULL, late_poller, &s);
  while (!__atomic_load_n(&s.m, __ATOMIC_ACQUIRE))
    sched_yield();
  uint64_t t0 = gc_now_ns();
  gc_stop_the_world(heap, NULL);
  assert_true(gc_now_ns() - t0 >= 10 * MS);
  gc_resume_the_world(heap, "test");
  /* running again (a handshake asked while it is still parked is answered
   * at once, with a time to safepoint of 0) */
  while (__atomic_load_n(&s.m->safepoint_pending, __ATOMIC_ACQUIRE))
    sched_yield();
  gc_handshake(heap, NULL, hold_5ms_if_target, NULL);
  __atomic_store_n(&s.stop, 1, __ATOMIC_RELEASE);
  pthread_join(t, NULL);
  json_t *o = gctb_ttsp_json(&heap->events);
  assert_int_equal(field(o, NULL, "count"), 2);
  assert_int_equal(field(o, "stop", "count"), 1);
  assert_int_equal(field(o, "handshake", "count"), 1);
  assert_true(field(o, "stop", "max_ns") >= 10 * MS);
  assert_true(field(o, "handshake", "p50_ns") >= 10 * MS);
  assert_true(field(o, NULL, "max_ns") >= field(o, NULL, "p50_ns"));
  json_t *per = json_object_get(o, "mutators");
  assert_int_equal(json_array_size(per), 1);
  assert_int_equal(field(json_array_get(per, 0), NULL, "count"), 2);
  json_decref(o);
  gc_heap_destroy(heap);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(holds_in_turn_are_per_mutator),
      cmocka_unit_test(overlaps_merge),
      cmocka_unit_test(blocked_time_is_not_a_delay),
      cmocka_unit_test(handshake_holds_are_recorded),
      cmocka_unit_test(time_to_safepoint_is_recorded),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
