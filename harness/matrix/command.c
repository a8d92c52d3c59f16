/* command.c — `gctb matrix`: plan the runs, measure the minimum heaps they
 * need, run each in a child process, record every outcome (matrix.h,
 * docs/matrix.md).
 *
 * A matrix is checked completely before anything runs: a misspelt axis key
 * would otherwise produce hours of records for the wrong experiment. After
 * that, nothing a run does stops the matrix: a crash, a hang, running out
 * of memory or a policy refusing the heap size is written down as that
 * run's record and the next run starts. */
#include "harness/matrix/matrix.h"
#include "harness/record/results_dir.h"
#include "harness/run/run.h"
#include "heap/events.h"
#include "heap/util.h"
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct matrix_args {
  const char *file, *out, *cache;
  bool resume, dry_run;
  double timeout_s; /* 0: the matrix's */
  gctb_shard shard; /* --shard K/N; n == 0: the whole matrix */
  const char *status_dir;
  bool slurm;
  gctb_slurm_opts slurm_opts; /* .shards is --shards, also for --status */
} matrix_args;

typedef struct plan {
  gctb_matrix m;
  json_t **configs;    /* per cell */
  char **cell_error;   /* per cell: why it cannot run, or NULL */
  bool *min_multiple;  /* per cell: its heap is a multiple of the min heap */
  gctb_run_ref *order; /* this shard's runs only, when sharded */
  size_t nruns;
  gctb_shard shard;
  unsigned *partition; /* when sharded: each run's shard (matrix.h) */
  gctb_store store;
  json_t *machine;
  char out[4096];
} plan;

static volatile int interrupted;

static void on_signal(int sig) { interrupted = sig; }

/* ---- planning ---- */

/* "policy.name=segfit heap.multiple=2": a cell for people. */
static void describe_cell(const gctb_matrix *m, size_t c, char *buf,
                          size_t len) {
  json_t *values = gctb_matrix_cell_values(m, c), *v;
  const char *key;
  size_t n = 0;
  buf[0] = 0;
  json_object_foreach(values, key, v) {
    char *text = json_is_string(v)
                     ? strdup(json_string_value(v))
                     : json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    if (n < len)
      n += (size_t)snprintf(buf + n, len - n, "%s%s=%s", n ? " " : "", key,
                            text ? text : "?");
    free(text);
  }
  if (!m->naxes)
    snprintf(buf, len, "base");
  json_decref(values);
}

static bool uses_min_heap(const json_t *config) {
  return json_object_get(json_object_get(config, "heap"), "min_multiple");
}

/* Validates config; with placeholder, a min_multiple heap is replaced by
 * multiple 1 first (its minimum heap may not be measured yet). */
static bool validate(const json_t *config, bool placeholder, char *err,
                     size_t errlen) {
  json_t *c = json_deep_copy(config);
  if (placeholder)
    json_object_set_new(c, "heap", json_pack("{s:f}", "multiple", 1.0));
  gctb_config cfg;
  bool ok = gctb_config_load_json(c, &cfg, err, errlen);
  if (ok)
    gctb_config_free(&cfg);
  json_decref(c);
  return ok;
}

/* Builds and checks every cell's config; false (message printed) on the
 * first that does not validate. */
static bool plan_cells(plan *p) {
  gctb_matrix *m = &p->m;
  p->configs = calloc(m->ncells, sizeof *p->configs);
  p->cell_error = calloc(m->ncells, sizeof *p->cell_error);
  p->min_multiple = calloc(m->ncells, sizeof *p->min_multiple);
  for (size_t c = 0; c < m->ncells; c++) {
    char err[1024], what[512];
    p->configs[c] = gctb_matrix_cell_config(m, c, err, sizeof err);
    p->min_multiple[c] = p->configs[c] && uses_min_heap(p->configs[c]);
    if (p->min_multiple[c])
      gctb_minheap_set_reference(p->configs[c], &m->minheap);
    if (!p->configs[c] ||
        !validate(p->configs[c], p->min_multiple[c], err, sizeof err)) {
      describe_cell(m, c, what, sizeof what);
      fprintf(stderr, "matrix error: cell %zu (%s): %s\n", c, what, err);
      return false;
    }
  }
  return true;
}

/* The matrix file's name without directory and extension. */
static int file_stem(const char *file, const char **base) {
  *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
  return (int)strcspn(*base, ".");
}

static void default_out(const char *file, char *buf, size_t len) {
  char stamp[32];
  time_t now = time(NULL);
  struct tm tm;
  const char *base;
  int n = file_stem(file, &base);
  gmtime_r(&now, &tm);
  strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
  char err[512];
  gctb_mkdir_p(gctb_results_dir(), err, sizeof err); /* else open says why */
  snprintf(buf, len, "%s/%.*s-%s.jsonl", gctb_results_dir(), n, base, stamp);
}

/* The results directory of a sharded matrix: --out when it names a
 * directory (an existing one, or ending in '/'), else
 * <results dir>/<matrix>-shards; "" when --out names a file. */
static void shard_dir(const matrix_args *a, char *buf, size_t len) {
  const char *base;
  int n = file_stem(a->file, &base);
  if (!a->out)
    snprintf(buf, len, "%s/%.*s-shards", gctb_results_dir(), n, base);
  else if (gctb_dir_exists(a->out) || a->out[strlen(a->out) - 1] == '/')
    snprintf(buf, len, "%s", a->out);
  else
    buf[0] = 0;
}

/* The "matrix" object of a run's record; a shard's runs say which. */
static json_t *plan_tag(const plan *p, gctb_run_ref r) {
  json_t *tag = gctb_matrix_tag(&p->m, r);
  if (p->shard.n)
    json_object_set_new(
        tag, "shard",
        json_pack("{s:i,s:i}", "k", (int)p->shard.k, "n", (int)p->shard.n));
  return tag;
}

static bool in_shard(const plan *p, size_t c, unsigned i) {
  return !p->partition || p->partition[c * p->m.invocations + i] == p->shard.k;
}

static size_t count_done(const plan *p) {
  size_t done = 0;
  for (size_t i = 0; i < p->nruns; i++) {
    char key[64];
    gctb_matrix_run_key(&p->m, p->order[i], key, sizeof key);
    done += gctb_store_is_done(&p->store, key);
  }
  return done;
}

/* ---- minimum heaps ---- */

static bool has_pending_runs(const plan *p, size_t c) {
  for (unsigned i = 0; i < p->m.invocations; i++) {
    char key[64];
    gctb_matrix_run_key(&p->m, (gctb_run_ref){c, i}, key, sizeof key);
    if (in_shard(p, c, i) && !gctb_store_is_done(&p->store, key))
      return true;
  }
  return false;
}

/* What a reference minimum-heap search depends on, as written in the cell
 * (so that cells differing only in their policy or heap share one failed
 * search). */
static char *search_key(const json_t *config) {
  json_t *k =
      json_pack("{s:O?,s:O?,s:O?}", "reference",
                json_object_get(json_object_get(config, "heap"), "reference"),
                "workload", json_object_get(config, "workload"), "gc_threads",
                json_object_get(config, "gc_threads"));
  char *text = json_dumps(k, JSON_COMPACT | JSON_SORT_KEYS);
  json_decref(k);
  return text;
}

/* Measures (or finds cached) the minimum heap of every cell that needs one
 * and still has runs to do; a cell whose search fails gets an error that
 * its runs will record. A failed search is not repeated for the cell's
 * other heap sizes. */
static void measure_min_heaps(plan *p) {
  json_t *failed = json_object();
  for (size_t c = 0; c < p->m.ncells && !interrupted; c++) {
    char err[2048];
    uint64_t bytes;
    if (!p->min_multiple[c] || !has_pending_runs(p, c))
      continue;
    char *key = search_key(p->configs[c]);
    const char *before = json_string_value(json_object_get(failed, key));
    if (before) {
      p->cell_error[c] = strdup(before);
    } else if (gctb_minheap_find_reference(p->configs[c], &p->m.minheap, &bytes,
                                           err, sizeof err) != GCTB_EXIT_OK) {
      p->cell_error[c] = strdup(err);
      json_object_set_new(failed, key, json_string(err));
    } else if (!validate(p->configs[c], false, err, sizeof err)) {
      p->cell_error[c] = strdup(err);
    }
    free(key);
  }
  json_decref(failed);
}

/* ---- one run ---- */

static void iso_now(char *buf, size_t len) {
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The effective config when the cell validates, else the cell as given.
 * A heap.min_multiple cell whose minimum heap is unknown is validated with
 * a placeholder heap and keeps its heap as given, so that its record names
 * the workload and policy with every default, like the records of its
 * neighbours. */
static json_t *record_config(const json_t *config) {
  char err[512];
  gctb_config cfg;
  json_t *c = json_deep_copy(config), *heap = json_object_get(config, "heap");
  bool placeholder = uses_min_heap(config);
  bool ok = gctb_config_load_json(c, &cfg, err, sizeof err);
  if (!ok && placeholder) {
    json_object_set_new(c, "heap", json_pack("{s:f}", "multiple", 1.0));
    ok = gctb_config_load_json(c, &cfg, err, sizeof err);
  } else {
    placeholder = false;
  }
  json_decref(c);
  if (!ok)
    return json_deep_copy(config);
  json_t *o = gctb_config_to_json(&cfg);
  gctb_config_free(&cfg);
  if (placeholder)
    json_object_set(o, "heap", heap);
  return o;
}

/* The record the matrix writes for a run that left none of its own. */
static json_t *parent_record(plan *p, gctb_run_ref r, const char *status,
                             const char *error, const gctb_child *c,
                             const char *started) {
  json_t *rec = json_pack("{s:s,s:s}", "status", status, "error", error);
  json_object_set_new(rec, "config", record_config(p->configs[r.cell]));
  json_object_set_new(rec, "machine", json_incref(p->machine));
  json_object_set_new(rec, "build", gctb_build_json());
  json_object_set_new(rec, "started_at", json_string(started));
  if (c) {
    json_object_set_new(rec, "elapsed_ns",
                        json_integer((json_int_t)c->elapsed_ns));
    json_object_set_new(rec, "exit_code",
                        c->exit_code >= 0 ? json_integer(c->exit_code)
                                          : json_null());
    json_object_set_new(rec, "signal",
                        c->signal ? json_integer(c->signal) : json_null());
    json_object_set_new(rec, "stderr", json_string(c->stderr_tail));
  }
  json_object_set_new(rec, "slurm", gctb_slurm_json());
  json_object_set_new(rec, "matrix", plan_tag(p, r));
  return rec;
}

/* What a child that wrote no record ended as. */
static const char *parent_status(const gctb_child *c) {
  if (c->timed_out)
    return "timeout";
  if (c->signal)
    return "crash";
  if (c->exit_code == GCTB_EXIT_USAGE)
    return "invalid"; /* e.g. the policy refused the heap size */
  if (c->exit_code == GCTB_EXIT_ERROR)
    return "unrecorded"; /* it said why: a full disk, a write error */
  return "norecord";
}

static void last_line(const char *text, char *buf, size_t len) {
  size_t n = strlen(text);
  while (n && text[n - 1] == '\n')
    n--;
  size_t start = n;
  while (start && text[start - 1] != '\n')
    start--;
  snprintf(buf, len, "%.*s", (int)(n - start), text + start);
}

static const char *run_child(plan *p, gctb_run_ref r, const char *key,
                             const char *started, gctb_child *c, char *err,
                             size_t errlen) {
  json_t *tag = plan_tag(p, r);
  int64_t offset = gctb_store_size(&p->store);
  bool started_ok = gctb_child_run(p->configs[r.cell], p->out, tag,
                                   p->m.timeout_s, c, err, errlen);
  json_decref(tag);
  if (!started_ok)
    return NULL;
  const char *status = gctb_store_collect(&p->store, offset, key);
  if (status || interrupted)
    return status;
  char why[128], last[512], msg[1024];
  status = parent_status(c);
  gctb_child_describe(c, p->m.timeout_s, why, sizeof why);
  last_line(c->stderr_tail, last, sizeof last);
  snprintf(msg, sizeof msg, "%s%s%s", why, *last ? ": " : "", last);
  json_t *rec = parent_record(p, r, status, msg, c, started);
  bool ok = gctb_store_append(&p->store, rec, key, err, errlen);
  json_decref(rec);
  if (ok && strcmp(status, "unrecorded") == 0) {
    /* The results file cannot take records (a full disk, most likely):
     * every later run would fail the same way. Stop; --resume runs this
     * one again. */
    gc_errorf(err, errlen,
              "the record of %s could not be written (%s); stopping", key, msg);
    return NULL;
  }
  return ok ? status : NULL;
}

/* Runs r; returns its status, or NULL when the matrix must stop. */
static const char *run_one(plan *p, gctb_run_ref r, gctb_progress *prog) {
  char key[64], what[600], cell[512], started[32], err[1024];
  gctb_child c = {0};
  const char *status;
  gctb_matrix_run_key(&p->m, r, key, sizeof key);
  describe_cell(&p->m, r.cell, cell, sizeof cell);
  snprintf(what, sizeof what, "%s #%u", cell, r.invocation + 1);
  iso_now(started, sizeof started);
  gctb_progress_start(prog, 0, what);
  if (p->cell_error[r.cell]) {
    json_t *rec =
        parent_record(p, r, "invalid", p->cell_error[r.cell], NULL, started);
    status = gctb_store_append(&p->store, rec, key, err, sizeof err) ? "invalid"
                                                                     : NULL;
    json_decref(rec);
  } else {
    status = run_child(p, r, key, started, &c, err, sizeof err);
  }
  if (!status && !interrupted)
    fprintf(stderr,
            "\nmatrix: %s\n  once the results file can be written again, "
            "continue with --resume --out %s\n",
            err, p->out);
  if (status)
    gctb_progress_end(prog, what, status, c.elapsed_ns);
  return status;
}

/* ---- the whole matrix ---- */

static void print_header(const plan *p, size_t done) {
  char shard[64] = "";
  if (p->shard.n)
    snprintf(shard, sizeof shard, "; shard %u/%u: %zu runs,", p->shard.k,
             p->shard.n, p->nruns);
  fprintf(stderr,
          "matrix %s (id %s): %zu cell%s x %u invocation%s = %zu runs%s %zu "
          "recorded, %zu to run\n  results: %s\n",
          p->m.name, p->m.id, p->m.ncells, p->m.ncells == 1 ? "" : "s",
          p->m.invocations, p->m.invocations == 1 ? "" : "s",
          p->m.ncells * (size_t)p->m.invocations, *shard ? shard : ",", done,
          p->nruns - done, p->out);
}

static void print_summary(const plan *p) {
  json_t *counts = json_object(), *v;
  const char *key;
  json_object_foreach(p->store.done, key, v) {
    json_t *n = json_object_get(counts, json_string_value(v));
    json_object_set_new(counts, json_string_value(v),
                        json_integer(n ? json_integer_value(n) + 1 : 1));
  }
  fprintf(stderr,
          "matrix: %zu runs recorded:", json_object_size(p->store.done));
  json_object_foreach(counts, key, v) {
    fprintf(stderr, " %s %lld", key, (long long)json_integer_value(v));
  }
  fprintf(stderr, "\n  results: %s\n  next:    gctb report %s; gctb plot %s\n",
          p->out, p->out, p->out);
  json_decref(counts);
}

static void dry_run(const plan *p) {
  for (size_t i = 0; i < p->nruns; i++) {
    char key[64], cell[512];
    gctb_run_ref r = p->order[i];
    gctb_matrix_run_key(&p->m, r, key, sizeof key);
    describe_cell(&p->m, r.cell, cell, sizeof cell);
    printf("%5zu  cell %-4zu inv %-3u %-8s %s%s\n", i + 1, r.cell,
           r.invocation + 1,
           gctb_store_is_done(&p->store, key) ? "done" : "pending", cell,
           p->min_multiple[r.cell] ? "  (needs the minimum heap)" : "");
  }
}

static int run_all(plan *p) {
  gctb_progress prog;
  size_t done = count_done(p);
  print_header(p, done);
  measure_min_heaps(p);
  gctb_progress_init(&prog, p->nruns, done);
  for (size_t i = 0; i < p->nruns && !interrupted; i++) {
    char key[64];
    gctb_matrix_run_key(&p->m, p->order[i], key, sizeof key);
    if (gctb_store_is_done(&p->store, key))
      continue;
    if (!run_one(p, p->order[i], &prog) && !interrupted) {
      gctb_progress_finish(&prog);
      return GCTB_EXIT_ERROR;
    }
  }
  gctb_progress_finish(&prog);
  print_summary(p);
  if (interrupted) {
    fprintf(stderr, "matrix: interrupted; continue with --resume --out %s\n",
            p->out);
    return 128 + interrupted;
  }
  return GCTB_EXIT_OK;
}

static void install_signals(void) {
  struct sigaction sa = {.sa_handler = on_signal};
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);
  gctb_child_set_cancel(&interrupted);
}

static bool load_matrix(const matrix_args *a, gctb_matrix *m, char *err,
                        size_t errlen) {
  json_t *root = gctb_config_read_file(a->file, err, errlen);
  if (!root)
    return false;
  bool ok = gctb_matrix_parse(root, m, err, errlen);
  json_decref(root);
  if (ok && a->timeout_s > 0)
    m->timeout_s = a->timeout_s;
  return ok;
}

/* Keeps the runs of p's shard in p->order (in their execution order). */
static bool select_shard(plan *p, gctb_shard s, char *err, size_t errlen) {
  size_t total = p->m.ncells * (size_t)p->m.invocations, n = 0;
  if (s.n > total)
    return gc_errorf(err, errlen,
                     "--shard %u/%u: the matrix has only %zu runs, so some "
                     "shards would be empty; use N <= %zu",
                     s.k, s.n, total, total);
  p->shard = s;
  if (!(p->partition = gctb_matrix_partition(&p->m, s.n, err, errlen)))
    return false;
  for (size_t i = 0; i < p->nruns; i++)
    if (in_shard(p, p->order[i].cell, p->order[i].invocation))
      p->order[n++] = p->order[i];
  p->nruns = n;
  return true;
}

static bool open_plan(plan *p, const matrix_args *a, char *err, size_t errlen) {
  char dir[4096] = "";
  if (!load_matrix(a, &p->m, err, errlen))
    return false;
  if (a->cache || p->m.minheap_cache)
    gctb_minheap_set_cache(a->cache ? a->cache : p->m.minheap_cache);
  p->order = gctb_matrix_order(&p->m, &p->nruns);
  if (a->shard.n && !select_shard(p, a->shard, err, errlen))
    return false;
  if (a->shard.n)
    shard_dir(a, dir, sizeof dir);
  if (*dir)
    gctb_dir_shard_file(dir, a->shard, p->out, sizeof p->out);
  else if (a->out)
    snprintf(p->out, sizeof p->out, "%s", a->out);
  else
    default_out(a->file, p->out, sizeof p->out);
  /* A shard's directory records the matrix and N for merge and status. */
  return !*dir || a->dry_run ||
         gctb_dir_prepare(dir, &p->m, a->shard.n, err, errlen);
}

static bool open_store(plan *p, const matrix_args *a, char *err,
                       size_t errlen) {
  bool ok =
      a->dry_run
          ? gctb_store_scan(&p->store, p->out, p->m.id, err, errlen)
          : gctb_store_open(&p->store, p->out, p->m.id, a->resume, err, errlen);
  if (ok && p->store.foreign)
    ok = gc_errorf(err, errlen,
                   "%s holds %zu runs of another matrix (id %s; this one is "
                   "%s): its base or axes differ. Use another --out.",
                   p->out, p->store.foreign, p->store.foreign_id, p->m.id);
  if (ok && p->store.dropped_bytes)
    fprintf(stderr,
            "matrix: %s: %s a partial last line (%zu bytes) left by "
            "an interrupted run\n",
            p->out, a->dry_run ? "would drop" : "dropped",
            p->store.dropped_bytes);
  if (ok && p->store.bad_lines)
    fprintf(stderr, "matrix: %s: ignoring %zu lines that are not JSON\n",
            p->out, p->store.bad_lines);
  return ok;
}

static void free_plan(plan *p) {
  for (size_t c = 0; c < p->m.ncells && p->configs; c++) {
    json_decref(p->configs[c]);
    free(p->cell_error[c]);
  }
  free(p->configs);
  free(p->cell_error);
  free(p->min_multiple);
  free(p->order);
  free(p->partition);
  if (p->store.done)
    gctb_store_close(&p->store);
  json_decref(p->machine);
  gctb_matrix_free(&p->m);
}

/* --slurm: the minimum heaps are measured here, once, before any task
 * starts; the tasks then find them in the cache. */
static int matrix_slurm(plan *p, const matrix_args *a) {
  char dir[4096], err[2048], cache[4096];
  size_t total = p->m.ncells * (size_t)p->m.invocations, failed = 0;
  gctb_slurm_opts o = a->slurm_opts;
  if (!o.shards) /* one task per cell by default, within Slurm's usual
                    MaxArraySize */
    o.shards = (unsigned)(p->m.ncells < 1000 ? p->m.ncells : 1000);
  if (o.shards > total) {
    fprintf(stderr,
            "matrix error: --shards %u: the matrix has only %zu runs, so "
            "some tasks would have nothing to do\n",
            o.shards, total);
    return GCTB_EXIT_USAGE;
  }
  struct stat st;
  shard_dir(a, dir, sizeof dir);
  if (a->out) /* with --slurm, --out always names the directory */
    snprintf(dir, sizeof dir, "%s", a->out);
  if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
    fprintf(stderr,
            "matrix error: --slurm: --out %s exists and is not a directory "
            "(it names the results directory)\n",
            a->out);
    return GCTB_EXIT_USAGE;
  }
  install_signals();
  measure_min_heaps(p);
  if (interrupted)
    return 128 + interrupted;
  for (size_t c = 0; c < p->m.ncells; c++)
    if (p->cell_error[c] && !failed++)
      fprintf(stderr, "matrix: warning: cell %zu: %s\n", c, p->cell_error[c]);
  if (failed)
    fprintf(stderr,
            "matrix: warning: %zu cells have no minimum heap; their runs will "
            "be recorded as invalid (the tasks whose shards hold them search "
            "again)\n",
            failed);
  const char *c = gctb_minheap_cache_path();
  if (c[0] == '/' || !getcwd(cache, sizeof cache - strlen(c) - 2))
    snprintf(cache, sizeof cache, "%s", c);
  else
    snprintf(cache + strlen(cache), sizeof cache - strlen(cache), "/%s", c);
  if (!gctb_dir_prepare(dir, &p->m, o.shards, err, sizeof err)) {
    fprintf(stderr, "matrix error: %s\n", err);
    return GCTB_EXIT_USAGE;
  }
  return gctb_slurm_submit(&p->m, dir, cache, a->timeout_s, &o);
}

static int matrix_status(const matrix_args *a) {
  gctb_matrix m;
  char err[2048];
  if (!load_matrix(a, &m, err, sizeof err)) {
    fprintf(stderr, "matrix error: %s\n", err);
    return GCTB_EXIT_USAGE;
  }
  int rc = gctb_matrix_status(&m, a->status_dir, a->slurm_opts.shards);
  gctb_matrix_free(&m);
  return rc;
}

static int matrix_run(const matrix_args *a) {
  plan p = {0};
  char err[2048];
  int rc = GCTB_EXIT_USAGE;
  if (a->status_dir)
    return matrix_status(a);
  if (!open_plan(&p, a, err, sizeof err) ||
      (!a->slurm && !open_store(&p, a, err, sizeof err))) {
    fprintf(stderr, "matrix error: %s\n", err);
  } else if (plan_cells(&p)) {
    if (a->slurm) {
      rc = matrix_slurm(&p, a);
    } else if (a->dry_run) {
      print_header(&p, count_done(&p));
      dry_run(&p);
      rc = GCTB_EXIT_OK;
    } else {
      p.machine = gctb_machine_json();
      install_signals();
      rc = run_all(&p);
    }
  }
  free_plan(&p);
  return rc;
}

/* ---- command line ---- */

static int usage(const char *msg, const char *arg) {
  fprintf(stderr, "gctb matrix: ");
  fprintf(stderr, msg, arg);
  fprintf(stderr, "\n(see gctb help matrix)\n");
  return GCTB_EXIT_USAGE;
}

/* The options of --slurm (and --shards, which --status shares); 0 when arg
 * is one of them, -1 when it is not, else an exit code. */
static int parse_slurm(int argc, char **argv, int *i, matrix_args *a,
                       bool *slurm_only) {
  const char *arg = argv[*i];
  gctb_slurm_opts *o = &a->slurm_opts;
  double n;
  *slurm_only = true;
  if (strcmp(arg, "--slurm") == 0) {
    a->slurm = true;
    *slurm_only = false;
  } else if (gctb_arg_is(arg, "--shards")) {
    *slurm_only = false;
    if (!gctb_arg_number(argc, argv, i, "--shards", &n) || n < 1 ||
        n > GCTB_SHARDS_MAX || n != (unsigned)n)
      return usage("--shards needs a whole number from 1 to 100000%s", "");
    o->shards = (unsigned)n;
  } else if (gctb_arg_is(arg, "--partition")) {
    if (!(o->partition = gctb_arg_value(argc, argv, i, "--partition")))
      return usage("%s needs a partition name", arg);
  } else if (gctb_arg_is(arg, "--time")) {
    if (!(o->time = gctb_arg_value(argc, argv, i, "--time")))
      return usage("%s needs a time limit (Slurm's format, e.g. 4:00:00)", arg);
  } else if (gctb_arg_is(arg, "--sbatch-arg")) {
    const char *v = gctb_arg_value(argc, argv, i, "--sbatch-arg");
    if (!v)
      return usage("%s needs an sbatch option, e.g. --sbatch-arg=--qos=long",
                   arg);
    o->sbatch_args[o->nsbatch_args++] = v;
  } else if (strcmp(arg, "--no-submit") == 0) {
    o->no_submit = true;
  } else if (strcmp(arg, "--no-exclusive") == 0) {
    o->shared_nodes = true;
  } else {
    return -1;
  }
  return 0;
}

/* Options that do not go together. */
static int check_combination(const matrix_args *a, const char *slurm_only) {
  if (slurm_only && !a->slurm)
    return usage("%s goes only with --slurm", slurm_only);
  if (a->slurm_opts.shards && !a->slurm && !a->status_dir)
    return usage("--shards goes with --slurm or --status; to run one shard "
                 "use --shard K/N%s",
                 "");
  if (a->slurm && (a->shard.n || a->dry_run || a->status_dir))
    return usage("--slurm does not go with --shard, --dry-run or --status "
                 "(--no-submit only writes the job script)%s",
                 "");
  if (a->status_dir && (a->shard.n || a->dry_run || a->resume))
    return usage("--status does not go with --shard, --dry-run or "
                 "--resume%s",
                 "");
  return -1;
}

static int parse(int argc, char **argv, matrix_args *a) {
  const char *slurm_only = NULL;
  char err[256];
  a->slurm_opts.sbatch_args = calloc((size_t)argc, sizeof(char *));
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i];
    bool only;
    int rc = parse_slurm(argc, argv, &i, a, &only);
    if (rc > 0)
      return rc;
    if (rc == 0) {
      slurm_only = only && !slurm_only ? arg : slurm_only;
    } else if (gctb_arg_is(arg, "--out") || strcmp(arg, "-o") == 0) {
      if (!(a->out = gctb_arg_value(argc, argv, &i, "--out")) || !*a->out)
        return usage("%s needs a FILE", arg);
    } else if (gctb_arg_is(arg, "--shard")) {
      const char *v = gctb_arg_value(argc, argv, &i, "--shard");
      if (!gctb_shard_parse(v, &a->shard, err, sizeof err))
        return usage("%s", err);
    } else if (gctb_arg_is(arg, "--status")) {
      if (!(a->status_dir = gctb_arg_value(argc, argv, &i, "--status")))
        return usage("%s needs the results DIR of a sharded matrix", arg);
    } else if (gctb_arg_is(arg, "--minheap-cache")) {
      if (!(a->cache = gctb_arg_value(argc, argv, &i, "--minheap-cache")))
        return usage("%s needs a FILE", arg);
    } else if (gctb_arg_is(arg, "--timeout")) {
      if (!gctb_arg_number(argc, argv, &i, "--timeout", &a->timeout_s) ||
          !(a->timeout_s > 0))
        return usage("%s needs seconds (a number > 0)", arg);
    } else if (strcmp(arg, "--resume") == 0) {
      a->resume = true;
    } else if (strcmp(arg, "--dry-run") == 0 || strcmp(arg, "-n") == 0) {
      a->dry_run = true;
    } else if (arg[0] == '-' && arg[1]) {
      return usage("unknown option %s", arg);
    } else if (a->file) {
      return usage("more than one matrix (%s)", arg);
    } else {
      a->file = arg;
    }
  }
  if (!a->file)
    return usage("missing MATRIX.json%s", "");
  return check_combination(a, slurm_only);
}

int gctb_matrix_main(int argc, char **argv) {
  matrix_args a = {0};
  int rc = parse(argc, argv, &a);
  rc = rc >= 0 ? rc : matrix_run(&a);
  free(a.slurm_opts.sbatch_args);
  return rc;
}
