/* The concurrent policies' trigger (heap/trigger.h) alone, on synthetic
 * time: before anything is learnt it starts at the min bound; fed a steady
 * allocation rate and cycle duration it starts when the headroom less the
 * margin equals what the cycle will see allocated; the spread, the bounds,
 * the penalty for a late cycle and the fixed mode. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h> /* after the headers it needs */

#include "heap/trigger.h"

#define MIB ((uint64_t)1 << 20)
#define CAPACITY (100 * MIB)
#define CHUNK (CAPACITY / 1024)                     /* one allocation */
#define SAMPLE (CAPACITY / GC_TRIGGER_SAMPLE_SHARE) /* one rate window */
#define DUR (25 * SAMPLE) /* a cycle's ns: 25 windows at 1 byte/ns */

/* Rate windows as short as a window's bytes allow: every SAMPLE bytes. */
static gc_trigger_config adaptive(void) {
  return (gc_trigger_config){.mode = GC_TRIGGER_ADAPTIVE,
                             .fixed = 0.5,
                             .min = 0.3,
                             .max = 0.9,
                             .margin = 0.1,
                             .capacity = CAPACITY,
                             .sample_ns = 1};
}

/* Allocates bytes in CHUNKs at rate bytes per ns, from *now on. */
static void allocate(gc_trigger *t, uint64_t *now, uint64_t bytes,
                     double rate) {
  for (uint64_t done = 0; done < bytes; done += CHUNK) {
    *now += (uint64_t)((double)CHUNK / rate);
    gc_trigger_alloc_at(t, CHUNK, *now);
  }
}

/* One cycle of dur ns during which the mutator allocates at rate;
 * concurrent or not (degenerated), late or not. */
static void run_cycle(gc_trigger *t, uint64_t *now, uint64_t dur, double rate,
                      bool concurrent, bool late, gc_trigger_decision *d) {
  uint64_t start = *now;
  gc_trigger_cycle_begin_at(t, 40 * MIB, start);
  allocate(t, now, (uint64_t)(rate * (double)dur), rate);
  if (late)
    gc_trigger_ran_out(t);
  *now = start + dur;
  gc_trigger_cycle_end_at(t, concurrent, *now, d);
}

static void cycle(gc_trigger *t, uint64_t *now, uint64_t dur, double rate,
                  gc_trigger_decision *d) {
  run_cycle(t, now, dur, rate, true, false, d);
}

/* n rounds of 40 windows' worth at rate, then a cycle of DUR at rate. */
static void steady(gc_trigger *t, uint64_t *now, int n, double rate,
                   gc_trigger_decision *d) {
  for (int i = 0; i < n; i++) {
    allocate(t, now, 40 * SAMPLE, rate);
    cycle(t, now, DUR, rate, d);
  }
}

static bool near(uint64_t x, double expect) {
  return (double)x > expect - 0.01 * CAPACITY &&
         (double)x < expect + 0.01 * CAPACITY;
}

static void min_bound_before_learning(void **state) {
  gc_trigger_config c = adaptive();
  gc_trigger t;
  gc_trigger_init(&t, &c);
  assert_int_equal(gc_trigger_threshold(&t), (uint64_t)(0.3 * CAPACITY));
  uint64_t now = 1;
  allocate(&t, &now, 50 * SAMPLE, 1.0); /* a rate, but no cycle yet */
  assert_int_equal(gc_trigger_threshold(&t), (uint64_t)(0.3 * CAPACITY));
  gc_trigger_decision d;
  gc_trigger_cycle_begin_at(&t, 30 * MIB, now);
  gc_trigger_cycle_end_at(&t, true, now + 1000000, &d);
  assert_string_equal(d.basis, "learning");
  assert_int_equal(d.threshold, (uint64_t)(0.3 * CAPACITY));
  assert_int_equal(d.occupancy, 30 * MIB);
  assert_int_equal(d.headroom, 70 * MIB);
  assert_int_equal(d.actual_ns, 1000000);
  gc_trigger_destroy(&t);
}

/* Rate 1 byte/ns (about 1 GB/s), cycles of DUR ns (20 ms): DUR bytes
 * (20 MB) allocated during a cycle; start at 90 MB (the margin kept back)
 * less 20 MB. Twice the rate: another 20 MB earlier. */
static void steady_rate_and_duration(void **state) {
  gc_trigger_config c = adaptive();
  gc_trigger t;
  gc_trigger_init(&t, &c);
  uint64_t now = 1;
  gc_trigger_decision d;
  steady(&t, &now, 5, 1.0, &d);
  assert_true(near(gc_trigger_threshold(&t), 0.9 * CAPACITY - DUR));
  steady(&t, &now, 1, 1.0, &d); /* what the next cycle records */
  assert_string_equal(d.basis, "adaptive");
  assert_true(d.rate > 0.99 && d.rate < 1.01);
  assert_int_equal(d.duration_ns, DUR);
  assert_true(near(d.need, DUR));
  assert_true(near(d.threshold, 0.9 * CAPACITY - DUR));
  assert_int_equal(d.alloc_during, DUR);
  assert_int_equal(d.actual_ns, DUR);
  assert_false(d.late);
  steady(&t, &now, 12, 2.0, &d); /* the jump's spread decays */
  assert_true(near(gc_trigger_threshold(&t), 0.9 * CAPACITY - 2.0 * DUR));
  gc_trigger_destroy(&t);
}

/* A mutator that allocates nothing while a cycle runs (the collector took
 * its processor, say): the rate it had before, times the duration, still
 * decides. */
static void rate_times_duration(void **state) {
  gc_trigger_config c = adaptive();
  gc_trigger t;
  gc_trigger_init(&t, &c);
  uint64_t now = 1;
  gc_trigger_decision d;
  for (int i = 0; i < 5; i++) {
    allocate(&t, &now, 40 * SAMPLE, 1.0);
    cycle(&t, &now, 2 * DUR, 0.0, &d);
    assert_int_equal(d.alloc_during, 0);
  }
  assert_true(near(gc_trigger_threshold(&t), 0.9 * CAPACITY - 2.0 * DUR));
  gc_trigger_destroy(&t);
}

/* n rate windows alternating 1.5 and 0.5 bytes/ns, the last one slow. */
static void uneven(gc_trigger *t, uint64_t *now, int n) {
  for (int k = 0; k < n; k++)
    allocate(t, now, SAMPLE, (n - k) % 2 ? 0.5 : 1.5);
}

/* Two mutators that allocate the same bytes in a cycle, one steadily, one
 * in alternating fast and slow spurts: the uneven one's spread starts its
 * cycles earlier (by about two standard deviations, 0.45 bytes/ns, over
 * the cycle: some 25 MB). */
static void spread_moves_it_earlier(void **state) {
  gc_trigger_config c = adaptive();
  gc_trigger a, b;
  gc_trigger_init(&a, &c);
  gc_trigger_init(&b, &c);
  uint64_t t1 = 1, t2 = 1;
  gc_trigger_decision d;
  for (int i = 0; i < 4; i++) {
    steady(&a, &t1, 1, 1.0, &d);
    uneven(&b, &t2, 40);
    gc_trigger_cycle_begin_at(&b, 40 * MIB, t2);
    uneven(&b, &t2, 25);
    gc_trigger_cycle_end_at(&b, true, t2, &d);
    assert_int_equal(d.alloc_during, 25 * SAMPLE);
  }
  assert_true(gc_trigger_threshold(&b) + 10 * MIB < gc_trigger_threshold(&a));
  gc_trigger_destroy(&a);
  gc_trigger_destroy(&b);
}

/* No rate sample (windows longer than the test), cycles that see half and
 * one and a half DUR allocated in turn, the last one little: the spread of
 * the bytes during a cycle starts it earlier than their average. */
static void spread_of_bytes_during_a_cycle(void **state) {
  gc_trigger_config c = adaptive();
  c.sample_ns = UINT64_MAX / 2;
  gc_trigger t;
  gc_trigger_init(&t, &c);
  uint64_t now = 1;
  gc_trigger_decision d;
  for (int i = 0; i < 8; i++)
    cycle(&t, &now, DUR, i % 2 ? 0.5 : 1.5, &d);
  assert_int_equal(t.rate_samples, 0);
  assert_true(gc_trigger_threshold(&t) < 0.9 * CAPACITY - 1.3 * DUR);
  gc_trigger_destroy(&t);
}

/* Cycles that take longer than the headroom allows: the min bound; a
 * mutator that hardly allocates: the max bound. */
static void bounds_hold(void **state) {
  gc_trigger_config c = adaptive();
  gc_trigger t;
  gc_trigger_init(&t, &c);
  uint64_t now = 1;
  gc_trigger_decision d;
  allocate(&t, &now, 40 * SAMPLE, 1.0);
  cycle(&t, &now, 200000000, 1.0, &d); /* 200 MB at the rate: none left */
  assert_int_equal(gc_trigger_threshold(&t), (uint64_t)(0.3 * CAPACITY));
  gc_trigger_destroy(&t);

  c.margin = 0.05; /* else the margin alone keeps it under the max */
  gc_trigger_init(&t, &c);
  allocate(&t, &now, 40 * SAMPLE, 0.001);
  cycle(&t, &now, 1000000, 0.0, &d);
  assert_int_equal(gc_trigger_threshold(&t), (uint64_t)(0.9 * CAPACITY));
  gc_trigger_destroy(&t);
}

/* A cycle during which an allocation ran out of memory, or one that had to
 * finish stopped, moves the trigger earlier (5% of the capacity each);
 * good cycles take it back. */
static void late_cycles_pay_a_penalty(void **state) {
  gc_trigger_config c = adaptive();
  gc_trigger t;
  gc_trigger_init(&t, &c);
  uint64_t now = 1;
  gc_trigger_decision d;
  steady(&t, &now, 4, 1.0, &d);
  uint64_t before = gc_trigger_threshold(&t);
  run_cycle(&t, &now, DUR, 1.0, true, true, &d);
  assert_true(d.late);
  uint64_t late = gc_trigger_threshold(&t);
  assert_true(late + 4 * MIB < before);
  run_cycle(&t, &now, 1000, 0.0, false, true, &d); /* degenerated */
  assert_true(gc_trigger_threshold(&t) + 4 * MIB < late);
  for (int i = 0; i < 30; i++)
    cycle(&t, &now, DUR, 1.0, &d);
  assert_false(d.late);
  assert_true(gc_trigger_threshold(&t) + MIB > before);
  gc_trigger_destroy(&t);
}

/* Fixed mode: the share of fixed_of (or capacity), whatever happens. */
static void fixed_mode_never_moves(void **state) {
  gc_trigger_config c = adaptive();
  c.mode = GC_TRIGGER_FIXED;
  c.fixed_of = 2 * CAPACITY;
  gc_trigger t;
  gc_trigger_init(&t, &c);
  uint64_t now = 1;
  gc_trigger_decision d;
  for (int i = 0; i < 3; i++) {
    allocate(&t, &now, 40 * SAMPLE, 1.0);
    run_cycle(&t, &now, DUR, 1.0, i != 1, i == 2, &d);
    assert_int_equal(gc_trigger_threshold(&t), CAPACITY);
  }
  assert_string_equal(d.basis, "fixed");
  gc_trigger_destroy(&t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(min_bound_before_learning),
      cmocka_unit_test(steady_rate_and_duration),
      cmocka_unit_test(rate_times_duration),
      cmocka_unit_test(spread_moves_it_earlier),
      cmocka_unit_test(spread_of_bytes_during_a_cycle),
      cmocka_unit_test(bounds_hold),
      cmocka_unit_test(late_cycles_pay_a_penalty),
      cmocka_unit_test(fixed_mode_never_moves),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
