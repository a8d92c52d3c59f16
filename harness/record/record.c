/* record.c — the JSON result record of one run, written as one line of a
 * JSON-lines file (docs/results-format.md). One line per run means a matrix
 * can append every cell to one file, a crashed cell leaves no partial
 * record, and analysis reads the file line by line. Writing the line is
 * record/write.c's job. */
#include "harness/record/worst_step.h"
#include "harness/run/pin.h"
#include "harness/run/run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *uint_json(uint64_t x) { return json_integer((json_int_t)x); }

/* Event times are relative to the start of the workload. */
static json_t *rel_json(const gctb_run *run, uint64_t t) {
  return json_integer((json_int_t)(t - run->t_start));
}

static json_t *pauses_json(const gctb_run *run, const gc_events *e) {
  json_t *a = json_array();
  for (size_t i = 0; i < e->npauses; i++) {
    json_t *o = json_pack("{s:s,s:o,s:o}", "phase", e->pauses[i].phase,
                          "start_ns", rel_json(run, e->pauses[i].start_ns),
                          "duration_ns", uint_json(e->pauses[i].duration_ns));
    if (e->pauses[i].mutator >= 0) /* one mutator held, not the world */
      json_object_set_new(o, "mutator", json_integer(e->pauses[i].mutator));
    if (e->pauses[i].cpu_ns != GC_CPU_UNKNOWN)
      json_object_set_new(o, "cpu_ns", uint_json(e->pauses[i].cpu_ns));
    json_array_append_new(a, o);
  }
  return a;
}

static json_t *phases_json(const gctb_run *run, const gc_events *e) {
  json_t *a = json_array();
  for (size_t i = 0; i < e->nphases; i++) {
    json_t *o =
        json_pack("{s:s,s:o,s:o,s:o}", "phase", e->phases[i].name, "start_ns",
                  rel_json(run, e->phases[i].start_ns), "end_ns",
                  rel_json(run, e->phases[i].end_ns), "duration_ns",
                  uint_json(e->phases[i].end_ns - e->phases[i].start_ns));
    if (e->phases[i].cpu_ns != GC_CPU_UNKNOWN)
      json_object_set_new(o, "cpu_ns", uint_json(e->phases[i].cpu_ns));
    json_array_append_new(a, o);
  }
  return a;
}

static json_t *cycle_json(const gctb_run *run, const gc_cycle *c) {
  json_t *o = json_object();
  json_object_set_new(o, "kind", json_string(c->kind ? c->kind : "?"));
  json_object_set_new(o, "reason", json_string(c->reason ? c->reason : "?"));
  json_object_set_new(o, "start_ns", rel_json(run, c->start_ns));
  json_object_set_new(o, "end_ns", rel_json(run, c->end_ns));
  json_object_set_new(o, "bytes_before", uint_json(c->bytes_before));
  json_object_set_new(o, "bytes_after", uint_json(c->bytes_after));
  json_object_set_new(o, "live_bytes", uint_json(c->live_bytes));
  json_object_set_new(o, "objects_traced", uint_json(c->objects_traced));
  json_object_set_new(o, "objects_copied", uint_json(c->objects_copied));
  json_object_set_new(o, "bytes_copied", uint_json(c->bytes_copied));
  json_object_set_new(o, "gc_cpu_ns", uint_json(c->gc_cpu_ns));
  return o;
}

static json_t *cycles_json(const gctb_run *run, const gc_events *e) {
  json_t *a = json_array();
  for (size_t i = 0; i < e->ncycles; i++)
    json_array_append_new(a, cycle_json(run, &e->cycles[i]));
  return a;
}

/* The event log, copied under its lock: on an early end other threads may
 * still be recording. */
static void add_events(json_t *rec, const gctb_run *run) {
  gc_events *e = &run->heap->events;
  pthread_mutex_lock(&e->lock);
  json_object_set_new(rec, "pauses", pauses_json(run, e));
  json_object_set_new(rec, "phases", phases_json(run, e));
  json_object_set_new(rec, "cycles", cycles_json(run, e));
  pthread_mutex_unlock(&e->lock);
}

static json_t *counters_json(const gctb_result *r) {
  json_t *o = json_object();
  json_object_set_new(o, "objects_allocated",
                      uint_json(r->totals.objects_allocated));
  /* requested bytes: the same under every policy; what the policy used
   * (header words, size-class rounding) beside it */
  json_object_set_new(o, "bytes_allocated",
                      uint_json(r->totals.bytes_requested));
  json_object_set_new(o, "bytes_allocated_policy",
                      uint_json(r->totals.bytes_allocated));
  json_object_set_new(o, "slow_allocs", uint_json(r->totals.slow_allocs));
  json_object_set_new(o, "barrier_slow", uint_json(r->totals.barrier_slow));
  json_object_set_new(o, "safepoints", uint_json(r->totals.safepoints_taken));
  json_object_set_new(o, "collections", uint_json(r->collections));
  json_object_set_new(o, "verifications", uint_json(r->verifications));
  return o;
}

/* What the mutators saw (docs/delays.md): every delay, per-mutator
 * figures, and the worst mutator's statistics. */
static void add_delays(json_t *rec, const gctb_run *run) {
  const gctb_delays *d = &run->res.delays;
  static const char *const sums[GC_DELAY_KINDS] = {
      [GC_DELAY_HOLD] = "held_ns",
      [GC_DELAY_STALL] = "stalled_ns",
      [GC_DELAY_PACE] = "paced_ns",
      [GC_DELAY_ASSIST] = "assist_ns",
      [GC_DELAY_RUNQUEUE] = "runqueue_ns"};
  for (int k = 0; k < GC_DELAY_KINDS; k++)
    json_object_set_new(rec, sums[k], uint_json(d->kind_ns[k]));
  json_object_set_new(rec, "delays",
                      gctb_delays_list_json(&run->heap->events, run->t_start));
  json_object_set_new(rec, "mutators", gctb_mutators_json(d, run->t_start));
  gctb_pause_stats none = {0};
  json_t *worst = gctb_pause_stats_json(
      d->worst >= 0 ? &d->mutators[d->worst].stats : &none);
  json_object_set_new(
      worst, "worst_mutator",
      json_integer(d->worst >= 0 ? d->mutators[d->worst].id : -1));
  json_object_set_new(rec, "delay_stats", worst);
  json_object_set_new(rec, "ttsp", gctb_ttsp_json(&run->heap->events));
}

static void add_times(json_t *rec, const gctb_result *r) {
  json_object_set_new(rec, "setup_ns", uint_json(r->setup_ns));
  json_object_set_new(rec, "setup_cpu_ns", uint_json(r->setup_cpu_ns));
  json_object_set_new(rec, "wall_ns", uint_json(r->wall_ns));
  json_object_set_new(rec, "mutator_ns", uint_json(r->mutator_ns));
  json_object_set_new(rec, "gc_ns", uint_json(r->gc_ns));
  json_object_set_new(rec, "gc_cpu_ns", uint_json(r->gc_cpu_ns));
  json_object_set_new(rec, "gc_cpu_other_ns", uint_json(r->gc_cpu_other_ns));
  json_object_set_new(rec, "cpu_user_ns", uint_json(r->cpu_user_ns));
  json_object_set_new(rec, "cpu_sys_ns", uint_json(r->cpu_sys_ns));
  json_object_set_new(rec, "peak_rss_bytes", uint_json(r->peak_rss_bytes));
  json_object_set_new(rec, "page_faults",
                      json_pack("{s:o,s:o}", "minor", uint_json(r->minflt),
                                "major", uint_json(r->majflt)));
}

json_t *gctb_record_build(gctb_run *run) {
  const gctb_result *r = &run->res;
  json_t *rec = json_object(), *stats = json_object();
  json_object_set_new(rec, "status", json_string(r->status));
  if (strcmp(r->status, "ok") != 0)
    json_object_set_new(rec, "error", json_string(r->error));
  json_object_set_new(rec, "config", gctb_config_to_json(run->cfg));
  json_object_set_new(rec, "machine", json_incref(run->machine));
  json_object_set_new(rec, "build", gctb_build_json());
  json_object_set_new(rec, "started_at", json_string(r->started_at));
  add_times(rec, r);
  json_object_set_new(rec, "heap", json_incref(run->heap_axis));
  add_events(rec, run);
  json_object_set_new(rec, "pause_stats", gctb_pause_stats_json(&r->pauses));
  add_delays(rec, run);
  json_object_set_new(rec, "counters", counters_json(r));
  run->cfg->policy->report(run->heap, stats);
  json_object_set_new(rec, "policy_stats", stats);
  json_object_set_new(rec, "workload", json_incref(run->metrics));
  json_t *ws = gctb_worst_step_json(&r->worst_step);
  if (ws)
    json_object_set_new(rec, "worst_step", ws);
  json_object_set_new(rec, "pinning", gctb_pin_applied_json());
  json_t *iterations = gctb_iterations_json(run);
  if (iterations)
    json_object_set_new(rec, "iterations", iterations);
  json_object_set_new(rec, "slurm", gctb_slurm_json()); /* NULL: none */
  if (run->opts.matrix)
    json_object_set_new(rec, "matrix", json_incref(run->opts.matrix));
  return rec;
}
