/* otf.c — the otf policy: table, options, lifecycle, mutators, and the
 * write barrier's slow path in its three modes. See otf.h and
 * docs/policies/otf.md. */
#include "otf.h"
#include "../../heap/object_log.h"
#include "../../heap/util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* In otf_skip's order; otf offers all but the last. */
const char *const otf_skip_choices[] = {"none",  "sync",   "async-barrier",
                                        "roots", "remset", NULL};
static const char *const skip_choices[] = {"none", "sync", "async-barrier",
                                           "roots", NULL};

static const gc_option_spec otf_options[] = {
    {"trigger", GC_OPT_DOUBLE,
     "start a cycle once the bytes in use after the last sweep plus those "
     "allocated since pass this share of the heap",
     0.5, 0.05, 1.0, NULL},
    {"unsafe_skip", GC_OPT_ENUM,
     "TEST ONLY: leave out the sync handshakes, the async-mode barrier or "
     "the mutators' root shading, so that objects can be lost; the mark "
     "check after tracing must then fail",
     0, 0, 0, skip_choices},
    {0}};

/* The marker's view of the space and the LOS. */
static uintptr_t mark_ref(void *ctx, gc_ref r) {
  otf_state *s = ctx;
  uintptr_t a = gc_sf_los_mark(&s->sf, &s->heap->los, r);
  if (a && s->gen)
    otf_gen_made_old(s, a);
  return a;
}

static bool is_marked(void *ctx, gc_ref r) {
  otf_state *s = ctx;
  return gc_sf_los_is_marked(&s->sf, &s->heap->los, r);
}

void otf_destroy(gc_heap *heap) {
  otf_state *s = otf_of(heap);
  if (!s)
    return;
  gc_collector_stop(&s->gc);
  satb_marker_destroy(&s->marker);
  satb_marker_destroy(&s->remset);
  gc_sf_destroy(&s->sf);
  free(s->retired);
  pthread_mutex_destroy(&s->lock);
  pthread_mutex_destroy(&s->los_lock);
  free(s);
  heap->policy_state = NULL;
}

static otf_skip skip_of(const char *name) {
  for (int i = 0; otf_skip_choices[i]; i++)
    if (strcmp(name, otf_skip_choices[i]) == 0)
      return (otf_skip)i;
  return OTF_SKIP_NONE;
}

static void read_options(otf_state *s, gc_heap *heap, const gc_options *o) {
  s->trigger = gc_opt_double(o, "trigger");
  s->trigger_bytes = (size_t)(s->trigger * (double)heap->cfg.heap_bytes);
  s->skip = skip_of(gc_opt_enum(o, "unsafe_skip"));
#ifdef GCTB_CHECKED
  s->verify_marks = true;
#else
  s->verify_marks = heap->cfg.verify != GC_VERIFY_NONE;
#endif
  if (s->gen)
    s->full_every = (int)gc_opt_int(o, "full_every");
}

bool otf_init_common(gc_heap *heap, const gc_options *opts, bool gen, char *err,
                     size_t errlen) {
  otf_state *s = aligned_alloc(64, (sizeof *s + 63) & ~(size_t)63);
  if (!s)
    return gc_errorf(err, errlen, "otf: out of memory");
  memset(s, 0, sizeof *s);
  s->heap = heap;
  s->gen = gen;
  read_options(s, heap, opts);
  if (!gc_sf_init(&s->sf, &heap->arena, "otf", err, errlen)) {
    free(s);
    return false;
  }
  /* nothing may clear marks in a pause; otf-gen keeps them (old objects) */
  s->sf.clear_on_sweep = !gen;
  s->retired = malloc(s->sf.npages * sizeof *s->retired);
  if (!s->retired) {
    gc_sf_destroy(&s->sf);
    free(s);
    return gc_errorf(err, errlen, "otf: out of memory");
  }
  satb_marker_init(&s->marker, heap, 1, mark_ref, is_marked, s);
  otf_gen_init(s);
  pthread_mutex_init(&s->lock, NULL);
  pthread_mutex_init(&s->los_lock, NULL);
  heap->policy_state = s;
  /* concurrent requests (the cycle decides whether it is young or full),
   * and the stop-the-world fallback: wait for the running cycle twice, ask
   * for two fresh ones, then two degenerated collections, the second of
   * which allocates for the requester in its pause */
  static const gc_collector_ops ops = {
      .cycle = otf_cycle,
      .still_wanted = otf_over_trigger,
      .try_alloc = otf_try_alloc,
      .ladder = {.waits = 2, .concurrent = 2, .degenerated = 2}};
  if (!gc_collector_start(&s->gc, heap, &ops, s, err, errlen)) {
    otf_destroy(heap);
    return false;
  }
  return true;
}

/* Under heap->lock with no handshake under way: the new mutator takes the
 * mode the last handshake gave everyone. It has no roots yet, so during
 * tracing it is as if it had shaded them already. */
void otf_mutator_attach(gc_mutator *m) {
  otf_state *s = otf_of(m->heap);
  otf_mutator *md = calloc(1, sizeof *md);
  if (!md) {
    fprintf(stderr, "gctb: otf: out of memory attaching a mutator\n");
    abort();
  }
  m->policy_data = md;
  otf_phase ph = otf_phase_now(s);
  md->mode = ph == OTF_SYNC1 || ph == OTF_SYNC2           ? OTF_MODE_SYNC
             : ph == OTF_TRACE && satb_active(&s->marker) ? OTF_MODE_ASYNC
                                                          : OTF_MODE_OFF;
  md->black = ph == OTF_TRACE;
  gc_object_log_set_active(m, md->mode != OTF_MODE_OFF);
}

/* Under heap->lock, m blocked. Cells left in m's caches hold no object:
 * unmarking them lets the next sweep free them whatever their colour. */
void otf_mutator_detach(gc_mutator *m) {
  otf_state *s = otf_of(m->heap);
  if (m->heap->nmutators == 1)
    gc_collector_quiesce(&s->gc);
  otf_mutator *md = otf_mutator_of(m);
  gc_sf_cache_drop(&s->sf, m, true);
  satb_queue_release(&s->marker, &md->q);
  satb_queue_release(&s->remset, &md->rq);
  free(md);
  m->policy_data = NULL;
}

/* DLG's shade: the reference goes to m's own queue unless it is null or
 * marked already; the marker marks it and scans what it points to. */
void otf_shade(otf_state *s, gc_mutator *m, gc_ref r) {
  satb_enqueue(&s->marker, &otf_mutator_of(m)->q, r);
}

/* The barrier (DLG's Update): in sync mode it shades the old and the new
 * value, in async mode the old one. The store is a release so that a
 * marker that loads the slot (acquire) sees a new object's header and
 * mark. otf-gen comes here also between cycles, for a store into an old
 * object not logged yet (GC_WB_OBJECT_LOG_SATB), and logs it after the
 * store. */
void otf_store_slow(gc_mutator *m, gc_ref obj, size_t off, uintptr_t val,
                    bool is_ref) {
  uintptr_t *slot = (uintptr_t *)(obj + off);
  if (!is_ref) {
    __atomic_store_n(slot, val, __ATOMIC_RELAXED);
    return;
  }
  otf_state *s = otf_of(m->heap);
  otf_mode mode = otf_mutator_of(m)->mode;
  if (mode == OTF_MODE_SYNC ||
      (mode == OTF_MODE_ASYNC && s->skip != OTF_SKIP_ASYNC_BARRIER))
    otf_shade(s, m, __atomic_load_n(slot, __ATOMIC_RELAXED));
  if (mode == OTF_MODE_SYNC)
    otf_shade(s, m, val);
  __atomic_store_n(slot, val, __ATOMIC_RELEASE);
  if (s->gen)
    otf_gen_log(s, m, obj, val);
}

static bool otf_init(gc_heap *heap, const gc_options *opts, char *err,
                     size_t errlen) {
  return otf_init_common(heap, opts, false, err, errlen);
}

void otf_set_hook(gc_heap *heap, otf_hook_fn fn, void *ctx) {
  otf_state *s = otf_of(heap);
  pthread_mutex_lock(&s->lock);
  s->hook = fn;
  s->hook_ctx = ctx;
  pthread_mutex_unlock(&s->lock);
}

void otf_start_cycle(gc_heap *heap) {
  gc_collector_request(&otf_of(heap)->gc, GC_REQ_CONCURRENT, "requested");
}

void otf_start_young(gc_heap *heap) {
  gc_collector_request(&otf_of(heap)->gc, GC_REQ_CONCURRENT, "stress");
}

uint64_t otf_cycles_finished(gc_heap *heap) {
  return gc_collector_finished(&otf_of(heap)->gc);
}

const gc_policy gc_policy_otf = {
    OTF_POLICY_COMMON,
    .constraints = {GC_FAST_PATHS(FREEBITS, 1, NONE, SATB), OTF_CONSTRAINTS},
    .name = "otf",
    .summary = "on-the-fly mark-sweep (Doligez-Leroy-Gonthier as in Domani "
               "et al., ISMM 2000): no global pause, handshakes move every "
               "mutator's barrier through sync and async modes, mutators "
               "shade their own roots, concurrent trace and sweep over the "
               "segregated-fit space (the on-the-fly seed)",
    .options = otf_options,
    .init = otf_init,
};
