/* embed.h — gctb as a library: a program of its own runs its mutator code
 * against any of gctb's policies and gets the same result record as
 * `gctb run` (installed as <gctb/embed.h>; docs/embedding.md).
 *
 *   gctb_session *s = gctb_session_open(
 *       "{\"policy\": {\"name\": \"immix\"}, \"heap\": {\"size\": \"64M\"}}",
 *       &(gctb_session_opts){.out_path = "runs.jsonl"}, err, sizeof err);
 *   gc_mutator *m = gc_attach(gctb_session_heap(s));
 *   ... gc_type_register, gc_alloc, gc_root_push, gc_write_ref ...
 *   gc_detach(m);
 *   gctb_session_finish(s, NULL);   // the record goes to runs.jsonl
 *
 * The config is a `gctb run` config (docs/config.md), validated by the same
 * code with the same messages. Its "workload" key is optional: the program
 * is the workload, declared by opts.workload (a name, parameters the config
 * may set under workload.params, and a live size for heap.multiple), or
 * named "embedded" with no parameters and no live size when it declares
 * nothing. The clock starts when gctb_session_open returns; the record's
 * times are relative to that moment.
 *
 * As in `gctb run`, out of memory (or a wrong value found by the verifier
 * or reported with gc_fail) writes the record with status "oom" ("error")
 * and ends the process with exit status 3 (1). One session at a time.
 */
#ifndef GCTB_EMBED_H
#define GCTB_EMBED_H

#include "gctb.h"
#include "options.h"
#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct gc_workload; /* workload.h */
typedef struct gctb_session gctb_session;

typedef struct gctb_session_opts {
  /* Append the record to this JSON-lines file; NULL: a new file
   * <UTC time>-<policy>-<workload>.jsonl in $GCTB_RESULTS_DIR (default
   * ./results), as `gctb run` does. */
  const char *out_path;
  /* Also write the run's Chrome trace-event file here (needs Python 3:
   * `gctb trace`); NULL: none. */
  const char *trace_path;
  /* Print `gctb run`'s summary on stdout at the end. */
  bool summary;
  /* What the program declares itself as (workload.h); its run function is
   * not called and may be NULL. NULL: "embedded", no parameters. */
  const struct gc_workload *workload;
} gctb_session_opts;

/* Creates the heap the JSON config text asks for. NULL on a bad config or
 * an impossible heap, with the message `gctb run` prints in err ("config
 * error: heap.size: ..."). opts may be NULL (all defaults). */
gctb_session *gctb_session_open(const char *config_json,
                                const gctb_session_opts *opts, char *err,
                                size_t errlen);
/* The same with the config read from a file ("-": standard input). */
gctb_session *gctb_session_open_file(const char *path,
                                     const gctb_session_opts *opts, char *err,
                                     size_t errlen);

/* The heap: attach each thread that uses it with gc_attach (gctb.h) and
 * detach it before gctb_session_finish. */
gc_heap *gctb_session_heap(gctb_session *s);
/* The config's workload.params, validated against opts.workload's
 * declaration (read them with gc_opt_int and friends, options.h), and its
 * seed. */
const gc_options *gctb_session_params(gctb_session *s);
uint64_t gctb_session_seed(gctb_session *s);

/* Runs fn on n new threads, each attached to the heap for its whole life
 * (fn's m), and returns when all have detached; with n = 1, on the calling
 * thread. The caller must not be attached itself: it only waits, so no
 * collection waits for it. What the built-in multi-threaded workloads use. */
void gctb_session_run_threads(gctb_session *s, unsigned n,
                              void (*fn)(gc_mutator *m, unsigned index,
                                         void *arg),
                              void *arg);

/* Adds a number to the record's "workload" metrics object. */
void gctb_session_metric(gctb_session *s, const char *name, double value);

/* Ends the run (every mutator detached): measures it, writes the record
 * (and the trace, and the summary, as opts asked), destroys the heap and
 * frees s. With record_json, *record_json receives the record as one line
 * of JSON (free it with free()). Returns 0, or 1 when the record could not
 * be written or encoded. */
int gctb_session_finish(gctb_session *s, char **record_json);

#ifdef __cplusplus
}
#endif
#endif /* GCTB_EMBED_H */
