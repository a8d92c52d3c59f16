/* pin.h — a hook run by every thread the heap or a workload starts, so the
 * harness can pin it to CPUs (harness/run/pin.c: none, compact, scatter, list)
 * and record where it went.
 *
 * The heap calls gc_thread_started from each GC helper thread as it starts
 * (heap/workers.c) and gc_attach calls it for every mutator, after the
 * mutator has its id. A policy's own concurrent collector thread should call
 * it too, with GC_THREAD_GC and an index past the worker pool's. The hook is
 * process-wide (one heap runs per process in `gctb run`); with none set,
 * gc_thread_started does nothing.
 */
#ifndef GCTB_PIN_H
#define GCTB_PIN_H

typedef enum gc_thread_kind { GC_THREAD_MUTATOR, GC_THREAD_GC } gc_thread_kind;

/* index: the mutator's id (attach order) or the GC worker's id (1.., worker
 * 0 is the collecting mutator itself). Runs on the new thread. */
typedef void (*gc_thread_hook)(gc_thread_kind kind, unsigned index, void *ctx);

/* Sets (or with fn NULL clears) the hook; call before creating the heap. */
void gc_set_thread_hook(gc_thread_hook fn, void *ctx);
void gc_thread_started(gc_thread_kind kind, unsigned index);

#endif
