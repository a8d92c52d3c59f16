/* workers.c — GC worker threads and packet-based work sharing. */
#include "workers.h"
#include "heap.h"
#include "pin.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void gc_worker__grow(gc_worker *w) {
  size_t ncap = w->cap ? 2 * w->cap : 4096;
  uintptr_t *s = realloc(w->stack, ncap * sizeof *s);
  if (!s) {
    fprintf(stderr, "gctb: out of memory growing a mark stack\n");
    abort();
  }
  w->stack = s;
  w->cap = ncap;
}

/* Publishes the older half of the stack (at most a packet) for idle
 * workers: old items tend to root bigger subgraphs than new ones. */
void gc_worker__share(gc_worker *w) {
  gc_workers *p = w->pool;
  pthread_mutex_lock(&p->pool_lock);
  gc_packet *pk = p->empty;
  if (pk)
    p->empty = pk->next;
  pthread_mutex_unlock(&p->pool_lock);
  if (!pk && !(pk = malloc(sizeof *pk)))
    return; /* keep the work local */
  size_t n = w->top / 2 < GC_PACKET_ITEMS ? w->top / 2 : GC_PACKET_ITEMS;
  pk->n = n;
  memcpy(pk->items, w->stack, n * sizeof *pk->items);
  w->top -= n;
  memmove(w->stack, w->stack + n, w->top * sizeof *w->stack);
  pthread_mutex_lock(&p->pool_lock);
  pk->next = p->full;
  p->full = pk;
  __atomic_store_n(&p->nfull, p->nfull + 1, __ATOMIC_RELAXED);
  pthread_cond_signal(&p->pool_cond);
  pthread_mutex_unlock(&p->pool_lock);
}

/* Takes a shared packet into w's stack. Returns false when every worker is
 * idle and nothing is left: the job is over. */
static bool acquire(gc_worker *w) {
  gc_workers *p = w->pool;
  pthread_mutex_lock(&p->pool_lock);
  __atomic_add_fetch(&p->idle, 1, __ATOMIC_RELAXED);
  while (p->nfull == 0 && p->idle < w->count)
    pthread_cond_wait(&p->pool_cond, &p->pool_lock);
  if (p->nfull == 0) {
    pthread_cond_broadcast(&p->pool_cond); /* all idle: everyone leaves */
    pthread_mutex_unlock(&p->pool_lock);
    return false;
  }
  __atomic_sub_fetch(&p->idle, 1, __ATOMIC_RELAXED);
  gc_packet *pk = p->full;
  p->full = pk->next;
  __atomic_store_n(&p->nfull, p->nfull - 1, __ATOMIC_RELAXED);
  while (w->cap - w->top < pk->n)
    gc_worker__grow(w);
  memcpy(w->stack + w->top, pk->items, pk->n * sizeof *pk->items);
  w->top += pk->n;
  pk->next = p->empty;
  p->empty = pk;
  pthread_mutex_unlock(&p->pool_lock);
  return true;
}

static void work(gc_worker *w, const gc_trace_job *job) {
  uint64_t cpu0 = gc_thread_cpu_ns();
  w->objects_traced = w->bytes_traced = 0;
  w->objects_copied = w->bytes_copied = 0;
  if (job->seed)
    job->seed(w, job->arg);
  do {
    if (job->drain)
      job->drain(w, job->arg);
    else
      while (w->top)
        job->scan(w, gc_worker_pop(w), job->arg);
  } while (acquire(w));
  if (job->finish)
    job->finish(w, job->arg);
  w->cpu_ns = gc_thread_cpu_ns() - cpu0;
}

static void *helper_main(void *arg) {
  gc_worker *w = arg;
  gc_workers *p = w->pool;
  uint64_t seen = 0;
  gc_thread_started(GC_THREAD_GC, w->id);
  pthread_mutex_lock(&p->lock);
  for (;;) {
    while (!p->shutdown && p->generation == seen)
      pthread_cond_wait(&p->wake, &p->lock);
    if (p->shutdown)
      break;
    seen = p->generation;
    const gc_trace_job *job = p->job;
    pthread_mutex_unlock(&p->lock);
    work(w, job);
    pthread_mutex_lock(&p->lock);
    if (++p->finished == p->nthreads - 1)
      pthread_cond_signal(&p->done);
  }
  pthread_mutex_unlock(&p->lock);
  return NULL;
}

bool gc_workers_init(gc_workers *p, gc_heap *heap, unsigned nthreads) {
  memset(p, 0, sizeof *p);
  p->heap = heap;
  p->nthreads = nthreads ? nthreads : 1;
  p->workers = calloc(p->nthreads, sizeof *p->workers);
  p->threads = calloc(p->nthreads, sizeof *p->threads);
  if (!p->workers || !p->threads)
    return false;
  pthread_mutex_init(&p->lock, NULL);
  pthread_cond_init(&p->wake, NULL);
  pthread_cond_init(&p->done, NULL);
  pthread_mutex_init(&p->pool_lock, NULL);
  pthread_cond_init(&p->pool_cond, NULL);
  for (unsigned i = 0; i < p->nthreads; i++) {
    p->workers[i] =
        (gc_worker){.heap = heap, .pool = p, .id = i, .count = p->nthreads};
    if (i > 0 &&
        pthread_create(&p->threads[i], NULL, helper_main, &p->workers[i])) {
      p->nthreads = i; /* run with the threads we got */
      for (unsigned j = 0; j < i; j++)
        p->workers[j].count = i;
      break;
    }
  }
  return true;
}

void gc_workers_destroy(gc_workers *p) {
  if (!p->workers)
    return;
  pthread_mutex_lock(&p->lock);
  p->shutdown = true;
  pthread_cond_broadcast(&p->wake);
  pthread_mutex_unlock(&p->lock);
  for (unsigned i = 1; i < p->nthreads; i++)
    pthread_join(p->threads[i], NULL);
  for (unsigned i = 0; i < p->nthreads; i++)
    free(p->workers[i].stack);
  while (p->empty) {
    gc_packet *n = p->empty->next;
    free(p->empty);
    p->empty = n;
  }
  free(p->workers);
  free(p->threads);
  pthread_mutex_destroy(&p->lock);
  pthread_cond_destroy(&p->wake);
  pthread_cond_destroy(&p->done);
  pthread_mutex_destroy(&p->pool_lock);
  pthread_cond_destroy(&p->pool_cond);
}

/* Helper workers' CPU time in jobs this thread ran (gc_cpu_meter). */
static _Thread_local uint64_t helpers_cpu_ns;

gc_cpu_meter gc_cpu_meter_start(void) {
  return (gc_cpu_meter){gc_thread_cpu_ns(), helpers_cpu_ns};
}

uint64_t gc_cpu_meter_read(const gc_cpu_meter *m) {
  return gc_thread_cpu_ns() - m->thread0 + (helpers_cpu_ns - m->helpers0);
}

void gc_workers_run(gc_workers *p, const gc_trace_job *job, gc_worker *sum) {
  __atomic_store_n(&p->idle, 0, __ATOMIC_RELAXED);
  pthread_mutex_lock(&p->lock);
  p->job = job;
  p->finished = 0;
  p->generation++;
  pthread_cond_broadcast(&p->wake);
  pthread_mutex_unlock(&p->lock);
  work(&p->workers[0], job);
  pthread_mutex_lock(&p->lock);
  while (p->finished < p->nthreads - 1)
    pthread_cond_wait(&p->done, &p->lock);
  pthread_mutex_unlock(&p->lock);
  gc_worker total = {0};
  for (unsigned i = 0; i < p->nthreads; i++) {
    gc_worker *w = &p->workers[i];
    total.objects_traced += w->objects_traced;
    total.bytes_traced += w->bytes_traced;
    total.objects_copied += w->objects_copied;
    total.bytes_copied += w->bytes_copied;
    total.cpu_ns += w->cpu_ns;
  }
  helpers_cpu_ns += total.cpu_ns - p->workers[0].cpu_ns;
  if (sum)
    *sum = total;
}

typedef struct root_share {
  gc_worker *w;
  size_t index; /* slots seen so far, over all mutators */
  void (*visit)(uintptr_t *slot, void *ctx);
  void *ctx;
} root_share;

static void share_mutator(gc_mutator *m, void *arg) {
  root_share *r = arg;
  for (size_t i = 0; i < m->nroots; i++, r->index++)
    if ((r->index / GC_ROOT_BLOCK) % r->w->count == r->w->id &&
        __atomic_load_n(&m->roots[i], __ATOMIC_RELAXED) != GC_NULL)
      r->visit(&m->roots[i], r->ctx);
}

void gc_worker_roots(gc_worker *w, void (*visit)(uintptr_t *slot, void *ctx),
                     void *ctx) {
  root_share r = {w, 0, visit, ctx};
  gc_for_each_mutator(w->heap, share_mutator, &r);
}
