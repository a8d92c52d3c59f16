/* iterations.c — the workload run W + M times in one heap and process
 * (config "iterations": {"warmup": W, "measure": M}; docs/config.md).
 *
 * Each iteration is a whole run of the workload (its mutators attach, work
 * and detach) in the heap the previous one left behind: what a JIT-less
 * testbed can offer of "warm" measurement (the heap's spaces, free lists
 * and caches, the collector's pacing state). The warm-up iterations are
 * run and then forgotten: when the first measured one starts the heap's
 * event log is cleared, counters and page faults are taken as the new
 * zero, and the workload's timeline starts again. So every headline figure
 * of the record (wall, pauses, cycles, GC CPU, counters, MMU...) covers the
 * measured iterations together, as one longer run. The record's
 * "iterations" array keeps each iteration's own figures, warm-up included;
 * policy_stats (the policy's own totals) cover every iteration. */
#include "harness/run/run.h"
#include <sys/resource.h>

/* World-stop time in the pauses recorded from index from on. */
static uint64_t world_pause_ns(gc_events *e, size_t from, size_t *to) {
  uint64_t ns = 0;
  pthread_mutex_lock(&e->lock);
  for (size_t i = from; i < e->npauses; i++)
    if (e->pauses[i].mutator < 0)
      ns += e->pauses[i].duration_ns;
  *to = e->npauses;
  pthread_mutex_unlock(&e->lock);
  return ns;
}

static size_t npauses(gc_events *e) {
  size_t n;
  world_pause_ns(e, SIZE_MAX, &n);
  return n;
}

void gctb_measure_begin(gctb_run *run) {
  gc_heap *heap = run->heap;
  struct rusage ru;
  run->collections0 = __atomic_load_n(&heap->collections, __ATOMIC_RELAXED);
  run->verifications0 = __atomic_load_n(&heap->verifications, __ATOMIC_RELAXED);
  gc_heap_mutator_totals(heap, &run->totals0);
  getrusage(RUSAGE_SELF, &ru);
  run->minflt0 = (uint64_t)ru.ru_minflt;
  run->majflt0 = (uint64_t)ru.ru_majflt;
  run->t_start = gc_now_ns();
}

/* The workload's unit of work ("work": {"value", "unit"}) in metrics, 0
 * when it reports none. */
static double work_of(const json_t *metrics) {
  return json_number_value(
      json_object_get(json_object_get(metrics, "work"), "value"));
}

static json_t *iteration_json(unsigned i, bool warmup, uint64_t wall,
                              uint64_t gc, uint64_t gc_cpu,
                              uint64_t collections) {
  return json_pack("{s:i,s:b,s:I,s:I,s:I,s:I,s:I}", "index", (int)i, "warmup",
                   warmup, "wall_ns", (json_int_t)wall, "mutator_ns",
                   (json_int_t)(wall > gc ? wall - gc : 0), "gc_ns",
                   (json_int_t)gc, "gc_cpu_ns", (json_int_t)gc_cpu,
                   "collections", (json_int_t)collections);
}

uint64_t gctb_iterations_run(gctb_run *run, gc_workload_ctx *ctx) {
  const gctb_config *cfg = run->cfg;
  gc_heap *heap = run->heap;
  unsigned w = cfg->warmup_iterations, n = w + cfg->measure_iterations;
  double work = 0;
  uint64_t end = 0;
  if (n > 1) {
    pthread_mutex_lock(&run->workload_lock);
    run->iterations = json_array();
    pthread_mutex_unlock(&run->workload_lock);
  }
  for (unsigned i = 0; i < n; i++) {
    if (i == w && w) { /* the warm-up is over: forget it */
      gc_events_clear(&heap->events);
      gctb_measure_begin(run);
      ctx->t_start = run->t_start; /* the record's new time 0 */
    }
    /* A fresh metrics object per iteration; an early end records the
     * current one. */
    pthread_mutex_lock(&run->workload_lock);
    json_decref(run->metrics);
    run->metrics = ctx->metrics = json_object();
    pthread_mutex_unlock(&run->workload_lock);
    size_t p0 = npauses(&heap->events), p1;
    uint64_t cpu0 = __atomic_load_n(&heap->events.gc_cpu_ns, __ATOMIC_RELAXED);
    uint64_t col0 = __atomic_load_n(&heap->collections, __ATOMIC_RELAXED);
    uint64_t t0 = gc_now_ns();
    cfg->workload->run(ctx);
    end = gc_now_ns();
    uint64_t gc = world_pause_ns(&heap->events, p0, &p1);
    if (i >= w)
      work += work_of(run->metrics);
    pthread_mutex_lock(&run->workload_lock);
    if (run->iterations)
      json_array_append_new(
          run->iterations,
          iteration_json(
              i, i < w, end - t0, gc,
              __atomic_load_n(&heap->events.gc_cpu_ns, __ATOMIC_RELAXED) - cpu0,
              __atomic_load_n(&heap->collections, __ATOMIC_RELAXED) - col0));
    pthread_mutex_unlock(&run->workload_lock);
  }
  /* The record's work is that of the measured iterations together, like
   * its wall time. */
  pthread_mutex_lock(&run->workload_lock);
  json_t *wk = json_object_get(run->metrics, "work");
  if (n > 1 && json_is_object(wk) && json_object_get(wk, "value"))
    json_object_set_new(wk, "value", json_real(work));
  pthread_mutex_unlock(&run->workload_lock);
  return end;
}

json_t *gctb_iterations_json(const gctb_run *run) {
  const gctb_config *cfg = run->cfg;
  if (!run->iterations)
    return NULL;
  return json_pack("{s:i,s:i,s:O}", "warmup", (int)cfg->warmup_iterations,
                   "measure", (int)cfg->measure_iterations, "runs",
                   run->iterations);
}
