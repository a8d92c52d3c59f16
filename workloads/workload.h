/* workload.h — synthetic mutators, registered by name.
 *
 * A workload declares its parameters (validated like policy options), its
 * maximum live size computed analytically, and a run function that attaches
 * its own mutator threads, polls safepoints in its loops, validates what it
 * reads (gc_fail on a wrong value) and records its own metrics.
 */
#ifndef GCTB_WORKLOAD_H
#define GCTB_WORKLOAD_H

/* Found beside this header when installed (include/gctb/), and through the
 * heap/ include directory in the source tree: plugins include it. */
#include "gctb.h"
#include "options.h"
#include <jansson.h>
#include <pthread.h>

typedef struct gc_workload_ctx {
  gc_heap *heap;
  const gc_options *params;
  uint64_t seed;
  unsigned hdr_words; /* header words of the running policy */
  json_t *metrics;    /* the workload adds its own metrics here */
  uint64_t t_start;   /* gc_now_ns() at the start: the record's time 0 */
  /* Held while writing metrics (wl_metrics_lock): a run that ends early (a
   * signal, out of memory on another thread) reads them after stopping the
   * world, and a world stop does not stop a thread that is not attached,
   * such as the one that starts and joins the mutator threads. NULL: no
   * lock. */
  pthread_mutex_t *metrics_lock;
} gc_workload_ctx;

typedef struct gc_workload {
  const char *name;
  const char *summary;
  const gc_option_spec *params; /* zero-terminated */
  /* Maximum bytes live at once, for objects of hdr_words header words. */
  uint64_t (*live_bytes)(const gc_options *params, unsigned hdr_words);
  /* Runs to completion; reports wrong values through gc_fail. */
  void (*run)(gc_workload_ctx *ctx);
} gc_workload;

const gc_workload *gc_workload_find(const char *name);
size_t gc_workload_count(void);
const gc_workload *gc_workload_at(size_t i);

#endif
