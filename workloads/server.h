/* server.h — the request-serving workload: configuration, shared run state,
 * a worker's cache shard, latency summaries. See docs/workloads/server.md. */
#ifndef GCTB_SERVER_H
#define GCTB_SERVER_H

#include "common.h"
#include <jansson.h>
#include <pthread.h>

typedef struct sv_config {
  unsigned threads, ways, reads;
  uint64_t requests, cache_entries, keys, value_words, request_nodes,
      request_words, seed;
  double rate, key_skew, update_ratio;
  bool poisson, warmup;
  uint64_t sets;    /* per shard */
  uint64_t spin_ns; /* spin this long before a request instead of sleeping */
} sv_config;

sv_config sv_config_from(const gc_options *params, uint64_t seed);

/* Object sizes, for the live-size declaration. */
uint64_t sv_entry_bytes(const sv_config *c, unsigned hdr_words);
uint64_t sv_request_bytes(const sv_config *c, unsigned hdr_words);
uint64_t sv_shard_table_bytes(const sv_config *c, unsigned hdr_words);

/* Payload fields of a request node and of a cache entry; kinds of
 * allocation in the work checksum. */
enum { SV_NEXT = 0, SV_BUF = 1, SV_ID = 2 };
enum { SV_VALUE = 0, SV_KEY = 1, SV_VERSION = 2, SV_HITS = 3 };
enum { SV_KIND_NODE = 1, SV_KIND_BUF, SV_KIND_ENTRY, SV_KIND_VALUE };

extern gc_type sv_node_type, sv_buf_type, sv_entry_type, sv_value_type,
    sv_shard_type;
bool sv_types(void);

typedef struct sv_worker_stats {
  wl_sum sum;
  uint64_t served, hits, misses, updates, evictions, late, objects_checked;
  uint64_t last_end_ns;             /* when its last request completed */
  uint64_t *simple_ns, *metered_ns; /* per request served */
} sv_worker_stats;

typedef struct sv_run {
  sv_config c;
  uint64_t *arrival_ns; /* scheduled arrival of request i, from t0 */
  sv_worker_stats *ws;
  /* start line: every worker warms its shard, then all start at t0 */
  pthread_mutex_t lock;
  pthread_cond_t cond;
  unsigned ready;
  uint64_t t0; /* CLOCK_MONOTONIC time of arrival 0 */
} sv_run;

/* One worker (arg: the sv_run), per family. */
GC_INSTANCE_DECLARE(wl_thread_body, sv_worker);

/* Adds "latency" (the exact shape the analysis reads) and
 * "latency_histogram" to out; sorts the arrays in place. */
void sv_latency_json(json_t *out, uint64_t *simple, uint64_t *metered,
                     size_t n);

#endif
