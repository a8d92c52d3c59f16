/* policy.h — the policy function table and registry.
 *
 * A policy is data (gc_constraints: allocation style, barrier kinds, header
 * words, options) plus a table of functions for slow paths and lifecycle.
 * No entry may be NULL: policies start from gc_policy_defaults' entries
 * (asserting or no-op functions) and the registry checks every entry.
 * See docs/policy-interface.md and policies/nogc for a minimal policy.
 */
#ifndef GCTB_POLICY_H
#define GCTB_POLICY_H

#include "gctb.h"
#include "options.h"
#include <jansson.h>

typedef struct gc_verifier gc_verifier;

typedef enum gc_collect_reason {
  GC_REASON_ALLOC,     /* the allocator ran out of room */
  GC_REASON_REQUESTED, /* gc_collect() */
  GC_REASON_STRESS     /* stress mode */
} gc_collect_reason;

/* The reason as a result record names it ("alloc", "requested", "stress"). */
const char *gc_reason_name(gc_collect_reason why);

struct gc_policy {
  const char *name;
  const char *summary;
  gc_constraints constraints;
  const gc_option_spec *options; /* zero-terminated table */

  /* Lifecycle. init returns false with a message in err on impossible
   * options or heap size; its state goes in heap->policy_state. */
  bool (*init)(gc_heap *heap, const gc_options *opts, char *err, size_t errlen);
  void (*destroy)(gc_heap *heap);
  void (*mutator_attach)(gc_mutator *m);
  void (*mutator_detach)(gc_mutator *m);
  /* Sets up the mutator state the declared allocation style's inline fast
   * path reads, before mutator_attach: gc_sf_cache_attach for
   * GC_ALLOC_FREEBITS (the size-class table and per-class caches; without
   * it the first allocation dereferences NULL). gc_policy_check refuses a
   * FREEBITS table that leaves it at the default. */
  void (*alloc_attach)(gc_mutator *m);

  /* Allocates an object of bytes bytes, writes header (and the second header
   * word if declared), zeroes the payload; collects if it must. Returns
   * GC_NULL when the heap is exhausted even after collecting. */
  gc_ref (*alloc_slow)(gc_mutator *m, size_t bytes, uint64_t header);

  /* Barrier slow paths: perform the store / resolve the loaded value. */
  void (*store_slow)(gc_mutator *m, gc_ref obj, size_t off, uintptr_t val,
                     bool is_ref);
  gc_ref (*load_ref_slow)(gc_mutator *m, gc_ref obj, size_t off, gc_ref val);

  /* A full collection on behalf of mutator m. */
  void (*collect)(gc_mutator *m, gc_collect_reason why);

  /* A stop-the-world policy driven by the collection driver: its ops
   * (heap/collector.h: try_alloc, stw_collect, ladder), with alloc_slow and
   * collect the driver's (GC_STW_DRIVEN). NULL otherwise. */
  const struct gc_collector_ops *stw;

  /* Called by a mutator at a safepoint when its policy handshake flag is
   * set (on-the-fly collectors). */
  void (*handshake)(gc_mutator *m);

  /* Heap verification: the address behind a reference, whether the address
   * may hold a live object of this policy, then policy-wide invariants once
   * the reachable graph has been walked. Return false and call
   * gc_verify_fail to report. */
  uintptr_t (*resolve)(gc_heap *heap, gc_ref r);
  bool (*verify_object)(gc_heap *heap, gc_verifier *v, uintptr_t addr);
  bool (*verify_heap)(gc_heap *heap, gc_verifier *v);

  /* Bytes the policy currently holds for objects (for stats). */
  size_t (*heap_used)(gc_heap *heap);
  /* Adds policy-specific statistics to the result record. */
  void (*report)(gc_heap *heap, json_t *out);
};

/* The default entries. A policy table starts with GC_POLICY_DEFAULTS and
 * overrides field by field (later designated initializers win, C11 6.7.9):
 *   const gc_policy gc_policy_x = {GC_POLICY_DEFAULTS, .name = "x", ...};
 * Unused barrier slow paths fail the run loudly; the rest do nothing. */
extern const gc_policy gc_policy_defaults;
extern const gc_option_spec gc_no_options[];
bool gc_default_init(gc_heap *heap, const gc_options *opts, char *err,
                     size_t errlen);
void gc_default_destroy(gc_heap *heap);
void gc_default_mutator(gc_mutator *m);
gc_ref gc_default_alloc_slow(gc_mutator *m, size_t bytes, uint64_t header);
void gc_default_store_slow(gc_mutator *m, gc_ref obj, size_t off, uintptr_t val,
                           bool is_ref);
gc_ref gc_default_load_ref_slow(gc_mutator *m, gc_ref obj, size_t off,
                                gc_ref val);
void gc_default_collect(gc_mutator *m, gc_collect_reason why);
void gc_default_handshake(gc_mutator *m);
uintptr_t gc_default_resolve(gc_heap *heap, gc_ref r);
bool gc_default_verify_object(gc_heap *heap, gc_verifier *v, uintptr_t addr);
bool gc_default_verify_heap(gc_heap *heap, gc_verifier *v);
size_t gc_default_heap_used(gc_heap *heap);
void gc_default_report(gc_heap *heap, json_t *out);

#define GC_POLICY_DEFAULTS                                                     \
  .options = gc_no_options, .init = gc_default_init,                           \
  .destroy = gc_default_destroy, .mutator_attach = gc_default_mutator,         \
  .mutator_detach = gc_default_mutator, .alloc_attach = gc_default_mutator,    \
  .alloc_slow = gc_default_alloc_slow, .store_slow = gc_default_store_slow,    \
  .load_ref_slow = gc_default_load_ref_slow, .collect = gc_default_collect,    \
  .handshake = gc_default_handshake, .resolve = gc_default_resolve,            \
  .verify_object = gc_default_verify_object,                                   \
  .verify_heap = gc_default_verify_heap, .heap_used = gc_default_heap_used,    \
  .report = gc_default_report

/* Checks a table: no NULL entries, sane constraints, and the attach step
 * the allocation style needs. */
bool gc_policy_check(const gc_policy *p, char *err, size_t errlen);

/* Registry (policies/registry.c). */
const gc_policy *gc_policy_find(const char *name);
size_t gc_policy_count(void);
const gc_policy *gc_policy_at(size_t i);

#endif
