/* trigger.c — the concurrent policies' cycle trigger: fixed, or learning
 * the allocation rate and the cycle duration (see trigger.h). */
#include "trigger.h"
#include "events.h"
#include <math.h>
#include <string.h>

const char *const gc_trigger_modes[] = {"adaptive", "fixed", NULL};

void gc_trigger_read_options(gc_trigger_config *cfg, const gc_options *o) {
  cfg->mode = strcmp(gc_opt_enum(o, "trigger_mode"), "fixed") == 0
                  ? GC_TRIGGER_FIXED
                  : GC_TRIGGER_ADAPTIVE;
  cfg->fixed = gc_opt_double(o, "trigger");
  cfg->min = gc_opt_double(o, "trigger_min");
  cfg->max = gc_opt_double(o, "trigger_max");
  cfg->margin = gc_opt_double(o, "trigger_margin");
}

/* Adds sample x to a decaying average and variance (West's update). */
static void decay(double *avg, double *var, unsigned *n, double x,
                  double alpha) {
  if ((*n)++ == 0) {
    *avg = x;
    *var = 0;
    return;
  }
  double d = x - *avg;
  *avg += alpha * d;
  *var = (1 - alpha) * (*var + alpha * d * d);
}

static double high(double avg, double var) {
  return avg + GC_TRIGGER_SIGMAS * sqrt(var);
}

/* Under t->lock: what the threshold is now, and why (into d): the rate
 * and the bytes during a cycle each at the high end of its spread, the
 * duration on average (the high ends of both rate and duration multiplied
 * made gcold start cycles at 2-4 times what they saw allocated). */
static uint64_t decide(gc_trigger *t, gc_trigger_decision *d) {
  const gc_trigger_config *c = &t->cfg;
  double cap = (double)c->capacity;
  memset(d, 0, sizeof *d);
  if (c->mode == GC_TRIGGER_FIXED) {
    d->basis = "fixed";
    double of = (double)(c->fixed_of ? c->fixed_of : c->capacity);
    return d->threshold = (uint64_t)(c->fixed * of);
  }
  if (t->cycles == 0) {
    d->basis = "learning";
    return d->threshold = (uint64_t)(c->min * cap);
  }
  d->basis = "adaptive";
  d->rate = t->rate_samples ? high(t->rate_avg, t->rate_var) : 0;
  double dur = t->dur_avg;
  double during = high(t->during_avg, t->during_var);
  d->duration_ns = (uint64_t)dur;
  double need = d->rate * dur;
  if (during > need)
    need = during;
  d->need = (uint64_t)need;
  double at = cap * (1 - c->margin - t->penalty) - need;
  if (at < c->min * cap)
    at = c->min * cap;
  if (at > c->max * cap)
    at = c->max * cap;
  return d->threshold = (uint64_t)at;
}

static void publish(gc_trigger *t) {
  gc_trigger_decision d;
  __atomic_store_n(&t->threshold, decide(t, &d), __ATOMIC_RELAXED);
}

void gc_trigger_init(gc_trigger *t, const gc_trigger_config *cfg) {
  memset(t, 0, sizeof *t);
  t->cfg = *cfg;
  t->sample_every = cfg->capacity / GC_TRIGGER_SAMPLE_SHARE;
  if (t->sample_every == 0)
    t->sample_every = 1;
  if (t->cfg.sample_ns == 0)
    t->cfg.sample_ns = GC_TRIGGER_SAMPLE_NS;
  pthread_mutex_init(&t->lock, NULL);
  publish(t);
}

void gc_trigger_destroy(gc_trigger *t) { pthread_mutex_destroy(&t->lock); }

/* Under t->lock: one rate sample, from the window's start to (now, total),
 * if it is long enough; otherwise the window grows. The first call opens
 * the window; so does a window in which an allocation found no memory,
 * which is dropped. */
static void sample(gc_trigger *t, uint64_t total, uint64_t now) {
  uint64_t dt = now - t->sample_ns, db = total - t->sample_bytes;
  if (t->sample_ns != 0 && now > t->sample_ns) {
    if (dt < t->cfg.sample_ns || db < t->sample_every)
      return;
    if (!__atomic_load_n(&t->ran_out, __ATOMIC_RELAXED)) {
      decay(&t->rate_avg, &t->rate_var, &t->rate_samples,
            (double)db / (double)dt, GC_TRIGGER_RATE_ALPHA);
      publish(t);
    }
  }
  t->sample_ns = now;
  t->sample_bytes = total;
}

/* The counter passed a multiple of sample_every: a sample is due (cheap
 * test first, so that most allocations read no clock). */
static bool sample_due(gc_trigger *t, uint64_t bytes, uint64_t *total) {
  *total = __atomic_add_fetch(&t->allocated, bytes, __ATOMIC_RELAXED);
  if (t->cfg.mode == GC_TRIGGER_FIXED)
    return false;
  return (*total - bytes) / t->sample_every != *total / t->sample_every;
}

static void try_sample(gc_trigger *t, uint64_t total, uint64_t now) {
  if (pthread_mutex_trylock(&t->lock) != 0)
    return; /* another mutator is sampling */
  sample(t, total, now);
  pthread_mutex_unlock(&t->lock);
}

void gc_trigger_alloc(gc_trigger *t, uint64_t bytes) {
  uint64_t total;
  if (sample_due(t, bytes, &total))
    try_sample(t, total, gc_now_ns());
}

void gc_trigger_alloc_at(gc_trigger *t, uint64_t bytes, uint64_t now_ns) {
  uint64_t total;
  if (sample_due(t, bytes, &total))
    try_sample(t, total, now_ns);
}

void gc_trigger_ran_out(gc_trigger *t) {
  if (!__atomic_load_n(&t->ran_out, __ATOMIC_RELAXED))
    __atomic_store_n(&t->ran_out, 1, __ATOMIC_RELAXED);
}

void gc_trigger_cycle_begin_at(gc_trigger *t, uint64_t occupancy,
                               uint64_t now_ns) {
  pthread_mutex_lock(&t->lock);
  decide(t, &t->cur);
  t->cur.occupancy = occupancy;
  t->cur.headroom =
      t->cfg.capacity > occupancy ? t->cfg.capacity - occupancy : 0;
  t->cycle_start_ns = now_ns;
  t->cycle_start_bytes = __atomic_load_n(&t->allocated, __ATOMIC_RELAXED);
  pthread_mutex_unlock(&t->lock);
}

void gc_trigger_cycle_begin(gc_trigger *t, uint64_t occupancy) {
  gc_trigger_cycle_begin_at(t, occupancy, gc_now_ns());
}

void gc_trigger_cycle_end_at(gc_trigger *t, bool concurrent, uint64_t now_ns,
                             gc_trigger_decision *out) {
  uint64_t total = __atomic_load_n(&t->allocated, __ATOMIC_RELAXED);
  bool late = __atomic_exchange_n(&t->ran_out, 0, __ATOMIC_RELAXED);
  pthread_mutex_lock(&t->lock);
  gc_trigger_decision *d = &t->cur;
  d->actual_ns = now_ns > t->cycle_start_ns ? now_ns - t->cycle_start_ns : 0;
  d->alloc_during = total - t->cycle_start_bytes;
  d->late = late;
  if (concurrent) {
    decay(&t->dur_avg, &t->dur_var, &t->cycles, (double)d->actual_ns,
          GC_TRIGGER_CYCLE_ALPHA);
    decay(&t->during_avg, &t->during_var, &t->during_n, (double)d->alloc_during,
          GC_TRIGGER_CYCLE_ALPHA);
  }
  if (late || !concurrent) {
    t->penalty += GC_TRIGGER_PENALTY;
    if (t->penalty > GC_TRIGGER_PENALTY_MAX)
      t->penalty = GC_TRIGGER_PENALTY_MAX;
  } else {
    t->penalty -= t->penalty / 5;
  }
  if (late) { /* the rate window saw mutators wait: drop it */
    t->sample_ns = now_ns;
    t->sample_bytes = total;
  }
  publish(t);
  if (out)
    *out = *d;
  pthread_mutex_unlock(&t->lock);
}

void gc_trigger_cycle_end(gc_trigger *t, bool concurrent,
                          gc_trigger_decision *out) {
  gc_trigger_cycle_end_at(t, concurrent, gc_now_ns(), out);
}

json_t *gc_trigger_decision_json(const gc_trigger_decision *d) {
  json_t *o = json_object();
  json_object_set_new(o, "basis", json_string(d->basis ? d->basis : ""));
  json_object_set_new(o, "threshold", json_integer((json_int_t)d->threshold));
  json_object_set_new(o, "occupancy", json_integer((json_int_t)d->occupancy));
  json_object_set_new(o, "headroom", json_integer((json_int_t)d->headroom));
  json_object_set_new(o, "rate_bytes_per_ns", json_real(d->rate));
  json_object_set_new(o, "predicted_ns",
                      json_integer((json_int_t)d->duration_ns));
  json_object_set_new(o, "need", json_integer((json_int_t)d->need));
  json_object_set_new(o, "actual_ns", json_integer((json_int_t)d->actual_ns));
  json_object_set_new(o, "alloc_during",
                      json_integer((json_int_t)d->alloc_during));
  json_object_set_new(o, "late", json_boolean(d->late));
  return o;
}

void gc_trigger_report(gc_trigger *t, json_t *out) {
  const gc_trigger_config *c = &t->cfg;
  pthread_mutex_lock(&t->lock);
  json_t *o = json_object();
  json_object_set_new(o, "mode", json_string(gc_trigger_modes[c->mode]));
  json_object_set_new(o, "threshold",
                      json_integer((json_int_t)gc_trigger_threshold(t)));
  json_object_set_new(o, "capacity", json_integer((json_int_t)c->capacity));
  json_object_set_new(o, "rate_avg", json_real(t->rate_avg));
  json_object_set_new(o, "rate_sd", json_real(sqrt(t->rate_var)));
  json_object_set_new(o, "rate_samples", json_integer(t->rate_samples));
  json_object_set_new(o, "cycle_ns_avg", json_real(t->dur_avg));
  json_object_set_new(o, "cycle_ns_sd", json_real(sqrt(t->dur_var)));
  json_object_set_new(o, "cycles_learnt", json_integer(t->cycles));
  json_object_set_new(o, "alloc_during_avg", json_real(t->during_avg));
  json_object_set_new(o, "alloc_during_sd", json_real(sqrt(t->during_var)));
  json_object_set_new(o, "penalty", json_real(t->penalty));
  pthread_mutex_unlock(&t->lock);
  json_object_set_new(out, "trigger_state", o);
  json_object_set_new(out, "trigger_mode",
                      json_string(gc_trigger_modes[c->mode]));
  json_object_set_new(out, "trigger", json_real(c->fixed));
  json_object_set_new(out, "trigger_min", json_real(c->min));
  json_object_set_new(out, "trigger_max", json_real(c->max));
  json_object_set_new(out, "trigger_margin", json_real(c->margin));
}
