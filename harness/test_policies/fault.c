/* fault.c — "test-fault", a policy that fails on purpose.
 *
 * The matrix must survive runs that abort, crash or hang; the tests show it
 * with this policy rather than by breaking a real one. It is nogc with a
 * fault injected at heap creation (after_allocs 0) or at the Nth
 * allocation slow path, and exists only when GCTB_TEST_POLICIES=1, so it
 * never appears in `gctb list` or in a real experiment. */
#include "harness/matrix/matrix.h"
#include "heap/heap.h"
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern const gc_policy gc_policy_nogc;

static const char *const faults[] = {"none", "abort", "segv", "hang", NULL};

static const gc_option_spec fault_options[] = {
    {"fault", GC_OPT_ENUM, "what to do: none, abort, segv or hang", 0, 0, 0,
     faults},
    {"after_allocs", GC_OPT_INT,
     "fault at this allocation slow path (0: when the heap is created)", 0, 0,
     1e12, NULL},
    {"tlab_bytes", GC_OPT_SIZE, "as nogc's", 32768, 1024, 16777216, NULL},
    {0}};

static const char *fault_kind;
static int64_t fault_after;
static int64_t slow_allocs; /* atomic */

static void fault(void) {
  if (strcmp(fault_kind, "abort") == 0)
    abort();
  if (strcmp(fault_kind, "segv") == 0)
    raise(SIGSEGV);
  if (strcmp(fault_kind, "hang") == 0)
    for (;;)
      pause();
}

static bool fault_init(gc_heap *heap, const gc_options *opts, char *err,
                       size_t errlen) {
  fault_kind = gc_opt_enum(opts, "fault");
  fault_after = gc_opt_int(opts, "after_allocs");
  if (fault_after == 0)
    fault();
  return gc_policy_nogc.init(heap, opts, err, errlen);
}

static gc_ref fault_alloc_slow(gc_mutator *m, size_t bytes, uint64_t header) {
  if (__atomic_add_fetch(&slow_allocs, 1, __ATOMIC_RELAXED) == fault_after)
    fault();
  return gc_policy_nogc.alloc_slow(m, bytes, header);
}

const gc_policy *gctb_test_policy_find(const char *name) {
  static gc_policy p;
  const char *env = getenv("GCTB_TEST_POLICIES");
  if (!env || strcmp(env, "1") != 0)
    return NULL;
  if (strcmp(name, "test-delay") == 0)
    return gctb_test_delay_policy();
  if (strcmp(name, "test-fault") != 0)
    return NULL;
  if (!p.name)
    gctb_test_policy_make(
        &p, "test-fault",
        "nogc that aborts, crashes or hangs on demand (tests only)",
        fault_options, fault_init, fault_alloc_slow);
  return &p;
}

void gctb_test_policy_make(gc_policy *p, const char *name, const char *summary,
                           const gc_option_spec *options,
                           bool (*init)(gc_heap *, const gc_options *, char *,
                                        size_t),
                           gc_ref (*alloc_slow)(gc_mutator *, size_t,
                                                uint64_t)) {
  *p = gc_policy_nogc;
  p->name = name;
  p->summary = summary;
  p->options = options;
  p->init = init;
  p->alloc_slow = alloc_slow;
}
