/* satb_marking.h — snapshot-at-the-beginning concurrent marking, as a component
 * a policy composes with its spaces (the satb policy over the segregated-fit
 * space; a region collector later). See docs/policies/satb.md.
 *
 * Yuasa's deletion barrier ("Real-time garbage collection on general-purpose
 * machines", JSS 1990), in the form Shenandoah and G1 use (Flood et al.,
 * PPPJ 2016): while marking is on, a mutator that overwrites a reference
 * first records the old value in its own SATB buffer; a full buffer goes to
 * a global list the marker drains while mutators run; the final-mark pause
 * takes every thread's partial buffer. Every object reachable when marking
 * began (the snapshot) is therefore either reached by the marker's trace or
 * recorded when the last path to it is cut; objects allocated during
 * marking are allocated marked ("black") by the space. The marker keeps no
 * colour of its own: "grey" is "marked and queued", "black" is "marked and
 * scanned or allocated during marking".
 *
 * The component knows no space: the policy gives it "mark the object this
 * reference refers to; return its address if this call marked it" and "is
 * it marked", and objects are scanned with gc_for_each_slot. Tracing runs
 * on the heap's worker pool (gc_workers_run), concurrently or in a pause.
 *
 * Threads: a satb_queue belongs to its mutator (or to whoever holds the
 * world stopped, or runs a handshake for it); the full-buffer list and the
 * buffer pool are under the marker's lock, taken once per buffer; grey is
 * the GC thread's (pauses included).
 */
#ifndef GCTB_SATB_MARKING_H
#define GCTB_SATB_MARKING_H

#include "heap.h"

/* Entries per buffer: G1's and Shenandoah's default is 1024 too; the final
 * pause drains at most this many entries per thread that it did not see. */
#define SATB_BUFFER_ENTRIES 1024
/* Objects the calling thread scans alone before it wakes the workers: most
 * drains after the first (a few buffers, a final mark that finds the roots
 * marked) are smaller than a worker round trip. */
#define SATB_LOCAL_BUDGET 4096

typedef struct satb_buffer {
  struct satb_buffer *next;
  size_t n;
  gc_ref entries[SATB_BUFFER_ENTRIES];
} satb_buffer;

/* One mutator's queue: the buffer it is filling. */
typedef struct satb_queue {
  satb_buffer *buf;
  uint64_t enqueued; /* entries recorded by this mutator */
  uint64_t filtered; /* old values it skipped: null or already marked */
} satb_queue;

/* The policy's view of its spaces. mark returns the object's address when
 * this call marked it (the marker then scans it), 0 when it was marked
 * already or is not a heap object. Both must be thread-safe. */
typedef uintptr_t (*satb_mark_fn)(void *ctx, gc_ref r);
typedef bool (*satb_is_marked_fn)(void *ctx, gc_ref r);

typedef struct satb_stats {
  uint64_t buffers; /* full or flushed buffers the marker processed */
  uint64_t entries; /* their entries */
  uint64_t objects; /* objects the marker scanned */
  uint64_t bytes;   /* their bytes */
  uint64_t cpu_ns;  /* GC workers' CPU time (all of it, worker 0 too) */
} satb_stats;

typedef struct satb_marker {
  gc_heap *heap;
  unsigned hdr_words;
  satb_mark_fn mark;
  satb_is_marked_fn is_marked;
  void *ctx;
  int active; /* atomic: marking on (barriers record) */
  /* under lock */
  pthread_mutex_t lock;
  satb_buffer *full; /* completed buffers waiting for the marker */
  size_t nfull;      /* also read without the lock, as a hint */
  satb_buffer *spare;
  /* The GC thread's own work (pauses included): references queued and not
   * marked yet (roots), and objects marked and not scanned yet. */
  gc_ref *grey;
  size_t ngrey, grey_cap;
  uintptr_t *objs;
  size_t nobjs, objs_cap;
  satb_stats cycle, total; /* cycle: since satb_start */
} satb_marker;

void satb_marker_init(satb_marker *mk, gc_heap *heap, unsigned hdr_words,
                      satb_mark_fn mark, satb_is_marked_fn is_marked,
                      void *ctx);
void satb_marker_destroy(satb_marker *mk);

/* ---- mutator side (satb.c) ---- */
/* The barrier's slow path: records old (if non-null and unmarked) in q;
 * hands q's buffer to the marker when it fills. */
void satb_enqueue(satb_marker *mk, satb_queue *q, gc_ref old);
/* Hands q's partial buffer to the marker (final mark, handshake, detach). */
void satb_flush(satb_marker *mk, satb_queue *q);
/* Frees q's buffer (detach; it must be empty or marking off). */
void satb_queue_release(satb_marker *mk, satb_queue *q);
/* Flushes every mutator's queue; world stopped. queue_of maps a mutator to
 * its queue (the policy's per-mutator data). */
void satb_flush_all(satb_marker *mk, satb_queue *(*queue_of)(gc_mutator *m));

/* ---- collector side (satb_mark.c) ---- */
/* Starts a marking cycle (world stopped): marking on, statistics reset.
 * The policy turns each mutator's barrier_active on itself. */
void satb_start(satb_marker *mk);
/* Ends it (world stopped, after the final drain). */
void satb_stop(satb_marker *mk);
static inline bool satb_active(const satb_marker *mk) {
  return __atomic_load_n(&mk->active, __ATOMIC_ACQUIRE);
}
/* Queues the referents of every root slot (world stopped). */
void satb_grey_roots(satb_marker *mk);
/* Queues one reference (world stopped, or on the GC thread). */
void satb_grey(satb_marker *mk, gc_ref r);
/* Traces from the grey references and every full buffer until nothing is
 * left: alone while the work is small (SATB_LOCAL_BUDGET objects), then on
 * the heap's workers (the caller is worker 0). Returns false if there was
 * nothing to do. Concurrent with mutators or in a pause. */
bool satb_drain(satb_marker *mk);
/* Anything queued or full (a hint while mutators run). */
bool satb_has_work(satb_marker *mk);

#endif
