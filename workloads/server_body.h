/* server_body.h — server's hot code: one worker, its cache shard, its
 * requests. Compiled once per policy family by the build
 * (workloads/instances/bodies.cmake, workloads/instance.h); the only
 * external symbol is GC_INSTANCE(sv_worker).
 *
 * The cache is sharded, one shard per worker, and requests are dealt to
 * workers round-robin, so each shard sees the same requests in the same
 * order under every policy (a cache shared under a lock would make the hit
 * pattern, and so the allocations, depend on timing). A shard is a set-
 * associative table in the heap: sets x ways entries, each entry a small
 * object (key, version, hit count) pointing to a value array. A miss
 * replaces the least recently used way of the key's set with a new entry (the
 * old entry and value die old); a hit may replace the value (the old value
 * dies, and the new, young value is stored into the old entry). A C-side
 * mirror of every way (key, version, hits) is what each read is checked
 * against.
 *
 * A request allocates a linked list of request_nodes nodes, each with a
 * buffer, does its cache lookups while the list is live, then walks and
 * checks the list and drops it. */
#ifndef GCTB_FAMILY
#error                                                                         \
    "server_body.h is compiled once per family (workloads/instances/bodies.cmake)"
#endif

#include "server.h"
#include <math.h>
#include <sys/prctl.h>

typedef struct sv_way {
  uint64_t key, version, hits, stamp; /* key 0: empty */
} sv_way;

typedef struct sv_worker_state {
  gc_mutator *m;
  sv_run *run;
  const sv_config *c;
  sv_worker_stats *st;
  unsigned index;
  size_t shard; /* root slot */
  sv_way *ways;
  uint64_t clock, versions;
} sv_worker_state;

static uint64_t sv_value_base(const sv_worker_state *w, uint64_t key,
                              uint64_t version) {
  return wl_mix64(wl_mix64(w->c->seed ^ key) ^ version);
}

static uint64_t sv_draw_key(const sv_worker_state *w, wl_rng *rng) {
  double x = (double)w->c->keys * pow(wl_rng_unit(rng), w->c->key_skew);
  uint64_t k = (uint64_t)x;
  return 1 + (k < w->c->keys ? k : w->c->keys - 1);
}

_Noreturn static void sv_bad_entry(sv_worker_state *w, size_t idx,
                                   const char *what, uint64_t expected,
                                   uint64_t found) {
  const sv_way *e = &w->ways[idx];
  gc_fail(w->m,
          "server: cache entry for key %llu (worker %u, way %zu, version "
          "%llu): expected %s %#llx, found %#llx",
          (unsigned long long)e->key, w->index, idx,
          (unsigned long long)e->version, what, (unsigned long long)expected,
          (unsigned long long)found);
}

/* Checks way idx's entry and value against the mirror. */
static void sv_check_entry(sv_worker_state *w, size_t idx) {
  gc_mutator *m = w->m;
  const sv_way *e = &w->ways[idx];
  gc_ref en = gc_read_ref(m, gc_root_get(m, w->shard), idx);
  if (en == GC_NULL || gc_type_of(m, en) != sv_entry_type.id)
    sv_bad_entry(w, idx, "an entry of type", sv_entry_type.id,
                 en ? gc_type_of(m, en) : 0);
  const uint64_t want[] = {0, e->key, e->version, e->hits};
  static const char *const names[] = {"", "key", "version", "hit count"};
  for (unsigned f = SV_KEY; f <= SV_HITS; f++)
    if (gc_read_word(m, en, f) != want[f])
      sv_bad_entry(w, idx, names[f], want[f], gc_read_word(m, en, f));
  gc_ref v = gc_read_ref(m, en, SV_VALUE);
  uint64_t n = w->c->value_words, base = sv_value_base(w, e->key, e->version);
  if (v == GC_NULL || gc_type_of(m, v) != sv_value_type.id ||
      gc_length(m, v) != n)
    sv_bad_entry(w, idx, "a value of this many words", n,
                 v ? gc_length(m, v) : 0);
  uint64_t j = wl_check_words(m, &v, base, 0, n); /* en is stale after */
  if (j < n)
    sv_bad_entry(w, idx, "value word", wl_word(base, j), gc_read_word(m, v, j));
  w->st->objects_checked += 2;
}

/* A new value for (key, version); the caller roots it. */
static gc_ref sv_new_value(sv_worker_state *w, uint64_t key, uint64_t ver) {
  gc_mutator *m = w->m;
  uint64_t n = w->c->value_words, base = sv_value_base(w, key, ver);
  gc_ref v = gc_alloc(m, &sv_value_type, n);
  wl_sum_alloc(&w->st->sum, SV_KIND_VALUE, n);
  gc_write_word(m, v, 0, wl_corrupt(wl_word(base, 0)));
  return wl_fill_words(m, v, base, 1, n);
}

static void sv_hit(sv_worker_state *w, size_t idx, wl_rng *rng) {
  gc_mutator *m = w->m;
  sv_way *e = &w->ways[idx];
  sv_check_entry(w, idx);
  e->hits++;
  e->stamp = ++w->clock;
  gc_ref en = gc_read_ref(m, gc_root_get(m, w->shard), idx);
  gc_write_word(m, en, SV_HITS, e->hits);
  w->st->hits++;
  if (!wl_rng_chance(rng, w->c->update_ratio))
    return;
  e->version = ++w->versions;
  gc_ref v = sv_new_value(w, e->key, e->version);
  en = gc_read_ref(m, gc_root_get(m, w->shard), idx); /* may have moved */
  gc_write_ref(m, en, SV_VALUE, v);
  gc_write_word(m, en, SV_VERSION, e->version);
  wl_sum_store(&w->st->sum, e->key, SV_VALUE, e->version);
  w->st->updates++;
}

static void sv_miss(sv_worker_state *w, size_t set, uint64_t key) {
  gc_mutator *m = w->m;
  size_t first = set * w->c->ways, idx = first;
  for (size_t i = first; i < first + w->c->ways; i++) {
    if (w->ways[i].key == 0) {
      idx = i;
      break;
    }
    if (w->ways[i].stamp < w->ways[idx].stamp)
      idx = i;
  }
  if (w->ways[idx].key != 0) { /* the victim dies: check it first */
    sv_check_entry(w, idx);
    w->st->evictions++;
  }
  sv_way e = {.key = key, .version = ++w->versions, .stamp = ++w->clock};
  gc_local vslot = gc_local_push(m, sv_new_value(w, e.key, e.version));
  gc_ref en = gc_alloc(m, &sv_entry_type, 0);
  wl_sum_alloc(&w->st->sum, SV_KIND_ENTRY, 4);
  gc_write_word(m, en, SV_KEY, key);
  gc_write_word(m, en, SV_VERSION, e.version);
  gc_write_ref(m, en, SV_VALUE, gc_local_get(m, vslot));
  gc_write_ref(m, gc_root_get(m, w->shard), idx, en);
  wl_sum_store(&w->st->sum, w->index, idx, key);
  gc_local_pop(m, 1);
  w->ways[idx] = e;
  w->st->misses++;
}

static void sv_lookup(sv_worker_state *w, uint64_t key, wl_rng *rng) {
  size_t set = wl_mix64(key ^ w->c->seed) % w->c->sets;
  for (size_t i = set * w->c->ways; i < (set + 1) * w->c->ways; i++)
    if (w->ways[i].key == key)
      return sv_hit(w, i, rng);
  sv_miss(w, set, key);
}

/* The request's list: node k has id salt + k and a buffer of request_words
 * derived from it; the head is the last node allocated. */
static void sv_build(sv_worker_state *w, gc_local head, uint64_t salt) {
  gc_mutator *m = w->m;
  uint64_t nw = w->c->request_words;
  gc_local buf = gc_local_push(m, GC_NULL);
  for (uint64_t k = 0; k < w->c->request_nodes; k++) {
    gc_safepoint(m);
    uint64_t base = wl_mix64(salt + k);
    gc_ref b = gc_alloc(m, &sv_buf_type, nw);
    wl_sum_alloc(&w->st->sum, SV_KIND_BUF, nw);
    gc_write_word(m, b, 0, wl_corrupt(wl_word(base, 0)));
    gc_local_set(m, buf, wl_fill_words(m, b, base, 1, nw));
    gc_ref n = gc_alloc(m, &sv_node_type, 0);
    wl_sum_alloc(&w->st->sum, SV_KIND_NODE, 3);
    gc_write_word(m, n, SV_ID, salt + k);
    gc_write_ref(m, n, SV_BUF, gc_local_get(m, buf));
    gc_write_ref(m, n, SV_NEXT, gc_local_get(m, head));
    gc_local_set(m, head, n);
  }
  gc_local_pop(m, 1);
}

_Noreturn static void sv_bad_node(sv_worker_state *w, uint64_t request,
                                  uint64_t k, const char *what,
                                  uint64_t expected, uint64_t found) {
  gc_fail(w->m,
          "server: node %llu of request %llu (worker %u): expected %s %#llx, "
          "found %#llx",
          (unsigned long long)k, (unsigned long long)request, w->index, what,
          (unsigned long long)expected, (unsigned long long)found);
}

/* Walks the list from head, checking every node and buffer. The node being
 * checked sits in a root slot, so the walk can poll at every node (and
 * within a long buffer) and re-read it. */
static void sv_walk(sv_worker_state *w, gc_local head, uint64_t request,
                    uint64_t salt) {
  gc_mutator *m = w->m;
  gc_local cur = gc_local_push(m, gc_local_get(m, head));
  uint64_t nw = w->c->request_words;
  for (uint64_t k = w->c->request_nodes; k-- > 0;) {
    gc_safepoint(m);
    gc_ref n = gc_local_get(m, cur);
    if (n == GC_NULL || gc_type_of(m, n) != sv_node_type.id)
      sv_bad_node(w, request, k, "a node of type", sv_node_type.id,
                  n ? gc_type_of(m, n) : 0);
    if (gc_read_word(m, n, SV_ID) != salt + k)
      sv_bad_node(w, request, k, "id", salt + k, gc_read_word(m, n, SV_ID));
    gc_ref b = gc_read_ref(m, n, SV_BUF);
    uint64_t base = wl_mix64(salt + k);
    if (b == GC_NULL || gc_length(m, b) != nw)
      sv_bad_node(w, request, k, "a buffer of this many words", nw,
                  b ? gc_length(m, b) : 0);
    uint64_t j = wl_check_words(m, &b, base, 0, nw); /* n is stale after */
    if (j < nw)
      sv_bad_node(w, request, k, "buffer word", wl_word(base, j),
                  gc_read_word(m, b, j));
    gc_local_set(m, cur, gc_read_ref(m, gc_local_get(m, cur), SV_NEXT));
  }
  if (gc_local_get(m, cur) != GC_NULL)
    sv_bad_node(w, request, 0, "the end of the list, found a reference", 0, 1);
  gc_local_pop(m, 1);
  w->st->objects_checked += 2 * w->c->request_nodes;
}

static void sv_request(sv_worker_state *w, uint64_t i, bool timed) {
  gc_mutator *m = w->m;
  wl_rng rng;
  wl_rng_seed(&rng, w->c->seed, (timed ? 1ull << 40 : 1ull << 41) | i);
  uint64_t salt = wl_mix64(w->c->seed ^ i << 20 ^ timed);
  gc_local head = gc_local_push(m, GC_NULL);
  sv_build(w, head, salt);
  for (unsigned r = 0; r < w->c->reads; r++) {
    gc_safepoint(m);
    sv_lookup(w, sv_draw_key(w, &rng), &rng);
  }
  sv_walk(w, head, i, salt);
  gc_local_pop(m, 1);
}

/* Everyone warms up, then all start the clock together. */
static void sv_start_line(sv_worker_state *w) {
  sv_run *run = w->run;
  gc_enter_blocking(w->m);
  pthread_mutex_lock(&run->lock);
  if (++run->ready == w->c->threads) {
    run->t0 = gc_now_ns() + 1000000; /* 1 ms for everyone to wake */
    pthread_cond_broadcast(&run->cond);
  }
  while (run->ready < w->c->threads)
    pthread_cond_wait(&run->cond, &run->lock);
  pthread_mutex_unlock(&run->lock);
  gc_leave_blocking(w->m);
}

/* Waits for the scheduled time: sleeps (outside the heap) until spin_ns
 * before it, then spins polling safepoints, so that a late wake-up from the
 * sleep does not show up as metered latency. Returns whether the worker was
 * already late. */
static bool sv_wait(gc_mutator *m, uint64_t sched, uint64_t spin_ns) {
  uint64_t now = gc_now_ns();
  if (now >= sched)
    return true;
  if (sched - now > spin_ns)
    wl_sleep_until(m, sched - spin_ns);
  while (gc_now_ns() < sched)
    gc_safepoint(m);
  return false;
}

void GC_INSTANCE(sv_worker)(gc_mutator *m, unsigned index, void *arg) {
  gc_instance_check(m, GC_FAMILY_THIS, "server");
  sv_run *run = arg;
  const sv_config *c = &run->c;
  sv_worker_state w = {
      .m = m, .run = run, .c = c, .st = &run->ws[index], .index = index};
  prctl(PR_SET_TIMERSLACK, 1000UL); /* wake within 1 us of the deadline */
  w.ways = wl_calloc(c->sets * c->ways, sizeof *w.ways, "server");
  w.shard = gc_root_push(m, gc_alloc(m, &sv_shard_type, c->sets * c->ways));
  for (uint64_t k = 0; c->warmup && k < 2 * c->sets * c->ways; k++) {
    gc_safepoint(m);
    wl_rng rng;
    wl_rng_seed(&rng, c->seed, 1ull << 42 | (uint64_t)index << 32 | k);
    sv_lookup(&w, sv_draw_key(&w, &rng), &rng);
  }
  sv_start_line(&w);
  uint64_t n = 0, end = 0;
  for (uint64_t i = index; i < c->requests; i += c->threads, n++) {
    uint64_t sched = run->t0 + run->arrival_ns[i];
    bool late = sv_wait(m, sched, c->spin_ns);
    uint64_t start = gc_now_ns();
    sv_request(&w, i, true);
    end = gc_now_ns();
    w.st->simple_ns[n] = end - start;
    w.st->metered_ns[n] = end - sched;
    w.st->late += late;
  }
  w.st->served = n;
  w.st->last_end_ns = end;
  for (size_t i = 0; i < c->sets * c->ways; i++) {
    gc_safepoint(m);
    if (w.ways[i].key != 0)
      sv_check_entry(&w, i);
  }
  gc_root_pop(m, 1);
  free(w.ways);
}
