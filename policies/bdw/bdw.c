/* bdw — Debian's libgc (Boehm, Demers, Weiser: conservative, non-moving,
 * mark-sweep with lazy sweeping and parallel marking) behind the gctb API,
 * as the baseline other policies are compared with. See docs/policies/bdw.md.
 *
 * libgc brings its own memory (the core creates no arena for us), stops the
 * world with signals rather than at our safepoints, and finds references
 * conservatively: in registered thread stacks (where bdw's family
 * instances keep their local roots, as C locals: GC_FAST_PATHS_CONSERVATIVE),
 * static data, GC_MALLOC'd objects and the root ranges we add (every
 * mutator's shadow stack, which the other instances use). */
#include "bdw.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const trigger_choices[] = {"full", "divisor", NULL};

static const gc_option_spec bdw_options[] = {
    {"trigger", GC_OPT_ENUM,
     "when libgc collects: full (only when its fixed heap cannot satisfy an "
     "allocation, as the other policies do) or divisor (libgc's own rule: "
     "after allocating about (in-use heap)/free_space_divisor)",
     0, 0, 0, trigger_choices},
    {"free_space_divisor", GC_OPT_INT,
     "libgc's GC_free_space_divisor, used with trigger=divisor (higher: "
     "more collections)",
     3, 1, 1000, NULL},
    {"max_retries", GC_OPT_INT,
     "extra full collections libgc tries before reporting out-of-memory", 1, 0,
     100, NULL},
    {"interior_pointers", GC_OPT_BOOL,
     "libgc's GC_all_interior_pointers (off: references point at object "
     "starts, as gctb's always do, and libgc adds no byte to each object; "
     "process-wide, first heap wins)",
     0, 0, 0, NULL},
    {"count_live", GC_OPT_BOOL,
     "count reachable objects after every cycle (fills live_bytes and "
     "objects_traced; walks the heap while holding libgc's lock)",
     0, 0, 0, NULL},
    {0},
};

static bool bdw_claimed; /* a bdw heap exists in this process; atomic */

/* libgc is initialised once per process: the first heap's gc_threads and
 * interior_pointers hold for the life of the process. */
static void bdw_global_init(unsigned markers, bool interior) {
  static bool done;
  if (done)
    return;
  done = true;
  GC_set_markers_count(markers);
  /* A fixed heap stays committed, as an arena does: libgc would otherwise
   * give blocks free for six collections back to the OS and fault them in
   * again inside the measurement (the environment may still say
   * otherwise). */
  setenv("GC_UNMAP_THRESHOLD", "0", 0);
  /* With interior pointers on, libgc adds a byte to every object so that a
   * pointer just past its end still retains it: a 32-byte GCBench node
   * would take a 48-byte cell. A gc_ref always points at the object start,
   * and a reference that must survive an allocation sits in a shadow-stack
   * slot (the API contract), so only starts need recognising. */
  GC_set_all_interior_pointers(interior);
  GC_INIT();
  /* Mutator threads are created with plain pthread_create and register
   * themselves in mutator_attach. */
  GC_allow_register_threads();
  bdw_events_install();
  bdw_lists_install();
}

/* Touches libgc's free heap once before the run, as the core touches an
 * arena when it creates one (heap/arena.h): otherwise every policy but bdw
 * pays its first-touch page faults in setup and bdw pays them inside the
 * measurement. Blocks of unreachable atomic objects cover the free heap,
 * are written, and one collection (before bdw_current is set, so it is not
 * recorded, and before at_init, so not counted) frees them again. */
static void bdw_pretouch(void) {
  const size_t block = 64u << 10;
  size_t n = GC_get_free_bytes() / block;
  for (size_t i = 0; i < n; i++) {
    void *p = GC_MALLOC_ATOMIC(block);
    if (!p)
      break;
    memset(p, 0, block);
  }
  GC_gcollect();
}

/* A fixed heap of exactly the heap size, as every arena policy has: libgc
 * is capped at it (GC_malloc returns NULL, after collecting, rather than
 * growing past it), expanded to all of it now, and told never to expand on
 * its own. Without this libgc starts small and grows by its own rule, so a
 * "64M" bdw run may never use more than a quarter of it. libgc's heap never
 * shrinks: a later bdw heap in the same process that is smaller than an
 * earlier one keeps the larger heap (the report's heap_bytes_at_start says
 * so; `gctb run` makes one heap per process). */
static bool bdw_set_limits(gc_heap *heap, const gc_options *opts, char *err,
                           size_t errlen) {
  size_t max = heap->cfg.heap_bytes;
  bool full = strcmp(gc_opt_enum(opts, "trigger"), "full") == 0;
  GC_set_max_heap_size(max);
  GC_set_free_space_divisor((GC_word)gc_opt_int(opts, "free_space_divisor"));
  GC_set_max_retries((GC_word)gc_opt_int(opts, "max_retries"));
  /* trigger=full: libgc collects when it has allocated at least this much
   * since the last collection (min_bytes_allocd), or earlier when no free
   * block is left; a heap's worth means "when the heap is full". It also
   * makes libgc use the whole heap before collecting (GC_allochblk splits
   * free blocks only while no collection is due). */
  GC_set_min_bytes_allocd(max); /* no collection while pre-touching */
  size_t now = GC_get_heap_size();
  if (max > now && !GC_expand_hp(max - now)) {
    snprintf(err, errlen,
             "bdw: libgc cannot expand its heap to heap.size (%zu bytes; it "
             "has %zu)",
             max, now);
    return false;
  }
  GC_set_dont_expand(1);
  bdw_pretouch();
  GC_set_min_bytes_allocd(full ? max : 1);
  return true;
}

static bool bdw_init(gc_heap *heap, const gc_options *opts, char *err,
                     size_t errlen) {
  bool was = false;
  if (!__atomic_compare_exchange_n(&bdw_claimed, &was, true, false,
                                   __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
    snprintf(err, errlen,
             "bdw: libgc is process-wide; only one bdw heap "
             "may exist at a time");
    return false;
  }
  bdw_state *s = calloc(1, sizeof *s);
  if (!s) {
    snprintf(err, errlen, "bdw: out of memory");
    __atomic_store_n(&bdw_claimed, false, __ATOMIC_RELEASE);
    return false;
  }
  s->heap = heap;
  s->count_live = gc_opt_bool(opts, "count_live");
  bdw_global_init(heap->cfg.gc_threads, gc_opt_bool(opts, "interior_pointers"));
  /* With interior pointers libgc wants a byte past each object, which the
   * free lists' sizes do not leave: every allocation is then a call. */
  if (GC_get_all_interior_pointers()) {
    heap->c.alloc = GC_ALLOC_CALL;
    heap->c.conservative_roots = false; /* family call1, as in stress mode */
  }
  if (!bdw_set_limits(heap, opts, err, errlen)) {
    free(s);
    __atomic_store_n(&bdw_claimed, false, __ATOMIC_RELEASE);
    return false;
  }
  GC_get_prof_stats(&s->at_init, sizeof s->at_init);
  heap->policy_state = s;
  __atomic_store_n(&bdw_current, heap, __ATOMIC_RELEASE);
  return true;
}

static void bdw_destroy(gc_heap *heap) {
  bdw_state *s = heap->policy_state;
  __atomic_store_n(&bdw_current, NULL, __ATOMIC_RELEASE);
  free(s->checked);
  free(s);
  heap->policy_state = NULL;
  __atomic_store_n(&bdw_claimed, false, __ATOMIC_RELEASE);
}

/* Threads libgc does not know yet (all but the one that ran GC_INIT) are
 * registered here and unregistered on detach; the shadow stack becomes a
 * root range (its slots are scanned conservatively, like a stack), and the
 * free lists are kept alive (bdw_lists.c). */
static void bdw_mutator_attach(gc_mutator *m) {
  bdw_mutator *b = calloc(1, sizeof *b);
  if (!b) {
    fprintf(stderr, "gctb: bdw: out of memory attaching a mutator\n");
    abort();
  }
  b->m = m;
  if (!GC_thread_is_registered()) {
    struct GC_stack_base sb;
    if (GC_get_stack_base(&sb) != GC_SUCCESS ||
        GC_register_my_thread(&sb) != GC_SUCCESS) {
      fprintf(stderr, "gctb: bdw: libgc cannot register this thread\n");
      abort();
    }
    b->registered_thread = true;
  }
  m->policy_data = b;
  GC_add_roots(m->roots, m->roots + m->roots_cap);
  b->lists = m->alloc_style == GC_ALLOC_FREELIST;
  if (b->lists)
    bdw_lists_attach(b);
}

static void bdw_mutator_detach(gc_mutator *m) {
  bdw_mutator *b = m->policy_data;
  GC_remove_roots(m->roots, m->roots + m->roots_cap);
  if (b->lists)
    bdw_lists_detach(b);
  if (b->registered_thread)
    GC_unregister_my_thread();
  free(b);
  m->policy_data = NULL;
}

/* libgc collected on this thread inside GC_MALLOC: verify now if asked. The
 * world is stopped at our safepoints for the walk; objects other threads
 * allocated since the collection may be reachable, so marks are not
 * demanded here (bdw_collect's verification does demand them). */
static void bdw_after_alloc_collection(gc_mutator *m) {
  bdw_collected_here = false;
  gc_heap *heap = m->heap;
  if (heap->cfg.verify == GC_VERIFY_NONE || !gc_stop_the_world(heap, m))
    return;
  gc_verify(heap, "after-gc");
  gc_resume_the_world(heap, "bdw-verify");
}

static gc_ref bdw_alloc_slow(gc_mutator *m, size_t bytes, uint64_t header) {
  /* Types without references hold no pointers: libgc need not scan them
   * ("atomic"), but does not zero them either. */
  bool atomic = gc_type_by_id(gc_header_type(header))->pointer_free;
  size_t g = (bytes + GC_FREELIST_GRANULE - 1) / GC_FREELIST_GRANULE;
  uint64_t *p;
  if (m->alloc_style == GC_ALLOC_FREELIST && g < GC_FREELISTS)
    p = bdw_list_pop(m, atomic, g); /* the inline pop found the list empty */
  else
    p = atomic ? GC_MALLOC_ATOMIC(bytes) : GC_MALLOC(bytes);
  if (!p)
    return GC_NULL;
  if (atomic)
    memset(p + 1, 0, bytes - GC_WORD);
  p[0] = header;
  m->stats.bytes_allocated += bytes;
  if (bdw_collected_here)
    bdw_after_alloc_collection(m);
  return (gc_ref)p;
}

/* A requested (or stress) collection. With verification on, the world is
 * held at our safepoints across GC_gcollect, so afterwards every object the
 * verifier reaches must carry libgc's mark; the one pause recorded is then
 * ours ("bdw-verify"), which contains libgc's stop-the-world. */
static void bdw_collect(gc_mutator *m, gc_collect_reason why) {
  gc_heap *heap = m->heap;
  bdw_state *s = heap->policy_state;
  bdw_reason = gc_reason_name(why);
  if (heap->cfg.verify == GC_VERIFY_NONE) {
    GC_gcollect();
  } else if (gc_stop_the_world(heap, m)) {
    if (heap->cfg.verify == GC_VERIFY_BEFORE_AND_AFTER)
      gc_verify(heap, "before-gc");
    __atomic_store_n(&s->world_held, true, __ATOMIC_RELAXED);
    GC_gcollect();
    s->marks_valid = true;
    gc_verify(heap, "after-gc");
    s->marks_valid = false;
    __atomic_store_n(&s->world_held, false, __ATOMIC_RELAXED);
    gc_resume_the_world(heap, "bdw-verify");
  }
  bdw_reason = NULL;
  bdw_collected_here = false;
}

/* A reference the verifier follows: only the start of a libgc object is a
 * valid object address. 0 (reported as a bad address) for anything else,
 * so a wild reference fails cleanly before its "header" is read. */
static uintptr_t bdw_resolve(gc_heap *heap, gc_ref r) {
  return GC_base((void *)r) == (void *)r ? (uintptr_t)r : 0;
}

const gc_policy gc_policy_bdw = {
    GC_POLICY_DEFAULTS,
    .name = "bdw",
    .summary = "Debian's libgc (Boehm-Demers-Weiser conservative mark-sweep), "
               "the reference baseline",
    /* libgc's free lists inline, local roots in C locals on the stacks
     * libgc scans; all calls and precise roots with interior pointers on
     * (bdw_init; call1 is also what stress mode runs) */
    .constraints = {GC_FAST_PATHS_CONSERVATIVE(FREELIST, 1, NONE, NONE),
                    .moves_objects = false, .large_object_bytes = SIZE_MAX,
                    .external_memory = true},
    .options = bdw_options,
    .init = bdw_init,
    .destroy = bdw_destroy,
    .mutator_attach = bdw_mutator_attach,
    .mutator_detach = bdw_mutator_detach,
    .alloc_slow = bdw_alloc_slow,
    .collect = bdw_collect,
    .resolve = bdw_resolve,
    .verify_object = bdw_verify_object,
    .verify_heap = bdw_verify_heap,
    .heap_used = bdw_heap_used,
    .report = bdw_report,
};
