/* Threads: stop-the-world safepoints, handshakes (with a blocked mutator),
 * and the parallel tracing work queue against a sequential reference. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h> /* after the three it needs */

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "heap/heap.h"
#include "heap/trace.h"
#include "heap_fixture.h"

static gc_heap *make_heap(unsigned gc_threads) {
  gc_heap_config cfg = {.heap_bytes = 4u << 20, .gc_threads = gc_threads};
  return fixture_heap("nogc", &cfg);
}

typedef struct spinner {
  gc_heap *heap;
  long progress; /* atomic */
  int stop;      /* atomic */
  int handshakes;
} spinner;

static void *spin(void *arg) {
  spinner *s = arg;
  gc_mutator *m = gc_attach(s->heap);
  while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
    __atomic_add_fetch(&s->progress, 1, __ATOMIC_RELAXED);
    gc_safepoint(m);
  }
  gc_detach(m);
  return NULL;
}

static void stop_the_world_stops_everyone(void **state) {
  gc_heap *heap = make_heap(1);
  spinner s[2] = {{heap}, {heap}};
  pthread_t t[2];
  for (int i = 0; i < 2; i++)
    pthread_create(&t[i], NULL, spin, &s[i]);
  while (__atomic_load_n(&s[0].progress, __ATOMIC_RELAXED) < 1000 ||
         __atomic_load_n(&s[1].progress, __ATOMIC_RELAXED) < 1000)
    sched_yield();
  for (int round = 0; round < 20; round++) {
    assert_true(gc_stop_the_world(heap, NULL));
    long p0 = __atomic_load_n(&s[0].progress, __ATOMIC_RELAXED);
    long p1 = __atomic_load_n(&s[1].progress, __ATOMIC_RELAXED);
    usleep(1000);
    assert_int_equal(p0, __atomic_load_n(&s[0].progress, __ATOMIC_RELAXED));
    assert_int_equal(p1, __atomic_load_n(&s[1].progress, __ATOMIC_RELAXED));
    gc_resume_the_world(heap, "test");
  }
  assert_int_equal(heap->events.npauses, 20);
  for (int i = 0; i < 2; i++) {
    __atomic_store_n(&s[i].stop, 1, __ATOMIC_RELEASE);
    pthread_join(t[i], NULL);
  }
  gc_heap_destroy(heap);
}

static void count_handshake(gc_mutator *m, void *arg) {
  int *counts = arg;
  __atomic_add_fetch(&counts[m->priv->id], 1, __ATOMIC_RELAXED);
}

static void handshakes_reach_running_and_blocked(void **state) {
  gc_heap *heap = make_heap(1);
  spinner s[2] = {{heap}, {heap}};
  pthread_t t[2];
  gc_mutator *self = gc_attach(heap);    /* id 0 */
  gc_mutator *blocked = gc_attach(heap); /* id 1, never polls */
  gc_enter_blocking(blocked);
  for (int i = 0; i < 2; i++)
    pthread_create(&t[i], NULL, spin, &s[i]); /* ids 2, 3 */
  for (;;) {
    pthread_mutex_lock(&heap->lock);
    unsigned n = heap->nmutators;
    pthread_mutex_unlock(&heap->lock);
    if (n == 4)
      break;
    sched_yield();
  }
  int counts[8] = {0};
  for (int round = 0; round < 10; round++)
    gc_handshake(heap, self, count_handshake, counts);
  for (int id = 0; id < 4; id++)
    assert_int_equal(counts[id], 10);
  for (int i = 0; i < 2; i++) {
    __atomic_store_n(&s[i].stop, 1, __ATOMIC_RELEASE);
    pthread_join(t[i], NULL);
  }
  gc_leave_blocking(blocked);
  gc_detach(blocked);
  gc_detach(self);
  gc_heap_destroy(heap);
}

/* A random graph of fixed 3-ref nodes in plain memory; marks in a side
 * array. Each node must be scanned exactly once. */
enum { NODES = 200000 };
static gc_type tnode = {"tnode", GC_TYPE_FIXED, 3, 0x7};
typedef struct graph {
  uint64_t *mem; /* 4 words per node */
  unsigned char *mark;
  unsigned *scans;
} graph;

static void mark_push(gc_worker *w, graph *g, uintptr_t ref) {
  size_t i = (ref - (uintptr_t)g->mem) / 32;
  if (!__atomic_exchange_n(&g->mark[i], 1, __ATOMIC_RELAXED))
    gc_worker_push(w, ref);
}

static void seed(gc_worker *w, void *arg) {
  graph *g = arg;
  for (size_t r = w->id; r < 16; r += w->count)
    mark_push(w, g, (uintptr_t)&g->mem[4 * r]);
}

typedef struct visit_ctx {
  gc_worker *w;
  graph *g;
} visit_ctx;

static void visit(uintptr_t *slot, void *ctx) {
  visit_ctx *c = ctx;
  if (*slot)
    mark_push(c->w, c->g, *slot);
}

static void scan(gc_worker *w, uintptr_t item, void *arg) {
  graph *g = arg;
  __atomic_add_fetch(&g->scans[(item - (uintptr_t)g->mem) / 32], 1,
                     __ATOMIC_RELAXED);
  w->objects_traced++;
  visit_ctx c = {w, g};
  gc_for_each_slot(item, 1, visit, &c);
}

static size_t reachable(graph *g) {
  unsigned char *seen = calloc(NODES, 1);
  size_t *stack = malloc(NODES * sizeof *stack), top = 0, n = 0;
  for (size_t r = 0; r < 16; r++)
    if (!seen[r])
      seen[r] = 1, stack[top++] = r;
  while (top) {
    size_t i = stack[--top];
    n++;
    for (int k = 1; k <= 3; k++) {
      uint64_t ref = g->mem[4 * i + k];
      if (!ref)
        continue;
      size_t j = (ref - (uintptr_t)g->mem) / 32;
      if (!seen[j])
        seen[j] = 1, stack[top++] = j;
    }
  }
  free(seen);
  free(stack);
  return n;
}

static void parallel_trace_visits_each_object_once(void **state) {
  assert_true(gc_type_register(&tnode));
  for (unsigned threads = 1; threads <= 4; threads *= 2) {
    gc_heap *heap = make_heap(threads);
    graph g = {aligned_alloc(32, NODES * 32), calloc(NODES, 1),
               calloc(NODES, sizeof(unsigned))};
    srand(42);
    for (size_t i = 0; i < NODES; i++) {
      g.mem[4 * i] = gc_header_make(&tnode, 0);
      for (int k = 1; k <= 3; k++)
        g.mem[4 * i + k] =
            rand() % 4 ? (uint64_t)(uintptr_t)&g.mem[4 * (rand() % NODES)] : 0;
    }
    gc_trace_job job = {.seed = seed, .scan = scan, .arg = &g};
    gc_worker sum;
    gc_cpu_meter cpu = gc_cpu_meter_start();
    gc_workers_run(&heap->workers, &job, &sum);
    uint64_t used = gc_cpu_meter_read(&cpu);
    size_t expect = reachable(&g);
    assert_int_equal(sum.objects_traced, expect);
    for (size_t i = 0; i < NODES; i++)
      assert_true(g.scans[i] == g.mark[i]); /* once if marked, else never */
    /* the caller's meter holds every worker's CPU time: its own (worker
     * 0's included) and the helpers' */
    assert_true(sum.cpu_ns > 0);
    assert_true(used >= sum.cpu_ns);
    free(g.mem), free(g.mark), free(g.scans);
    gc_heap_destroy(heap);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(stop_the_world_stops_everyone),
      cmocka_unit_test(handshakes_reach_running_and_blocked),
      cmocka_unit_test(parallel_trace_visits_each_object_once),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
