/* evac.c — the collector's share of evacuation and update-references, on
 * the heap's worker pool; the same code runs concurrently and inside a
 * degenerated or full pause.
 *
 * Evacuation: the items are the cset regions; a worker copies every marked
 * object of its region that no one has copied yet (shen_evacuate). Objects
 * in a cset region were all allocated before init-mark (a region with
 * allocations since is never chosen), so the bitmap names every live one.
 *
 * Update-references (Flood et al., section 3.4): the items are the regions
 * in use when it began and the large objects. In a region, the objects below
 * tams that marking found live, then every object between tams and the
 * update watermark (allocated, or copied, since init-mark; walked one by
 * one) have each reference into the cset replaced by the forwardee with a
 * CAS, so that a mutator's store to the same slot is never undone. Objects
 * allocated after init-update-refs need nothing: mutators store only
 * to-space references from then on (lrb: the to-space invariant; brooks: the
 * storeval barrier). Dead objects between tams and the watermark are
 * updated too, harmlessly: the cset is still there to read. */
#include "../../heap/trace.h"
#include "../../heap/util.h"
#include "shen.h"
#include <stdlib.h>

#define LOS_ITEM ((uintptr_t)1)

typedef struct job_ctx {
  shen_state *s;
  shen_worker *w; /* per worker id */
  uintptr_t *los; /* update-refs: large objects, snapshot */
  size_t nlos;
} job_ctx;

typedef struct obj_ctx {
  shen_state *s;
  shen_worker *sw;
} obj_ctx;

static shen_worker *workers_for(shen_state *s) {
  shen_worker *w = calloc(s->heap->workers.nthreads, sizeof *w);
  if (!w) {
    fprintf(stderr, "gctb: shenandoah: out of memory for worker state\n");
    abort();
  }
  return w;
}

/* ---- evacuation ---- */

static void evac_object(uintptr_t obj, void *ctx) {
  obj_ctx *oc = ctx;
  shen_evacuate(oc->s, &oc->sw->gclab, obj, &oc->sw->copies,
                &oc->sw->copy_bytes, &oc->sw->copies_lost);
}

static void seed_cset(gc_worker *w, void *arg) {
  job_ctx *jc = arg;
  if (w->id != 0)
    return;
  for (size_t i = 0; i < jc->s->ncset; i++)
    gc_worker_push(w, (uintptr_t)jc->s->cset[i]);
}

static void evac_region(gc_worker *w, uintptr_t item, void *arg) {
  job_ctx *jc = arg;
  gc_region *r = (gc_region *)item;
  obj_ctx oc = {jc->s, &jc->w[w->id]};
  gc_regions_each_marked(&jc->s->rs, r->start,
                         __atomic_load_n(&r->tams, __ATOMIC_RELAXED),
                         evac_object, &oc);
}

/* Labs are retired on the thread that used them, after the job. */
static void retire_gclab(gc_worker *w, void *arg) {
  job_ctx *jc = arg;
  gc_regions_retire_lab(&jc->s->rs, &jc->w[w->id].gclab);
}

static void sum_into(shen_state *s, shen_worker *w) {
  for (unsigned i = 0; i < s->heap->workers.nthreads; i++) {
    s->cur.gc_copies += w[i].copies;
    s->cur.gc_copy_bytes += w[i].copy_bytes;
    s->cur.copies_lost += w[i].copies_lost;
    s->cur.refs_updated += w[i].refs_updated;
  }
}

void shen_evacuate_cset(shen_state *s) {
  job_ctx jc = {.s = s, .w = workers_for(s)};
  gc_trace_job job = {.seed = seed_cset,
                      .scan = evac_region,
                      .finish = retire_gclab,
                      .arg = &jc};
  gc_worker sum = {0};
  if (s->ncset)
    gc_workers_run(&s->heap->workers, &job, &sum);
  sum_into(s, jc.w);
  free(jc.w);
}

/* ---- update-references ---- */

static void update_slot(uintptr_t *slot, void *ctx) {
  obj_ctx *oc = ctx;
  gc_ref v = __atomic_load_n(slot, __ATOMIC_RELAXED);
  if (v == GC_NULL || !shen_in_cset(oc->s, v))
    return;
  gc_ref f = shen_forwardee(oc->s, v);
  if (f != v && __atomic_compare_exchange_n(slot, &v, f, false,
                                            __ATOMIC_RELAXED, __ATOMIC_RELAXED))
    oc->sw->refs_updated++;
}

static void update_object(uintptr_t obj, void *ctx) {
  obj_ctx *oc = ctx;
  gc_for_each_slot(obj, oc->s->hw, update_slot, oc);
}

/* An object left in place in a cset region (its copy failed). */
static void update_if_kept(uintptr_t obj, void *ctx) {
  if (__atomic_load_n((uint64_t *)obj, __ATOMIC_ACQUIRE) & SHEN_EVAC_FAILED)
    update_object(obj, ctx);
}

static void update_region(shen_state *s, gc_region *r, obj_ctx *oc) {
  uintptr_t tams = __atomic_load_n(&r->tams, __ATOMIC_RELAXED);
  if (__atomic_load_n(&r->state, __ATOMIC_RELAXED) == GC_REGION_CSET) {
    if (__atomic_load_n(&r->evac_failed, __ATOMIC_RELAXED))
      gc_regions_each_marked(&s->rs, r->start, tams, update_if_kept, oc);
    return;
  }
  uintptr_t wm = r->watermark;
  gc_regions_each_marked(&s->rs, r->start, tams < wm ? tams : wm, update_object,
                         oc);
  gc_regions_walk(&s->rs, tams, wm, update_object, oc);
}

static void seed_update(gc_worker *w, void *arg) {
  job_ctx *jc = arg;
  if (w->id != 0)
    return;
  shen_state *s = jc->s;
  for (size_t i = 0; i < s->nupdate; i++)
    gc_worker_push(w, (uintptr_t)s->update[i]);
  for (size_t i = 0; i < jc->nlos; i++)
    gc_worker_push(w, jc->los[i] | LOS_ITEM);
}

static void update_item(gc_worker *w, uintptr_t item, void *arg) {
  job_ctx *jc = arg;
  obj_ctx oc = {jc->s, &jc->w[w->id]};
  if (item & LOS_ITEM)
    update_object(item & ~LOS_ITEM, &oc);
  else
    update_region(jc->s, (gc_region *)item, &oc);
}

/* The large objects, live or allocated since final-mark's sweep. */
static uintptr_t *los_snapshot(gc_los *los, size_t *n) {
  pthread_mutex_lock(&los->lock);
  uintptr_t *a = malloc((los->nobjects + 1) * sizeof *a);
  *n = 0;
  if (a)
    for (size_t i = 0; i < los->nobjects; i++)
      a[(*n)++] = los->objects[i].addr;
  pthread_mutex_unlock(&los->lock);
  if (!a) {
    fprintf(stderr, "gctb: shenandoah: out of memory listing large objects\n");
    abort();
  }
  return a;
}

void shen_update_refs(shen_state *s) {
  if (s->skip_update_refs)
    return;
  job_ctx jc = {.s = s, .w = workers_for(s)};
  jc.los = los_snapshot(&s->heap->los, &jc.nlos);
  gc_trace_job job = {.seed = seed_update, .scan = update_item, .arg = &jc};
  gc_worker sum = {0};
  gc_workers_run(&s->heap->workers, &job, &sum);
  sum_into(s, jc.w);
  free(jc.w);
  free(jc.los);
}

/* ---- roots (world stopped) ---- */

static void evacuate_root(gc_ref *slot, void *ctx) {
  shen_state *s = ctx;
  gc_ref v = __atomic_load_n(slot, __ATOMIC_RELAXED);
  if (!shen_in_cset(s, v))
    return;
  uint64_t lost = 0;
  v = shen_evacuate(s, &s->gc_gclab, v, &s->cur.gc_copies,
                    &s->cur.gc_copy_bytes, &lost);
  __atomic_store_n(slot, v, __ATOMIC_RELAXED);
}

void shen_evacuate_roots(shen_state *s) {
  gc_for_each_root(s->heap, evacuate_root, s);
  gc_regions_retire_lab(&s->rs, &s->gc_gclab);
}

static void update_root(gc_ref *slot, void *ctx) {
  shen_state *s = ctx;
  gc_ref v = __atomic_load_n(slot, __ATOMIC_RELAXED);
  if (shen_in_cset(s, v))
    __atomic_store_n(slot, shen_forwardee(s, v), __ATOMIC_RELAXED);
}

void shen_update_roots(shen_state *s) {
  gc_for_each_root(s->heap, update_root, s);
}
