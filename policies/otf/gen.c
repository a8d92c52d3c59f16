/* gen.c — otf-gen: the generational on-the-fly collector of Domani,
 * Kolodner and Petrank (PLDI 2000), without moving objects.
 *
 * Age is the mark state (sticky mark bits, Demers et al., POPL 1990): the
 * sweep keeps the survivors' marks, so after a cycle every live object is
 * marked (old), and objects allocated white since are young. A young cycle
 * is otf's cycle without clearing marks: the marker stops at marked
 * objects, so it traces the young generation only. A full cycle clears
 * every mark first, while the collector is idle and mutators only read
 * marks (allocation is white and no barrier marks between cycles).
 *
 * Old-to-young references: a remembered set of old objects, not cards,
 * kept by the object-logging barrier (heap/object_log.h). An old object
 * carries GC_HDR_UNLOGGED until it is logged: the inline fast path
 * (GC_WB_OBJECT_LOG_SATB) calls the slow path for a reference store into
 * such an object, or for any reference store while otf's marking barrier is
 * on; the slow path stores, then, if the value stored is young (unmarked),
 * claims the bit and puts the object in the mutator's remembered-set queue
 * (heap/satb_marking.h's buffers again, in a second marker). Objects are armed
 * when they become old: the marker sets the bit on each object it marks, and
 * black cells (allocated old) get it from their cache
 * (gc_sf_space.black_hdr_bits). Why not card marking: a card scan must find
 * object starts in a card and read headers of cells no reference led to — cells
 * a mutator is allocating into right now, or that the roots handshake blackened
 * before they were handed out — a data race with the allocation fast path and a
 * read of stale memory; a remembered object is one a mutator held a reference
 * to, so its header is valid and published. Young objects (most stores) never
 * take the slow path.
 *
 * The collector takes the queues in the roots handshake and, before
 * tracing, re-arms each remembered object and shades the young objects it
 * refers to. Ordering: a mutator stores the slot, then claims the bit with
 * a release read-modify-write; the collector re-arms it with an acquire one
 * and then reads the slots, so it sees every store made before the claim,
 * and a store after the re-arm logs the object again, for the next cycle.
 * A store the rescan misses was made during the cycle, after the mutator's
 * roots handshake: its value is marked by this cycle (otf's snapshot: it
 * was reachable from that mutator's shaded roots or allocated black), so it
 * is old by the next one, which needs no edge to it. */
#include "../../heap/object_log.h"
#include "../../heap/trace.h"
#include "otf.h"
#include <string.h>

/* ---- the remembered set as a second satb_marker ---- */

static bool never_marked(void *ctx, gc_ref r) { return false; }

static void shade_young(uintptr_t *slot, void *ctx) {
  otf_state *s = ctx;
  gc_ref v = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
  if (v != GC_NULL && !gc_sf_los_is_marked(&s->sf, &s->heap->los, v))
    satb_grey(&s->marker, v);
}

/* The remset marker's "mark": runs on the collector thread for each
 * remembered object; returns 0, so the remset marker scans nothing. */
static uintptr_t rescan(void *ctx, gc_ref o) {
  otf_state *s = ctx;
  gc_object_log_rearm(o);
  if (s->skip != OTF_SKIP_REMSET)
    gc_for_each_slot(o, 1, shade_young, s);
  return 0;
}

void otf_gen_init(otf_state *s) {
  satb_marker_init(&s->remset, s->heap, 1, rescan, never_marked, s);
  if (s->gen)
    s->sf.black_hdr_bits = GC_HDR_UNLOGGED; /* black objects are old */
}

/* The filter on the value keeps the remembered set to old-to-young edges:
 * without it every object allocated black during a cycle (armed) was logged
 * when its fields were first filled, with objects as old as itself —
 * gcbench at 64M remembered 2.4 million objects, and the longer rescans
 * made the cycles, and so the black allocation, longer still. An armed
 * object written old values stays armed (and on the slow path). */
void otf_gen_log(otf_state *s, gc_mutator *m, gc_ref obj, gc_ref val) {
  if (val == GC_NULL || gc_sf_los_is_marked(&s->sf, &s->heap->los, val))
    return;
  if (gc_object_log_claim(obj, __ATOMIC_ACQ_REL))
    satb_enqueue(&s->remset, &otf_mutator_of(m)->rq, obj);
}

/* Only a young object's first marker gets here (mark returned it), with
 * mutators' stores into it on the slow path (marking is on). */
void otf_gen_made_old(otf_state *s, gc_ref obj) { gc_object_log_arm(obj); }

void otf_gen_rescan(otf_state *s) {
  while (satb_drain(&s->remset))
    ;
}

/* Full when asked for one (gc_collect, a mutator out of memory), every
 * full_every cycles, or when what the last cycle left (the old generation)
 * reaches 90% of the trigger, so that young cycles would follow each other
 * freeing little. */
void otf_gen_begin(otf_state *s, const char *reason) {
  s->full = !s->gen || strcmp(reason, "requested") == 0 ||
            strcmp(reason, "alloc") == 0 ||
            s->young_since_full + 1 >= (uint64_t)s->full_every ||
            __atomic_load_n(&s->live_base, __ATOMIC_RELAXED) >=
                s->trigger_bytes / 10 * 9;
  if (!s->gen || !s->full)
    return;
  gc_sf_clear_marks_concurrent(&s->sf);
  gc_los_clear_marks(&s->heap->los);
}

void otf_gen_end(otf_state *s) {
  if (!s->gen)
    return;
  s->young_since_full = s->full ? 0 : s->young_since_full + 1;
  pthread_mutex_lock(&s->lock);
  s->totals.remembered += s->remset.cycle.entries;
  pthread_mutex_unlock(&s->lock);
  memset(&s->remset.cycle, 0, sizeof s->remset.cycle);
}

static const gc_option_spec otf_gen_options[] = {
    {"trigger", GC_OPT_DOUBLE,
     "start a cycle once the bytes in use after the last sweep plus those "
     "allocated since pass this share of the heap",
     0.5, 0.05, 1.0, NULL},
    {"full_every", GC_OPT_INT,
     "every this many-th cycle is full, the others young (1: all full)", 8, 1,
     1000, NULL},
    {"unsafe_skip", GC_OPT_ENUM,
     "TEST ONLY: leave out the sync handshakes, the async-mode barrier, the "
     "mutators' root shading or the scan of remembered old objects; the "
     "mark check after tracing must then fail",
     0, 0, 0, otf_skip_choices},
    {0}};

static bool otf_gen_init_policy(gc_heap *heap, const gc_options *opts,
                                char *err, size_t errlen) {
  return otf_init_common(heap, opts, true, err, errlen);
}

const gc_policy gc_policy_otf_gen = {
    OTF_POLICY_COMMON,
    .constraints = {GC_FAST_PATHS(FREEBITS, 1, NONE, OBJECT_LOG_SATB),
                    OTF_CONSTRAINTS},
    .name = "otf-gen",
    .summary = "generational on-the-fly mark-sweep (Domani, Kolodner and "
               "Petrank, PLDI 2000) without moving: age in sticky mark "
               "bits, old-to-young references in a remembered set, young "
               "and full cycles run on the fly as in otf (the on-the-fly seed)",
    .options = otf_gen_options,
    .init = otf_gen_init_policy,
};
