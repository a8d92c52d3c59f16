/* common.c — checksums, the corruption hook, mutator threads. */
#include "common.h"
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void wl_sum_merge(wl_sum *total, const wl_sum *part, unsigned i) {
  total->allocs += part->allocs;
  total->words += part->words;
  total->stores += part->stores;
  /* Addition commutes: the total does not depend on join order. */
  total->hash += wl_mix64(part->hash ^ wl_mix64(i + 1));
}

void wl_sum_json(json_t *metrics, const wl_sum *s) {
  char hex[17];
  snprintf(hex, sizeof hex, "%016" PRIx64, s->hash);
  json_object_set_new(metrics, "allocations",
                      json_integer((json_int_t)s->allocs));
  json_object_set_new(metrics, "payload_words",
                      json_integer((json_int_t)s->words));
  json_object_set_new(metrics, "ref_stores",
                      json_integer((json_int_t)s->stores));
  json_object_set_new(metrics, "checksum", json_string(hex));
}

/* ---- corruption hook ---- */

int wl__corrupt_armed;
static uint64_t corrupt_at, corrupt_seen;

void wl_corrupt_init(void) {
  const char *s = getenv("GCTB_TEST_CORRUPT");
  corrupt_at = s ? strtoull(s, NULL, 10) : 0;
  __atomic_store_n(&corrupt_seen, 0, __ATOMIC_RELAXED);
  __atomic_store_n(&wl__corrupt_armed, corrupt_at != 0, __ATOMIC_RELAXED);
  if (corrupt_at)
    fprintf(stderr,
            "gctb: GCTB_TEST_CORRUPT=%" PRIu64
            ": one payload word will be corrupted (test hook)\n",
            corrupt_at);
}

uint64_t wl__corrupt_slow(uint64_t v) {
  if (__atomic_add_fetch(&corrupt_seen, 1, __ATOMIC_RELAXED) != corrupt_at)
    return v;
  __atomic_store_n(&wl__corrupt_armed, 0, __ATOMIC_RELAXED);
  return v ^ (1ull << 17);
}

/* ---- threads ---- */

typedef struct wl_start {
  gc_heap *heap;
  wl_thread_fn fn;
  void *arg;
  unsigned index;
} wl_start;

static void *wl_thread_main(void *p) {
  wl_start *s = p;
  gc_mutator *m = gc_attach(s->heap);
  s->fn(m, s->index, s->arg);
  gc_detach(m);
  return NULL;
}

void *wl_calloc(size_t n, size_t size, const char *who) {
  void *p = calloc(n ? n : 1, size ? size : 1);
  if (!p) {
    fprintf(stderr, "%s: out of C memory (%zu x %zu bytes)\n", who, n, size);
    exit(2);
  }
  return p;
}

gc_family wl_instance(gc_workload_ctx *ctx) {
  gc_family f = gc_instance_family(ctx->heap);
  wl_metrics_lock(ctx);
  json_object_set_new(ctx->metrics, "instance", json_string(gc_family_name(f)));
  wl_metrics_unlock(ctx);
  return f;
}

void wl_metrics_lock(gc_workload_ctx *ctx) {
  if (ctx->metrics_lock)
    pthread_mutex_lock(ctx->metrics_lock);
}

void wl_metrics_unlock(gc_workload_ctx *ctx) {
  if (ctx->metrics_lock)
    pthread_mutex_unlock(ctx->metrics_lock);
}

void wl_run_threads(gc_heap *heap, unsigned n, wl_thread_fn fn, void *arg,
                    const char *who) {
  wl_start *starts = wl_calloc(n, sizeof *starts, who);
  pthread_t *tids = wl_calloc(n, sizeof *tids, who);
  for (unsigned i = 0; i < n; i++)
    starts[i] = (wl_start){heap, fn, arg, i};
  if (n == 1) {
    wl_thread_main(&starts[0]);
  } else {
    for (unsigned i = 0; i < n; i++) {
      int err = pthread_create(&tids[i], NULL, wl_thread_main, &starts[i]);
      if (err) {
        fprintf(stderr, "%s: cannot start mutator thread %u: %s\n", who, i,
                strerror(err));
        exit(2);
      }
    }
    for (unsigned i = 0; i < n; i++)
      pthread_join(tids[i], NULL);
  }
  free(starts);
  free(tids);
}

void wl_sleep_until(gc_mutator *m, uint64_t deadline_ns) {
  struct timespec ts = {.tv_sec = (time_t)(deadline_ns / 1000000000u),
                        .tv_nsec = (long)(deadline_ns % 1000000000u)};
  gc_enter_blocking(m);
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
    ;
  gc_leave_blocking(m);
}

void wl_work_json(json_t *metrics, uint64_t value, const char *unit) {
  json_object_set_new(
      metrics, "work",
      json_pack("{s:I, s:s}", "value", (json_int_t)value, "unit", unit));
}
