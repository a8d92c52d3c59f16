/* trace_write.c — `gctb run --trace FILE`: the record just written, handed
 * to the analysis's trace.py on a pipe (trace.py reads "-" as standard
 * input), so that the trace comes from the same code as `gctb trace`. */
#include "harness/analysis/analysis.h"
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

bool gctb_trace_write(const json_t *record, const char *path, char *err,
                      size_t errlen) {
  char script[8192];
  snprintf(script, sizeof script, "%s/trace.py", gctb_analysis_dir());
  const char *python = gctb_find_python(false);
  if (!python) {
    snprintf(err, errlen, "no Python 3 interpreter for the trace");
    return false;
  }
  int fds[2];
  if (pipe(fds) != 0) {
    snprintf(err, errlen, "pipe: %s", strerror(errno));
    return false;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[0], 0);
  posix_spawn_file_actions_addclose(&fa, fds[1]);
  char *argv[] = {(char *)python, script, "-", "--out", (char *)path, NULL};
  pid_t pid;
  fflush(NULL);
  int rc = posix_spawnp(&pid, python, &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(fds[0]);
  if (rc != 0) {
    close(fds[1]);
    snprintf(err, errlen, "cannot start %s: %s", python, strerror(rc));
    return false;
  }
  /* A child that dies early must not kill us with SIGPIPE. */
  void (*old)(int) = signal(SIGPIPE, SIG_IGN);
  char *text = json_dumps(record, JSON_COMPACT | JSON_REAL_PRECISION(10));
  FILE *to = fdopen(fds[1], "w");
  bool sent = text && to && fputs(text, to) >= 0;
  sent = (to ? fclose(to) == 0 : close(fds[1]) == 0) && sent;
  free(text);
  signal(SIGPIPE, old);
  int status;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (!sent || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    snprintf(err, errlen, "%s %s failed (see its message above)", python,
             script);
    return false;
  }
  return true;
}
