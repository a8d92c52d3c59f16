/* satb_mark.c — the collector's side of SATB marking (heap/satb_marking.h): the
 * grey references the pauses queue (roots), draining full buffers, and the
 * trace itself on the heap's worker pool.
 *
 * A drain marks the grey references and every full buffer's entries on the
 * GC thread and scans alone while the work stays small; past
 * SATB_LOCAL_BUDGET objects it hands the rest to one gc_workers_run job,
 * where all workers scan and share as in a stop-the-world trace. The same job
 * serves the concurrent phase (mutators running, new buffers arriving: the
 * caller drains again until none come) and the final pause (nothing arrives).
 * Concurrent scanning is safe because the marker only ever scans objects that
 * existed when marking began: everything allocated since is marked at
 * allocation, so mark() never returns it; and it reads slots with atomic loads,
 * racing the mutators' atomic stores (which the barrier makes release stores
 * while marking is on, so a new object's mark and its chunk's class are visible
 * to the marker that finds it). */
#include "satb_marking.h"
#include "trace.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void satb_start(satb_marker *mk) {
  memset(&mk->cycle, 0, sizeof mk->cycle);
  __atomic_store_n(&mk->active, 1, __ATOMIC_RELEASE);
}

static void add_stats(satb_stats *to, const satb_stats *s) {
  to->buffers += s->buffers;
  to->entries += s->entries;
  to->objects += s->objects;
  to->bytes += s->bytes;
  to->cpu_ns += s->cpu_ns;
}

void satb_stop(satb_marker *mk) {
  __atomic_store_n(&mk->active, 0, __ATOMIC_RELEASE);
  add_stats(&mk->total, &mk->cycle);
}

void satb_grey(satb_marker *mk, gc_ref r) {
  if (mk->ngrey == mk->grey_cap) {
    size_t cap = mk->grey_cap ? 2 * mk->grey_cap : 1024;
    gc_ref *g = realloc(mk->grey, cap * sizeof *g);
    if (!g) {
      fprintf(stderr, "gctb: out of memory queueing SATB roots\n");
      abort();
    }
    mk->grey = g;
    mk->grey_cap = cap;
  }
  mk->grey[mk->ngrey++] = r;
}

static void grey_root(gc_ref *slot, void *ctx) {
  gc_ref r = __atomic_load_n(slot, __ATOMIC_RELAXED);
  if (r != GC_NULL)
    satb_grey(ctx, r);
}

/* Copies the root values only: marking them is the drain's job, so the
 * pause costs one load and store per root. */
void satb_grey_roots(satb_marker *mk) {
  gc_for_each_root(mk->heap, grey_root, mk);
}

bool satb_has_work(satb_marker *mk) {
  return mk->ngrey || mk->nobjs ||
         __atomic_load_n(&mk->nfull, __ATOMIC_RELAXED);
}

/* ---- alone, on the calling thread ---- */

static void objs_push(satb_marker *mk, uintptr_t obj) {
  if (mk->nobjs == mk->objs_cap) {
    size_t cap = mk->objs_cap ? 2 * mk->objs_cap : 4096;
    uintptr_t *o = realloc(mk->objs, cap * sizeof *o);
    if (!o) {
      fprintf(stderr, "gctb: out of memory growing the SATB mark stack\n");
      abort();
    }
    mk->objs = o;
    mk->objs_cap = cap;
  }
  mk->objs[mk->nobjs++] = obj;
}

static void local_mark(satb_marker *mk, gc_ref r) {
  uintptr_t obj = mk->mark(mk->ctx, r);
  if (obj)
    objs_push(mk, obj);
}

static void local_visit(uintptr_t *slot, void *ctx) {
  gc_ref r = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
  if (r != GC_NULL)
    local_mark(ctx, r);
}

/* Takes every full buffer: marks its entries, recycles it. */
static void take_buffers(satb_marker *mk) {
  pthread_mutex_lock(&mk->lock);
  satb_buffer *b = mk->full;
  mk->full = NULL;
  __atomic_store_n(&mk->nfull, 0, __ATOMIC_RELAXED);
  pthread_mutex_unlock(&mk->lock);
  satb_buffer *last = NULL;
  for (satb_buffer *p = b; p; last = p, p = p->next) {
    for (size_t i = 0; i < p->n; i++)
      local_mark(mk, p->entries[i]);
    mk->cycle.buffers++;
    mk->cycle.entries += p->n;
  }
  if (!last)
    return;
  pthread_mutex_lock(&mk->lock);
  last->next = mk->spare;
  mk->spare = b;
  pthread_mutex_unlock(&mk->lock);
}

/* Marks the grey references and buffer entries, then scans up to budget
 * objects; what is left stays in objs for the workers. */
static void drain_alone(satb_marker *mk, size_t budget) {
  for (size_t i = 0; i < mk->ngrey; i++)
    local_mark(mk, mk->grey[i]);
  mk->ngrey = 0;
  take_buffers(mk);
  for (; budget && mk->nobjs; budget--) {
    uintptr_t obj = mk->objs[--mk->nobjs];
    mk->cycle.objects++;
    mk->cycle.bytes += gc_object_size(obj, mk->hdr_words);
    gc_for_each_slot(obj, mk->hdr_words, local_visit, mk);
  }
}

/* ---- on the worker pool ---- */

typedef struct visit_ctx {
  gc_worker *w;
  satb_marker *mk;
} visit_ctx;

static void visit_slot(uintptr_t *slot, void *ctx) {
  visit_ctx *vc = ctx;
  gc_ref r = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
  if (r == GC_NULL)
    return;
  uintptr_t obj = vc->mk->mark(vc->mk->ctx, r);
  if (obj) {
    __builtin_prefetch((void *)obj);
    gc_worker_push(vc->w, obj);
  }
}

static void scan(gc_worker *w, uintptr_t obj, void *arg) {
  satb_marker *mk = arg;
  visit_ctx vc = {w, mk};
  w->objects_traced++;
  w->bytes_traced += gc_object_size(obj, mk->hdr_words);
  gc_for_each_slot(obj, mk->hdr_words, visit_slot, &vc);
}

/* Worker 0 (this thread) hands over what drain_alone left. */
static void seed(gc_worker *w, void *arg) {
  satb_marker *mk = arg;
  if (w->id != 0)
    return;
  for (size_t i = 0; i < mk->nobjs; i++)
    gc_worker_push(w, mk->objs[i]);
  mk->nobjs = 0;
}

bool satb_drain(satb_marker *mk) {
  if (!satb_has_work(mk))
    return false;
  drain_alone(mk, SATB_LOCAL_BUDGET);
  if (!mk->nobjs)
    return true;
  gc_trace_job job = {.seed = seed, .scan = scan, .finish = NULL, .arg = mk};
  gc_worker sum = {0};
  gc_workers_run(&mk->heap->workers, &job, &sum);
  mk->cycle.objects += sum.objects_traced;
  mk->cycle.bytes += sum.bytes_traced;
  mk->cycle.cpu_ns += sum.cpu_ns;
  return true;
}
