/* signals.c — SIGINT and SIGTERM during `gctb run` (run.h).
 *
 * A signal handler may call almost nothing, and writing a record means
 * stopping the world, taking locks and allocating. So every thread of a
 * run blocks SIGINT and SIGTERM (they inherit the mask of the thread that
 * creates them) and one thread of ours takes them with sigwait(2): the
 * record is then written from an ordinary thread, by run.c's usual early
 * end. Before handing over, that thread restores the default action and
 * unblocks the signals for itself alone, so a second signal, delivered to
 * the only thread that does not block it, ends the process at once. */
#include "harness/run/run.h"
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static gctb_run *current; /* atomic: the run a signal interrupts */
static sigset_t run_signals;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* Test hook: a pause between the first signal and writing the record, so
 * that a test can deliver the second signal meanwhile. */
static void test_delay(void) {
  const char *s = getenv("GCTB_TEST_INTERRUPT_DELAY_MS");
  long ms = s ? atol(s) : 0;
  if (ms > 0) {
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000};
    while (nanosleep(&ts, &ts) != 0)
      ;
  }
}

static void *signal_thread(void *arg) {
  (void)arg;
  int sig;
  while (sigwait(&run_signals, &sig) != 0)
    ;
  struct sigaction dfl = {.sa_handler = SIG_DFL};
  sigemptyset(&dfl.sa_mask);
  sigaction(SIGINT, &dfl, NULL);
  sigaction(SIGTERM, &dfl, NULL);
  pthread_sigmask(SIG_UNBLOCK, &run_signals, NULL);
  gctb_run *run = __atomic_load_n(&current, __ATOMIC_ACQUIRE);
  if (!run) /* no run to record (not started, or already ending) */
    raise(sig);
  test_delay();
  gctb_run_interrupt(run, sig); /* returns if the run is ending already */
  for (;;)
    pause(); /* for the next signal, or the end of the process */
  return NULL;
}

static void start_thread(void) {
  pthread_t t;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_create(&t, &attr, signal_thread, NULL);
  pthread_attr_destroy(&attr);
}

void gctb_signals_block(void) {
  sigemptyset(&run_signals);
  sigaddset(&run_signals, SIGINT);
  sigaddset(&run_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &run_signals, NULL);
  pthread_once(&once, start_thread);
}

void gctb_signals_watch(gctb_run *run) {
  __atomic_store_n(&current, run, __ATOMIC_RELEASE);
}
