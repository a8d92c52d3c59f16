/* nogc — bump allocation through the whole heap, never collects. The cost
 * floor other policies are measured against, and the smallest complete
 * policy: docs/adding-a-policy.md walks through this file.
 *
 * The arena is one contiguous pre-touched (so already zeroed) run of chunks;
 * mutators carve thread-local buffers from it with one atomic add and bump
 * inside them with the inline fast path in gctb.h. */
#include "../../heap/heap.h"
#include <stdlib.h>

typedef struct nogc_state {
  uintptr_t cursor; /* next free byte; atomic */
  uintptr_t end;
  size_t tlab_bytes;
} nogc_state;

static const gc_option_spec nogc_options[] = {
    {"tlab_bytes", GC_OPT_SIZE, "thread-local allocation buffer size", 32768,
     1024, 16777216, NULL},
    {0}};

static bool nogc_init(gc_heap *heap, const gc_options *opts, char *err,
                      size_t errlen) {
  nogc_state *s = calloc(1, sizeof *s);
  if (!s)
    return false;
  uint8_t space = gc_arena_add_space(&heap->arena, "nogc");
  s->cursor = gc_arena_take(&heap->arena, heap->arena.nchunks, space);
  s->end = s->cursor + (heap->arena.nchunks << GC_CHUNK_LOG);
  s->tlab_bytes = (size_t)gc_opt_int(opts, "tlab_bytes") & ~(size_t)7;
  heap->policy_state = s;
  return true;
}

static void nogc_destroy(gc_heap *heap) { free(heap->policy_state); }

/* Claims n bytes of the arena; 0 when the heap is used up. */
static uintptr_t claim(nogc_state *s, size_t n) {
  uintptr_t p = __atomic_fetch_add(&s->cursor, n, __ATOMIC_RELAXED);
  return p <= s->end && n <= s->end - p ? p : 0;
}

static gc_ref nogc_alloc_slow(gc_mutator *m, size_t bytes, uint64_t header) {
  nogc_state *s = m->heap->policy_state;
  uintptr_t p;
  if (bytes > s->tlab_bytes / 4) {
    /* big objects get their own run rather than wasting a buffer's tail */
    if (!(p = claim(s, bytes)))
      return GC_NULL;
    m->stats.bytes_allocated += bytes;
  } else {
    if (bytes > m->bump_limit - m->bump_cur) {
      uintptr_t b = claim(s, s->tlab_bytes);
      if (!b)
        return GC_NULL;
      gc_mutator_retire_bump(m);
      m->bump_start = m->bump_cur = b;
      m->bump_limit = b + s->tlab_bytes;
    }
    p = m->bump_cur;
    m->bump_cur += bytes;
  }
  *(uint64_t *)p = header;
  return (gc_ref)p;
}

static void nogc_mutator_detach(gc_mutator *m) { gc_mutator_retire_bump(m); }

static void nogc_collect(gc_mutator *m, gc_collect_reason why) {
  /* Nothing to reclaim; still a safepoint so requests are honoured. */
}

static size_t nogc_heap_used(gc_heap *heap) {
  nogc_state *s = heap->policy_state;
  uintptr_t cur = __atomic_load_n(&s->cursor, __ATOMIC_RELAXED);
  return (cur < s->end ? cur : s->end) - heap->arena.base;
}

static bool nogc_verify_object(gc_heap *heap, gc_verifier *v, uintptr_t addr) {
  nogc_state *s = heap->policy_state;
  if (addr >= __atomic_load_n(&s->cursor, __ATOMIC_RELAXED)) {
    gc_verify_fail(v, "object 0x%lx lies beyond the allocation cursor",
                   (unsigned long)addr);
    return false;
  }
  return true;
}

static void nogc_report(gc_heap *heap, json_t *out) {
  json_object_set_new(out, "bytes_used", json_integer(nogc_heap_used(heap)));
}

const gc_policy gc_policy_nogc = {
    GC_POLICY_DEFAULTS,
    .name = "nogc",
    .summary = "bump allocation, never collects (the cost floor)",
    .constraints = {GC_FAST_PATHS(BUMP, 1, NONE, NONE), .moves_objects = false,
                    .large_object_bytes = SIZE_MAX},
    .options = nogc_options,
    .init = nogc_init,
    .destroy = nogc_destroy,
    .mutator_detach = nogc_mutator_detach,
    .alloc_slow = nogc_alloc_slow,
    .collect = nogc_collect,
    .verify_object = nogc_verify_object,
    .heap_used = nogc_heap_used,
    .report = nogc_report,
};
