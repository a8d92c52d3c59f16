/* shard_dir.c — the results directory of a sharded matrix (matrix.h,
 * docs/cluster.md):
 *
 *   DIR/matrix.json          the matrix (merge and status read it from here)
 *   DIR/shards.json          {"matrix_id": ..., "shards": N}
 *   DIR/shard-K-of-N.jsonl   shard K's records
 *   DIR/job.sbatch           the Slurm job-array script (--slurm)
 *   DIR/slurm-jobs           the array job ids submitted, one a line
 *   DIR/slurm-*.out          the tasks' output
 *
 * The first shard (or the Slurm submission) to use a directory records the
 * matrix and N there; any later one must agree, so one directory never
 * holds two experiments or two different partitions of one. */
#define _GNU_SOURCE /* asprintf */
#include "harness/matrix/matrix.h"
#include "harness/record/results_dir.h"
#include "harness/run/run.h"
#include "heap/util.h"
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static unsigned digits(unsigned n) {
  unsigned d = 1;
  while (n >= 10) {
    n /= 10;
    d++;
  }
  return d;
}

void gctb_dir_shard_file(const char *dir, gctb_shard s, char *buf, size_t len) {
  size_t n = strlen(dir);
  while (n > 1 && dir[n - 1] == '/')
    n--;
  snprintf(buf, len, "%.*s/shard-%0*u-of-%u.jsonl", (int)n, dir,
           (int)digits(s.n), s.k, s.n);
}

bool gctb_dir_parse_shard_file(const char *path, gctb_shard *s) {
  const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
  unsigned k, n;
  int end = 0;
  if (sscanf(base, "shard-%u-of-%u.jsonl%n", &k, &n, &end) != 2 ||
      base[end] != 0 || k < 1 || k > n)
    return false;
  s->k = k;
  s->n = n;
  return true;
}

bool gctb_dir_exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Writes json to dir/name through a temporary file and a rename: tasks
 * starting together may race, and each writes the same content. */
static bool write_json(const char *dir, const char *name, const json_t *json,
                       char *err, size_t errlen) {
  char *tmp = NULL, *path = NULL;
  bool ok = asprintf(&tmp, "%s/.%s.%ld", dir, name, (long)getpid()) > 0 &&
            asprintf(&path, "%s/%s", dir, name) > 0;
  ok = ok && json_dump_file(json, tmp, JSON_INDENT(2)) == 0 &&
       rename(tmp, path) == 0;
  if (!ok) {
    gc_errorf(err, errlen, "cannot write %s: %s", path ? path : name,
              strerror(errno));
    if (tmp)
      unlink(tmp);
  }
  free(tmp);
  free(path);
  return ok;
}

static json_t *read_json(const char *dir, const char *name) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  return json_load_file(path, 0, NULL);
}

bool gctb_dir_load_matrix(const char *dir, gctb_matrix *m, char *err,
                          size_t errlen) {
  char path[4096];
  snprintf(path, sizeof path, "%s/matrix.json", dir);
  json_t *root = gctb_config_read_file(path, err, errlen);
  if (!root)
    return false;
  bool ok = gctb_matrix_parse(root, m, err, errlen);
  json_decref(root);
  return ok;
}

bool gctb_dir_prepare(const char *dir, const gctb_matrix *m, unsigned n,
                      char *err, size_t errlen) {
  if (!gctb_mkdir_p(dir, err, errlen))
    return false;
  gctb_matrix there;
  char why[512];
  bool had_matrix = false;
  char path[4096];
  snprintf(path, sizeof path, "%s/matrix.json", dir);
  if (access(path, F_OK) == 0) {
    if (!gctb_dir_load_matrix(dir, &there, why, sizeof why))
      return gc_errorf(err, errlen, "%s: %s", path, why);
    bool same = strcmp(there.id, m->id) == 0;
    if (!same)
      gc_errorf(err, errlen,
                "%s holds the results of matrix \"%s\" (id %s), not of "
                "\"%s\" (id %s): its base or axes differ. Use another --out.",
                dir, there.name, there.id, m->name, m->id);
    gctb_matrix_free(&there);
    if (!same)
      return false;
    had_matrix = true;
  }
  json_t *shards = read_json(dir, "shards.json");
  json_t *have = json_object_get(shards, "shards");
  if (json_is_integer(have) && json_integer_value(have) != (json_int_t)n) {
    gc_errorf(err, errlen,
              "%s is split into %lld shards, not %u: keep N, or use another "
              "--out (a new N would place runs in other shards)",
              dir, (long long)json_integer_value(have), n);
    json_decref(shards);
    return false;
  }
  bool ok = true;
  if (!had_matrix)
    ok = write_json(dir, "matrix.json", m->root, err, errlen);
  if (ok && !have) {
    json_t *o = json_pack("{s:s,s:i}", "matrix_id", m->id, "shards", (int)n);
    ok = write_json(dir, "shards.json", o, err, errlen);
    json_decref(o);
  }
  json_decref(shards);
  return ok;
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

char **gctb_dir_result_files(const char *dir, size_t *n) {
  DIR *d = opendir(dir);
  char **list = NULL;
  size_t cap = 0;
  struct dirent *e;
  *n = 0;
  while (d && (e = readdir(d))) {
    size_t len = strlen(e->d_name);
    if (e->d_name[0] == '.' || len < 6 ||
        strcmp(e->d_name + len - 6, ".jsonl") != 0)
      continue;
    if (*n == cap) {
      cap = cap ? 2 * cap : 16;
      list = realloc(list, cap * sizeof *list);
    }
    if (asprintf(&list[*n], "%s/%s", dir, e->d_name) > 0)
      ++*n;
  }
  if (d)
    closedir(d);
  if (*n)
    qsort(list, *n, sizeof *list, by_name);
  return list;
}

void gctb_dir_free_list(char **list, size_t n) {
  for (size_t i = 0; i < n; i++)
    free(list[i]);
  free(list);
}

unsigned gctb_dir_shards(const char *dir) {
  json_t *shards = read_json(dir, "shards.json");
  json_int_t n = json_integer_value(json_object_get(shards, "shards"));
  json_decref(shards);
  if (n > 0 && n <= GCTB_SHARDS_MAX)
    return (unsigned)n;
  size_t nfiles;
  char **files = gctb_dir_result_files(dir, &nfiles);
  gctb_shard s = {0}, first = {0};
  for (size_t i = 0; i < nfiles; i++)
    if (gctb_dir_parse_shard_file(files[i], &s) && !first.n)
      first = s;
  gctb_dir_free_list(files, nfiles);
  return first.n;
}
