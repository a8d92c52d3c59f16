/* matrix.h — experiment matrices: many runs of one base config over axes
 * of config keys, each run in its own process, appended as JSON lines,
 * resumable (docs/matrix.md).
 *
 * Files (in harness/):
 *   matrix/spec.c       the matrix file: validation, cells, run order, id
 *   matrix/store.c      the results file: what is done, partial lines, append
 *   matrix/child.c      one `gctb run` in a child process with a timeout
 *   matrix/progress.c   the progress bar (terminal) or lines (otherwise)
 *   matrix/command.c    `gctb matrix`: plan, minimum heaps, run, summary
 *   matrix/shard.c      `--shard K/N`: the matrix split into N disjoint parts
 *   matrix/shard_dir.c  a sharded matrix's results directory (its layout)
 *   matrix/slurm.c      `--slurm`: a job-array script, sbatch, squeue
 *   matrix/status.c     `--status DIR`: per shard, done or not and why
 *   matrix/merge.c      `gctb merge DIR`: the shards as one checked file
 *   analysis/launch.c   `gctb plot` / `gctb report`: the Python in analysis/
 *   test_policies/      "test-fault" and "test-delay", for the crash and
 *                       delay tests
 */
#ifndef GCTB_HARNESS_MATRIX_H
#define GCTB_HARNESS_MATRIX_H

#include "harness/minheap/minheap.h"
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- the matrix file ---- */

typedef enum gctb_order {
  GCTB_ORDER_ROUNDS,  /* each round runs every cell once, shuffled anew */
  GCTB_ORDER_SHUFFLE, /* the whole list of runs shuffled */
  GCTB_ORDER_FIXED    /* cell by cell, invocations together */
} gctb_order;

typedef struct gctb_axis {
  const char *key; /* dotted config key (borrowed from the matrix JSON) */
  json_t *values;  /* array (borrowed) */
} gctb_axis;

typedef struct gctb_matrix {
  json_t *root; /* the matrix file, owned */
  const char *name;
  json_t *base; /* borrowed from root */
  gctb_axis *axes;
  size_t naxes;
  size_t ncells; /* product of the axes' lengths */
  unsigned invocations;
  uint64_t seed; /* of the run order */
  gctb_order order;
  double timeout_s;          /* per run */
  char id[17];               /* hash of base and axes: identifies the cells */
  const char *minheap_cache; /* NULL: the default */
  gctb_minheap_opts minheap;
  json_t *cost; /* "cost": weights for sharding (borrowed), or NULL */
} gctb_matrix;

typedef struct gctb_run_ref {
  size_t cell;
  unsigned invocation;
} gctb_run_ref;

/* Parses and checks a matrix (takes a reference to root). Messages name
 * the key. */
bool gctb_matrix_parse(json_t *root, gctb_matrix *m, char *err, size_t errlen);
void gctb_matrix_free(gctb_matrix *m);

/* Cell c's axis values, {"policy.name": "segfit", "heap.multiple": 2}:
 * the first axis varies slowest. */
json_t *gctb_matrix_cell_values(const gctb_matrix *m, size_t c);
/* Cell c's config: the base with the cell's values set (new reference). */
json_t *gctb_matrix_cell_config(const gctb_matrix *m, size_t c, char *err,
                                size_t errlen);
/* splitmix64 (Steele, Lea, Flood 2014): the seeded sequence of every
 * shuffle, the same on every machine. */
uint64_t gctb_splitmix64(uint64_t *state);
/* Every run in execution order (ncells * invocations, caller frees). */
gctb_run_ref *gctb_matrix_order(const gctb_matrix *m, size_t *n);
/* "<id>/<cell>/<invocation>": a run's identity in the results file. */
void gctb_matrix_run_key(const gctb_matrix *m, gctb_run_ref r, char *buf,
                         size_t len);
/* The run a run key names; false when it is not one of m's runs (another
 * matrix, or a cell or invocation outside m). */
bool gctb_matrix_parse_run_key(const gctb_matrix *m, const char *key,
                               gctb_run_ref *r);
/* The "matrix" object of a run's record. */
json_t *gctb_matrix_tag(const gctb_matrix *m, gctb_run_ref r);

/* ---- shards (matrix/shard.c, docs/cluster.md) ---- */

typedef struct gctb_shard {
  unsigned k, n; /* shard k (1..n) of n; n == 0: the whole matrix */
} gctb_shard;

#define GCTB_SHARDS_MAX 100000u

/* "K/N" with 1 <= K <= N <= GCTB_SHARDS_MAX; false with a message. */
bool gctb_shard_parse(const char *text, gctb_shard *s, char *err,
                      size_t errlen);
/* Checks the matrix's "cost" object (at parse time). */
bool gctb_matrix_cost_check(const json_t *cost, char *err, size_t errlen);
/* The shard (1..n) of every run, indexed cell * invocations + invocation:
 * disjoint parts balanced by the cells' expected costs. It depends on the
 * matrix file and n only, so every task computes the same partition. NULL
 * with a message when a cost cannot be computed (caller frees). */
unsigned *gctb_matrix_partition(const gctb_matrix *m, unsigned n, char *err,
                                size_t errlen);

/* ---- a sharded matrix's results directory (matrix/shard_dir.c) ---- */

/* DIR/shard-K-of-N.jsonl, K zero-padded to N's width so names sort. */
void gctb_dir_shard_file(const char *dir, gctb_shard s, char *buf, size_t len);
/* K and N from a shard file's name (any directory); false if it is not
 * one. */
bool gctb_dir_parse_shard_file(const char *path, gctb_shard *s);
bool gctb_dir_exists(const char *path);
/* Creates dir (and its parents) and records the matrix and n in it
 * (matrix.json, shards.json); refuses a directory that holds another
 * matrix or another number of shards. */
bool gctb_dir_prepare(const char *dir, const gctb_matrix *m, unsigned n,
                      char *err, size_t errlen);
/* DIR/matrix.json, parsed into m; false with a message. */
bool gctb_dir_load_matrix(const char *dir, gctb_matrix *m, char *err,
                          size_t errlen);
/* N from DIR/shards.json, else from the shard files' names; 0 when
 * neither tells. */
unsigned gctb_dir_shards(const char *dir);
/* The *.jsonl files in dir, sorted (caller frees each and the array). */
char **gctb_dir_result_files(const char *dir, size_t *n);
void gctb_dir_free_list(char **list, size_t n);

/* ---- Slurm (matrix/slurm.c) ---- */

typedef struct gctb_slurm_opts {
  unsigned shards;
  const char *partition, *time;
  const char **sbatch_args;
  size_t nsbatch_args;
  bool no_submit, shared_nodes;
} gctb_slurm_opts;

/* Writes DIR/job.sbatch for m (whose minimum heaps are measured) and,
 * unless no_submit, submits it; prints the job id and how to follow it.
 * Returns an exit code. */
int gctb_slurm_submit(const gctb_matrix *m, const char *dir, const char *cache,
                      double timeout_s, const gctb_slurm_opts *o);
/* Asks squeue about the array jobs listed in DIR/slurm-jobs: state[k]
 * (k = 1..n) becomes 'R' (running), 'P' (pending) or stays 0. False when
 * squeue answered for none of them (no Slurm, no jobs, or jobs it has
 * forgotten). */
bool gctb_slurm_queue(const char *dir, unsigned n, char *state);

/* ---- the results file ---- */

typedef struct gctb_store {
  char *path;
  int fd;         /* O_APPEND, locked exclusively while the matrix runs */
  json_t *done;   /* run_key -> status, runs recorded for this matrix */
  size_t foreign; /* records of another matrix id */
  char foreign_id[17];
  size_t bad_lines, dropped_bytes;
} gctb_store;

/* Opens (creating) path and locks it. With resume, reads the runs already
 * recorded and cuts a partial last line (a run killed while writing);
 * without, the file must be empty or absent. */
bool gctb_store_open(gctb_store *s, const char *path, const char *matrix_id,
                     bool resume, char *err, size_t errlen);
/* Scans path read-only (dry runs): same as open with resume, no lock and no
 * cutting. */
bool gctb_store_scan(gctb_store *s, const char *path, const char *matrix_id,
                     char *err, size_t errlen);
void gctb_store_close(gctb_store *s);
bool gctb_store_is_done(const gctb_store *s, const char *run_key);
/* The file's size now (where a child's record will start). */
int64_t gctb_store_size(const gctb_store *s);
/* After a child: the status of the record for run_key written at or after
 * offset, or NULL if there is none; cuts anything after offset that is not
 * a whole line (a child killed while writing). The record is also marked
 * done. */
const char *gctb_store_collect(gctb_store *s, int64_t offset,
                               const char *run_key);
/* Appends record as one line and marks run_key done. */
bool gctb_store_append(gctb_store *s, const json_t *record, const char *run_key,
                       char *err, size_t errlen);

/* Parses lines of a results file, calling fn for each complete record;
 * returns the offset after the last complete, valid line and counts lines
 * that do not parse. Shared by the store and the tests. */
int64_t gctb_store_read(int fd, void (*fn)(json_t *rec, void *ctx), void *ctx,
                        size_t *bad_lines, int64_t *file_size);

/* ---- one run in a child process ---- */

typedef struct gctb_child {
  int exit_code;  /* when it exited, else -1 */
  int signal;     /* the signal that ended it, else 0 */
  bool timed_out; /* killed by us at the timeout */
  uint64_t elapsed_ns;
  char stderr_tail[2048]; /* the end of its standard error */
} gctb_child;

/* The executable children run: /proc/self/exe unless set. */
void gctb_child_set_exe(const char *path);
/* A flag (set by a signal handler) that, once non-zero, makes a waiting
 * gctb_child_run kill its child and return. */
void gctb_child_set_cancel(volatile int *flag);
/* Runs `gctb run -` with config on standard input, --quiet, --out out and,
 * if tag is not NULL, --matrix-tag tag; waits at most timeout_s seconds (0:
 * no limit). False only when no child could be started. */
bool gctb_child_run(const json_t *config, const char *out, const json_t *tag,
                    double timeout_s, gctb_child *res, char *err,
                    size_t errlen);
/* "killed by signal 6 (Aborted)", "timed out after 10 s", "exit 2". */
void gctb_child_describe(const gctb_child *c, double timeout_s, char *buf,
                         size_t len);

/* ---- progress ---- */

typedef struct gctb_progress {
  bool tty;
  size_t total, done, skipped;
  uint64_t t0, run_ns; /* time spent in runs this session */
  size_t ran;          /* runs this session */
  int width;
} gctb_progress;

void gctb_progress_init(gctb_progress *p, size_t total, size_t skipped);
/* Before a run: shows what is starting. */
void gctb_progress_start(gctb_progress *p, size_t index, const char *what);
/* After it: counts it and shows the outcome. */
void gctb_progress_end(gctb_progress *p, const char *what, const char *status,
                       uint64_t elapsed_ns);
void gctb_progress_finish(gctb_progress *p);
/* "1h02m", "3m05s", "12.3s", "340ms" */
void gctb_format_duration(uint64_t ns, char *buf, size_t len);

/* ---- commands ---- */

/* Command-line helpers: "--out FILE" or "--out=FILE". */
bool gctb_arg_is(const char *arg, const char *flag);
/* The flag's value, advancing *i past it; NULL when missing. */
const char *gctb_arg_value(int argc, char **argv, int *i, const char *flag);
/* A number flag's value; false with a message when it is not one. */
bool gctb_arg_number(int argc, char **argv, int *i, const char *flag,
                     double *out);

int gctb_matrix_main(int argc, char **argv);
int gctb_plot_main(int argc, char **argv);
int gctb_report_main(int argc, char **argv);
/* `gctb matrix M.json --status DIR [--shards N]` (matrix/status.c). */
int gctb_matrix_status(const gctb_matrix *m, const char *dir, unsigned n);
/* `gctb merge DIR [--out FILE] [--matrix M.json] [--partial]` (merge.c). */
int gctb_merge_main(int argc, char **argv);

/* The checks of `gctb merge` on dir (merge.c): every record a run of m,
 * none twice, one build commit; with partial, missing runs are allowed.
 * Problems are printed naming the files. Fills *files with the result
 * files read (caller frees with gctb_dir_free_list) when it passes. */
bool gctb_merge_check(const char *dir, const gctb_matrix *m, bool partial,
                      char ***files, size_t *nfiles);

/* The test-only policy "test-fault" (when GCTB_TEST_POLICIES=1): aborts,
 * segfaults or hangs on demand, so tests can show a crash or a hang does
 * not take a matrix down. */
const gc_policy *gctb_test_policy_find(const char *name);
/* "test-delay" (test_policies/delay.c): delays a mutator on demand, so tests
 * can show a delay reaches the record and the summary. */
const gc_policy *gctb_test_delay_policy(void);
/* A test policy: nogc with its own name, options, init and allocation slow
 * path. */
void gctb_test_policy_make(gc_policy *p, const char *name, const char *summary,
                           const gc_option_spec *options,
                           bool (*init)(gc_heap *, const gc_options *, char *,
                                        size_t),
                           gc_ref (*alloc_slow)(gc_mutator *, size_t,
                                                uint64_t));

#endif
