/* runqueue.c — the run-queue sampler (runqueue.h). */
#include "runqueue.h"
#include "events.h"
#include "util.h"
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

struct gc_runqueue_sampler {
  gc_events *e;
  uint64_t period_ns;
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t cond; /* CLOCK_MONOTONIC */
  bool stop;
  bool realtime; /* the sampler got a real-time priority */
};

/* run_delay (ns) from a schedstat file: "cpu_ns run_delay_ns timeslices". */
static bool read_run_delay(int fd, uint64_t *out) {
  char buf[96];
  ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
  if (n <= 0)
    return false;
  buf[n] = 0;
  uint64_t cpu, delay;
  if (sscanf(buf, "%" SCNu64 " %" SCNu64, &cpu, &delay) != 2)
    return false;
  *out = delay;
  return true;
}

/* Logs the growth of log's counter as a wait that ended by now. The
 * kernel adds a wait to run_delay only when the thread gets a CPU again,
 * so a 200 ms wait shows whole in one sample, not spread over the samples
 * it spanned: the wait is placed before now, as long as it was, and only
 * clipped so that it does not overlap the previous logged wait (or start
 * before the attach). Under log->lock. */
static void sample_locked(gc_mutator_log *log, uint64_t now) {
  uint64_t delay;
  if (log->sched_fd < 0 || !read_run_delay(log->sched_fd, &delay))
    return;
  uint64_t grew = delay > log->run_delay_seen ? delay - log->run_delay_seen : 0;
  log->run_delay_seen = delay;
  if (grew == 0)
    return;
  uint64_t start = now > grew ? now - grew : 0;
  if (start < log->logged_until_ns)
    start = log->logged_until_ns;
  if (start >= now)
    return;
  log->logged_until_ns = now;
  gc_delay_log_locked(log, GC_DELAY_RUNQUEUE, "runqueue", start, now);
}

void gc_runqueue_attach(gc_mutator_log *log) {
  int fd = open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
  pthread_mutex_lock(&log->lock);
  log->sched_fd = fd;
  log->logged_until_ns = gc_now_ns();
  if (fd >= 0 && !read_run_delay(fd, &log->run_delay_seen)) {
    close(fd);
    log->sched_fd = -1;
  }
  pthread_mutex_unlock(&log->lock);
}

void gc_runqueue_detach_locked(gc_mutator_log *log, uint64_t now) {
  if (log->sched_fd < 0)
    return;
  sample_locked(log, now);
  close(log->sched_fd);
  log->sched_fd = -1;
}

/* Under e->lock throughout: gc_events_clear (the harness's warm-up
 * iterations) frees the logs under it, so a log must not be read after the
 * lock is let go. Lock order: e->lock, then a log's lock (nobody takes
 * them the other way round). */
static void sample_all(gc_events *e) {
  pthread_mutex_lock(&e->lock);
  for (size_t i = 0; i < e->nmlogs; i++) {
    pthread_mutex_lock(&e->mlogs[i]->lock);
    sample_locked(e->mlogs[i], gc_now_ns());
    pthread_mutex_unlock(&e->mlogs[i]->lock);
  }
  pthread_mutex_unlock(&e->lock);
}

static void *sampler_main(void *arg) {
  gc_runqueue_sampler *s = arg;
  /* A wait is placed at the end of the period the sampler saw it in, so
   * the sampler must wake on time exactly when the CPUs are busy: run it
   * at the lowest real-time priority where that is allowed (root, or
   * CAP_SYS_NICE), which preempts ordinary threads for the few
   * microseconds a sample takes. Elsewhere it runs as an ordinary thread
   * and a busy machine blurs where, not how long, the waits were. */
  struct sched_param sp = {.sched_priority =
                               sched_get_priority_min(SCHED_FIFO)};
  s->realtime = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp) == 0;
  struct timespec next;
  clock_gettime(CLOCK_MONOTONIC, &next);
  pthread_mutex_lock(&s->lock);
  while (!s->stop) {
    uint64_t ns = (uint64_t)next.tv_nsec + s->period_ns;
    next.tv_sec += (time_t)(ns / 1000000000u);
    next.tv_nsec = (long)(ns % 1000000000u);
    while (!s->stop &&
           pthread_cond_timedwait(&s->cond, &s->lock, &next) != ETIMEDOUT)
      ;
    if (s->stop)
      break;
    pthread_mutex_unlock(&s->lock);
    sample_all(s->e);
    pthread_mutex_lock(&s->lock);
  }
  pthread_mutex_unlock(&s->lock);
  return NULL;
}

gc_runqueue_sampler *gc_runqueue_start(gc_events *e, uint64_t period_ns) {
  if (period_ns == 0)
    return NULL;
  gc_runqueue_sampler *s = calloc(1, sizeof *s);
  if (!s)
    return NULL;
  *s = (gc_runqueue_sampler){.e = e, .period_ns = period_ns};
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_mutex_init(&s->lock, NULL);
  pthread_cond_init(&s->cond, &ca);
  pthread_condattr_destroy(&ca);
  if (pthread_create(&s->thread, NULL, sampler_main, s) != 0) {
    pthread_cond_destroy(&s->cond);
    pthread_mutex_destroy(&s->lock);
    free(s);
    return NULL;
  }
  return s;
}

void gc_runqueue_stop(gc_runqueue_sampler *s) {
  if (!s)
    return;
  pthread_mutex_lock(&s->lock);
  s->stop = true;
  pthread_cond_signal(&s->cond);
  pthread_mutex_unlock(&s->lock);
  pthread_join(s->thread, NULL);
  sample_all(s->e);
  pthread_cond_destroy(&s->cond);
  pthread_mutex_destroy(&s->lock);
  free(s);
}
