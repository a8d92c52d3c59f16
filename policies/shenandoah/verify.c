/* verify.c — what the heap verifier checks for shenandoah, and the report.
 *
 * The core verifier (heap/verify.c) walks the graph from the roots; for
 * every object this file adds:
 *   always            it lies in a region in use, below the region's top,
 *                     or is a large object's start;
 *   check_marked      (final-mark, before the cset is chosen and the LOS
 *                     swept) it is marked or was allocated since init-mark:
 *                     otherwise the cycle would evacuate or free a live
 *                     object;
 *   check_no_cset     (final-update-refs, before the cset is freed) it is
 *                     not in the collection set unless its copy failed:
 *                     update-refs missed no reference.
 * In brooks mode the core verifier also checks that every reachable
 * object's Brooks word points to itself, which after update-refs means no
 * reachable reference is a from-space one.
 * At init-update-refs (verify mode), with the world stopped and evacuation
 * over, shen_verify_forwarding checks every marked cset object: it was
 * copied (or failed in place), its forwardee lies outside the cset below
 * its region's top with the same type and length, and (brooks) the from
 * copy's Brooks word points to the copy, the copy's to itself. In lrb mode
 * shen_verify_roots_tospace checks the to-space invariant: no mutator root
 * refers to a from-space copy. */
#include "../../heap/trace.h"
#include "shen.h"
#include <stdio.h>

#define BAD(...) (gc_verify_fail(v, __VA_ARGS__), false)
#define SHEN_UNMARKED "after final mark: the concurrent marker lost it"

static bool verify_region_object(shen_state *s, gc_verifier *v,
                                 uintptr_t addr) {
  gc_region *r = gc_region_of(&s->rs, addr);
  int state = __atomic_load_n(&r->state, __ATOMIC_RELAXED);
  if (state == GC_REGION_FREE)
    return BAD("0x%lx is in a free region", (unsigned long)addr);
  if (addr >= __atomic_load_n(&r->top, __ATOMIC_RELAXED))
    return BAD("0x%lx lies above its region's top", (unsigned long)addr);
  if (s->check_marked && !gc_regions_is_marked(&s->rs, addr))
    return gc_verify_unmarked(v, addr, SHEN_UNMARKED);
  uint64_t h = __atomic_load_n((uint64_t *)addr, __ATOMIC_RELAXED);
  if (s->check_no_cset && state == GC_REGION_CSET && !(h & SHEN_EVAC_FAILED))
    return BAD("0x%lx is in the collection set after update-refs: a "
               "reference was not updated",
               (unsigned long)addr);
  return true;
}

bool shen_verify_object(gc_heap *heap, gc_verifier *v, uintptr_t addr) {
  shen_state *s = shen_of(heap);
  if (gc_regions_owns(&s->rs, addr))
    return verify_region_object(s, v, addr);
  return gc_verify_large_object(heap, v, addr, s->hw,
                                s->check_marked ? SHEN_UNMARKED : NULL);
}

bool shen_verify_heap(gc_heap *heap, gc_verifier *v) {
  shen_state *s = shen_of(heap);
  if (satb_active(&s->marker) && !s->check_marked)
    return BAD("the marker is active outside marking");
  return true;
}

/* ---- forwarding (init-update-refs) ---- */

typedef struct fwd_check {
  shen_state *s;
  char msg[512];
  bool failed;
} fwd_check;

#define FWD_BAD(...)                                                           \
  do {                                                                         \
    if (!fc->failed)                                                           \
      snprintf(fc->msg, sizeof fc->msg, __VA_ARGS__);                          \
    fc->failed = true;                                                         \
    return;                                                                    \
  } while (0)

static void check_forwarded(uintptr_t obj, void *ctx) {
  fwd_check *fc = ctx;
  shen_state *s = fc->s;
  uint64_t h = __atomic_load_n((uint64_t *)obj, __ATOMIC_RELAXED);
  uintptr_t f = shen_forwardee(s, obj);
  if (h & SHEN_EVAC_FAILED) {
    if (f != obj)
      FWD_BAD("object 0x%lx failed evacuation but is forwarded to 0x%lx",
              (unsigned long)obj, (unsigned long)f);
    return;
  }
  if (f == obj)
    FWD_BAD("live cset object 0x%lx was not evacuated", (unsigned long)obj);
  if (!gc_regions_owns(&s->rs, f) || shen_in_cset(s, f) ||
      f >= __atomic_load_n(&gc_region_of(&s->rs, f)->top, __ATOMIC_RELAXED))
    FWD_BAD("object 0x%lx is forwarded to 0x%lx, not a to-space copy",
            (unsigned long)obj, (unsigned long)f);
  uint64_t fh = __atomic_load_n((uint64_t *)f, __ATOMIC_RELAXED);
  if (!gc_type_by_id(gc_header_type(fh)) || (fh & 0xff))
    FWD_BAD("copy 0x%lx of 0x%lx has a bad header 0x%llx", (unsigned long)f,
            (unsigned long)obj, (unsigned long long)fh);
  if (s->mode == SHEN_BROOKS) {
    if ((h & ~(uint64_t)0xff) != fh)
      FWD_BAD("copy 0x%lx of 0x%lx: headers differ (0x%llx, 0x%llx)",
              (unsigned long)f, (unsigned long)obj, (unsigned long long)fh,
              (unsigned long long)h);
    if (__atomic_load_n((uintptr_t *)f + 1, __ATOMIC_RELAXED) != f)
      FWD_BAD("copy 0x%lx of 0x%lx: its Brooks word does not point to "
              "itself",
              (unsigned long)f, (unsigned long)obj);
  }
}

/* The Shenandoah seed's refA/refB: once copied, the from-space copy is never
 * written, so it still holds what was copied; and the copy that won is the one
 * every reference now reaches. A write that landed in from-space during or
 * after the copy (a missing barrier) changes the hash. */
static void check_copies(fwd_check *fc) {
  shen_state *s = fc->s;
  for (size_t i = 0; i < s->ncopied && !fc->failed; i++) {
    const shen_copy_record *c = &s->copied[i];
    if (shen_forwardee(s, c->from) != c->to)
      FWD_BAD("0x%lx was copied to 0x%lx but forwards to 0x%lx",
              (unsigned long)c->from, (unsigned long)c->to,
              (unsigned long)shen_forwardee(s, c->from));
    if (shen_payload_hash(s, c->from, c->bytes) != c->hash)
      FWD_BAD("from-space copy 0x%lx of 0x%lx was written after it was "
              "copied: the copies' contents differ",
              (unsigned long)c->from, (unsigned long)c->to);
  }
  s->ncopied = 0;
}

void shen_verify_forwarding(shen_state *s) {
  fwd_check fc = {.s = s};
  check_copies(&fc);
  for (size_t i = 0; i < s->ncset && !fc.failed; i++) {
    gc_region *r = s->cset[i];
    gc_regions_each_marked(&s->rs, r->start,
                           __atomic_load_n(&r->tams, __ATOMIC_RELAXED),
                           check_forwarded, &fc);
  }
  if (fc.failed) {
    char msg[640];
    snprintf(msg, sizeof msg, "heap verification failed (init-update-refs): %s",
             fc.msg);
    s->heap->on_fail(s->heap, NULL, msg);
  }
}

static void check_root(gc_ref *slot, void *ctx) {
  fwd_check *fc = ctx;
  gc_ref r = __atomic_load_n(slot, __ATOMIC_RELAXED);
  if (!shen_in_cset(fc->s, r) ||
      (__atomic_load_n((uint64_t *)r, __ATOMIC_RELAXED) & SHEN_EVAC_FAILED))
    return;
  FWD_BAD("a mutator root holds 0x%lx, a from-space reference: the to-space "
          "invariant is broken",
          (unsigned long)r);
}

void shen_verify_roots_tospace(shen_state *s) {
  if (s->mode != SHEN_LRB)
    return; /* brooks mutators may hold from-space references */
  fwd_check fc = {.s = s};
  gc_for_each_root(s->heap, check_root, &fc);
  if (fc.failed) {
    char msg[640];
    snprintf(msg, sizeof msg, "heap verification failed (init-update-refs): %s",
             fc.msg);
    s->heap->on_fail(s->heap, NULL, msg);
  }
}

/* ---- statistics ---- */

size_t shen_heap_used(gc_heap *heap) {
  shen_state *s = shen_of(heap);
  return gc_regions_bytes(&s->rs) + gc_los_bytes_in_use(&heap->los);
}

static json_t *log_json(const shen_cycle_log *l) {
  json_t *o = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "kind",
                        l->kind, "cset_regions", (json_int_t)l->cset_regions,
                        "cset_live_bytes", (json_int_t)l->cset_live,
                        "immediate_regions", (json_int_t)l->immediate_regions,
                        "gc_copies", (json_int_t)l->gc_copies, "mutator_copies",
                        (json_int_t)l->mutator_copies, "copies_lost",
                        (json_int_t)l->copies_lost, "evac_failures",
                        (json_int_t)l->evac_failures);
  json_object_set_new(o, "refs_updated",
                      json_integer((json_int_t)l->refs_updated));
  json_object_set_new(o, "max_ttsp_ns",
                      json_integer((json_int_t)l->ttsp_max_ns));
  json_object_set_new(o, "max_pause_work_ns",
                      json_integer((json_int_t)l->work_max_ns));
  json_object_set_new(
      o, "pause_work_ns",
      json_pack("{s:I, s:I, s:I, s:I}", "init_mark",
                (json_int_t)l->pause_work_ns[0], "final_mark",
                (json_int_t)l->pause_work_ns[1], "init_update_refs",
                (json_int_t)l->pause_work_ns[2], "final_update_refs",
                (json_int_t)l->pause_work_ns[3]));
  json_object_set_new(o, "trigger", gc_trigger_decision_json(&l->trigger));
  return o;
}

void shen_report(gc_heap *heap, json_t *out) {
  shen_state *s = shen_of(heap);
  json_t *log = json_array();
  pthread_mutex_lock(&s->lock);
  const shen_totals *t = &s->totals;
  json_t *o = json_pack(
      "{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "concurrent_cycles",
      (json_int_t)t->concurrent, "degenerated_cycles",
      (json_int_t)t->degenerated, "full_cycles", (json_int_t)t->full,
      "gc_copies", (json_int_t)t->gc_copies, "gc_copy_bytes",
      (json_int_t)t->gc_copy_bytes, "mutator_copies",
      (json_int_t)t->mutator_copies, "copies_lost", (json_int_t)t->copies_lost,
      "evac_failures", (json_int_t)t->evac_failures);
  gc_collector_report(&s->gc, o, true);
  json_object_set_new(o, "regions_freed",
                      json_integer((json_int_t)t->regions_freed));
  for (size_t i = 0; i < s->nlog; i++)
    json_array_append_new(log, log_json(&s->log[i]));
  pthread_mutex_unlock(&s->lock);
  json_object_update(out, o);
  json_decref(o);
  json_object_set_new(out, "mode",
                      json_string(s->mode == SHEN_LRB ? "lrb" : "brooks"));
  json_object_set_new(out, "region_bytes",
                      json_integer((json_int_t)s->rs.region_bytes));
  json_object_set_new(out, "reserve_regions",
                      json_integer((json_int_t)s->reserve_regions));
  json_object_set_new(out, "regions_in_use",
                      json_integer((json_int_t)gc_regions_count(&s->rs)));
  json_object_set_new(
      out, "los_bytes",
      json_integer((json_int_t)gc_los_bytes_in_use(&heap->los)));
  gc_trigger_report(&s->trigger, out);
  json_object_set_new(out, "cycle_log", log);
}
