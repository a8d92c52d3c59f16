/* merge.c — `gctb merge DIR` (matrix.h, docs/cluster.md): the shard files
 * of a sharded matrix as one results file, checked.
 *
 * A study merged from many machines must not quietly hold a run twice
 * (a shard resumed into the wrong file, a task run under two N), a record
 * of another experiment, or runs of two different builds. The merge reads
 * every *.jsonl file in DIR and refuses, naming the files and lines, when
 * a record is not a run of the matrix, a run appears twice, the records
 * come from more than one commit, a line is not a whole record, or (unless
 * --partial) a run is missing. Records are copied byte for byte, in the
 * order of the matrix's runs (cell, then invocation). */
#define _GNU_SOURCE /* getline */
#include "harness/matrix/matrix.h"
#include "harness/run/run.h"
#include "heap/util.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SHOW_MAX 10 /* problems of one kind printed in full */

typedef struct seen {
  int file; /* -1: not seen */
  size_t line;
  int64_t off;
  size_t len;
} seen;

typedef struct merge {
  const gctb_matrix *m;
  unsigned n;     /* shards, 0 when unknown */
  unsigned *part; /* each run's shard when n */
  seen *runs;
  char **files;
  size_t nfiles;
  json_t *commits;  /* commit -> [file names] */
  json_t *statuses; /* status -> count */
  size_t dups, strays, bad, cut, misplaced, missing;
} merge;

static void describe_run(const merge *g, size_t r, char *buf, size_t len) {
  char key[64];
  gctb_run_ref ref = {r / g->m->invocations, (unsigned)(r % g->m->invocations)};
  gctb_matrix_run_key(g->m, ref, key, sizeof key);
  int n = snprintf(buf, len, "%s (cell %zu, invocation %u", key, ref.cell,
                   ref.invocation + 1);
  if (g->n && n > 0 && (size_t)n < len)
    n += snprintf(buf + n, len - (size_t)n, ", shard %u/%u", g->part[r], g->n);
  if (n > 0 && (size_t)n < len)
    snprintf(buf + n, len - (size_t)n, ")");
}

/* The build as merge compares it: the commit, and whether the tree had
 * uncommitted changes where the record says so. */
static void note_commit(merge *g, const json_t *rec, const char *file) {
  json_t *build = json_object_get(rec, "build");
  const char *c = json_string_value(json_object_get(build, "commit"));
  char key[256];
  snprintf(key, sizeof key, "%s%s", c ? c : "(none)",
           json_is_true(json_object_get(build, "dirty")) ? " (dirty)" : "");
  json_t *files = json_object_get(g->commits, key);
  if (!files) {
    files = json_array();
    json_object_set_new(g->commits, key, files);
  }
  size_t i;
  json_t *f;
  json_array_foreach(files, i, f) {
    if (strcmp(json_string_value(f), file) == 0)
      return;
  }
  json_array_append_new(files, json_string(file));
}

static void note_status(merge *g, const json_t *rec) {
  const char *s = json_string_value(json_object_get(rec, "status"));
  s = s ? s : "?";
  json_t *n = json_object_get(g->statuses, s);
  json_object_set_new(g->statuses, s,
                      json_integer(n ? json_integer_value(n) + 1 : 1));
}

/* One whole line of file fi: a record of one run, or a problem. */
static void take_line(merge *g, int fi, size_t line, int64_t off,
                      const char *text, size_t len) {
  const char *file = g->files[fi];
  json_t *rec = json_loadb(text, len, 0, NULL);
  const char *key = json_string_value(
      json_object_get(json_object_get(rec, "matrix"), "run_key"));
  gctb_run_ref r;
  gctb_shard s;
  if (!json_is_object(rec)) {
    if (g->bad++ < SHOW_MAX)
      fprintf(stderr, "merge: %s:%zu: not a JSON record\n", file, line);
  } else if (!gctb_matrix_parse_run_key(g->m, key, &r)) {
    if (g->strays++ < SHOW_MAX)
      fprintf(stderr,
              "merge: %s:%zu: stray record: %s%s%s is not a run of matrix "
              "\"%s\" (id %s)\n",
              file, line, key ? "run " : "", key ? key : "a record",
              key ? "" : " without a matrix run key", g->m->name, g->m->id);
  } else {
    size_t idx = r.cell * g->m->invocations + r.invocation;
    seen *sn = &g->runs[idx];
    char what[160];
    describe_run(g, idx, what, sizeof what);
    if (sn->file >= 0) {
      if (g->dups++ < SHOW_MAX)
        fprintf(stderr, "merge: duplicate: run %s in %s:%zu and %s:%zu\n", what,
                g->files[sn->file], sn->line, file, line);
    } else {
      *sn = (seen){fi, line, off, len};
      note_commit(g, rec, file);
      note_status(g, rec);
      if (g->n && gctb_dir_parse_shard_file(file, &s) &&
          (s.n != g->n || s.k != g->part[idx]) && g->misplaced++ < SHOW_MAX)
        fprintf(stderr,
                "merge: note: %s:%zu holds run %s, of another shard (kept: "
                "it appears once)\n",
                file, line, what);
    }
  }
  json_decref(rec);
}

static void read_file(merge *g, int fi) {
  FILE *f = fopen(g->files[fi], "r");
  char *text = NULL;
  size_t cap = 0, line = 0;
  int64_t off = 0;
  ssize_t n;
  if (!f) {
    fprintf(stderr, "merge: cannot read %s: %s\n", g->files[fi],
            strerror(errno));
    g->bad++;
    return;
  }
  while ((n = getline(&text, &cap, f)) > 0) {
    line++;
    if (text[n - 1] != '\n') {
      g->cut++;
      fprintf(stderr,
              "merge: %s:%zu: a last line cut short (%zd bytes): its shard "
              "was interrupted; resume it (--resume) before merging\n",
              g->files[fi], line, n);
    } else {
      take_line(g, fi, line, off, text, (size_t)n);
    }
    off += n;
  }
  free(text);
  fclose(f);
}

static void more(size_t n, const char *what) {
  if (n > SHOW_MAX)
    fprintf(stderr, "merge: ... and %zu more %s\n", n - SHOW_MAX, what);
}

/* Reports what is missing and the commits; true when nothing is wrong. */
static bool verdict(merge *g, bool partial) {
  size_t total = g->m->ncells * (size_t)g->m->invocations;
  for (size_t r = 0; r < total; r++) {
    if (g->runs[r].file >= 0)
      continue;
    char what[160];
    describe_run(g, r, what, sizeof what);
    if (g->missing++ < SHOW_MAX && !partial)
      fprintf(stderr, "merge: missing: run %s\n", what);
  }
  more(g->bad, "lines that are not records");
  more(g->strays, "stray records");
  more(g->dups, "duplicates");
  more(g->misplaced, "runs in another shard's file");
  if (!partial)
    more(g->missing, "missing runs");
  if (json_object_size(g->commits) > 1) {
    const char *c;
    json_t *files;
    fprintf(stderr, "merge: the records come from more than one build:\n");
    json_object_foreach(g->commits, c, files) {
      char *list = json_dumps(files, JSON_COMPACT);
      fprintf(stderr, "  commit %s: %s\n", c, list);
      free(list);
    }
  }
  return !g->bad && !g->strays && !g->dups && !g->cut &&
         json_object_size(g->commits) <= 1 && (partial || !g->missing);
}

static bool same_file(const char *a, const struct stat *b) {
  struct stat st;
  return b && stat(a, &st) == 0 && st.st_dev == b->st_dev &&
         st.st_ino == b->st_ino;
}

/* Reads and checks every result file of dir but exclude (the output). */
static bool merge_read(merge *g, const char *dir, const gctb_matrix *m,
                       bool partial, const char *exclude) {
  size_t total = m->ncells * (size_t)m->invocations;
  struct stat ex;
  bool have_ex = exclude && stat(exclude, &ex) == 0;
  char err[512];
  g->m = m;
  g->commits = json_object();
  g->statuses = json_object();
  g->runs = malloc((total ? total : 1) * sizeof *g->runs);
  for (size_t r = 0; r < total; r++)
    g->runs[r].file = -1;
  g->n = gctb_dir_shards(dir);
  if (g->n && !(g->part = gctb_matrix_partition(m, g->n, err, sizeof err)))
    g->n = 0;
  size_t n;
  char **all = gctb_dir_result_files(dir, &n);
  g->files = calloc(n + 1, sizeof *g->files);
  for (size_t i = 0; i < n; i++) {
    if (have_ex && same_file(all[i], &ex))
      free(all[i]);
    else
      g->files[g->nfiles++] = all[i];
  }
  free(all);
  if (!g->nfiles) {
    fprintf(stderr, "merge: %s holds no *.jsonl result files\n", dir);
    return false;
  }
  for (size_t i = 0; i < g->nfiles; i++)
    read_file(g, (int)i);
  return verdict(g, partial);
}

static void merge_free(merge *g) {
  free(g->runs);
  free(g->part);
  json_decref(g->commits);
  json_decref(g->statuses);
}

bool gctb_merge_check(const char *dir, const gctb_matrix *m, bool partial,
                      char ***files, size_t *nfiles) {
  merge g = {0};
  bool ok = merge_read(&g, dir, m, partial, NULL);
  merge_free(&g);
  if (ok) {
    *files = g.files;
    *nfiles = g.nfiles;
  } else {
    gctb_dir_free_list(g.files, g.nfiles);
  }
  return ok;
}

/* Copies the records in run order to out through a temporary file. */
static bool merge_write(merge *g, const char *out) {
  char tmp[4300];
  snprintf(tmp, sizeof tmp, "%.4200s.tmp.%ld", out, (long)getpid());
  FILE *o = fopen(tmp, "w");
  size_t total = g->m->ncells * (size_t)g->m->invocations;
  int fd = -1, open_fi = -1;
  char *buf = NULL;
  bool ok = o != NULL;
  for (size_t r = 0; r < total && ok; r++) {
    seen *s = &g->runs[r];
    if (s->file < 0)
      continue;
    if (s->file != open_fi) {
      if (fd >= 0)
        close(fd);
      fd = open(g->files[s->file], O_RDONLY | O_CLOEXEC);
      open_fi = s->file;
    }
    buf = realloc(buf, s->len);
    ok = fd >= 0 && buf && pread(fd, buf, s->len, s->off) == (ssize_t)s->len &&
         fwrite(buf, 1, s->len, o) == s->len;
  }
  if (fd >= 0)
    close(fd);
  free(buf);
  if (o && fclose(o) != 0)
    ok = false;
  if (ok && rename(tmp, out) != 0)
    ok = false;
  if (!ok) {
    fprintf(stderr, "merge: cannot write %s: %s\n", out, strerror(errno));
    unlink(tmp);
  }
  return ok;
}

static int usage(const char *msg, const char *arg) {
  fprintf(stderr, "gctb merge: ");
  fprintf(stderr, msg, arg);
  fprintf(stderr, "\n(see gctb help merge)\n");
  return GCTB_EXIT_USAGE;
}

static void print_summary(const merge *g, const char *out, bool partial) {
  size_t total = g->m->ncells * (size_t)g->m->invocations;
  const char *c, *s;
  json_t *v;
  fprintf(stderr,
          "merge: %zu of %zu runs of matrix \"%s\" (id %s) from %zu "
          "files",
          total - g->missing, total, g->m->name, g->m->id, g->nfiles);
  json_object_foreach(g->commits, c, v) { fprintf(stderr, ", commit %s", c); }
  fprintf(stderr, "\n  statuses:");
  json_object_foreach(g->statuses, s, v) {
    fprintf(stderr, " %s %lld", s, (long long)json_integer_value(v));
  }
  fprintf(stderr, "\n  written: %s%s\n", out,
          partial && g->missing ? " (partial: runs are missing)" : "");
}

int gctb_merge_main(int argc, char **argv) {
  const char *dir = NULL, *out = NULL, *mfile = NULL;
  bool partial = false;
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i];
    if (gctb_arg_is(arg, "--out") || strcmp(arg, "-o") == 0) {
      if (!(out = gctb_arg_value(argc, argv, &i, "--out")) || !*out)
        return usage("%s needs a FILE", arg);
    } else if (gctb_arg_is(arg, "--matrix")) {
      if (!(mfile = gctb_arg_value(argc, argv, &i, "--matrix")))
        return usage("%s needs the MATRIX.json", arg);
    } else if (strcmp(arg, "--partial") == 0) {
      partial = true;
    } else if (arg[0] == '-' && arg[1]) {
      return usage("unknown option %s", arg);
    } else if (dir) {
      return usage("more than one directory (%s)", arg);
    } else {
      dir = arg;
    }
  }
  if (!dir)
    return usage("missing DIR (a sharded matrix's results directory)%s", "");
  if (!gctb_dir_exists(dir))
    return usage("%s is not a directory", dir);
  char defout[4200], err[2048];
  if (!out) {
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
      n--;
    snprintf(defout, sizeof defout, "%.*s.jsonl", (int)n, dir);
    out = defout;
  }
  gctb_matrix m;
  json_t *root = NULL;
  bool loaded;
  if (mfile) {
    root = gctb_config_read_file(mfile, err, sizeof err);
    loaded = root && gctb_matrix_parse(root, &m, err, sizeof err);
    json_decref(root);
  } else {
    loaded = gctb_dir_load_matrix(dir, &m, err, sizeof err);
  }
  if (!loaded) {
    fprintf(stderr, "merge: %s%s\n", err,
            mfile ? "" : " (give the matrix with --matrix M.json)");
    return GCTB_EXIT_USAGE;
  }
  merge g = {0};
  bool ok = merge_read(&g, dir, &m, partial, out);
  if (!ok)
    fprintf(stderr, "merge: refused: nothing written to %s\n", out);
  else if ((ok = merge_write(&g, out)))
    print_summary(&g, out, partial);
  gctb_dir_free_list(g.files, g.nfiles);
  merge_free(&g);
  gctb_matrix_free(&m);
  return ok ? GCTB_EXIT_OK : GCTB_EXIT_ERROR;
}
