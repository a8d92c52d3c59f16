/* run.c — one run: create the heap, run the workload, measure, report.
 *
 * A run ends in one of four ways: the workload returns (status "ok"), the
 * heap runs out of memory (heap->on_oom: status "oom", exit 3), a mutator
 * or the verifier reports a wrong value (heap->on_fail: status "error", exit
 * 1), or SIGINT/SIGTERM arrives (run/signals.c: status "interrupted", exit
 * 128+N). The last three happen on whatever thread noticed, possibly while
 * other mutators keep running, so the first one to arrive wins, writes the
 * record and the summary, and leaves with _exit before anyone else can
 * interfere; a later one waits for the process to end. A record that cannot
 * be written makes the exit status 1 whatever the outcome: a caller must
 * not believe a run was recorded when it was not.
 */
#include "harness/run/run.h"
#include "harness/analysis/analysis.h"
#include "harness/minheap/minheap.h"
#include "harness/record/worst_step.h"
#include "harness/run/pin.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static void iso_now(char *buf, size_t len) {
  struct timespec ts;
  struct tm tm;
  clock_gettime(CLOCK_REALTIME, &ts);
  gmtime_r(&ts.tv_sec, &tm);
  size_t n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(buf + n, len - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

static uint64_t tv_ns(struct timeval tv) {
  return (uint64_t)tv.tv_sec * 1000000000u + (uint64_t)tv.tv_usec * 1000u;
}

/* a -= b, field by field (every field is a uint64_t counter). */
static void stats_sub(gc_mutator_stats *a, const gc_mutator_stats *b) {
  _Static_assert(sizeof *a % sizeof(uint64_t) == 0, "counters only");
  uint64_t *x = (uint64_t *)a;
  const uint64_t *y = (const uint64_t *)b;
  for (size_t i = 0; i < sizeof *a / sizeof *x; i++)
    x[i] -= y[i];
}

/* The process's CPU time so far, user and system. */
static uint64_t process_cpu_ns(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return tv_ns(ru.ru_utime) + tv_ns(ru.ru_stime);
}

/* Fills the measurements of res at time end. */
static void measure(gctb_run *run, uint64_t end) {
  gctb_result *r = &run->res;
  gc_heap *heap = run->heap;
  struct rusage ru;
  r->wall_ns = end - run->t_start;
  gctb_delays_free(&r->delays);
  if (!gctb_delays_compute(&heap->events, end, &r->delays))
    fprintf(stderr, "gctb: out of memory computing the delay statistics\n");
  r->pauses = r->delays.world;
  r->worst_step = gctb_worst_step_of(run);
  r->gc_ns = r->pauses.total_ns; /* world stops only */
  r->mutator_ns = r->wall_ns > r->gc_ns ? r->wall_ns - r->gc_ns : 0;
  r->gc_cpu_ns = __atomic_load_n(&heap->events.gc_cpu_ns, __ATOMIC_RELAXED);
  r->gc_cpu_other_ns =
      __atomic_load_n(&heap->events.gc_cpu_other_ns, __ATOMIC_RELAXED);
  gc_heap_mutator_totals(heap, &r->totals);
  stats_sub(&r->totals, &run->totals0); /* warm-up iterations' */
  r->collections =
      __atomic_load_n(&heap->collections, __ATOMIC_RELAXED) - run->collections0;
  r->verifications = __atomic_load_n(&heap->verifications, __ATOMIC_RELAXED) -
                     run->verifications0;
  getrusage(RUSAGE_SELF, &ru);
  r->peak_rss_bytes = (uint64_t)ru.ru_maxrss * 1024u; /* ru_maxrss is KiB */
  r->cpu_user_ns = tv_ns(ru.ru_utime);
  r->cpu_sys_ns = tv_ns(ru.ru_stime);
  r->minflt = (uint64_t)ru.ru_minflt - run->minflt0;
  r->majflt = (uint64_t)ru.ru_majflt - run->majflt0;
}

/* Writes the record (heap still alive) and prints the summary; false
 * (with the reason on standard error) when the record is not written. */
static bool report(gctb_run *run, json_t *record) {
  char err[512];
  bool ok = gctb_record_write(run, record, err, sizeof err);
  if (!ok)
    fprintf(stderr, "gctb: cannot write the result record: %s\n", err);
  if (run->opts.trace_path &&
      !gctb_trace_write(record, run->opts.trace_path, err, sizeof err))
    fprintf(stderr, "gctb: cannot write the trace: %s\n", err);
  if (!run->opts.quiet)
    gctb_summary_print(stdout, run);
  return ok;
}

/* Claims the end of the run; false when another thread has. */
static bool claim_end(gctb_run *run) {
  int expected = 0;
  return __atomic_compare_exchange_n(&run->ending, &expected, 1, false,
                                     __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

/* Stops the other mutators so that their counters can be read without a
 * race; the world is never restarted, the process ends. m is NULL when the
 * verifier or a GC thread failed, inside a pause (the world is stopped
 * already), or for a signal (stop_world: stop it as a GC thread would,
 * after any collection in progress). A false return means another thread
 * was collecting; we parked until it finished and try again. */
static void stop_others(gc_heap *heap, gc_mutator *m, bool stop_world) {
  if (!m && stop_world) {
    gc_stop_the_world(heap, NULL);
    return;
  }
  if (!m || gc_world_stopped_by(heap, m)) /* failed inside its own pause */
    return;
  while (!gc_stop_the_world(heap, m))
    ;
}

/* A later caller must not hold up the winner's stop-the-world: a mutator
 * leaves the heap first, then waits for the winner's _exit. */
static _Noreturn void wait_for_exit(gc_mutator *m) {
  if (m)
    gc_enter_blocking(m);
  for (;;)
    pause();
}

/* The end of the run for the thread that claimed it (not the workload's
 * return): stop the world, record, leave. */
static _Noreturn void end_claimed(gctb_run *run, gc_mutator *m, bool stop_world,
                                  uint64_t end, const char *status, int code,
                                  const char *msg) {
  fprintf(stderr, "gctb: %s\n", msg);
  stop_others(run->heap, m, stop_world);
  /* Never released: the process ends here. After the world stop, so that
   * an attached thread is not waiting for the lock instead of a safepoint. */
  pthread_mutex_lock(&run->workload_lock);
  run->res.status = status;
  snprintf(run->res.error, sizeof run->res.error, "%s", msg);
  measure(run, end);
  json_t *record = gctb_record_build(run);
  if (!report(run, record))
    code = GCTB_EXIT_ERROR;
  fflush(stdout);
  fflush(stderr);
  _exit(code);
}

/* on_oom / on_fail: the first caller reports and ends the process. */
static _Noreturn void end_early(gc_heap *heap, gc_mutator *m,
                                const char *status, int code, const char *msg) {
  gctb_run *run = heap->user;
  uint64_t end = gc_now_ns();
  if (!claim_end(run))
    wait_for_exit(m);
  end_claimed(run, m, false, end, status, code, msg);
}

void gctb_run_interrupt(gctb_run *run, int sig) {
  uint64_t end = gc_now_ns();
  char msg[128];
  if (!claim_end(run))
    return;
  snprintf(msg, sizeof msg, "interrupted by signal %d (%s)", sig,
           strsignal(sig));
  end_claimed(run, NULL, true, end, "interrupted", 128 + sig, msg);
}

static void on_oom(gc_heap *heap, gc_mutator *m, size_t bytes) {
  char msg[256], size[32];
  gctb_format_size(heap->cfg.heap_bytes, size, sizeof size);
  snprintf(msg, sizeof msg,
           "out of memory: could not allocate %zu bytes in a %s heap", bytes,
           size);
  end_early(heap, m, "oom", GCTB_EXIT_OOM, msg);
}

static void on_fail(gc_heap *heap, gc_mutator *m, const char *msg) {
  end_early(heap, m, "error", GCTB_EXIT_ERROR, msg);
}

static gc_heap *create_heap(gctb_run *run, char *err, size_t errlen) {
  const gctb_config *cfg = run->cfg;
  gc_heap_config hc = {.heap_bytes = cfg->heap_bytes,
                       .gc_threads = cfg->gc_threads,
                       .verify = cfg->verify,
                       .stress_allocs = cfg->stress_allocs,
                       .stress_bytes = cfg->stress_bytes,
                       .root_slots = cfg->roots,
                       .runqueue_sample_ns = cfg->runqueue_sample_us * 1000};
  char why[512];
  uint64_t t0 = gc_now_ns(), cpu0 = process_cpu_ns();
  gc_heap *heap =
      gc_heap_create(&hc, cfg->policy, &cfg->policy_options, why, sizeof why);
  if (!heap) {
    snprintf(err, errlen, "gctb: cannot create the heap: %s", why);
    return NULL;
  }
  run->res.setup_ns = gc_now_ns() - t0;
  run->res.setup_cpu_ns = process_cpu_ns() - cpu0;
  heap->on_oom = on_oom;
  heap->on_fail = on_fail;
  heap->user = run;
  return heap;
}

/* Pinning is installed before the heap so that its GC threads, created
 * with it, are placed too. */
static bool start_pinning(const gctb_config *cfg, char *err, size_t errlen) {
  char why[512];
  if (gctb_pin_start(&cfg->pinning, why, sizeof why))
    return true;
  snprintf(err, errlen, "config error: %s", why);
  return false;
}

int gctb_run_start(gctb_run *run, const gctb_config *cfg,
                   const gctb_run_opts *opts, char *err, size_t errlen) {
  memset(run, 0, sizeof *run);
  run->cfg = cfg;
  run->opts = *opts;
  run->machine = gctb_machine_json();
  run->metrics = json_object();
  pthread_mutex_init(&run->workload_lock, NULL);
  run->heap_axis = gctb_heap_axis_json(cfg);
  iso_now(run->res.started_at, sizeof run->res.started_at);
  if (opts->signals)
    gctb_signals_block(); /* before the heap creates its GC threads */
  run->heap =
      start_pinning(cfg, err, errlen) ? create_heap(run, err, errlen) : NULL;
  if (!run->heap) {
    gctb_pin_stop();
    json_decref(run->heap_axis);
    json_decref(run->machine);
    json_decref(run->metrics);
    return GCTB_EXIT_USAGE;
  }
  gctb_measure_begin(run);
  if (opts->signals)
    gctb_signals_watch(run);
  return GCTB_EXIT_OK;
}

json_t *gctb_run_finish(gctb_run *run) {
  uint64_t end = gc_now_ns();
  if (!claim_end(run)) /* a signal came first: it records the run */
    wait_for_exit(NULL);
  if (run->opts.signals)
    gctb_signals_watch(NULL);
  run->res.status = "ok";
  measure(run, end);
  json_t *record = gctb_record_build(run);
  gc_heap_destroy(run->heap);
  run->heap = NULL;
  report(run, record);
  gctb_delays_free(&run->res.delays);
  json_decref(run->heap_axis);
  json_decref(run->iterations);
  json_decref(run->machine);
  json_decref(run->metrics);
  gctb_pin_stop();
  return record;
}

int gctb_run_config(const gctb_config *cfg, const gctb_run_opts *opts) {
  /* Not on the stack: on_oom and on_fail reach it through heap->user from
   * other threads. */
  static gctb_run run;
  char err[1024];
  gctb_run_opts o = *opts;
  o.signals = true; /* `gctb run`: SIGINT and SIGTERM record the run */
  int rc = gctb_run_start(&run, cfg, &o, err, sizeof err);
  if (rc != GCTB_EXIT_OK) {
    fprintf(stderr, "%s\n", err);
    return rc;
  }
  gc_workload_ctx ctx = {.heap = run.heap,
                         .params = &cfg->workload_params,
                         .seed = cfg->seed,
                         .hdr_words = cfg->policy->constraints.header_words,
                         .metrics = run.metrics,
                         .t_start = run.t_start,
                         .metrics_lock = &run.workload_lock};
  gctb_iterations_run(&run, &ctx);
  json_decref(gctb_run_finish(&run));
  /* record_path is emptied when the record could not be written. */
  return run.res.record_path[0] ? GCTB_EXIT_OK : GCTB_EXIT_ERROR;
}
