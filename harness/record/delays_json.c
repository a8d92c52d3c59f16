/* delays_json.c — the record's "delays" and "mutators" lists
 * (docs/results-format.md, docs/delays.md). */
#include "harness/record/delays.h"
#include <stdlib.h>

static json_t *u64(uint64_t x) { return json_integer((json_int_t)x); }

json_t *gctb_pause_stats_json(const gctb_pause_stats *p) {
  return json_pack("{s:o,s:o,s:o,s:o,s:o}", "count", u64(p->count), "total_ns",
                   u64(p->total_ns), "p50_ns", u64(p->p50_ns), "p99_ns",
                   u64(p->p99_ns), "max_ns", u64(p->max_ns));
}

typedef struct entry {
  const char *kind, *phase;
  uint64_t start, duration;
  int mutator; /* -1: a world pause */
} entry;

static int cmp_entry(const void *a, const void *b) {
  const entry *x = a, *y = b;
  if (x->start != y->start)
    return (x->start > y->start) - (x->start < y->start);
  return (x->mutator > y->mutator) - (x->mutator < y->mutator);
}

static bool push(entry **v, size_t *n, size_t *cap, entry e) {
  if (*n == *cap) {
    size_t c = *cap ? 2 * *cap : 256;
    entry *nv = realloc(*v, c * sizeof *nv);
    if (!nv)
      return false;
    *v = nv, *cap = c;
  }
  (*v)[(*n)++] = e;
  return true;
}

/* Every world pause and every logged delay, under their locks. */
static bool gather(gc_events *e, entry **v, size_t *n) {
  size_t cap = 0;
  bool ok = true;
  pthread_mutex_lock(&e->lock);
  for (size_t i = 0; ok && i < e->npauses; i++)
    if (e->pauses[i].mutator < 0)
      ok = push(v, n, &cap,
                (entry){"pause", e->pauses[i].phase, e->pauses[i].start_ns,
                        e->pauses[i].duration_ns, -1});
  for (size_t i = 0; ok && i < e->nmlogs; i++) {
    gc_mutator_log *log = e->mlogs[i];
    pthread_mutex_lock(&log->lock);
    for (size_t j = 0; ok && j < log->ndelays; j++) {
      const gc_delay *d = &log->delays[j];
      ok = push(v, n, &cap,
                (entry){gc_delay_kind_name(d->kind), d->phase, d->start_ns,
                        d->duration_ns, (int)log->id});
    }
    pthread_mutex_unlock(&log->lock);
  }
  pthread_mutex_unlock(&e->lock);
  return ok;
}

json_t *gctb_delays_list_json(gc_events *e, uint64_t t0) {
  entry *v = NULL;
  size_t n = 0;
  json_t *a = json_array();
  if (!gather(e, &v, &n)) {
    free(v);
    return a; /* out of memory: an empty list rather than no record */
  }
  if (n) /* v is NULL when nothing was delayed: qsort must not see it */
    qsort(v, n, sizeof *v, cmp_entry);
  for (size_t i = 0; i < n; i++) {
    json_t *o = json_pack("{s:s,s:s,s:I,s:o}", "kind", v[i].kind, "phase",
                          v[i].phase ? v[i].phase : "?", "start_ns",
                          (json_int_t)(v[i].start - t0), "duration_ns",
                          u64(v[i].duration));
    if (v[i].mutator >= 0)
      json_object_set_new(o, "mutator", json_integer(v[i].mutator));
    json_array_append_new(a, o);
  }
  free(v);
  return a;
}

/* A time on the record's clock (from t0); a mutator attached before the
 * workload started (the main thread) starts at 0. */
static json_t *since(uint64_t t, uint64_t t0) {
  return u64(t > t0 ? t - t0 : 0);
}

/* [[start_ns, duration_ns], ...] on the record's clock */
static json_t *spans_json(const gc_span *s, size_t n, uint64_t t0) {
  json_t *a = json_array();
  for (size_t i = 0; i < n; i++)
    json_array_append_new(a, json_pack("[o,o]", since(s[i].start_ns, t0),
                                       u64(s[i].end_ns - s[i].start_ns)));
  return a;
}

json_t *gctb_mutators_json(const gctb_delays *d, uint64_t t0) {
  json_t *a = json_array();
  for (size_t i = 0; i < d->nmutators; i++) {
    const gctb_mutator_delays *m = &d->mutators[i];
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(m->id));
    json_object_set_new(o, "lifetime_ns", u64(m->lifetime_ns));
    json_object_set_new(o, "start_ns", since(m->attached_ns, t0));
    json_object_set_new(o, "end_ns", since(m->detached_ns, t0));
    json_object_set_new(o, "mutator_ns", u64(m->mutator_ns));
    json_object_set_new(o, "paused_ns", u64(m->paused_ns));
    json_object_set_new(o, "held_ns", u64(m->kind_ns[GC_DELAY_HOLD]));
    json_object_set_new(o, "stalled_ns", u64(m->kind_ns[GC_DELAY_STALL]));
    json_object_set_new(o, "paced_ns", u64(m->kind_ns[GC_DELAY_PACE]));
    json_object_set_new(o, "assist_ns", u64(m->kind_ns[GC_DELAY_ASSIST]));
    json_object_set_new(o, "runqueue_ns", u64(m->kind_ns[GC_DELAY_RUNQUEUE]));
    json_object_set_new(o, "small_assists", u64(m->small_assists));
    json_object_set_new(o, "delay_stats", gctb_pause_stats_json(&m->stats));
    json_object_set_new(o, "blocked", spans_json(m->blocked, m->nblocked, t0));
    json_array_append_new(a, o);
  }
  return a;
}

/* Statistics of the concatenation of the logs' samples of the kinds in
 * [k0, k1), each log under its lock. */
static json_t *ttsp_stats(gc_mutator_log **logs, size_t nlogs, int k0, int k1) {
  size_t n = 0;
  for (size_t i = 0; i < nlogs; i++) {
    pthread_mutex_lock(&logs[i]->lock);
    for (int k = k0; k < k1; k++)
      n += logs[i]->nttsp[k];
    pthread_mutex_unlock(&logs[i]->lock);
  }
  uint64_t *v = malloc((n ? n : 1) * sizeof *v);
  size_t got = 0;
  for (size_t i = 0; v && i < nlogs; i++) {
    pthread_mutex_lock(&logs[i]->lock);
    for (int k = k0; k < k1; k++)
      for (size_t j = 0; j < logs[i]->nttsp[k] && got < n; j++)
        v[got++] = logs[i]->ttsp[k][j];
    pthread_mutex_unlock(&logs[i]->lock);
  }
  gctb_pause_stats st = {0};
  if (v)
    gctb_stats_of(v, got, &st);
  free(v);
  json_t *o = gctb_pause_stats_json(&st);
  json_object_del(o, "total_ns"); /* a sum of waits means nothing here */
  return o;
}

/* Both kinds ("count", "p50_ns", "p99_ns", "max_ns"), then "stop" and
 * "handshake" apart. */
static json_t *ttsp_kinds(gc_mutator_log **logs, size_t nlogs) {
  json_t *o = ttsp_stats(logs, nlogs, 0, GC_TTSP_KINDS);
  json_object_set_new(o, "stop",
                      ttsp_stats(logs, nlogs, GC_TTSP_STOP, GC_TTSP_STOP + 1));
  json_object_set_new(
      o, "handshake",
      ttsp_stats(logs, nlogs, GC_TTSP_HANDSHAKE, GC_TTSP_HANDSHAKE + 1));
  return o;
}

json_t *gctb_ttsp_json(gc_events *e) {
  pthread_mutex_lock(&e->lock);
  json_t *o = ttsp_kinds(e->mlogs, e->nmlogs);
  json_t *per = json_array();
  for (size_t i = 0; i < e->nmlogs; i++) {
    json_t *m = ttsp_kinds(&e->mlogs[i], 1);
    json_object_set_new(m, "mutator", json_integer(e->mlogs[i]->id));
    json_array_append_new(per, m);
  }
  pthread_mutex_unlock(&e->lock);
  json_object_set_new(o, "mutators", per);
  return o;
}
