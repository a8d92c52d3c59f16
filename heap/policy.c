/* policy.c — default policy entries and the table check. Defaults either do
 * nothing (where doing nothing is right) or stop the run loudly (where a
 * policy that declared no such barrier was called for one anyway). */
#include "collector.h"
#include "heap.h"
#include <stdio.h>
#include <stdlib.h>

bool gc_default_init(gc_heap *heap, const gc_options *opts, char *err,
                     size_t errlen) {
  return true;
}
void gc_default_destroy(gc_heap *heap) {}
void gc_default_mutator(gc_mutator *m) {}

gc_ref gc_default_alloc_slow(gc_mutator *m, size_t bytes, uint64_t header) {
  return GC_NULL;
}

void gc_default_store_slow(gc_mutator *m, gc_ref obj, size_t off, uintptr_t val,
                           bool is_ref) {
  gc_fail(m, "policy %s declares no write barrier but its slow path ran",
          m->policy->name);
}

gc_ref gc_default_load_ref_slow(gc_mutator *m, gc_ref obj, size_t off,
                                gc_ref val) {
  gc_fail(m, "policy %s declares no load barrier but its slow path ran",
          m->policy->name);
}

void gc_default_collect(gc_mutator *m, gc_collect_reason why) {}

const char *gc_reason_name(gc_collect_reason why) {
  switch (why) {
  case GC_REASON_STRESS:
    return "stress";
  case GC_REASON_REQUESTED:
    return "requested";
  default:
    return "alloc";
  }
}

void gc_default_handshake(gc_mutator *m) {}

uintptr_t gc_default_resolve(gc_heap *heap, gc_ref r) { return (uintptr_t)r; }

bool gc_default_verify_object(gc_heap *heap, gc_verifier *v, uintptr_t addr) {
  return true;
}
bool gc_default_verify_heap(gc_heap *heap, gc_verifier *v) { return true; }
size_t gc_default_heap_used(gc_heap *heap) { return 0; }
void gc_default_report(gc_heap *heap, json_t *out) {}

const gc_option_spec gc_no_options[] = {{0}};

const gc_policy gc_policy_defaults = {
    .name = "defaults",
    .summary = "the default entries policies start from",
    .constraints = {.alloc = GC_ALLOC_CALL,
                    .header_words = 1,
                    .large_object_bytes = SIZE_MAX},
    GC_POLICY_DEFAULTS,
};

bool gc_policy_check(const gc_policy *p, char *err, size_t errlen) {
#define REQUIRE(cond, what)                                                    \
  do {                                                                         \
    if (!(cond)) {                                                             \
      snprintf(err, errlen, "policy %s: %s", p->name ? p->name : "?", what);   \
      return false;                                                            \
    }                                                                          \
  } while (0)
  REQUIRE(p->name && p->summary, "no name or summary");
  REQUIRE(p->options, "options table is NULL (use an empty table)");
  REQUIRE(p->init && p->destroy, "lifecycle entry is NULL");
  REQUIRE(p->mutator_attach && p->mutator_detach && p->alloc_attach,
          "mutator entry is NULL");
  REQUIRE(p->constraints.alloc != GC_ALLOC_FREEBITS ||
              p->alloc_attach != gc_default_mutator,
          "allocation style freebits needs .alloc_attach = "
          "gc_sf_cache_attach (heap/sfspace.h): its inline fast path reads "
          "the per-mutator size-class caches that sets up");
  REQUIRE(p->alloc_slow, "alloc_slow is NULL");
  REQUIRE((p->alloc_slow != gc_stw_entry_alloc_slow &&
           p->collect != gc_stw_entry_collect) ||
              (p->stw && p->stw->try_alloc &&
               (p->stw->stw_collect || p->stw->collect_for_alloc)),
          "GC_STW_DRIVEN needs ops with try_alloc and stw_collect "
          "(heap/collector.h)");
  REQUIRE(p->store_slow && p->load_ref_slow, "barrier entry is NULL");
  REQUIRE(p->collect && p->handshake, "collect or handshake is NULL");
  REQUIRE(p->resolve && p->verify_object && p->verify_heap,
          "verifier entry is NULL");
  REQUIRE(p->heap_used && p->report, "statistics entry is NULL");
  REQUIRE(p->constraints.header_words == 1 || p->constraints.header_words == 2,
          "header_words must be 1 or 2");
  REQUIRE(p->constraints.read_barrier != GC_RB_BROOKS ||
              p->constraints.header_words == 2,
          "a Brooks read barrier needs a second header word");
  /* The fast path never sends fixed layouts (at most 64 words) to the LOS. */
  REQUIRE(p->constraints.large_object_bytes >
              (GC_MAX_FIXED_WORDS + 2) * GC_WORD,
          "large_object_bytes must exceed the largest fixed layout");
  REQUIRE(gc_option_count(p->options) <= GC_OPTIONS_MAX, "too many options");
  return true;
#undef REQUIRE
}
