/* progress.c — how far a matrix has got (matrix.h). On a terminal
 * one line is redrawn: a bar, the count, elapsed time and an estimate of
 * what is left; anywhere else (a log file, CI) one plain line per run, so
 * the log says what ran when. Only runs done in this session count towards
 * the estimate: resumed runs took their time in another. */
#include "harness/matrix/matrix.h"
#include "heap/events.h"
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

void gctb_format_duration(uint64_t ns, char *buf, size_t len) {
  uint64_t s = ns / 1000000000u;
  if (s >= 3600)
    snprintf(buf, len, "%uh%02um", (unsigned)(s / 3600),
             (unsigned)(s % 3600 / 60));
  else if (s >= 60)
    snprintf(buf, len, "%um%02us", (unsigned)(s / 60), (unsigned)(s % 60));
  else if (ns >= 1000000000u)
    snprintf(buf, len, "%.1fs", (double)ns / 1e9);
  else
    snprintf(buf, len, "%.0fms", (double)ns / 1e6);
}

static int terminal_width(void) {
  struct winsize ws;
  if (ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
    return ws.ws_col;
  return 80;
}

void gctb_progress_init(gctb_progress *p, size_t total, size_t skipped) {
  memset(p, 0, sizeof *p);
  p->tty = isatty(2);
  p->total = total;
  p->skipped = skipped;
  p->done = skipped;
  p->t0 = gc_now_ns();
  p->width = p->tty ? terminal_width() : 80;
}

/* "ETA 3m05s" from the mean time per run so far, or "ETA ?" before any. */
static void eta(const gctb_progress *p, char *buf, size_t len) {
  char d[32];
  if (!p->ran) {
    snprintf(buf, len, "ETA ?");
    return;
  }
  uint64_t per = (gc_now_ns() - p->t0) / p->ran;
  gctb_format_duration(per * (p->total - p->done), d, sizeof d);
  snprintf(buf, len, "ETA %s", d);
}

static void draw(const gctb_progress *p, const char *what) {
  char e[48], el[32], bar[41];
  int cells = 24;
  size_t filled = p->total ? p->done * (size_t)cells / p->total : 0;
  for (int i = 0; i < cells; i++)
    bar[i] = (size_t)i < filled ? '#' : '.';
  bar[cells] = 0;
  eta(p, e, sizeof e);
  gctb_format_duration(gc_now_ns() - p->t0, el, sizeof el);
  char line[512];
  int n = snprintf(
      line, sizeof line, "[%s] %zu/%zu %3.0f%% %s %s  %s", bar, p->done,
      p->total, p->total ? 100.0 * (double)p->done / (double)p->total : 100.0,
      el, e, what);
  if (n >= p->width)
    line[p->width - 1] = 0;
  fprintf(stderr, "\r\033[K%s", line);
  fflush(stderr);
}

void gctb_progress_start(gctb_progress *p, size_t index, const char *what) {
  if (p->tty)
    draw(p, what); /* elsewhere the line comes when the run ends */
}

void gctb_progress_end(gctb_progress *p, const char *what, const char *status,
                       uint64_t elapsed_ns) {
  char d[32], e[48];
  p->done++;
  p->ran++;
  p->run_ns += elapsed_ns;
  gctb_format_duration(elapsed_ns, d, sizeof d);
  if (p->tty) {
    /* Failures stay on screen above the bar; successes only redraw it. */
    if (strcmp(status, "ok") != 0)
      fprintf(stderr, "\r\033[K%s: %s (%s)\n", what, status, d);
    draw(p, what);
    return;
  }
  eta(p, e, sizeof e);
  fprintf(stderr, "matrix: [%zu/%zu] %s: %s in %s, %s\n", p->done, p->total,
          what, status, d, e);
}

void gctb_progress_finish(gctb_progress *p) {
  if (p->tty)
    fprintf(stderr, "\r\033[K");
  fflush(stderr);
}
