/* store.c — the results file of a matrix (matrix.h).
 *
 * The file is the only state a matrix keeps, so that resuming needs nothing
 * else: a run is done when a record carrying its run key is in the file.
 * Every record is one line written with one write(2) to an O_APPEND file,
 * so the only damage a kill can do is a last line without its newline (a
 * child killed while writing); resuming cuts it, and the run it belonged to
 * runs again. The file is flock'ed while a matrix runs, so two matrices
 * cannot interleave in one file. */
#define _GNU_SOURCE /* getline */
#include "harness/matrix/matrix.h"
#include "harness/record/write.h"
#include "heap/util.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* Reads lines from offset start of fd; see gctb_store_read. */
static int64_t read_from(int fd, int64_t start, void (*fn)(json_t *, void *),
                         void *ctx, size_t *bad, int64_t *size) {
  int dupfd = dup(fd);
  FILE *f = dupfd >= 0 ? fdopen(dupfd, "r") : NULL;
  int64_t good = start, off = start;
  if (!f) {
    if (dupfd >= 0)
      close(dupfd);
    return start;
  }
  fseeko(f, start, SEEK_SET);
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  while ((n = getline(&line, &cap, f)) > 0) {
    off += n;
    if (line[n - 1] != '\n')
      break; /* a partial last line: not counted, cut by the caller */
    good = off;
    json_t *rec = json_loadb(line, (size_t)n, 0, NULL);
    if (json_is_object(rec))
      fn(rec, ctx);
    else if (bad)
      ++*bad;
    json_decref(rec);
  }
  free(line);
  fclose(f);
  if (size)
    *size = off;
  return good;
}

int64_t gctb_store_read(int fd, void (*fn)(json_t *rec, void *ctx), void *ctx,
                        size_t *bad_lines, int64_t *file_size) {
  return read_from(fd, 0, fn, ctx, bad_lines, file_size);
}

typedef struct scan_ctx {
  gctb_store *s;
  const char *id;
  const char *want; /* collect: the run key looked for */
  const char *found;
} scan_ctx;

/* A run is done when it has a record, except one saying that its own
 * record could not be written ("unrecorded", matrix/command.c): that run is
 * still to do. */
static void mark_done(gctb_store *s, const char *run_key, const char *status) {
  if (!(status && strcmp(status, "unrecorded") == 0))
    json_object_set_new(s->done, run_key, json_string(status ? status : "?"));
}

static void note_record(json_t *rec, void *arg) {
  scan_ctx *c = arg;
  json_t *tag = json_object_get(rec, "matrix");
  const char *id = json_string_value(json_object_get(tag, "id"));
  const char *key = json_string_value(json_object_get(tag, "run_key"));
  const char *status = json_string_value(json_object_get(rec, "status"));
  if (!id || !key)
    return; /* a plain `gctb run` record: not part of any matrix */
  if (strcmp(id, c->id) != 0) {
    if (!c->s->foreign++)
      snprintf(c->s->foreign_id, sizeof c->s->foreign_id, "%s", id);
    return;
  }
  mark_done(c->s, key, status);
  if (c->want && strcmp(key, c->want) == 0)
    c->found = json_string_value(json_object_get(c->s->done, key));
}

static bool scan(gctb_store *s, const char *id, bool cut, char *err,
                 size_t errlen) {
  scan_ctx c = {.s = s, .id = id};
  int64_t size = 0;
  int64_t good = gctb_store_read(s->fd, note_record, &c, &s->bad_lines, &size);
  if (good < size) {
    s->dropped_bytes = (size_t)(size - good);
    if (cut && ftruncate(s->fd, good) != 0)
      return gc_errorf(err, errlen, "%s: cannot cut the partial last line: %s",
                       s->path, strerror(errno));
  }
  return true;
}

static bool open_common(gctb_store *s, const char *path, int flags, char *err,
                        size_t errlen) {
  memset(s, 0, sizeof *s);
  s->path = strdup(path);
  s->done = json_object();
  s->fd = open(path, flags | O_CLOEXEC, 0666);
  if (s->fd < 0)
    return gc_errorf(err, errlen, "cannot open %s: %s", path, strerror(errno));
  return true;
}

bool gctb_store_open(gctb_store *s, const char *path, const char *matrix_id,
                     bool resume, char *err, size_t errlen) {
  if (!open_common(s, path, O_RDWR | O_CREAT | O_APPEND, err, errlen))
    return false;
  if (flock(s->fd, LOCK_EX | LOCK_NB) != 0)
    return gc_errorf(err, errlen,
                     "%s is in use by another gctb matrix (it holds a lock)",
                     path);
  if (!resume && gctb_store_size(s) > 0)
    return gc_errorf(err, errlen,
                     "%s already holds records: add --resume to continue that "
                     "matrix, or give another --out",
                     path);
  return scan(s, matrix_id, true, err, errlen);
}

bool gctb_store_scan(gctb_store *s, const char *path, const char *matrix_id,
                     char *err, size_t errlen) {
  if (access(path, F_OK) != 0) {
    memset(s, 0, sizeof *s);
    s->fd = -1;
    s->done = json_object();
    return true;
  }
  return open_common(s, path, O_RDONLY, err, errlen) &&
         scan(s, matrix_id, false, err, errlen);
}

void gctb_store_close(gctb_store *s) {
  if (s->fd >= 0)
    close(s->fd); /* releases the lock */
  free(s->path);
  json_decref(s->done);
  memset(s, 0, sizeof *s);
  s->fd = -1;
}

bool gctb_store_is_done(const gctb_store *s, const char *run_key) {
  return json_object_get(s->done, run_key) != NULL;
}

int64_t gctb_store_size(const gctb_store *s) {
  struct stat st;
  return s->fd >= 0 && fstat(s->fd, &st) == 0 ? (int64_t)st.st_size : 0;
}

const char *gctb_store_collect(gctb_store *s, int64_t offset,
                               const char *run_key) {
  scan_ctx c = {.s = s, .id = NULL, .want = run_key};
  /* The id is the first part of the run key. */
  char id[17];
  snprintf(id, sizeof id, "%.16s", run_key);
  c.id = id;
  int64_t size = 0;
  int64_t good =
      read_from(s->fd, offset, note_record, &c, &s->bad_lines, &size);
  if (good < size && ftruncate(s->fd, good) == 0)
    s->dropped_bytes += (size_t)(size - good);
  return c.found;
}

bool gctb_store_append(gctb_store *s, const json_t *record, const char *run_key,
                       char *err, size_t errlen) {
  if (!gctb_append_record(s->fd, s->path, record, err, errlen))
    return false;
  mark_done(s, run_key, json_string_value(json_object_get(record, "status")));
  return true;
}
