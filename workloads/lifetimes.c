/* lifetimes.c — a generator of objects with lifetimes drawn from a
 * distribution: parameters, live size, types, metrics. The generator itself
 * is in lifetimes_body.h, compiled once per policy family; see
 * docs/workloads/lifetimes.md.
 *
 * Each thread allocates alloc_bytes of objects whose sizes come from a
 * distribution (fixed, uniform, bounded power law or a weighted table of up
 * to four sizes) and whose lifetimes, measured in bytes the thread
 * allocates, are exponential with mean lifetime_mean, except a fraction
 * that never dies. Objects carry `refs` reference fields: each either points
 * to an older object that outlives the new one, or is a field of an older
 * object that dies first, overwritten to point to the new one (an old-to-
 * young store). Either way a reference never extends a lifetime, so the
 * live set is exactly what the schedule says, capped at live_set. */
#include "lifetimes.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const lt_dists[] = {"fixed", "uniform", "power-law", "table",
                                       NULL};

static const gc_option_spec lt_params[] = {
    {"threads", GC_OPT_INT, "mutator threads, each an independent generator", 1,
     1, 256, NULL},
    {"alloc_bytes", GC_OPT_SIZE, "bytes each thread allocates", 64 << 20, 0,
     1e15, NULL},
    {"live_set", GC_OPT_SIZE,
     "cap on each thread's live bytes: when an object would not fit, the "
     "objects due to die first die early",
     8 << 20, 4096, 1e15, NULL},
    {"size_dist", GC_OPT_ENUM, "object size distribution", 2, 0, 0, lt_dists},
    {"size_min", GC_OPT_SIZE, "smallest payload in bytes (fixed: the size)", 16,
     8, 1 << 24, NULL},
    {"size_max", GC_OPT_SIZE, "largest payload in bytes", 256, 8, 1 << 24,
     NULL},
    {"size_alpha", GC_OPT_DOUBLE,
     "power-law exponent: density of size s proportional to s^-alpha", 2, 0, 10,
     NULL},
    {"table_bytes_1", GC_OPT_SIZE, "table: payload bytes of entry 1", 16, 8,
     1 << 24, NULL},
    {"table_weight_1", GC_OPT_DOUBLE, "table: weight of entry 1", 0.5, 0, 1e9,
     NULL},
    {"table_bytes_2", GC_OPT_SIZE, "table: payload bytes of entry 2", 32, 8,
     1 << 24, NULL},
    {"table_weight_2", GC_OPT_DOUBLE, "table: weight of entry 2", 0.3, 0, 1e9,
     NULL},
    {"table_bytes_3", GC_OPT_SIZE, "table: payload bytes of entry 3", 64, 8,
     1 << 24, NULL},
    {"table_weight_3", GC_OPT_DOUBLE, "table: weight of entry 3", 0.15, 0, 1e9,
     NULL},
    {"table_bytes_4", GC_OPT_SIZE, "table: payload bytes of entry 4", 1024, 8,
     1 << 24, NULL},
    {"table_weight_4", GC_OPT_DOUBLE, "table: weight of entry 4", 0.05, 0, 1e9,
     NULL},
    {"lifetime_mean", GC_OPT_SIZE,
     "mean lifetime (exponential), in bytes allocated by the thread", 4 << 20,
     1, 1e15, NULL},
    {"immortal_fraction", GC_OPT_DOUBLE, "fraction of objects that never die",
     0.01, 0, 1, NULL},
    {"refs", GC_OPT_INT,
     "reference fields per object (objects over 64 words have none)", 2, 0,
     LT_MAX_REFS, NULL},
    {"ref_to_older", GC_OPT_DOUBLE,
     "share of references from the new object to an older one; the rest "
     "are stored into an older object and point to the new one",
     0.5, 0, 1, NULL},
    {"rate_limit", GC_OPT_SIZE,
     "allocation rate limit per thread in bytes per second (0: none)", 0, 0,
     1e15, NULL},
    {0},
};

static double lt_mean_size(const lt_config *c) {
  switch (c->size_dist) {
  case LT_FIXED:
    return (double)c->size_min;
  case LT_UNIFORM:
    return (double)(c->size_min + c->size_max) / 2;
  case LT_POWER_LAW:
    return wl_power_law_mean(c->size_min, c->size_max, c->size_alpha);
  case LT_TABLE:
    break;
  }
  double sum = 0;
  for (int i = 0; i < LT_TABLE_SIZES; i++)
    sum += c->table_weight[i] * (double)c->table_bytes[i];
  return sum / c->table_total;
}

static uint64_t lt_largest(const lt_config *c) {
  if (c->size_dist != LT_TABLE)
    return c->size_dist == LT_FIXED ? c->size_min : c->size_max;
  uint64_t m = 0;
  for (int i = 0; i < LT_TABLE_SIZES; i++)
    if (c->table_weight[i] > 0 && c->table_bytes[i] > m)
      m = c->table_bytes[i];
  return m;
}

bool lt_config_from(const gc_options *p, uint64_t seed, lt_config *c, char *err,
                    size_t errlen) {
  static const char *const tb[] = {"table_bytes_1", "table_bytes_2",
                                   "table_bytes_3", "table_bytes_4"};
  static const char *const tw[] = {"table_weight_1", "table_weight_2",
                                   "table_weight_3", "table_weight_4"};
  *c = (lt_config){
      .threads = (unsigned)gc_opt_int(p, "threads"),
      .refs = (unsigned)gc_opt_int(p, "refs"),
      .alloc_bytes = (uint64_t)gc_opt_int(p, "alloc_bytes"),
      .live_set = (uint64_t)gc_opt_int(p, "live_set"),
      .size_min = (uint64_t)gc_opt_int(p, "size_min"),
      .size_max = (uint64_t)gc_opt_int(p, "size_max"),
      .rate_limit = (uint64_t)gc_opt_int(p, "rate_limit"),
      .seed = seed,
      .size_alpha = gc_opt_double(p, "size_alpha"),
      .lifetime_mean = (double)gc_opt_int(p, "lifetime_mean"),
      .immortal_fraction = gc_opt_double(p, "immortal_fraction"),
      .ref_to_older = gc_opt_double(p, "ref_to_older"),
  };
  const char *d = gc_opt_enum(p, "size_dist");
  for (int i = 0; lt_dists[i]; i++)
    if (strcmp(d, lt_dists[i]) == 0)
      c->size_dist = (lt_size_dist)i;
  for (int i = 0; i < LT_TABLE_SIZES; i++) {
    c->table_bytes[i] = (uint64_t)gc_opt_int(p, tb[i]);
    c->table_weight[i] = gc_opt_double(p, tw[i]);
    c->table_total += c->table_weight[i];
  }
  if (c->size_dist == LT_TABLE && !(c->table_total > 0)) {
    snprintf(err, errlen, "lifetimes: the size table has no weight");
    return false;
  }
  if (c->size_dist != LT_FIXED && c->size_dist != LT_TABLE &&
      c->size_min > c->size_max) {
    snprintf(err, errlen, "lifetimes: size_min %llu exceeds size_max %llu",
             (unsigned long long)c->size_min, (unsigned long long)c->size_max);
    return false;
  }
  uint64_t big = lt_logical_bytes(lt_words(c, lt_largest(c)));
  if (big > c->live_set) {
    snprintf(err, errlen,
             "lifetimes: the largest object (%llu bytes) exceeds live_set",
             (unsigned long long)big);
    return false;
  }
  /* Room for 25% more objects than the mean size predicts; beyond that
   * the count cap evicts like the byte cap does. */
  double mean =
      (double)lt_logical_bytes(lt_words(c, (uint64_t)(lt_mean_size(c) + 0.5)));
  c->capacity = (size_t)(1.25 * (double)c->live_set / mean) + 256;
  return true;
}

uint64_t lt_words(const lt_config *c, uint64_t size) {
  uint64_t w = (size + GC_WORD - 1) / GC_WORD;
  uint64_t min = c->refs + 1; /* the id word after the references */
  return w < min ? min : w;
}

/* Fixed layouts up to 64 words: refs reference words, then the id word and
 * data. Bigger objects are word arrays without references. */
static gc_type lt_fixed[LT_MAX_REFS + 1][GC_MAX_FIXED_WORDS + 1];
static char lt_names[LT_MAX_REFS + 1][GC_MAX_FIXED_WORDS + 1][24];
static gc_type lt_array = {.name = "lifetimes_array",
                           .kind = GC_TYPE_WORD_ARRAY};

const gc_type *lt_type(const lt_config *c, uint64_t words) {
  return words <= GC_MAX_FIXED_WORDS ? &lt_fixed[c->refs][words] : &lt_array;
}

bool lt_types_register(const lt_config *c) {
  uint64_t lo = lt_words(c, c->size_min), hi = lt_words(c, c->size_max);
  if (c->size_dist == LT_TABLE) {
    lo = UINT64_MAX, hi = 0;
    for (int i = 0; i < LT_TABLE_SIZES; i++) {
      uint64_t w = lt_words(c, c->table_bytes[i]);
      lo = w < lo ? w : lo;
      hi = w > hi ? w : hi;
    }
  }
  for (uint64_t w = lo; w <= hi && w <= GC_MAX_FIXED_WORDS; w++) {
    gc_type *t = &lt_fixed[c->refs][w];
    snprintf(lt_names[c->refs][w], sizeof lt_names[0][0], "lifetimes_%lluw%ur",
             (unsigned long long)w, c->refs);
    t->name = lt_names[c->refs][w];
    t->kind = GC_TYPE_FIXED;
    t->nwords = (uint32_t)w;
    t->ref_map = (1ull << c->refs) - 1;
    if (!gc_type_register(t))
      return false;
  }
  return gc_type_register(&lt_array);
}

/* Per thread: the capped live set, the second header word of every object
 * it can hold when the policy has one, and the table. */
static uint64_t lt_live_bytes(const gc_options *params, unsigned h) {
  lt_config c;
  char err[256];
  if (!lt_config_from(params, 0, &c, err, sizeof err))
    return 0; /* reported when the run starts */
  uint64_t per = c.live_set + (uint64_t)(h - 1) * GC_WORD * c.capacity +
                 wl_table_bytes(c.capacity, h);
  return per * c.threads;
}

static void lt_metrics(json_t *out, const lt_run *run, uint64_t wall_ns) {
  const lt_config *c = &run->c;
  lt_stats all = {0};
  for (unsigned t = 0; t < c->threads; t++) {
    const lt_stats *s = &run->st[t];
    wl_sum_merge(&all.sum, &s->sum, t);
    all.allocated_bytes += s->allocated_bytes;
    all.natural_deaths += s->natural_deaths;
    all.early_deaths += s->early_deaths;
    all.immortals += s->immortals;
    all.refs_older += s->refs_older;
    all.refs_younger += s->refs_younger;
    all.refs_unset += s->refs_unset;
    all.objects_checked += s->objects_checked;
    all.peak_live_bytes += s->peak_live_bytes;
    all.live_bytes_end += s->live_bytes_end;
    all.sleeps += s->sleeps;
  }
  double secs = (double)wall_ns / 1e9;
  json_t *top = json_pack(
      "{s:I, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
      "s:I, s:f}",
      "wall_ns", (json_int_t)wall_ns, "threads", (int)c->threads,
      "allocated_bytes", (json_int_t)all.allocated_bytes, "natural_deaths",
      (json_int_t)all.natural_deaths, "early_deaths",
      (json_int_t)all.early_deaths, "immortals", (json_int_t)all.immortals,
      "refs_to_older", (json_int_t)all.refs_older, "refs_from_older",
      (json_int_t)all.refs_younger, "refs_unset", (json_int_t)all.refs_unset,
      "objects_checked", (json_int_t)all.objects_checked, "peak_live_bytes",
      (json_int_t)all.peak_live_bytes, "live_bytes_end",
      (json_int_t)all.live_bytes_end, "table_capacity", (json_int_t)c->capacity,
      "rate_sleeps", (json_int_t)all.sleeps, "alloc_rate_bytes_per_s",
      secs > 0 ? (double)all.allocated_bytes / secs : 0.0);
  json_object_update(out, top);
  json_decref(top);
  wl_sum_json(out, &all.sum);
  wl_work_json(out, all.sum.allocs, "objects");
}

static void lt_run_workload(gc_workload_ctx *ctx) {
  lt_run run;
  char err[256];
  if (!lt_config_from(ctx->params, ctx->seed, &run.c, err, sizeof err)) {
    fprintf(stderr, "config error: workload.params: %s\n", err);
    exit(2);
  }
  if (!lt_types_register(&run.c)) {
    fprintf(stderr, "lifetimes: cannot register its types\n");
    exit(2);
  }
  wl_corrupt_init();
  run.st = wl_calloc(run.c.threads, sizeof *run.st, "lifetimes");
  uint64_t t0 = gc_now_ns();
  wl_run_threads(ctx->heap, run.c.threads,
                 GC_INSTANCE_PICK(wl_instance(ctx), lt_thread), &run,
                 "lifetimes");
  wl_metrics_lock(ctx);
  lt_metrics(ctx->metrics, &run, gc_now_ns() - t0);
  wl_metrics_unlock(ctx);
  free(run.st);
}

const gc_workload gc_workload_lifetimes = {
    .name = "lifetimes",
    .summary = "objects with sizes and lifetimes drawn from distributions "
               "(exponential plus immortals), references to older and from "
               "older objects, a capped live set, optional rate limit",
    .params = lt_params,
    .live_bytes = lt_live_bytes,
    .run = lt_run_workload,
};
