/* worst_step.c — the longest step's decomposition (worst_step.h). */
#include "harness/record/worst_step.h"
#include "harness/record/delays.h"

static bool metric(const json_t *metrics, const char *key, uint64_t *out) {
  json_t *v = json_object_get(metrics, key);
  if (!json_is_integer(v) || json_integer_value(v) < 0)
    return false;
  *out = (uint64_t)json_integer_value(v);
  return true;
}

gctb_worst_step gctb_worst_step_of(const gctb_run *run) {
  gctb_worst_step w = {0};
  if (!run->metrics || !run->heap ||
      !metric(run->metrics, "max_step_ns", &w.ns) ||
      !metric(run->metrics, "max_step_start_ns", &w.start_ns) || w.ns == 0)
    return w;
  w.known = true;
  metric(run->metrics, "median_step_ns", &w.median_ns);
  metric(run->metrics, "median_like_step_ns", &w.median_like_ns);
  uint64_t from = run->t_start + w.start_ns;
  w.delays_ns = gctb_delays_within(&run->heap->events, 0, from, from + w.ns);
  w.cpu_known = metric(run->metrics, "max_step_cpu_ns", &w.cpu_ns);
  if (w.cpu_known) {
    uint64_t explained = w.delays_ns + w.cpu_ns;
    w.unaccounted_ns = w.ns > explained ? w.ns - explained : 0;
  }
  return w;
}

json_t *gctb_worst_step_json(const gctb_worst_step *w) {
  if (!w->known)
    return NULL;
  json_t *o =
      json_pack("{s:I,s:I,s:I}", "duration_ns", (json_int_t)w->ns, "start_ns",
                (json_int_t)w->start_ns, "delays_ns", (json_int_t)w->delays_ns);
  if (w->median_like_ns)
    json_object_set_new(o, "median_like_step_ns",
                        json_integer((json_int_t)w->median_like_ns));
  if (w->cpu_known) {
    json_object_set_new(o, "cpu_ns", json_integer((json_int_t)w->cpu_ns));
    json_object_set_new(o, "unaccounted_ns",
                        json_integer((json_int_t)w->unaccounted_ns));
  }
  return o;
}
