/* delay.c — "test-delay", a policy that delays a mutator on
 * purpose, for the tests of mutator-visible delays (docs/delays.md).
 *
 * It is nogc, except that at the Nth allocation slow path (after_allocs)
 * the mutator waits delay_ms, recorded as a delay of the chosen kind
 * through the one call every policy uses (gc_delay_begin / gc_delay_end).
 * A stall and a pace wait outside the heap, as real ones do; an assist
 * spins, as GC work would. Like test-fault it exists only when
 * GCTB_TEST_POLICIES=1. */
#include "harness/matrix/matrix.h"
#include "heap/heap.h"
#include <string.h>
#include <time.h>

extern const gc_policy gc_policy_nogc;

static const char *const kinds[] = {"stall", "pace", "assist", NULL};

static const gc_option_spec delay_options[] = {
    {"kind", GC_OPT_ENUM, "which delay: stall, pace or assist", 0, 0, 0, kinds},
    {"delay_ms", GC_OPT_INT, "how long the mutator is delayed", 20, 0, 10000,
     NULL},
    {"after_allocs", GC_OPT_INT, "delay at this allocation slow path", 1, 1,
     1e12, NULL},
    {"tlab_bytes", GC_OPT_SIZE, "as nogc's", 32768, 1024, 16777216, NULL},
    {0}};

static gc_delay_kind delay_kind;
static uint64_t delay_ns;
static int64_t delay_after;
static int64_t slow_allocs; /* atomic */

static bool delay_init(gc_heap *heap, const gc_options *opts, char *err,
                       size_t errlen) {
  const char *k = gc_opt_enum(opts, "kind");
  delay_kind = strcmp(k, "pace") == 0     ? GC_DELAY_PACE
               : strcmp(k, "assist") == 0 ? GC_DELAY_ASSIST
                                          : GC_DELAY_STALL;
  delay_ns = (uint64_t)gc_opt_int(opts, "delay_ms") * 1000000u;
  delay_after = gc_opt_int(opts, "after_allocs");
  __atomic_store_n(&slow_allocs, 0, __ATOMIC_RELAXED);
  return gc_policy_nogc.init(heap, opts, err, errlen);
}

static void wait_ns(uint64_t ns) {
  struct timespec ts = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};
  while (nanosleep(&ts, &ts) != 0)
    ;
}

static void delay(gc_mutator *m) {
  uint64_t t0 = gc_delay_begin();
  if (delay_kind == GC_DELAY_ASSIST) {
    while (gc_now_ns() - t0 < delay_ns)
      ;
  } else {
    gc_enter_blocking(m);
    wait_ns(delay_ns);
    gc_leave_blocking(m);
  }
  gc_delay_end(m, delay_kind, "test-delay", t0);
}

static gc_ref delay_alloc_slow(gc_mutator *m, size_t bytes, uint64_t header) {
  if (__atomic_add_fetch(&slow_allocs, 1, __ATOMIC_RELAXED) == delay_after)
    delay(m);
  return gc_policy_nogc.alloc_slow(m, bytes, header);
}

const gc_policy *gctb_test_delay_policy(void) {
  static gc_policy p;
  if (!p.name)
    gctb_test_policy_make(&p, "test-delay",
                          "nogc that delays a mutator on demand (tests only)",
                          delay_options, delay_init, delay_alloc_slow);
  return &p;
}
