/* spin.h — waiting a short while for another thread without a lock: a CPU
 * pause per try (it tells a hyper-threaded core to let its sibling run and
 * saves the pipeline flush when the wait ends) and, now and then, a yield,
 * because the thread waited for may have been descheduled and spinning on
 * would only keep it from running. */
#ifndef GCTB_HEAP_SPIN_H
#define GCTB_HEAP_SPIN_H

#include <sched.h>

static inline void gc_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

/* Try number `spins` (from 0) of a wait: a pause, and a yield on every
 * `yield_every`-th try (a power of two). */
static inline void gc_spin_backoff(unsigned spins, unsigned yield_every) {
  gc_cpu_relax();
  if ((spins & (yield_every - 1)) == yield_every - 1)
    sched_yield();
}

#endif
