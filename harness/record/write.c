/* write.c — the file side of result records (record/write.h): where
 * a run's record goes, and appending one whole line. record.c builds the
 * record; this file only writes it. */
#include "harness/record/write.h"
#include "harness/record/results_dir.h"
#include "harness/run/run.h"
#include "heap/util.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int gctb_open_append(const char *path) {
  return open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
}

/* After a short write of n bytes (a full disk): removes them again if they
 * are still the end of the file, so that the next record does not start in
 * the middle of a line. Another writer may have appended since (then the
 * part line stays; readers skip it as not JSON). */
static void take_back(int fd, ssize_t n) {
  struct stat st;
  off_t end = lseek(fd, 0, SEEK_CUR);
  if (end >= n && fstat(fd, &st) == 0 && st.st_size == end)
    (void)!ftruncate(fd, end - n);
}

/* One write(2) of the whole line: with O_APPEND the kernel places it at the
 * end of the file atomically with respect to other appends, which two
 * writes could not promise. EINTR cannot split it: it only happens before
 * anything was written. */
static bool write_line(int fd, const char *path, const char *buf, size_t len,
                       char *err, size_t errlen) {
  ssize_t n;
  do
    n = write(fd, buf, len);
  while (n < 0 && errno == EINTR);
  if (n == (ssize_t)len)
    return true;
  if (n < 0)
    return gc_errorf(err, errlen, "%s: %s", path, strerror(errno));
  take_back(fd, n);
  return gc_errorf(err, errlen,
                   "%s: only %zd of %zu bytes written (is the file system "
                   "full?); the part line was removed",
                   path, n, len);
}

bool gctb_append_record(int fd, const char *path, const json_t *record,
                        char *err, size_t errlen) {
  char *text = json_dumps(record, JSON_COMPACT | JSON_REAL_PRECISION(10));
  if (!text)
    return gc_errorf(err, errlen, "cannot encode the record as JSON");
  size_t n = strlen(text);
  text[n] = '\n'; /* replaces the terminator; written with the length */
  bool ok = write_line(fd, path, text, n + 1, err, errlen);
  free(text);
  /* The record is only safe once on disk: a crash of the machine after we
   * reported success must not lose it. Devices and pipes (/dev/null, a
   * FIFO) cannot be synced and say so with EINVAL or EROFS. */
  if (ok && fsync(fd) != 0 && errno != EINVAL && errno != EROFS)
    ok = gc_errorf(err, errlen, "%s: cannot sync: %s", path, strerror(errno));
  return ok;
}

/* DIR/<UTC time>-<policy>-<workload>.jsonl in the results directory
 * (results_dir.h), created exclusively (a suffix is added when two runs
 * start in the same second). */
static int open_new_result(const gctb_run *run, char *path, size_t len) {
  char stamp[32];
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
  const char *dir = gctb_results_dir();
  char err[512];
  snprintf(path, len, "%s/", dir);
  if (!gctb_mkdir_p(dir, err, sizeof err))
    return -1; /* errno says why */
  for (int i = 0; i < 1000; i++) {
    char suffix[16] = "";
    if (i)
      snprintf(suffix, sizeof suffix, "-%d", i);
    snprintf(path, len, "%s/%s-%s-%s%s.jsonl", dir, stamp,
             run->cfg->policy->name, run->cfg->workload->name, suffix);
    int fd =
        open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0666);
    if (fd >= 0 || errno != EEXIST)
      return fd;
  }
  return -1;
}

bool gctb_record_write(gctb_run *run, const json_t *record, char *err,
                       size_t errlen) {
  char *path = run->res.record_path;
  size_t plen = sizeof run->res.record_path;
  int fd;
  if (run->opts.out_path) {
    snprintf(path, plen, "%s", run->opts.out_path);
    fd = gctb_open_append(path);
  } else {
    fd = open_new_result(run, path, plen);
  }
  if (fd < 0) {
    gc_errorf(err, errlen, "%s: %s", *path ? path : gctb_results_dir(),
              strerror(errno));
    path[0] = 0;
    return false;
  }
  bool ok = gctb_append_record(fd, path, record, err, errlen);
  if (close(fd) != 0 && ok) /* NFS reports some write errors only here */
    ok = gc_errorf(err, errlen, "%s: %s", path, strerror(errno));
  if (!ok)
    path[0] = 0;
  return ok;
}
