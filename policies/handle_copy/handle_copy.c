/* handle_copy.c — the handle-copy policy's table, options and lifecycle.
 *
 * The handle-table seed's collector: references are handles into a table of
 * (address, lock) entries, objects live in one of two semispaces and are copied
 * to the other incrementally by the mutators themselves; reads go through the
 * table and never wait, writes lock the handle. The options select the answers
 * to the seed's own list of flaws (docs/policies/handle-copy.md): lock-free
 * writes, compact placement, 8-byte entries and a table released in chunks,
 * to-space in traversal order. */
#include "hc.h"
#include <stdlib.h>

static const char *const writes_choices[] = {"lock", "lockfree", NULL};
static const char *const place_choices[] = {"buffer", "compact", NULL};
static const char *const order_choices[] = {"list", "traversal", NULL};
static const char *const pacing_choices[] = {"fixed", "proportional", NULL};

static const gc_option_spec hc_options[] = {
    {"tlab_bytes", GC_OPT_SIZE,
     "mutator buffer claimed from the allocation space", 32768, 4096, 262144,
     NULL},
    {"copy_every", GC_OPT_INT,
     "allocations between a mutator's copy steps during a copy phase", 8, 1,
     1e6, NULL},
    {"copy_batch", GC_OPT_INT, "objects a copy step copies", 16, 1, 65536,
     NULL},
    {"handle_batch", GC_OPT_INT,
     "free handles a mutator takes into its cache at a time", 64, 1, 4096,
     NULL},
    {"writes", GC_OPT_ENUM,
     "lock: every write locks the handle (as described); lockfree: copying "
     "bit + fence, only writes racing a copy wait",
     0, 0, 0, writes_choices},
    {"entry_bytes", GC_OPT_INT,
     "handle entry size: 16 (address + lock word, as described) or 8 (lock "
     "in the address word's low bits)",
     16, 8, 16, NULL},
    {"placement", GC_OPT_ENUM,
     "buffer: copies go in the copier's to-space buffer (as described); "
     "compact: placed back to back at the flip, no holes",
     0, 0, 0, place_choices},
    {"order", GC_OPT_ENUM,
     "copy order: list (from-space address order, as described) or "
     "traversal (the order the mark reached objects)",
     0, 0, 0, order_choices},
    {"pacing", GC_OPT_ENUM,
     "fixed: copy_batch objects every copy_every allocations (as "
     "described); proportional: copying in proportion to bytes allocated, "
     "sized at the flip to end before to-space fills",
     0, 0, 0, pacing_choices},
    {"table_release", GC_OPT_BOOL,
     "give wholly free 64 KiB chunks of the handle table back to the OS", 0, 0,
     1, NULL},
    {0}};

static void hc_free(hc_state *s) {
  if (!s)
    return;
  hc_table_destroy(&s->t);
  hc_space_destroy(&s->sp[0]);
  hc_space_destroy(&s->sp[1]);
  for (unsigned i = 0; s->mvec && i < s->nworkers; i++)
    free(s->mvec[i]);
  free(s->mvec);
  free(s->mvec_n);
  free(s->mvec_cap);
  free(s->mvec_bytes);
  free(s->copy);
  free(s->dst);
  pthread_mutex_destroy(&s->lock);
  free(s);
}

static void read_options(hc_state *s, const gc_options *o) {
  s->tlab_bytes = (size_t)gc_opt_int(o, "tlab_bytes") & ~(size_t)7;
  s->copy_every = (unsigned)gc_opt_int(o, "copy_every");
  s->copy_batch = (unsigned)gc_opt_int(o, "copy_batch");
  s->handle_batch = (unsigned)gc_opt_int(o, "handle_batch");
  s->writes = strcmp(gc_opt_enum(o, "writes"), "lockfree") == 0
                  ? HC_WRITES_LOCKFREE
                  : HC_WRITES_LOCK;
  s->place = strcmp(gc_opt_enum(o, "placement"), "compact") == 0
                 ? HC_PLACE_COMPACT
                 : HC_PLACE_BUFFER;
  s->order = strcmp(gc_opt_enum(o, "order"), "traversal") == 0
                 ? HC_ORDER_TRAVERSAL
                 : HC_ORDER_LIST;
  s->pacing = strcmp(gc_opt_enum(o, "pacing"), "proportional") == 0
                  ? HC_PACE_PROPORTIONAL
                  : HC_PACE_FIXED;
}

static bool hc_init(gc_heap *heap, const gc_options *opts, char *err,
                    size_t errlen) {
  gc_arena *a = &heap->arena;
  int64_t entry = gc_opt_int(opts, "entry_bytes");
  if (entry != 8 && entry != 16) {
    snprintf(err, errlen, "policy.options.entry_bytes must be 8 or 16");
    return false;
  }
  if (a->nchunks < 4) {
    snprintf(err, errlen,
             "handle-copy needs a heap of at least four %zu KiB chunks",
             GC_CHUNK_BYTES >> 10);
    return false;
  }
  hc_state *s = calloc(1, sizeof *s);
  if (!s) {
    snprintf(err, errlen, "out of memory for the handle-copy state");
    return false;
  }
  pthread_mutex_init(&s->lock, NULL);
  s->heap = heap;
  read_options(s, opts);
  /* Lock-free writes are plain stores through the handle outside a copy
   * phase, so their barrier need only be taken while one runs: the inline
   * path of GC_WB_WHEN_ACTIVE (gctb.h). The policy declares ALWAYS because
   * the as-described writes always lock; the heap's kinds, which mutators
   * and the workload instance (heap/gctb.h, "Policy families") take, say
   * which this heap runs. */
  if (s->writes == HC_WRITES_LOCKFREE)
    heap->c.write_barrier = GC_WB_WHEN_ACTIVE;
  s->nworkers = heap->workers.nthreads;
  s->mvec = calloc(s->nworkers, sizeof *s->mvec);
  s->mvec_n = calloc(s->nworkers, sizeof *s->mvec_n);
  s->mvec_cap = calloc(s->nworkers, sizeof *s->mvec_cap);
  s->mvec_bytes = calloc(s->nworkers, sizeof *s->mvec_bytes);
  /* A record is at least 24 bytes (prefix + 16-byte object), so the arena
   * never holds more objects than this; the slack covers mutator caches. */
  size_t cap = (a->nchunks << GC_CHUNK_LOG) / 24 + 65536;
  bool ok = s->mvec && s->mvec_n && s->mvec_cap && s->mvec_bytes &&
            hc_space_init(&s->sp[0], a->nchunks,
                          gc_arena_add_space(a, "handle-copy-a")) &&
            hc_space_init(&s->sp[1], a->nchunks,
                          gc_arena_add_space(a, "handle-copy-b")) &&
            (s->table_space = gc_arena_add_space(a, "handle-table-budget"));
  if (!ok) {
    snprintf(err, errlen, "cannot set up the handle-copy spaces");
    hc_free(s);
    return false;
  }
  if (!hc_table_init(&s->t, cap, (size_t)entry,
                     gc_opt_bool(opts, "table_release"), err, errlen)) {
    hc_free(s);
    return false;
  }
  heap->policy_state = s;
  return true;
}

static void hc_destroy(gc_heap *heap) {
  hc_free(hc_of(heap));
  heap->policy_state = NULL;
}

static void hc_mutator_attach(gc_mutator *m) {
  hc_state *s = hc_of(m->heap);
  m->policy_data = calloc(1, sizeof(hc_mutator));
  if (!m->policy_data) {
    fprintf(stderr, "gctb: handle-copy: out of memory attaching\n");
    abort();
  }
  m->handle_base = s->t.base;
  m->handle_stride = s->t.stride;
  if (s->writes == HC_WRITES_LOCKFREE) /* heap->c says WHEN_ACTIVE */
    m->barrier_active = hc_phase(s) == HC_COPYING;
}

static void hc_mutator_detach(gc_mutator *m) {
  hc_handle_cache_return(hc_of(m->heap), hc_mut(m));
  free(m->policy_data); /* its buffer's tail is already a filler */
  m->policy_data = NULL;
}

static size_t hc_heap_used(gc_heap *heap) {
  hc_state *s = hc_of(heap);
  gc_los *l = &heap->los;
  pthread_mutex_lock(&s->lock);
  size_t used = hc_space_bytes(&s->sp[0]) + hc_space_bytes(&s->sp[1]) +
                s->table_chunks * GC_CHUNK_BYTES;
  pthread_mutex_unlock(&s->lock);
  pthread_mutex_lock(&l->lock);
  used += l->bytes_in_use;
  pthread_mutex_unlock(&l->lock);
  return used;
}

/* Holes: filler bytes in the allocation space at the end of the run. */
static void count_fillers(uintptr_t rec, uint64_t prefix, size_t bytes,
                          void *ctx) {
  uint64_t *n = ctx;
  if (prefix & HC_PREFIX_FILLER)
    n[0] += prefix >> 1;
  else if (prefix)
    n[1] += bytes;
}

static void hc_report(gc_heap *heap, json_t *out) {
  hc_state *s = hc_of(heap);
  uint64_t fill[2] = {0, 0};
  pthread_mutex_lock(&s->lock);
  hc_space_parse(hc_to(s), count_fillers, fill);
  size_t resident = hc_table_resident_bytes(&s->t);
  pthread_mutex_unlock(&s->lock);
#define SET(key, val)                                                          \
  json_object_set_new(out, key, json_integer((json_int_t)(val)))
  SET("heap_used", hc_heap_used(heap));
  SET("cycles", s->cycles);
  SET("cycles_finished", s->finishes);
  SET("objects_copied", s->objects_copied);
  SET("bytes_copied", s->bytes_copied);
  SET("finish_assists", s->assists);
  SET("max_assist_ns", s->max_assist_ns);
  SET("handles_freed", s->handles_freed);
  SET("live_handles_last_mark", s->live_handles);
  SET("live_handles_max", s->max_live_handles);
  SET("handle_entry_bytes", s->t.stride);
  SET("handle_table_high_water", s->t.hw);
  SET("handle_table_bytes_before_last_sweep", s->table_before_sweep);
  SET("handle_table_bytes_after_last_sweep", s->table_after_sweep);
  SET("handle_table_resident_bytes", resident);
  SET("handle_table_peak_bytes",
      resident > s->peak_table_bytes ? resident : s->peak_table_bytes);
  SET("handle_table_chunks_released", s->t.chunks_released);
  SET("handle_table_chunks_reused", s->t.chunks_reused);
  SET("handle_table_charged_bytes", s->table_chunks * GC_CHUNK_BYTES);
  SET("to_space_filler_bytes", fill[0]);
  SET("to_space_record_bytes", fill[1]);
  SET("compact_fallbacks", s->compact_fallbacks);
#undef SET
}

/* writes=lockfree: the kinds hc_init gives the heap. */
GC_FAST_PATHS_ALSO(CALL, 1, HANDLE, WHEN_ACTIVE);

const gc_policy gc_policy_handle_copy = {
    GC_POLICY_DEFAULTS,
    .name = "handle-copy",
    .summary = "handle table, two semispaces, incremental copying by the "
               "mutators (the handle-table seed)",
    .constraints = {GC_FAST_PATHS(CALL, 1, HANDLE, ALWAYS),
                    .moves_objects = true, .large_object_bytes = 8192},
    .options = hc_options,
    .init = hc_init,
    .destroy = hc_destroy,
    .mutator_attach = hc_mutator_attach,
    .mutator_detach = hc_mutator_detach,
    .alloc_slow = hc_alloc_slow,
    .store_slow = hc_store_slow,
    .collect = hc_collect,
    .resolve = hc_resolve,
    .verify_object = hc_verify_object,
    .verify_heap = hc_verify_heap,
    .heap_used = hc_heap_used,
    .report = hc_report,
};
