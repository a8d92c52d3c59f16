/* safepoint.c — stopping the world, per-mutator handshakes and blocking.
 *
 * One lock (heap->lock) and one condition variable order everything: a
 * mutator's state (running / stopped / blocked) changes only under the lock,
 * and the thread that wants the world stopped waits until no other mutator is
 * running. Requests reach a running mutator through its safepoint_pending
 * flag, which gc_safepoint() polls inline.
 *
 * Time to safepoint: the time from a request (a world stop, or a handshake)
 * reaching a running mutator to that mutator arriving at a poll's slow path
 * or at a blocking region. It bounds how soon a stop can start, so it is
 * recorded per mutator and per request kind (delay.h; the record's "ttsp",
 * docs/results-format.md). A mutator that was blocked when asked answers at
 * once and is not counted.
 */
#include "heap.h"

/* Under heap->lock: whether m still has something to do at a safepoint. */
static bool has_request(gc_heap *heap, struct gc_mutator_private *p) {
  return heap->stw_requested || p->handshake_fn != NULL;
}

static void set_pending(gc_mutator *m, bool on) {
  __atomic_store_n(&m->safepoint_pending, on, __ATOMIC_RELEASE);
}

/* Under heap->lock: a request of kind reaches the running mutator p at now
 * (an earlier unanswered one keeps its time: the mutator is late for it). */
static void ask(struct gc_mutator_private *p, gc_ttsp_kind kind, uint64_t now) {
  if (!p->asked_ns) {
    p->asked_ns = now;
    p->asked_kind = kind;
  }
  set_pending(p->m, true);
}

/* Under heap->lock: p reached a poll or a blocking region at t. */
static void arrived(struct gc_mutator_private *p, uint64_t t) {
  if (!p->asked_ns)
    return;
  if (p->log)
    gc_delay_ttsp(p->log, p->asked_kind, t > p->asked_ns ? t - p->asked_ns : 0);
  p->asked_ns = 0;
}

/* Under heap->lock: runs m's pending handshake (lock dropped while it runs
 * when m runs it itself) and acknowledges it. */
static void run_handshake(gc_heap *heap, struct gc_mutator_private *p,
                          bool drop_lock, uint64_t held_since) {
  gc_handshake_fn fn = p->handshake_fn;
  void *arg = p->handshake_arg;
  const char *name = p->handshake_name;
  if (drop_lock)
    pthread_mutex_unlock(&heap->lock);
  fn(p->m, arg);
  if (drop_lock) { /* m was held: every handshake is a delay of m */
    uint64_t now = gc_now_ns();
    gc_delay_log(p->log, GC_DELAY_HOLD, name ? name : "handshake", held_since,
                 now);
    if (name) /* the legacy per-mutator entry of "pauses" */
      gc_events_pause_of(&heap->events, name, held_since, now, (int)p->id);
  }
  if (drop_lock)
    pthread_mutex_lock(&heap->lock);
  p->handshake_fn = NULL;
  p->handshake_name = NULL;
  heap->handshake_acks--;
  pthread_cond_broadcast(&heap->cond);
}

/* Under heap->lock: parks the running mutator p while the world is stopped. */
static void park(gc_heap *heap, struct gc_mutator_private *p) {
  p->state = GC_MUTATOR_STOPPED;
  heap->nrunning--;
  pthread_cond_broadcast(&heap->cond);
  uint64_t epoch = heap->stw_epoch;
  while (heap->stw_requested && heap->stw_epoch == epoch)
    pthread_cond_wait(&heap->cond, &heap->lock);
  p->state = GC_MUTATOR_RUNNING;
  heap->nrunning++;
}

void gc__safepoint_slow(gc_mutator *m) {
  gc_heap *heap = m->heap;
  struct gc_mutator_private *p = m->priv;
  uint64_t t0 = gc_now_ns(); /* a handshake's hold starts here */
  pthread_mutex_lock(&heap->lock);
  arrived(p, t0);
  m->stats.safepoints_taken++;
  while (has_request(heap, p)) {
    if (p->handshake_fn) {
      run_handshake(heap, p, true, t0);
    } else {
      park(heap, p);
      t0 = gc_now_ns();
    }
  }
  set_pending(m, false);
  pthread_mutex_unlock(&heap->lock);
}

void gc_enter_blocking(gc_mutator *m) {
  gc_heap *heap = m->heap;
  uint64_t t0 = gc_now_ns();
  pthread_mutex_lock(&heap->lock);
  arrived(m->priv, t0);
  if (m->priv->handshake_fn)
    run_handshake(heap, m->priv, true, t0);
  m->priv->state = GC_MUTATOR_BLOCKED;
  m->priv->blocked_since = gc_now_ns();
  m->priv->blocked_epoch = heap->stw_epoch;
  heap->nrunning--;
  pthread_cond_broadcast(&heap->cond);
  pthread_mutex_unlock(&heap->lock);
}

/* A world stop that overlapped the blocked span delays m only from now on
 * (it waits below): the span is recorded so that the stop's part before
 * now is not counted as m's delay (docs/delays.md). */
void gc_leave_blocking(gc_mutator *m) {
  gc_heap *heap = m->heap;
  struct gc_mutator_private *p = m->priv;
  uint64_t asked = gc_now_ns();
  pthread_mutex_lock(&heap->lock);
  bool stopped = heap->stw_requested || heap->stw_epoch != p->blocked_epoch;
  while (heap->stw_requested)
    pthread_cond_wait(&heap->cond, &heap->lock);
  p->state = GC_MUTATOR_RUNNING;
  heap->nrunning++;
  pthread_mutex_unlock(&heap->lock);
  if (stopped)
    gc_delay_blocked(p->log, p->blocked_since, asked);
}

bool gc_stop_the_world(gc_heap *heap, gc_mutator *self) {
  pthread_mutex_lock(&heap->lock);
  while (!self && heap->collecting) /* a GC thread waits its turn */
    pthread_cond_wait(&heap->cond, &heap->lock);
  if (heap->collecting) {
    /* Someone else is collecting: stop like everyone else, then report that
     * the caller should retry rather than collect again. */
    arrived(self->priv, gc_now_ns()); /* asked to stop while collecting */
    do /* a new stop may have begun before we woke: it did not count us */
      park(heap, self->priv);
    while (heap->stw_requested);
    pthread_mutex_unlock(&heap->lock);
    return false;
  }
  heap->collecting = true;
  heap->collector = self;
  heap->stw_requested = true;
  heap->pause_start_ns = gc_now_ns();
  heap->pause_cpu = gc_cpu_meter_start();
  heap->pause_thread = pthread_self();
  for (struct gc_mutator_private *p = heap->mutators; p; p = p->next)
    if (p->m != self && p->state == GC_MUTATOR_RUNNING)
      ask(p, GC_TTSP_STOP, heap->pause_start_ns);
  unsigned self_running = self ? 1 : 0;
  while (heap->nrunning > self_running)
    pthread_cond_wait(&heap->cond, &heap->lock);
  pthread_mutex_unlock(&heap->lock);
  return true;
}

bool gc_world_stopped_by(gc_heap *heap, gc_mutator *self) {
  pthread_mutex_lock(&heap->lock);
  bool mine = heap->collecting && heap->collector == self;
  pthread_mutex_unlock(&heap->lock);
  return mine;
}

void gc_resume_the_world(gc_heap *heap, const char *phase) {
  pthread_mutex_lock(&heap->lock);
  uint64_t start = heap->pause_start_ns;
  /* The pause ends here, when the world is released: read after the
   * broadcast, the clock would also count the time until this thread next
   * gets a CPU, which the woken mutators often take first (milliseconds on
   * a loaded machine, for a GC thread that is not a mutator itself). */
  uint64_t end = gc_now_ns();
  /* the pause's CPU time, if the thread that stopped the world resumes it
   * (as every collector does): its meter is per thread */
  uint64_t cpu = pthread_equal(heap->pause_thread, pthread_self())
                     ? gc_cpu_meter_read(&heap->pause_cpu)
                     : GC_CPU_UNKNOWN;
  heap->stw_requested = false;
  heap->collecting = false;
  heap->collector = NULL;
  heap->stw_epoch++;
  pthread_cond_broadcast(&heap->cond);
  pthread_mutex_unlock(&heap->lock);
  gc_events_pause_cpu(&heap->events, phase, start, end, cpu);
}

void gc_handshake(gc_heap *heap, gc_mutator *self, gc_handshake_fn fn,
                  void *arg) {
  gc_handshake_named(heap, self, NULL, fn, arg);
}

void gc_handshake_named(gc_heap *heap, gc_mutator *self, const char *name,
                        gc_handshake_fn fn, void *arg) {
  pthread_mutex_lock(&heap->lock);
  /* One handshake at a time, and none while the world is stopped. */
  while (heap->handshake_acks > 0 || heap->stw_requested)
    pthread_cond_wait(&heap->cond, &heap->lock);
  uint64_t now = gc_now_ns();
  for (struct gc_mutator_private *p = heap->mutators; p; p = p->next) {
    if (p->m == self)
      continue;
    p->handshake_fn = fn;
    p->handshake_arg = arg;
    p->handshake_name = name;
    heap->handshake_acks++;
    if (p->state == GC_MUTATOR_BLOCKED)
      run_handshake(heap, p, false, 0); /* on its behalf; it cannot leave */
    else
      ask(p, GC_TTSP_HANDSHAKE, now);
  }
  pthread_mutex_unlock(&heap->lock);
  if (self)
    fn(self, arg);
  pthread_mutex_lock(&heap->lock);
  while (heap->handshake_acks > 0)
    pthread_cond_wait(&heap->cond, &heap->lock);
  pthread_mutex_unlock(&heap->lock);
}
