/* runqueue.h — time a mutator was ready to run but waited for a CPU.
 *
 * Concurrent collectors run GC threads beside the mutators; on a machine
 * with few cores the scheduler then makes a mutator wait on its run queue
 * while a GC thread has the CPU. The mutator is delayed exactly as by a
 * pause, but nothing in the collector sees it. Linux counts this per
 * thread (/proc/thread-self/schedstat, second field: run_delay), so a
 * sampler thread reads every attached mutator's counter each period and
 * logs the growth as a delay of kind "runqueue" (delay.h), placed at the
 * end of the period it happened in: its position is known to within one
 * period, its length exactly. The wait may also come from other load on
 * the machine (the record's loadavg tells); on a quiet machine it is the
 * collector's threads (and, negligibly, this sampler's).
 *
 * Sampling costs one pread per mutator per period (1 ms by default,
 * config key "runqueue_sample_us"; 0 turns it off, and where the kernel
 * offers no schedstat nothing is sampled). */
#ifndef GCTB_RUNQUEUE_H
#define GCTB_RUNQUEUE_H

#include "delay.h"
#include <stdbool.h>
#include <stdint.h>

typedef struct gc_events gc_events;
typedef struct gc_runqueue_sampler gc_runqueue_sampler;

/* Starts sampling the mutator logs of e every period_ns (NULL: off, or
 * the thread could not start, which only loses the samples). */
gc_runqueue_sampler *gc_runqueue_start(gc_events *e, uint64_t period_ns);
/* Takes a last sample of every log and stops. NULL is fine. */
void gc_runqueue_stop(gc_runqueue_sampler *s);

/* On the mutator's own thread as it attaches: opens its counter and
 * remembers the current value, so only waits from now on count. */
void gc_runqueue_attach(gc_mutator_log *log);
/* Under log->lock as the mutator detaches: logs the growth since the last
 * sample and closes the counter. */
void gc_runqueue_detach_locked(gc_mutator_log *log, uint64_t now);

#endif
