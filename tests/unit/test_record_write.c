/* Appending result records (harness/record/write.c): two processes
 * appending to one file at once leave only whole lines, each writer's in
 * its own order; a write that fails says why. The process-level tests
 * (`gctb run --out /dev/full`, a full tmpfs under a matrix) are in
 * tests/e2e/integrity.cmake. */
/* cmocka needs these three first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "harness/record/write.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

enum { WRITERS = 2, RECORDS = 150 };

/* Record i of a writer: sizes from a few bytes to 192 KiB, most far above
 * PIPE_BUF and the page size, where a non-atomic append would interleave. */
static json_t *make_record(int writer, int i) {
  size_t len = (size_t)((i * 7919 + writer * 104729) % (192 * 1024));
  char *pad = malloc(len + 1);
  memset(pad, 'a' + (i + writer) % 26, len);
  pad[len] = 0;
  json_t *r =
      json_pack("{s:i,s:i,s:s}", "writer", writer, "seq", i, "pad", pad);
  free(pad);
  return r;
}

static _Noreturn void writer(const char *path, int w) {
  char err[512];
  for (int i = 0; i < RECORDS; i++) {
    /* Each record opens the file anew, as each `gctb run` does. */
    int fd = gctb_open_append(path);
    json_t *r = make_record(w, i);
    bool ok = fd >= 0 && gctb_append_record(fd, path, r, err, sizeof err);
    json_decref(r);
    if (fd >= 0)
      close(fd);
    if (!ok)
      _exit(1);
  }
  _exit(0);
}

static void concurrent_writers_leave_whole_lines(void **state) {
  (void)state;
  char path[] = "/tmp/gctb-record-write-XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  close(fd);
  pid_t pids[WRITERS];
  for (int w = 0; w < WRITERS; w++) {
    pids[w] = fork();
    assert_true(pids[w] >= 0);
    if (pids[w] == 0)
      writer(path, w);
  }
  for (int w = 0; w < WRITERS; w++) {
    int status;
    assert_int_equal(waitpid(pids[w], &status, 0), pids[w]);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  int next[WRITERS] = {0};
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  long lineno = 0;
  while ((n = getline(&line, &cap, f)) > 0) {
    lineno++;
    json_error_t je;
    json_t *r = json_loadb(line, (size_t)n, 0, &je);
    if (!r || line[n - 1] != '\n')
      fail_msg("line %ld is not a whole record: %s", lineno, je.text);
    int w = (int)json_integer_value(json_object_get(r, "writer"));
    int seq = (int)json_integer_value(json_object_get(r, "seq"));
    assert_true(w >= 0 && w < WRITERS);
    json_t *want = make_record(w, next[w]);
    if (seq != next[w] || !json_equal(r, want))
      fail_msg("line %ld: writer %d record %d, expected record %d intact",
               lineno, w, seq, next[w]);
    json_decref(want);
    json_decref(r);
    next[w]++;
  }
  free(line);
  fclose(f);
  unlink(path);
  for (int w = 0; w < WRITERS; w++)
    assert_int_equal(next[w], RECORDS);
}

static void a_failed_write_says_why(void **state) {
  (void)state;
  char err[512] = "";
  int fd = gctb_open_append("/dev/full");
  if (fd < 0)
    skip();
  json_t *r = make_record(0, 1);
  assert_false(gctb_append_record(fd, "/dev/full", r, err, sizeof err));
  json_decref(r);
  close(fd);
  assert_non_null(strstr(err, "/dev/full"));
  assert_non_null(strstr(err, "No space left on device"));
}

static void a_device_that_cannot_sync_is_fine(void **state) {
  (void)state;
  char err[512] = "";
  int fd = gctb_open_append("/dev/null");
  assert_true(fd >= 0);
  json_t *r = make_record(0, 2);
  if (!gctb_append_record(fd, "/dev/null", r, err, sizeof err))
    fail_msg("appending to /dev/null failed: %s", err);
  json_decref(r);
  close(fd);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(concurrent_writers_leave_whole_lines),
      cmocka_unit_test(a_failed_write_says_why),
      cmocka_unit_test(a_device_that_cannot_sync_is_fine),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
