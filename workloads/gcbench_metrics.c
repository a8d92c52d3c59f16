/* gcbench_metrics.c — GCBench's own numbers for the result record.
 *
 * Top level: the run's wall time, node counts summed over threads, and per
 * depth the slowest thread's times (with one thread: that thread's). Each
 * thread's own numbers follow under "per_thread" when there are several. */
#include "common.h"
#include "gcbench_run.h"

static json_t *gb_round_json(const gb_round *r) {
  return json_pack("{s:i, s:I, s:I, s:I, s:I}", "depth", r->depth, "iterations",
                   (json_int_t)r->iterations, "top_down_ns",
                   (json_int_t)r->top_down_ns, "bottom_up_ns",
                   (json_int_t)r->bottom_up_ns, "check_ns",
                   (json_int_t)r->check_ns);
}

static json_t *gb_result_json(const gb_config *c, const gb_result *r) {
  json_t *depths = json_array();
  for (unsigned i = 0; i < c->ndepths; i++)
    json_array_append_new(depths, gb_round_json(&r->rounds[i]));
  return json_pack(
      "{s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "stretch_ns",
      (json_int_t)r->stretch_ns, "long_lived_ns", (json_int_t)r->long_lived_ns,
      "final_check_ns", (json_int_t)r->final_check_ns, "total_ns",
      (json_int_t)r->total_ns, "nodes_built", (json_int_t)r->nodes_built,
      "nodes_checked", (json_int_t)r->nodes_checked, "depths", depths);
}

static uint64_t gb_max(uint64_t a, uint64_t b) { return a > b ? a : b; }

/* The slowest thread's phase times, and node counts summed. */
static void gb_combine(const gb_config *c, const gb_result *r, gb_result *all) {
  for (unsigned t = 0; t < c->threads; t++) {
    all->stretch_ns = gb_max(all->stretch_ns, r[t].stretch_ns);
    all->long_lived_ns = gb_max(all->long_lived_ns, r[t].long_lived_ns);
    all->final_check_ns = gb_max(all->final_check_ns, r[t].final_check_ns);
    all->total_ns = gb_max(all->total_ns, r[t].total_ns);
    all->nodes_built += r[t].nodes_built;
    all->nodes_checked += r[t].nodes_checked;
    for (unsigned i = 0; i < c->ndepths; i++) {
      gb_round *a = &all->rounds[i];
      const gb_round *x = &r[t].rounds[i];
      a->depth = x->depth;
      a->iterations = x->iterations;
      a->top_down_ns = gb_max(a->top_down_ns, x->top_down_ns);
      a->bottom_up_ns = gb_max(a->bottom_up_ns, x->bottom_up_ns);
      a->check_ns = gb_max(a->check_ns, x->check_ns);
    }
  }
}

void gb_metrics(json_t *obj, const gb_config *c, const gb_result *r,
                uint64_t wall_ns) {
  gb_round rounds[GB_MAX_DEPTH + 1] = {{0}};
  gb_result all = {.rounds = rounds};
  gb_combine(c, r, &all);
  json_t *top = gb_result_json(c, &all);
  json_object_update(obj, top);
  json_decref(top);
  json_object_set_new(obj, "wall_ns", json_integer((json_int_t)wall_ns));
  json_object_set_new(obj, "threads", json_integer(c->threads));
  wl_work_json(obj, all.nodes_built, "nodes");
  if (c->threads > 1) {
    json_t *per = json_array();
    for (unsigned t = 0; t < c->threads; t++)
      json_array_append_new(per, gb_result_json(c, &r[t]));
    json_object_set_new(obj, "per_thread", per);
  }
}
