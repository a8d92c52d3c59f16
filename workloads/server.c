/* server.c — request serving for latency: parameters, live size, the
 * schedule, types, metrics. The workers are in server_body.h, compiled
 * once per policy family; see
 * docs/workloads/server.md.
 *
 * Requests arrive on a schedule fixed in advance from the seed (open loop:
 * a fixed rate, or Poisson arrivals at that rate) and are dealt to worker
 * threads round-robin. A request that finds its worker busy, or stopped by
 * a collection, waits; its latency is recorded twice: simple (end - the
 * moment processing started) and metered (end - its scheduled arrival), so
 * a pause shows up in the metered latency of every request queued behind
 * it, not only the one it interrupted (the "metered latency" of Blackburn
 * et al.'s DaCapo Chopin). */
#include "server.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const sv_arrivals[] = {"fixed", "poisson", NULL};

static const gc_option_spec sv_params[] = {
    {"threads", GC_OPT_INT, "worker threads (requests dealt round-robin)", 2, 1,
     256, NULL},
    {"rate", GC_OPT_DOUBLE, "requests per second, all workers together", 2000,
     1e-3, 1e9, NULL},
    {"requests", GC_OPT_INT, "requests in the run", 10000, 1, 1e9, NULL},
    {"arrival", GC_OPT_ENUM, "fixed: evenly spaced; poisson: exponential gaps",
     0, 0, 0, sv_arrivals},
    {"cache_entries", GC_OPT_INT,
     "entries in the long-lived cache, all shards together", 16384, 1, 1e9,
     NULL},
    {"cache_ways", GC_OPT_INT,
     "associativity: a key may sit in any way of its set; the least recently "
     "used way is replaced",
     4, 1, 64, NULL},
    {"value_words", GC_OPT_INT, "words in each cached value", 32, 1, 1 << 20,
     NULL},
    {"keys", GC_OPT_INT, "distinct keys requests ask for", 65536, 1, 1e12,
     NULL},
    {"key_skew", GC_OPT_DOUBLE,
     "key popularity: key = keys x u^skew for uniform u (1: uniform, higher: "
     "hotter small keys)",
     2, 1, 100, NULL},
    {"reads", GC_OPT_INT, "cache lookups per request", 8, 0, 1 << 20, NULL},
    {"update_ratio", GC_OPT_DOUBLE,
     "share of cache hits that replace the value with a new one", 0.1, 0, 1,
     NULL},
    {"request_nodes", GC_OPT_INT, "nodes in each request's object graph", 200,
     0, 1 << 24, NULL},
    {"request_words", GC_OPT_INT, "words in each request node's buffer", 8, 1,
     1 << 20, NULL},
    {"warmup", GC_OPT_BOOL, "fill every cache shard before the clock starts", 1,
     0, 0, NULL},
    {"spin_us", GC_OPT_DOUBLE,
     "an idle worker sleeps until this long before the next arrival, then "
     "spins (a late wake-up would count as metered latency)",
     200, 0, 1e6, NULL},
    {0},
};

gc_type sv_node_type = {
    .name = "server_node", .kind = GC_TYPE_FIXED, .nwords = 3, .ref_map = 0x3};
gc_type sv_buf_type = {.name = "server_buffer", .kind = GC_TYPE_WORD_ARRAY};
gc_type sv_entry_type = {
    .name = "server_entry", .kind = GC_TYPE_FIXED, .nwords = 4, .ref_map = 0x1};
gc_type sv_value_type = {.name = "server_value", .kind = GC_TYPE_WORD_ARRAY};
gc_type sv_shard_type = {.name = "server_shard", .kind = GC_TYPE_REF_ARRAY};

bool sv_types(void) {
  return gc_type_register(&sv_node_type) && gc_type_register(&sv_buf_type) &&
         gc_type_register(&sv_entry_type) && gc_type_register(&sv_value_type) &&
         gc_type_register(&sv_shard_type);
}

uint64_t sv_entry_bytes(const sv_config *c, unsigned h) {
  return gc_object_bytes(&sv_entry_type, 0, h) +
         gc_object_bytes(&sv_value_type, c->value_words, h);
}
uint64_t sv_request_bytes(const sv_config *c, unsigned h) {
  return c->request_nodes *
         (gc_object_bytes(&sv_node_type, 0, h) +
          gc_object_bytes(&sv_buf_type, c->request_words, h));
}
uint64_t sv_shard_table_bytes(const sv_config *c, unsigned h) {
  return gc_object_bytes(&sv_shard_type, c->sets * c->ways, h);
}

sv_config sv_config_from(const gc_options *p, uint64_t seed) {
  sv_config c = {
      .threads = (unsigned)gc_opt_int(p, "threads"),
      .ways = (unsigned)gc_opt_int(p, "cache_ways"),
      .reads = (unsigned)gc_opt_int(p, "reads"),
      .requests = (uint64_t)gc_opt_int(p, "requests"),
      .cache_entries = (uint64_t)gc_opt_int(p, "cache_entries"),
      .keys = (uint64_t)gc_opt_int(p, "keys"),
      .value_words = (uint64_t)gc_opt_int(p, "value_words"),
      .request_nodes = (uint64_t)gc_opt_int(p, "request_nodes"),
      .request_words = (uint64_t)gc_opt_int(p, "request_words"),
      .seed = seed,
      .rate = gc_opt_double(p, "rate"),
      .key_skew = gc_opt_double(p, "key_skew"),
      .update_ratio = gc_opt_double(p, "update_ratio"),
      .poisson = strcmp(gc_opt_enum(p, "arrival"), "poisson") == 0,
      .warmup = gc_opt_bool(p, "warmup"),
      .spin_ns = (uint64_t)(gc_opt_double(p, "spin_us") * 1000),
  };
  uint64_t per = (c.cache_entries + c.threads - 1) / c.threads;
  c.sets = (per + c.ways - 1) / c.ways;
  return c;
}

/* Per worker: its shard (table and every entry with its value), one
 * request's graph, and one entry and value under construction beside the
 * one they replace. */
static uint64_t sv_live_bytes(const gc_options *params, unsigned h) {
  sv_config c = sv_config_from(params, 0);
  uint64_t shard = sv_shard_table_bytes(&c, h) +
                   (c.sets * c.ways + 1) * sv_entry_bytes(&c, h);
  return c.threads * (shard + sv_request_bytes(&c, h));
}

/* Scheduled arrival times from t0, the same for every policy. */
static void sv_schedule(sv_run *run) {
  const sv_config *c = &run->c;
  wl_rng rng;
  wl_rng_seed(&rng, c->seed, 0x617272);
  double gap = 1e9 / c->rate, t = 0;
  for (uint64_t i = 0; i < c->requests; i++) {
    run->arrival_ns[i] = (uint64_t)t;
    t += c->poisson ? wl_rng_exponential(&rng, gap) : gap;
  }
}

static void sv_metrics(json_t *out, sv_run *run, uint64_t wall_ns) {
  const sv_config *c = &run->c;
  sv_worker_stats all = {0};
  uint64_t *simple = wl_calloc(c->requests, sizeof *simple, "server");
  uint64_t *metered = wl_calloc(c->requests, sizeof *metered, "server");
  size_t n = 0;
  uint64_t end = run->t0;
  for (unsigned t = 0; t < c->threads; t++) {
    sv_worker_stats *w = &run->ws[t];
    wl_sum_merge(&all.sum, &w->sum, t);
    all.hits += w->hits, all.misses += w->misses, all.updates += w->updates;
    all.evictions += w->evictions, all.late += w->late;
    all.objects_checked += w->objects_checked;
    end = w->last_end_ns > end ? w->last_end_ns : end;
    for (uint64_t k = 0; k < w->served; k++, n++) {
      simple[n] = w->simple_ns[k];
      metered[n] = w->metered_ns[k];
    }
  }
  uint64_t span = end - run->t0;
  json_t *top = json_pack(
      "{s:I, s:i, s:I, s:f, s:f, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
      "s:I}",
      "wall_ns", (json_int_t)wall_ns, "threads", (int)c->threads, "requests",
      (json_int_t)n, "rate", c->rate, "achieved_rate",
      span ? (double)n * 1e9 / (double)span : 0.0, "arrival",
      c->poisson ? "poisson" : "fixed", "serve_ns", (json_int_t)span,
      "cache_hits", (json_int_t)all.hits, "cache_misses",
      (json_int_t)all.misses, "cache_updates", (json_int_t)all.updates,
      "cache_evictions", (json_int_t)all.evictions, "late_starts",
      (json_int_t)all.late, "objects_checked", (json_int_t)all.objects_checked,
      "shard_entries", (json_int_t)(c->sets * c->ways));
  json_object_update(out, top);
  json_decref(top);
  sv_latency_json(out, simple, metered, n);
  wl_sum_json(out, &all.sum);
  wl_work_json(out, n, "requests");
  free(simple);
  free(metered);
}

static void sv_run_workload(gc_workload_ctx *ctx) {
  sv_run run = {.c = sv_config_from(ctx->params, ctx->seed)};
  const sv_config *c = &run.c;
  if (!sv_types()) {
    fprintf(stderr, "server: cannot register its types\n");
    exit(2);
  }
  wl_corrupt_init();
  pthread_mutex_init(&run.lock, NULL);
  pthread_cond_init(&run.cond, NULL);
  run.arrival_ns = wl_calloc(c->requests, sizeof *run.arrival_ns, "server");
  sv_schedule(&run);
  run.ws = wl_calloc(c->threads, sizeof *run.ws, "server");
  for (unsigned t = 0; t < c->threads; t++) {
    uint64_t mine = c->requests / c->threads + 1;
    run.ws[t].simple_ns = wl_calloc(mine, sizeof(uint64_t), "server");
    run.ws[t].metered_ns = wl_calloc(mine, sizeof(uint64_t), "server");
  }
  uint64_t t0 = gc_now_ns();
  wl_run_threads(ctx->heap, c->threads,
                 GC_INSTANCE_PICK(wl_instance(ctx), sv_worker), &run, "server");
  wl_metrics_lock(ctx);
  sv_metrics(ctx->metrics, &run, gc_now_ns() - t0);
  wl_metrics_unlock(ctx);
  for (unsigned t = 0; t < c->threads; t++) {
    free(run.ws[t].simple_ns);
    free(run.ws[t].metered_ns);
  }
  free(run.ws);
  free(run.arrival_ns);
  pthread_cond_destroy(&run.cond);
  pthread_mutex_destroy(&run.lock);
}

const gc_workload gc_workload_server = {
    .name = "server",
    .summary = "request serving at a fixed rate (open loop) on worker "
               "threads with a long-lived LRU cache; simple and metered "
               "latency percentiles",
    .params = sv_params,
    .live_bytes = sv_live_bytes,
    .run = sv_run_workload,
};
