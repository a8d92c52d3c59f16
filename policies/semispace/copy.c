/* copy.c — a collection: flip, copy everything reachable into to-space with
 * the GC worker pool, give from-space back, sweep the large-object space.
 *
 * Cheney (1970) copies with one thread, using to-space itself as the queue.
 * With several workers we follow Flood, Detlefs, Shavit and Zhang (2001):
 * each worker copies into its own buffer carved from to-space (a GC-LAB, so
 * copying needs no lock per object) and queues the copies on the shared
 * work queue (heap/workers.h), which balances the load. Workers race to
 * copy the same object, so the header word is claimed by CAS, and a loser
 * waits for the winner's copy (heap/forward.h; a copy is at most 8 KiB, so
 * the wait is short). This costs a CAS per object but never a wasted copy,
 * and it keeps the type and length in the header (only GC bits change),
 * which the fallback below needs: when to-space has no chunk left
 * (fragmentation in a nearly full heap), the winner sets KEPT instead, the
 * object stays where it is and its chunk joins to-space after the collection
 * (evacuation failure handled by self-forwarding, as G1 does). A lone worker
 * skips the CAS: no one races it. The queue is the worker stack, not Cheney's
 * scan pointer, so copying order is depth-first; docs/policies/semispace.md has
 * the rest. */
#include "../../heap/forward.h"
#include "../../heap/trace.h"
#include "../../heap/util.h"
#include "semispace.h"
#include <stdlib.h>

typedef struct semi_gc {
  gc_heap *heap;
  semi_state *st;
  uint8_t from_id, los_id;
} semi_gc;

typedef struct semi_ctx {
  semi_gc *g;
  gc_worker *w;
} semi_ctx;

/* Room for a copy in the worker's GC-LAB; 0 when to-space is exhausted. */
static uintptr_t lab_alloc(semi_state *st, semi_lab *lab, size_t bytes) {
  uintptr_t p = lab->cur;
  if (bytes <= lab->limit - p) {
    lab->cur = p + bytes;
    return p;
  }
  size_t got;
  if (bytes > st->gclab_bytes / 4)
    return semi_claim(st, bytes, bytes, true, &got);
  if (!(p = semi_claim(st, bytes, st->gclab_bytes, true, &got)))
    return 0;
  lab->waste += lab->limit - lab->cur;
  lab->cur = p + bytes;
  lab->limit = p + got;
  return p;
}

static void keep_in_place(semi_lab *lab, uintptr_t obj, size_t bytes) {
  if (!gc_vec_reserve((void **)&lab->kept, &lab->kept_cap, lab->nkept,
                      sizeof *lab->kept, 256)) {
    fprintf(stderr, "gctb: semispace: out of memory keeping objects\n");
    abort();
  }
  lab->kept[lab->nkept++] = obj;
  lab->kept_bytes += bytes;
}

/* We own obj (BUSY set by us; h is its header without GC bits). */
static uintptr_t copy_owned(semi_ctx *c, uintptr_t obj, uint64_t h) {
  semi_lab *lab = c->w->local;
  const gc_type *t = gc_type_by_id(gc_header_type(h));
  size_t bytes = gc_object_bytes(t, gc_header_length(h), 1);
  uintptr_t to = lab_alloc(c->g->st, lab, bytes);
  if (!to) {
    keep_in_place(lab, obj, bytes);
    gc_fwd_settle(obj, h | SEMI_KEPT);
    gc_worker_push(c->w, obj);
    return obj;
  }
  gc_fwd_copy(to, obj, h, bytes);
  gc_fwd_commit(obj, h, to);
  c->w->objects_copied++;
  c->w->bytes_copied += bytes;
  gc_worker_push(c->w, to);
  return to;
}

/* The to-space address of from-space object obj, copying it if no worker
 * has yet. */
static uintptr_t forward(semi_ctx *c, uintptr_t obj) {
  uint64_t h = gc_fwd_header(obj);
  /* Alone, no one can race us for the object: skip the CAS, the most
   * expensive instruction of the copy loop (a locked cmpxchg). */
  if (c->w->count == 1 && !(h & (GC_FWD_FORWARDED | SEMI_KEPT)))
    return copy_owned(c, obj, h);
  while (!(h & (GC_FWD_FORWARDED | SEMI_KEPT))) {
    if (h & GC_FWD_BUSY) {
      /* The final header (forwarded or KEPT) no longer carries BUSY. */
      ((semi_lab *)c->w->local)->waits++;
      h = gc_fwd_wait(obj);
    } else if (gc_fwd_claim(obj, &h)) {
      return copy_owned(c, obj, h);
    }
  }
  return h & GC_FWD_FORWARDED ? gc_fwd_address(obj) : obj;
}

/* Where a reference to r must point after the collection. */
static inline uintptr_t evacuate(semi_ctx *c, uintptr_t r) {
  uint8_t space = gc_arena_space_of(&c->g->heap->arena, r);
  if (space == c->g->from_id)
    return forward(c, r);
  if (space == c->g->los_id && gc_los_mark(&c->g->heap->los, r))
    gc_worker_push(c->w, r); /* large objects are scanned, never moved */
  return r;
}

static void visit_slot(uintptr_t *slot, void *ctx) {
  uintptr_t r = __atomic_load_n(slot, __ATOMIC_RELAXED);
  if (r == GC_NULL)
    return;
  uintptr_t n = evacuate(ctx, r);
  if (n != r)
    __atomic_store_n(slot, n, __ATOMIC_RELAXED);
}

static void job_seed(gc_worker *w, void *arg) {
  semi_gc *g = arg;
  semi_lab *lab = &g->st->labs[w->id];
  lab->cur = lab->limit = 0;
  lab->nkept = 0;
  lab->kept_bytes = lab->waste = lab->waits = 0;
  w->local = lab;
  semi_ctx c = {g, w};
  gc_worker_roots(w, visit_slot, &c);
}

/* item is a to-space copy, a kept object or a large object: all three are
 * scanned only by the worker that queued them. */
static void job_scan(gc_worker *w, uintptr_t item, void *arg) {
  semi_ctx c = {arg, w};
  w->objects_traced++;
  gc_for_each_slot(item, 1, visit_slot, &c);
}

/* Hands the unused end of the GC-LAB back when it is the end of to-space,
 * so a single-threaded collection leaves to-space without holes. */
static void job_finish(gc_worker *w, void *arg) {
  semi_state *st = ((semi_gc *)arg)->st;
  semi_lab *lab = w->local;
  pthread_mutex_lock(&st->lock);
  if (lab->limit != 0 && lab->limit == st->to.cur)
    st->to.cur = lab->cur;
  else
    lab->waste += lab->limit - lab->cur;
  pthread_mutex_unlock(&st->lock);
  lab->cur = lab->limit = 0;
}

static void retire_buffer(gc_mutator *m, void *ctx) {
  gc_mutator_retire_bump(m);
}

/* Clears KEPT on objects left in place and pins their chunks; returns how
 * many there were. */
static uint64_t settle_kept(semi_state *st, gc_cycle *cy) {
  gc_arena *a = &st->heap->arena;
  uint64_t kept = 0;
  for (unsigned i = 0; i < st->nlabs; i++) {
    semi_lab *lab = &st->labs[i];
    for (size_t j = 0; j < lab->nkept; j++) {
      uint64_t *hdr = (uint64_t *)lab->kept[j];
      __atomic_store_n(hdr, *hdr & ~(uint64_t)SEMI_KEPT, __ATOMIC_RELAXED);
      st->pinned[gc_arena_chunk_index(a, lab->kept[j])] = 1;
    }
    kept += lab->nkept;
    st->bytes_kept += lab->kept_bytes;
    st->lab_waste += lab->waste;
    st->waits += lab->waits;
    cy->live_bytes += lab->kept_bytes;
  }
  st->objects_kept += kept;
  return kept;
}

void semi_collect_stopped(gc_heap *heap, gc_stw_cycle *c) {
  semi_state *st = semi_of(heap);
  gc_for_each_mutator(heap, retire_buffer, NULL);
  semi_flip(st);

  semi_gc g = {heap, st, st->from.id, heap->los.space};
  gc_trace_job job = {job_seed, job_scan, job_finish, &g};
  gc_worker sum;
  gc_workers_run(&heap->workers, &job, &sum);

  uint64_t kept = settle_kept(st, &c->cy);
  semi_release_from(st);
  size_t los_live = gc_los_sweep(&heap->los);
  st->collections++;
  st->objects_copied += sum.objects_copied;
  st->bytes_copied += sum.bytes_copied;
  st->los_objects_traced += sum.objects_traced - sum.objects_copied - kept;
  c->cy.objects_traced = sum.objects_traced;
  c->cy.objects_copied = sum.objects_copied;
  c->cy.bytes_copied = sum.bytes_copied;
  c->cy.live_bytes += sum.bytes_copied + los_live;
}
