/* heap.c — creating and destroying a heap; the default failure handlers. */
#include "heap.h"
#include "collector.h"
#include "runqueue.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void default_oom(gc_heap *heap, gc_mutator *m, size_t bytes) {
  fprintf(stderr, "gctb: out of memory: %s could not allocate %zu bytes\n",
          heap->policy->name, bytes);
  exit(3);
}

static void default_fail(gc_heap *heap, gc_mutator *m, const char *msg) {
  fprintf(stderr, "gctb: error: %s\n", msg);
  exit(1);
}

gc_heap *gc_heap_create(const gc_heap_config *cfg, const gc_policy *policy,
                        const gc_options *opts, char *err, size_t errlen) {
  gc_heap *heap = calloc(1, sizeof *heap);
  if (!heap) {
    snprintf(err, errlen, "out of memory creating the heap");
    return NULL;
  }
  heap->cfg = *cfg;
  if (heap->cfg.root_slots == 0)
    heap->cfg.root_slots = 65536;
  if (heap->cfg.gc_threads == 0)
    heap->cfg.gc_threads = 1;
  heap->policy = policy;
  heap->c = policy->constraints;
  heap->policy_options = *opts;
#ifdef GCTB_SPECIALISE
  /* The whole build's fast paths are constants for one family (gctb.h). */
  if (gc_heap_family(heap) != GC_FAMILY_THIS) {
    snprintf(err, errlen,
             "this build is specialised for policy family %s "
             "(GCTB_SPECIALISE); policy %s%s is family %s and needs a "
             "general build",
             gc_family_name(GC_FAMILY_THIS), policy->name,
             cfg->stress_allocs || cfg->stress_bytes ? " in stress mode" : "",
             gc_family_name(gc_heap_family(heap)));
    free(heap);
    return NULL;
  }
#endif
  heap->on_oom = default_oom;
  heap->on_fail = default_fail;
  gc_events_init(&heap->events);
  pthread_mutex_init(&heap->lock, NULL);
  pthread_cond_init(&heap->cond, NULL);
  if (!heap->c.external_memory) {
    if (!gc_arena_init(&heap->arena, cfg->heap_bytes, err, errlen))
      goto fail;
    if (!gc_los_init(&heap->los, &heap->arena)) {
      snprintf(err, errlen, "cannot set up the large-object space");
      goto fail;
    }
  }
  if (!gc_workers_init(&heap->workers, heap, heap->cfg.gc_threads)) {
    snprintf(err, errlen, "cannot start %u GC threads", heap->cfg.gc_threads);
    goto fail;
  }
  if (!policy->init(heap, opts, err, errlen))
    goto fail_policy;
  if (policy->alloc_slow == gc_collector_entry_alloc_slow &&
      !(heap->driver && heap->driver->ops.try_alloc)) {
    snprintf(err, errlen,
             "%s: GC_COLLECTOR_DRIVEN needs gc_collector_start in init, with "
             "ops.try_alloc (heap/collector.h)",
             policy->name);
    policy->destroy(heap);
    goto fail_policy;
  }
  heap->events.t0 = gc_now_ns();
  heap->runqueue =
      gc_runqueue_start(&heap->events, heap->cfg.runqueue_sample_ns);
  return heap;
fail_policy:
  gc_workers_destroy(&heap->workers);
fail:
  if (!heap->c.external_memory) {
    if (heap->los.mark)
      gc_los_destroy(&heap->los);
    gc_arena_destroy(&heap->arena);
  }
  gc_events_destroy(&heap->events);
  free(heap);
  return NULL;
}

void gc_heap_destroy(gc_heap *heap) {
  gc_runqueue_stop(heap->runqueue);
  heap->policy->destroy(heap);
  gc_workers_destroy(&heap->workers);
  if (!heap->c.external_memory) {
    gc_los_destroy(&heap->los);
    gc_arena_destroy(&heap->arena);
  }
  gc_events_destroy(&heap->events);
  pthread_mutex_destroy(&heap->lock);
  pthread_cond_destroy(&heap->cond);
  free(heap);
}

_Noreturn void gc_heap_oom(gc_mutator *m, size_t bytes) {
  m->heap->on_oom(m->heap, m, bytes);
  abort(); /* on_oom must not return */
}

_Noreturn void gc_fail(gc_mutator *m, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  m->heap->on_fail(m->heap, m, msg);
  abort();
}

_Noreturn void gc_check_failed(const char *what, const char *file, int line) {
  fprintf(stderr, "gctb: check failed: %s (%s:%d)\n", what, file, line);
  abort();
}
