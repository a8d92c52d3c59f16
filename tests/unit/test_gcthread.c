/* The collector thread (heap/gcthread.h): the strongest pending request
 * runs first; weaker ones run after it or are subsumed; a trigger request
 * the policy no longer wants is dropped and never replaces a reason; a
 * request the running cycle escalates to waits for that cycle. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h> /* after the headers it needs */

#include "heap/gcthread.h"
#include <sched.h>
#include <stdlib.h>
#include <string.h>

typedef struct fake {
  pthread_mutex_t lock;
  pthread_cond_t cond;
  bool hold;     /* the first cycle waits until released */
  bool wanted;   /* what still_wanted answers */
  int asked;     /* still_wanted calls */
  int escalated; /* escalate calls that answered true */
  int n;
  gc_req_kind kinds[8];
  const char *reasons[8];
} fake;

static void cycle(void *ctx, gc_req_kind kind, const char *reason) {
  fake *f = ctx;
  pthread_mutex_lock(&f->lock);
  f->kinds[f->n] = kind;
  f->reasons[f->n++] = reason;
  pthread_cond_broadcast(&f->cond);
  while (f->hold)
    pthread_cond_wait(&f->cond, &f->lock);
  pthread_mutex_unlock(&f->lock);
}

static bool still_wanted(void *ctx) {
  fake *f = ctx;
  pthread_mutex_lock(&f->lock);
  bool w = f->wanted;
  f->asked++;
  pthread_cond_broadcast(&f->cond);
  pthread_mutex_unlock(&f->lock);
  return w;
}

static bool escalate(void *ctx, gc_req_kind kind) {
  fake *f = ctx;
  if (kind < GC_REQ_FULL)
    return false;
  f->escalated++; /* under the thread's lock */
  return true;
}

typedef struct rig {
  gc_heap heap; /* only its lock, cond and worker count are used */
  fake f;
  gc_ct ct;
} rig;

static rig *rig_start(const gc_ct_ops *ops) {
  rig *r = calloc(1, sizeof *r);
  assert_non_null(r);
  pthread_mutex_init(&r->heap.lock, NULL);
  pthread_cond_init(&r->heap.cond, NULL);
  pthread_mutex_init(&r->f.lock, NULL);
  pthread_cond_init(&r->f.cond, NULL);
  r->f.hold = true;
  char err[64];
  assert_true(gc_ct_start(&r->ct, &r->heap, ops, &r->f, err, sizeof err));
  /* a first cycle, held, so that the requests below pile up */
  gc_ct_request(&r->ct, GC_REQ_CONCURRENT, "first");
  pthread_mutex_lock(&r->f.lock);
  while (r->f.n == 0)
    pthread_cond_wait(&r->f.cond, &r->f.lock);
  pthread_mutex_unlock(&r->f.lock);
  return r;
}

/* Releases the held cycle; returns once `cycles` have finished (the
 * caller stops the thread before counting the cycles that ran). */
static void rig_run(rig *r, uint64_t cycles) {
  pthread_mutex_lock(&r->f.lock);
  r->f.hold = false;
  pthread_cond_broadcast(&r->f.cond);
  pthread_mutex_unlock(&r->f.lock);
  while (gc_ct_finished(&r->ct) < cycles)
    sched_yield();
}

static void rig_stop(rig *r) { gc_ct_stop(&r->ct); }

static void strongest_first_weaker_after(void **state) {
  gc_ct_ops ops = {.cycle = cycle};
  rig *r = rig_start(&ops);
  gc_ct_request(&r->ct, GC_REQ_CONCURRENT, "requested");
  uint64_t t = gc_ct_request(&r->ct, GC_REQ_DEGENERATED, "alloc");
  assert_int_equal(t, 2); /* the next cycle to start */
  assert_true(gc_ct_pending(&r->ct, GC_REQ_CONCURRENT));
  rig_run(r, 3);
  rig_stop(r);
  assert_int_equal(r->f.n, 3);
  assert_int_equal(r->f.kinds[1], GC_REQ_DEGENERATED);
  assert_string_equal(r->f.reasons[1], "alloc");
  assert_int_equal(r->f.kinds[2], GC_REQ_CONCURRENT);
  assert_string_equal(r->f.reasons[2], "requested");
  free(r);
}

static void stronger_subsumes_weaker(void **state) {
  gc_ct_ops ops = {.cycle = cycle, .subsume = true};
  rig *r = rig_start(&ops);
  gc_ct_request(&r->ct, GC_REQ_CONCURRENT, "requested");
  gc_ct_request(&r->ct, GC_REQ_FULL, "alloc");
  gc_ct_request(&r->ct, GC_REQ_DEGENERATED, "alloc");
  rig_run(r, 2);
  rig_stop(r);
  assert_int_equal(r->f.n, 2);
  assert_int_equal(r->f.kinds[1], GC_REQ_FULL);
  free(r);
}

static void triggers_drop_and_never_replace_a_reason(void **state) {
  gc_ct_ops ops = {.cycle = cycle, .still_wanted = still_wanted};
  rig *r = rig_start(&ops);
  gc_ct_request(&r->ct, GC_REQ_CONCURRENT, "requested");
  gc_ct_trigger(&r->ct, GC_REQ_CONCURRENT); /* keeps "requested" */
  rig_run(r, 2);
  rig_stop(r);
  assert_int_equal(r->f.n, 2);
  assert_string_equal(r->f.reasons[1], "requested");
  free(r);

  r = rig_start(&ops); /* wanted is false: a lone trigger is dropped */
  gc_ct_trigger(&r->ct, GC_REQ_CONCURRENT);
  rig_run(r, 1);
  pthread_mutex_lock(&r->f.lock);
  while (r->f.asked == 0)
    pthread_cond_wait(&r->f.cond, &r->f.lock);
  pthread_mutex_unlock(&r->f.lock);
  rig_stop(r);
  assert_int_equal(r->f.n, 1);
  assert_false(gc_ct_pending(&r->ct, GC_REQ_CONCURRENT));
  free(r);
}

static void escalated_request_waits_for_running_cycle(void **state) {
  gc_ct_ops ops = {.cycle = cycle, .escalate = escalate};
  rig *r = rig_start(&ops);
  assert_int_equal(gc_ct_request(&r->ct, GC_REQ_FULL, "alloc"), 1);
  assert_int_equal(r->f.escalated, 1);
  assert_false(gc_ct_pending(&r->ct, GC_REQ_FULL));
  assert_int_equal(gc_ct_request(&r->ct, GC_REQ_DEGENERATED, "alloc"), 2);
  rig_run(r, 2);
  rig_stop(r);
  assert_int_equal(r->f.n, 2);
  assert_int_equal(r->f.kinds[1], GC_REQ_DEGENERATED);
  free(r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(strongest_first_weaker_after),
      cmocka_unit_test(stronger_subsumes_weaker),
      cmocka_unit_test(triggers_drop_and_never_replace_a_reason),
      cmocka_unit_test(escalated_request_waits_for_running_cycle),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
