/* run.h — running one config: heap, workload, measurements, the result
 * record (record.c, docs/results-format.md) and the summary (summary.c). */
#ifndef GCTB_HARNESS_RUN_H
#define GCTB_HARNESS_RUN_H

#include "harness/config/config.h"
#include "harness/record/delays.h"
#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

/* Exit codes of `gctb run` (also documented in docs/config.md). */
enum {
  GCTB_EXIT_OK = 0,
  GCTB_EXIT_ERROR = 1, /* the workload or the verifier found a wrong value */
  GCTB_EXIT_USAGE = 2, /* bad command line, bad config, impossible heap */
  GCTB_EXIT_OOM = 3    /* the heap ran out of memory */
  /* 128+N: interrupted by signal N (SIGINT, SIGTERM); the record says
   * "interrupted". A record that cannot be written makes any outcome 1. */
};

typedef struct gctb_run_opts {
  const char *out_path;   /* append the record here; NULL: a new file in
                           * the results directory (record/results_dir.h) */
  bool quiet;             /* no summary on stdout */
  json_t *matrix;         /* borrowed: the record's "matrix" object, or NULL */
  const char *trace_path; /* also write the run's Chrome trace here */
  /* SIGINT/SIGTERM end the run with an "interrupted" record and exit
   * 128+N (run/signals.c); `gctb run` sets it, an embedding program keeps
   * its own signal handling. */
  bool signals;
} gctb_run_opts;

/* The workload's longest step and what the record accounts for of it
 * (worst_step.h). */
typedef struct gctb_worst_step {
  bool known; /* the workload reports its longest step */
  uint64_t ns, start_ns, delays_ns, median_ns;
  /* the median of the steps that did the same work as the longest (gcold:
   * those that replaced a tree, or those that did not); 0: unknown */
  uint64_t median_like_ns;
  bool cpu_known;
  uint64_t cpu_ns, unaccounted_ns;
} gctb_worst_step;

/* Everything measured about one run, filled in at the end (or when it ends
 * early on out-of-memory or a failure). */
typedef struct gctb_result {
  const char *status; /* "ok", "oom", "error", "interrupted" */
  char error[1024];   /* when status is not "ok" */
  char started_at[40];
  uint64_t setup_ns;     /* heap creation (arena reservation and pre-touch) */
  uint64_t setup_cpu_ns; /* its process CPU time (getrusage) */
  uint64_t wall_ns, gc_ns, mutator_ns;
  uint64_t gc_cpu_ns, gc_cpu_other_ns, cpu_user_ns, cpu_sys_ns;
  uint64_t peak_rss_bytes;
  uint64_t minflt, majflt; /* page faults in the timed region */
  gc_mutator_stats totals;
  uint64_t collections, verifications;
  gctb_pause_stats pauses; /* world stops only (delays.world) */
  gctb_delays delays;      /* what each mutator saw (delays.h) */
  gctb_worst_step worst_step;
  char record_path[4096]; /* where the record went ("" if nowhere) */
} gctb_result;

typedef struct gctb_run {
  const gctb_config *cfg;
  gctb_run_opts opts;
  gc_heap *heap;
  json_t *machine;   /* gathered before the run, outside the measurement */
  json_t *metrics;   /* the workload's own metrics (under workload_lock) */
  json_t *heap_axis; /* the record's "heap" object (heap_axis.c), owned */
  uint64_t minflt0, majflt0; /* page faults before the workload started */
  /* iterations.c: the zero of the measured counters, and each iteration's
   * figures (NULL for a single iteration) */
  uint64_t collections0, verifications0;
  gc_mutator_stats totals0;
  json_t *iterations; /* under workload_lock */
  /* Guards metrics and iterations, which the workload's calling thread
   * writes while it is not attached (a world stop does not hold it) and
   * whoever ends the run early reads. */
  pthread_mutex_t workload_lock;
  uint64_t t_start; /* gc_now_ns() when the workload started */
  int ending;       /* atomic: set by the first to end the run (the workload's
                     * return, on_oom, on_fail, a signal) */
  gctb_result res;
} gctb_run;

/* Runs cfg and returns the process exit code. On out-of-memory or a failure
 * reported by a mutator the process ends inside (with _exit) after writing
 * the record and the summary. */
int gctb_run_config(const gctb_config *cfg, const gctb_run_opts *opts);

/* gctb_run_config in two halves, for a program that runs its own mutator
 * code between them (embed.c): start installs pinning, creates the heap and
 * starts the clock (GCTB_EXIT_OK, or GCTB_EXIT_USAGE with the message
 * `gctb run` prints in err); finish (every mutator detached) measures,
 * builds the record, destroys the heap, writes the record, the trace and
 * the summary as opts ask, and returns the record (a new reference). run
 * must stay at one address from start to finish: the heap's on_oom and
 * on_fail reach it from other threads. */
int gctb_run_start(gctb_run *run, const gctb_config *cfg,
                   const gctb_run_opts *opts, char *err, size_t errlen);
json_t *gctb_run_finish(gctb_run *run);

/* Ends run as interrupted by signal sig: stops the world, writes the record
 * and the summary, and exits with 128+sig. Returns (doing nothing) when
 * the run is already ending another way. Called from the signal thread. */
void gctb_run_interrupt(gctb_run *run, int sig);

/* run/signals.c: blocks SIGINT and SIGTERM in the calling thread (and so
 * in the threads it creates next) and starts, once, the thread that takes
 * them; gctb_signals_watch says which run a signal interrupts (NULL: none,
 * the signal then ends the process as it would by default). */
void gctb_signals_block(void);
void gctb_signals_watch(gctb_run *run);

/* record.c: the result record as a JSON object (heap still alive);
 * record/write.c: appending it as one line to opts.out_path or a new file
 * in the results directory (the chosen path goes into res.record_path),
 * synced. */
json_t *gctb_record_build(gctb_run *run);
bool gctb_record_write(gctb_run *run, const json_t *record, char *err,
                       size_t errlen);

/* iterations.c: the zero of the measured figures (counters, page faults,
 * t_start), taken by gctb_run_start and again when the first measured
 * iteration starts. */
void gctb_measure_begin(gctb_run *run);
/* iterations.c: runs the workload's warm-up and measured iterations
 * (config "iterations"), setting t_start and the measurement's zero when
 * the first measured one starts; returns the end time of the last. The
 * record's "iterations" object, or NULL for a single iteration. */
uint64_t gctb_iterations_run(gctb_run *run, gc_workload_ctx *ctx);
json_t *gctb_iterations_json(const gctb_run *run);

/* summary.c: the one-screen human summary. */
void gctb_summary_print(FILE *f, const gctb_run *run);

/* machine.c: the machine; build.c: the build and the version line. */
json_t *gctb_machine_json(void);
json_t *gctb_build_json(void);
/* build.c: what of the build changes code paths (commit, dirty flag and
 * diff hash, build type, specialisation, checked, sanitizers): the part of
 * gctb_build_json that keys the minimum-heap cache. */
json_t *gctb_build_key_json(void);
const char *gctb_version(void);
/* slurm_env.c: {"job_id", "array_task_id", "node", ...} when running as a
 * Slurm task, else NULL (records then have no "slurm"). */
json_t *gctb_slurm_json(void);

#endif
