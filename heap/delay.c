/* delay.c — appending to a mutator's delay log (delay.h). */
#include "heap.h"
#include "util.h"

const char *gc_delay_kind_name(gc_delay_kind kind) {
  static const char *const names[GC_DELAY_KINDS] = {"hold", "stall", "pace",
                                                    "assist", "runqueue"};
  return kind < GC_DELAY_KINDS ? names[kind] : "?";
}

void gc_delay_log(gc_mutator_log *log, gc_delay_kind kind, const char *phase,
                  uint64_t start, uint64_t end) {
  pthread_mutex_lock(&log->lock);
  gc_delay_log_locked(log, kind, phase, start, end);
  pthread_mutex_unlock(&log->lock);
}

void gc_delay_log_locked(gc_mutator_log *log, gc_delay_kind kind,
                         const char *phase, uint64_t start, uint64_t end) {
  uint64_t ns = end > start ? end - start : 0;
  log->total_ns[kind] += ns;
  log->count[kind]++;
  if (kind == GC_DELAY_ASSIST && ns < GC_ASSIST_LOG_NS) {
    log->small_assists++;
    log->small_assist_ns += ns;
  } else if (gc_vec_reserve((void **)&log->delays, &log->cap, log->ndelays,
                            sizeof *log->delays, 16)) {
    log->delays[log->ndelays++] = (gc_delay){phase, start, ns, kind};
  }
}

void gc_delay_blocked(gc_mutator_log *log, uint64_t start, uint64_t end) {
  pthread_mutex_lock(&log->lock);
  if (gc_vec_reserve((void **)&log->blocked, &log->blocked_cap, log->nblocked,
                     sizeof *log->blocked, 16))
    log->blocked[log->nblocked++] = (gc_span){start, end};
  pthread_mutex_unlock(&log->lock);
}

void gc_delay_ttsp(gc_mutator_log *log, gc_ttsp_kind kind, uint64_t ns) {
  pthread_mutex_lock(&log->lock);
  if (gc_vec_reserve((void **)&log->ttsp[kind], &log->ttsp_cap[kind],
                     log->nttsp[kind], sizeof *log->ttsp[kind], 64))
    log->ttsp[kind][log->nttsp[kind]++] = ns;
  pthread_mutex_unlock(&log->lock);
}

static _Thread_local gc_mutator_log *thread_log;

gc_mutator_log *gc_delay_thread_log(void) { return thread_log; }
void gc_delay_set_thread_log(gc_mutator_log *log) { thread_log = log; }

uint64_t gc_delay_begin(void) { return gc_now_ns(); }

void gc_delay_end(gc_mutator *m, gc_delay_kind kind, const char *phase,
                  uint64_t start) {
  gc_delay_log(m->priv->log, kind, phase, start, gc_now_ns());
}
