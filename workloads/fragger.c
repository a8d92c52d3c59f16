/* fragger.c — fragmentation on purpose: parameters, live size, metrics.
 * The rounds are in fragger_body.h, compiled once per policy family; see
 * docs/workloads/fragger.md.
 *
 * Objects of mixed sizes (16 B to 8 KiB by default) fill a live set; each
 * round a random subset dies, leaving holes of every size between the
 * survivors, and allocation refills the live set. A collector that cannot
 * move objects, or reuse a hole smaller than a block, holds more memory
 * than is live; the run records, at every round, the policy's own count of
 * bytes in use (heap_used: blocks or pages held) beside the live bytes, so
 * fragmentation is measured rather than inferred. This is the workload
 * behind Immix's line-and-block design (Blackburn and McKinley 2008) and
 * its opportunistic defragmentation. */
#include "fragger.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const fr_dists[] = {"log-uniform", "uniform", "alternating",
                                       NULL};

static const gc_option_spec fr_params[] = {
    {"live_set", GC_OPT_SIZE, "live bytes the fragmenter keeps (refills to)",
     32 << 20, 65536, 1e15, NULL},
    {"rounds", GC_OPT_INT, "rounds of deaths and refilling", 20, 0, 1e6, NULL},
    {"death_fraction", GC_OPT_DOUBLE,
     "chance that each live object dies in a round", 0.5, 0, 1, NULL},
    {"size_min", GC_OPT_SIZE, "smallest object in bytes (one header word)", 16,
     16, 1 << 24, NULL},
    {"size_max", GC_OPT_SIZE, "largest object in bytes", 8192, 16, 1 << 24,
     NULL},
    {"size_dist", GC_OPT_ENUM,
     "log-uniform: as many objects of 16-32 B as of 4-8 KiB; uniform in "
     "bytes; alternating: log-uniform over the lower half of the range in "
     "even rounds, the upper half in odd ones (the holes are the wrong "
     "size)",
     0, 0, 0, fr_dists},
    {"collect", GC_OPT_BOOL,
     "collect before each occupancy sample, so that it shows what a "
     "collection leaves held",
     1, 0, 0, NULL},
    {0},
};

gc_type fr_object_type = {.name = "fragger_object", .kind = GC_TYPE_WORD_ARRAY};

bool fr_types(void) { return gc_type_register(&fr_object_type); }

static double fr_mean(const fr_config *c) {
  double lo = (double)c->size_min, hi = (double)c->size_max + 1;
  if (c->dist == FR_UNIFORM)
    return (lo + hi - 1) / 2;
  return hi > lo ? (hi - lo) / log(hi / lo) : lo;
}

bool fr_config_from(const gc_options *p, uint64_t seed, fr_config *c, char *err,
                    size_t errlen) {
  *c = (fr_config){.live_set = (uint64_t)gc_opt_int(p, "live_set"),
                   .size_min = (uint64_t)gc_opt_int(p, "size_min") & ~7ull,
                   .size_max = (uint64_t)gc_opt_int(p, "size_max") & ~7ull,
                   .seed = seed,
                   .rounds = (unsigned)gc_opt_int(p, "rounds"),
                   .death_fraction = gc_opt_double(p, "death_fraction"),
                   .collect = gc_opt_bool(p, "collect")};
  const char *d = gc_opt_enum(p, "size_dist");
  for (int i = 0; fr_dists[i]; i++)
    if (strcmp(d, fr_dists[i]) == 0)
      c->dist = (fr_dist)i;
  if (c->size_min > c->size_max) {
    snprintf(err, errlen, "fragger: size_min exceeds size_max");
    return false;
  }
  if (c->size_max > c->live_set) {
    snprintf(err, errlen, "fragger: size_max exceeds live_set");
    return false;
  }
  c->capacity = (size_t)(1.25 * (double)c->live_set / fr_mean(c)) + 256;
  return true;
}

/* The live set, the extra header word of every object it can hold when
 * the policy has two, and the table. */
static uint64_t fr_live_bytes(const gc_options *params, unsigned h) {
  fr_config c;
  char err[128];
  if (!fr_config_from(params, 0, &c, err, sizeof err))
    return 0; /* reported when the run starts */
  return c.live_set + (uint64_t)(h - 1) * GC_WORD * c.capacity +
         wl_table_bytes(c.capacity, h);
}

static void fr_metrics(json_t *out, const fr_run *run, uint64_t wall_ns) {
  json_t *samples = json_array();
  uint64_t peak = 0;
  double worst = 0;
  for (size_t i = 0; i < run->nsamples; i++) {
    const fr_sample *s = &run->samples[i];
    double occ =
        s->live_bytes ? (double)s->heap_used / (double)s->live_bytes : 0;
    peak = s->heap_used > peak ? s->heap_used : peak;
    worst = occ > worst ? occ : worst;
    json_array_append_new(
        samples,
        json_pack("{s:i, s:s, s:I, s:I, s:I, s:I, s:f}", "round", (int)s->round,
                  "phase", s->phase, "t_ns", (json_int_t)s->t_ns, "live_bytes",
                  (json_int_t)s->live_bytes, "objects", (json_int_t)s->objects,
                  "heap_used_bytes", (json_int_t)s->heap_used, "occupancy",
                  occ));
  }
  json_t *top =
      json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:o}", "wall_ns",
                (json_int_t)wall_ns, "live_set", (json_int_t)run->c.live_set,
                "allocated_bytes", (json_int_t)run->allocated, "deaths",
                (json_int_t)run->deaths, "objects_checked",
                (json_int_t)run->objects_checked, "peak_heap_used_bytes",
                (json_int_t)peak, "max_occupancy", worst, "samples", samples);
  json_object_update(out, top);
  json_decref(top);
  wl_sum_json(out, &run->sum);
  wl_work_json(out, run->sum.allocs, "objects");
}

static void fr_run_workload(gc_workload_ctx *ctx) {
  fr_run run = {.heap = ctx->heap};
  char err[128];
  if (!fr_config_from(ctx->params, ctx->seed, &run.c, err, sizeof err)) {
    fprintf(stderr, "config error: workload.params: %s\n", err);
    exit(2);
  }
  if (!fr_types()) {
    fprintf(stderr, "fragger: cannot register its types\n");
    exit(2);
  }
  wl_corrupt_init();
  run.samples = wl_calloc(2 * run.c.rounds + 1, sizeof *run.samples, "fragger");
  uint64_t t0 = gc_now_ns();
  wl_run_threads(ctx->heap, 1, GC_INSTANCE_PICK(wl_instance(ctx), fr_thread),
                 &run, "fragger");
  wl_metrics_lock(ctx);
  fr_metrics(ctx->metrics, &run, gc_now_ns() - t0);
  wl_metrics_unlock(ctx);
  free(run.samples);
}

const gc_workload gc_workload_fragger = {
    .name = "fragger",
    .summary = "fragmentation on purpose: mixed sizes (16 B - 8 KiB), a "
               "random subset dies each round, allocation refills the holes; "
               "heap occupancy against live bytes",
    .params = fr_params,
    .live_bytes = fr_live_bytes,
    .run = fr_run_workload,
};
