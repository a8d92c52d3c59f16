/* worst_step.h — does the record account for the workload's longest step?
 *
 * A workload that times its steps (gcold) reports its longest one in its
 * metrics: max_step_ns, max_step_start_ns (on the record's clock) and, where
 * the kernel tells, max_step_cpu_ns, the step's own CPU time. The step lasted
 * its own CPU time plus every delay the mutator saw within it, so
 *
 *   unaccounted = step − (pauses ∪ delays within the step) − step CPU
 *
 * is time that the record does not explain: near zero when every delay a
 * mutator sees is recorded (runqueue waits included). Assists and spinning
 * waits burn the mutator's CPU inside a delay and are counted twice, so
 * unaccounted is clamped at zero rather than negative. */
#ifndef GCTB_HARNESS_WORST_STEP_H
#define GCTB_HARNESS_WORST_STEP_H

#include "harness/run/run.h"

/* The decomposition for run's workload (mutator 0 ran the step), while
 * its heap is alive. */
gctb_worst_step gctb_worst_step_of(const gctb_run *run);
/* The record's "worst_step" object, or NULL when not known. */
json_t *gctb_worst_step_json(const gctb_worst_step *w);

#endif
