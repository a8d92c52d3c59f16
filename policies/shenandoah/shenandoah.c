/* shenandoah.c — the two policy tables (lrb and brooks), options,
 * lifecycle, mutators, and the marker's view of the spaces. See shen.h and
 * docs/policies/shenandoah.md.
 *
 * The barrier kinds and header words are static data in a gc_policy table
 * (gctb.h's fast paths, the harness's size computations and the verifier
 * read them), so the two modes are two registered names sharing every
 * function: `shenandoah` (lrb, the default design since JDK 13) and
 * `shenandoah-brooks`. init tells them apart by the table's read barrier. */
#include "../../heap/trace.h"
#include "shen.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Objects this big go to the shared LOS; they never move. */
#define SHEN_LARGE_OBJECT_BYTES ((size_t)64 << 10)

static const gc_option_spec shen_options[] = {
    {"region_bytes", GC_OPT_SIZE,
     "region size: a power of two of at least 256 KiB (an arena chunk)",
     256 << 10, 256 << 10, 1 << 30, NULL},
    GC_TRIGGER_OPTIONS("fixed: start a concurrent cycle once this share of "
                       "the heap is in use (in either mode also when the "
                       "free regions fall to twice the evacuation reserve)"),
    {"garbage_threshold", GC_OPT_DOUBLE,
     "a region joins the collection set only if at least this share of it "
     "is garbage (ShenandoahGarbageThreshold)",
     0.25, 0.0, 1.0, NULL},
    {"evac_reserve", GC_OPT_DOUBLE,
     "share of the heap's regions kept free for evacuation: mutators may not "
     "take them, and the collection set's live bytes must fit in them",
     0.05, 0.0, 0.5, NULL},
    {"evac_budget", GC_OPT_DOUBLE,
     "share of the free regions at final-mark a concurrent evacuation may "
     "copy into (never less than the reserve); copies that find no room "
     "fail in place and the cycle goes on",
     0.5, 0.0, 1.0, NULL},
    {"lab_bytes", GC_OPT_SIZE, "mutator and GC lab size", 32 << 10, 4 << 10,
     256 << 10, NULL},
    {"pacing", GC_OPT_BOOL,
     "slow mutators that allocate into the last free regions while a cycle "
     "runs",
     1, 0, 0, NULL},
    {"evac_fail_every", GC_OPT_INT,
     "TEST ONLY: every Nth copy fails as if to-space were exhausted, so the "
     "object stays in place (0: never)",
     0, 0, 1000000, NULL},
    {"unsafe_skip_update_refs", GC_OPT_BOOL,
     "TEST ONLY: leave out the update-references phase, so that references "
     "into the freed collection set remain; the verifier must fail",
     0, 0, 0, NULL},
    {"unsafe_no_copy_on_write", GC_OPT_BOOL,
     "TEST ONLY (shenandoah-brooks): a write during evacuation goes "
     "to the address the mutator holds, neither through the Brooks word nor "
     "copying first, so that it can land in a from-space copy and be lost "
     "(the Shenandoah seed's refA/refB); the verifier's contents check must "
     "fail",
     0, 0, 0, NULL},
    {0}};

static uintptr_t mark_ref(void *ctx, gc_ref r) {
  shen_state *s = ctx;
  gc_heap *heap = s->heap;
  if (gc_regions_owns(&s->rs, r)) {
    gc_region *reg = gc_region_of(&s->rs, r);
    if (r >= __atomic_load_n(&reg->tams, __ATOMIC_RELAXED) ||
        !gc_regions_mark(&s->rs, r))
      return 0; /* allocated since init-mark, or marked already */
    __atomic_add_fetch(&reg->live, gc_object_size(r, s->hw), __ATOMIC_RELAXED);
    return r;
  }
  if (gc_los_contains(&heap->los, r))
    return gc_los_mark(&heap->los, r) ? r : 0;
  return 0; /* not a heap reference: the verifier reports it */
}

static bool is_marked(void *ctx, gc_ref r) {
  shen_state *s = ctx;
  if (gc_regions_owns(&s->rs, r))
    return gc_regions_is_marked(&s->rs, r);
  if (gc_los_contains(&s->heap->los, r))
    return gc_los_is_marked(&s->heap->los, r);
  return true;
}

static void shen_destroy(gc_heap *heap) {
  shen_state *s = shen_of(heap);
  if (!s)
    return;
  gc_collector_stop(&s->gc);
  satb_marker_destroy(&s->marker);
  gc_regions_destroy(&s->rs);
  pthread_mutex_destroy(&s->lock);
  pthread_mutex_destroy(&s->copied_lock);
  gc_trigger_destroy(&s->trigger); /* zeroed if never initialised */
  free(s->copied);
  free(s->cset);
  free(s->trash);
  free(s->update);
  free(s->log);
  free(s);
  heap->policy_state = NULL;
}

static bool read_options(shen_state *s, gc_heap *heap, const gc_options *o,
                         char *err, size_t errlen) {
  s->garbage_threshold = gc_opt_double(o, "garbage_threshold");
  s->evac_reserve = gc_opt_double(o, "evac_reserve");
  s->evac_budget = gc_opt_double(o, "evac_budget");
  s->lab_bytes = (size_t)gc_opt_int(o, "lab_bytes") & ~(size_t)7;
  s->pacing = gc_opt_bool(o, "pacing");
  s->fail_every = (uint64_t)gc_opt_int(o, "evac_fail_every");
  s->skip_update_refs = gc_opt_bool(o, "unsafe_skip_update_refs");
  s->no_copy_on_write = gc_opt_bool(o, "unsafe_no_copy_on_write");
  size_t region = (size_t)gc_opt_int(o, "region_bytes");
  if (!gc_regions_init(&s->rs, &heap->arena, heap->policy->name, region, s->hw,
                       err, errlen))
    return false;
  s->max_regions = heap->arena.nchunks / s->rs.region_chunks;
  s->reserve_regions = (size_t)(s->evac_reserve * (double)s->max_regions);
  if (s->reserve_regions < 1)
    s->reserve_regions = 1;
  if (s->max_regions < 2 * s->reserve_regions + 4) {
    snprintf(err, errlen,
             "%s: a heap of %zu regions of %zu bytes is too small (the "
             "evacuation reserve alone is %zu regions); use a bigger heap or "
             "smaller regions",
             heap->policy->name, s->max_regions, region, s->reserve_regions);
    return false;
  }
  size_t total = heap->arena.nchunks << GC_CHUNK_LOG;
  gc_trigger_config tc = {.capacity =
                              total - s->reserve_regions * s->rs.region_bytes,
                          .fixed_of = total};
  gc_trigger_read_options(&tc, o);
  gc_trigger_init(&s->trigger, &tc);
  return true;
}

static bool shen_init(gc_heap *heap, const gc_options *opts, char *err,
                      size_t errlen) {
  shen_state *s = calloc(1, sizeof *s);
  if (!s) {
    snprintf(err, errlen, "%s: out of memory", heap->policy->name);
    return false;
  }
  s->heap = heap;
  s->mode = heap->c.read_barrier == GC_RB_BROOKS ? SHEN_BROOKS : SHEN_LRB;
  s->hw = heap->c.header_words;
  pthread_mutex_init(&s->lock, NULL);
  pthread_mutex_init(&s->copied_lock, NULL);
  s->verify_copies = heap->cfg.verify != GC_VERIFY_NONE;
  satb_marker_init(&s->marker, heap, s->hw, mark_ref, is_marked, s);
  heap->policy_state = s;
  if (!read_options(s, heap, opts, err, errlen) ||
      !gc_collector_start(&s->gc, heap, &shen_collector_ops, s, err, errlen)) {
    shen_destroy(heap);
    return false;
  }
  return true;
}

/* Under heap->lock, world running: the barrier follows the cycle's state,
 * which changes only with the world stopped. */
static void shen_mutator_attach(gc_mutator *m) {
  shen_state *s = shen_of(m->heap);
  shen_mutator *md = calloc(1, sizeof *md);
  if (!md) {
    fprintf(stderr, "gctb: shenandoah: out of memory attaching a mutator\n");
    abort();
  }
  m->policy_data = md;
  if (shen_gc_state(s))
    shen_barriers_follow(m, s);
}

/* Under heap->lock, m blocked, world running. */
static void shen_mutator_detach(gc_mutator *m) {
  shen_state *s = shen_of(m->heap);
  if (m->heap->nmutators == 1)
    gc_collector_quiesce(&s->gc);
  shen_mutator *md = shen_mutator_of(m);
  if (m->bump_cur < m->bump_limit)
    gc_regions_fill(&s->rs, m->bump_cur, m->bump_limit);
  gc_mutator_retire_bump(m);
  gc_regions_retire_lab(&s->rs, &md->gclab);
  satb_queue_release(&s->marker, &md->q);
  pthread_mutex_lock(&s->lock);
  s->totals.mutator_copies += md->copies;
  s->totals.mutator_copy_bytes += md->copy_bytes;
  s->totals.copies_lost += md->copies_lost;
  pthread_mutex_unlock(&s->lock);
  free(md);
  m->policy_data = NULL;
}

#define SHEN_COMMON                                                            \
  GC_POLICY_DEFAULTS,                                                          \
      .options = shen_options, .init = shen_init, .destroy = shen_destroy,     \
      .mutator_attach = shen_mutator_attach,                                   \
      .mutator_detach = shen_mutator_detach, GC_COLLECTOR_DRIVEN,              \
      .store_slow = shen_store_slow, .load_ref_slow = shen_load_ref_slow,      \
      .verify_object = shen_verify_object, .verify_heap = shen_verify_heap,    \
      .heap_used = shen_heap_used, .report = shen_report

const gc_policy gc_policy_shenandoah = {
    SHEN_COMMON,
    .name = "shenandoah",
    .summary = "concurrent mark (SATB) and concurrent evacuation over "
               "regions, load-reference barrier, forwarding in the header "
               "(the Shenandoah seed; Shenandoah since JDK 13)",
    .constraints = {GC_FAST_PATHS(BUMP, 1, LRB, SATB), .moves_objects = true,
                    .large_object_bytes = SHEN_LARGE_OBJECT_BYTES},
};

const gc_policy gc_policy_shenandoah_brooks = {
    SHEN_COMMON,
    .name = "shenandoah-brooks",
    .summary = "shenandoah with Brooks forwarding pointers: a second header "
               "word every access goes through, copy-on-write barrier during "
               "evacuation (the Shenandoah seed; Flood et al., PPPJ 2016)",
    .constraints = {GC_FAST_PATHS(BUMP, 2, BROOKS, WHEN_ACTIVE),
                    .moves_objects = true,
                    .large_object_bytes = SHEN_LARGE_OBJECT_BYTES},
};
