/* child.c — one run in its own process (matrix.h).
 *
 * A run that crashes, hangs or exhausts memory must not take the matrix
 * with it, so each is a child `gctb run` (this same executable). The config
 * goes in on standard input from an anonymous file, standard error goes to
 * another so its end can be quoted in the record, and the child asks the
 * kernel to kill it if the matrix dies (PR_SET_PDEATHSIG): after a kill -9
 * of the matrix no orphan keeps appending records. */
#define _GNU_SOURCE /* memfd_create */
#include "harness/matrix/matrix.h"
#include "heap/events.h"
#include "heap/util.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char *child_exe;

void gctb_child_set_exe(const char *path) {
  free(child_exe);
  child_exe = path ? strdup(path) : NULL;
}

static volatile int *cancel;

void gctb_child_set_cancel(volatile int *flag) { cancel = flag; }

static const char *exe(void) {
  return child_exe ? child_exe : "/proc/self/exe";
}

static int memfd_with(const char *name, const char *text) {
  int fd = memfd_create(name, MFD_CLOEXEC);
  if (fd < 0)
    return -1;
  size_t len = text ? strlen(text) : 0;
  for (size_t off = 0; off < len;) {
    ssize_t n = write(fd, text + off, len - off);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      close(fd);
      return -1;
    }
    off += (size_t)n;
  }
  lseek(fd, 0, SEEK_SET);
  return fd;
}

/* In the child, between fork and exec: only async-signal-safe calls. */
static _Noreturn void exec_child(pid_t parent, int in, int errfd,
                                 const sigset_t *mask, char *const argv[]) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) /* the matrix died before prctl */
    _exit(127);
  int devnull = open("/dev/null", O_WRONLY);
  if (dup2(in, 0) < 0 || dup2(errfd, 2) < 0 ||
      (devnull >= 0 && dup2(devnull, 1) < 0))
    _exit(127);
  /* The matrix alone answers SIGINT and SIGTERM (a Ctrl-C reaches the
   * whole process group): it kills the run and leaves it to --resume. A
   * child that wrote an "interrupted" record would have it counted as
   * done. Ignored signals stay ignored across execv. */
  signal(SIGINT, SIG_IGN);
  signal(SIGTERM, SIG_IGN);
  sigprocmask(SIG_SETMASK, mask, NULL);
  execv(argv[0], argv);
  _exit(127);
}

/* Waits for pid, killing it at deadline (0: none). */
static int wait_child(pid_t pid, uint64_t deadline, bool *timed_out) {
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  for (;;) {
    int status;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid)
      return status;
    uint64_t now = gc_now_ns();
    bool cancelled = cancel && *cancel;
    if (cancelled || (deadline && now >= deadline)) {
      *timed_out = !cancelled;
      kill(pid, SIGKILL);
      while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
      return status;
    }
    /* Sleep until a child changes state or, at most, until the deadline;
     * a stale SIGCHLD only costs one more turn of the loop. */
    uint64_t left = deadline ? deadline - now : 1000000000u;
    if (left > 1000000000u)
      left = 1000000000u;
    struct timespec ts = {.tv_sec = (time_t)(left / 1000000000u),
                          .tv_nsec = (long)(left % 1000000000u)};
    sigtimedwait(&chld, NULL, &ts);
  }
}

static void read_tail(int fd, char *buf, size_t len) {
  off_t end = lseek(fd, 0, SEEK_END);
  off_t start = end > (off_t)(len - 1) ? end - (off_t)(len - 1) : 0;
  ssize_t n = pread(fd, buf, len - 1, start);
  buf[n > 0 ? n : 0] = 0;
  /* Start at a line boundary when the text was cut. */
  char *nl = start > 0 ? strchr(buf, '\n') : NULL;
  if (nl)
    memmove(buf, nl + 1, strlen(nl + 1) + 1);
}

bool gctb_child_run(const json_t *config, const char *out, const json_t *tag,
                    double timeout_s, gctb_child *res, char *err,
                    size_t errlen) {
  memset(res, 0, sizeof *res);
  res->exit_code = -1;
  char *text = json_dumps(config, JSON_COMPACT);
  char *tagtext = tag ? json_dumps(tag, JSON_COMPACT) : NULL;
  int in = memfd_with("gctb-config", text), errfd = memfd_with("gctb-err", "");
  char *argv[] = {(char *)exe(),
                  "run",
                  "-",
                  "--quiet",
                  "--out",
                  (char *)out,
                  tagtext ? "--matrix-tag" : NULL,
                  tagtext,
                  NULL};
  sigset_t chld, old;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, &old);
  pid_t parent = getpid(), pid = in >= 0 && errfd >= 0 ? fork() : -1;
  if (pid == 0)
    exec_child(parent, in, errfd, &old, argv);
  bool ok = pid > 0;
  if (!ok) {
    gc_errorf(err, errlen, "cannot start a child process: %s", strerror(errno));
  } else {
    uint64_t t0 = gc_now_ns();
    uint64_t deadline = timeout_s > 0 ? t0 + (uint64_t)(timeout_s * 1e9) : 0;
    int status = wait_child(pid, deadline, &res->timed_out);
    res->elapsed_ns = gc_now_ns() - t0;
    if (WIFEXITED(status))
      res->exit_code = WEXITSTATUS(status);
    else if (WIFSIGNALED(status))
      res->signal = WTERMSIG(status);
    read_tail(errfd, res->stderr_tail, sizeof res->stderr_tail);
  }
  sigprocmask(SIG_SETMASK, &old, NULL);
  if (in >= 0)
    close(in);
  if (errfd >= 0)
    close(errfd);
  free(text);
  free(tagtext);
  return ok;
}

void gctb_child_describe(const gctb_child *c, double timeout_s, char *buf,
                         size_t len) {
  if (c->timed_out)
    snprintf(buf, len, "timed out after %g s", timeout_s);
  else if (c->signal)
    snprintf(buf, len, "killed by signal %d (%s)", c->signal,
             strsignal(c->signal));
  else
    snprintf(buf, len, "exit %d", c->exit_code);
}
