/* common.h — what several workloads need, written once: a seeded PRNG and
 * the distributions drawn from it, payload words derived from an object's
 * identity, a checksum of the work done (for the determinism test), a
 * test-only corruption hook, and mutator threads started and joined.
 *
 * Determinism (docs/workloads/README.md): every random choice a workload
 * makes comes from a wl_rng seeded from (config seed, stream), where the
 * stream names the thread, request or round. Nothing depends on addresses,
 * timing or the policy, so the same config makes the same allocations and
 * pointer stores under every policy.
 */
#ifndef GCTB_WORKLOADS_COMMON_H
#define GCTB_WORKLOADS_COMMON_H

#include "../heap/gctb.h"
#include "instance.h"
#include "workload.h"
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* ---- PRNG ---------------------------------------------------------------- */

/* splitmix64's finaliser (Steele, Lea, Flood 2014): a bijective mix. */
static inline uint64_t wl_mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

/* xoshiro256** (Blackman and Vigna 2018): fast, 256 bits of state, passes
 * BigCrush; seeded through splitmix64 as its authors recommend. */
typedef struct wl_rng {
  uint64_t s[4];
} wl_rng;

/* A generator for one stream of a seed: streams of one seed are unrelated. */
void wl_rng_seed(wl_rng *r, uint64_t seed, uint64_t stream);

static inline uint64_t wl_rotl(uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

static inline uint64_t wl_rng_next(wl_rng *r) {
  uint64_t *s = r->s;
  uint64_t out = wl_rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = wl_rotl(s[3], 45);
  return out;
}

/* Uniform in [0, n) without modulo bias (Lemire 2019); 0 when n is 0. */
uint64_t wl_rng_below(wl_rng *r, uint64_t n);
/* Uniform in [lo, hi], both included. */
uint64_t wl_rng_range(wl_rng *r, uint64_t lo, uint64_t hi);
/* Uniform in [0, 1) with 53 random bits. */
double wl_rng_unit(wl_rng *r);
/* True with probability p, decided on integers (no rounding surprises). */
bool wl_rng_chance(wl_rng *r, double p);
/* Failures before the first success of Bernoulli(p) trials, capped: P(k) =
 * (1-p)^k p for k < cap, P(cap) = (1-p)^cap; mean (1-p)/p uncapped.
 *
 * One generator step per value, by inverting the distribution function on
 * integers: with x uniform on [0, 2^64), k is the largest j <= cap with
 * x < above[j] = floor(2^64 (1-p)^j), so P(k >= j) = (1-p)^j to within
 * 2^-64. A guide table (Chen and Asau 1974) indexed by x's top byte gives
 * the smallest k its bucket can hold, and a short scan (about one step at
 * p = 0.15) finds k. Exact and portable: the table is built with IEEE
 * multiplications only, no libm. wl_geometric_init allocates the table,
 * min(cap, about 44/p) + 2 words; wl_geometric_free releases it. A built
 * table is read-only and can be shared by threads. */
typedef struct wl_geometric {
  uint64_t *above; /* [n + 2]: above[0] unused, above[n + 1] = 0 ends scans */
  uint64_t n;      /* the largest value drawn: cap, or less when
                      (1-p)^j < 2^-64 beyond n */
  uint32_t guide[256];
} wl_geometric;
void wl_geometric_init(wl_geometric *g, double p, uint64_t cap);
void wl_geometric_free(wl_geometric *g);
static inline uint64_t wl_rng_geometric(wl_rng *r, const wl_geometric *g) {
  uint64_t x = wl_rng_next(r), k = g->guide[x >> 56];
  while (x < g->above[k + 1])
    k++;
  return k;
}
/* Exponential with the given mean (inverse transform). */
double wl_rng_exponential(wl_rng *r, double mean);
/* An integer in [lo, hi] with density proportional to x^-alpha (a bounded
 * power law, by inverting its distribution function); alpha = 1 is
 * log-uniform, alpha = 0 uniform. */
uint64_t wl_rng_power_law(wl_rng *r, uint64_t lo, uint64_t hi, double alpha);

/* The mean of wl_rng_power_law(lo, hi, alpha) (continuous approximation),
 * for sizing tables. */
double wl_power_law_mean(uint64_t lo, uint64_t hi, double alpha);

/* ---- Payloads and checksums ------------------------------------------------
 */

/* Data word j of the object whose identity hashes to base: an affine step
 * from a mixed base, so a word copied from another object or another
 * position is caught and filling a large object costs an add per word. */
static inline uint64_t wl_word(uint64_t base, uint64_t j) {
  return base + j * 0x9e3779b97f4a7c15ull;
}

/* ---- Long fills and checks: a bounded time to safepoint -------------------
 */

/* Words a loop touches between two safepoint polls: a few microseconds, so
 * that filling or checking a large object never keeps a stop-the-world
 * pause or a handshake waiting for long. */
#define WL_POLL_WORDS 4096u

/* Sets words [from, n) of o to wl_word(base, j). Past WL_POLL_WORDS words
 * it polls a safepoint every WL_POLL_WORDS words with o in a root slot
 * meanwhile, as a moving collector may run there: returns o's reference
 * afterwards (the caller's copy may be stale). */
static inline gc_ref wl_fill_words(gc_mutator *m, gc_ref o, uint64_t base,
                                   uint64_t from, uint64_t n) {
  bool poll = n > from + WL_POLL_WORDS;
  size_t slot = poll ? gc_root_push(m, o) : 0;
  for (uint64_t j = from; j < n; j++) {
    if (poll && (j - from) % WL_POLL_WORDS == 0) {
      gc_safepoint(m);
      o = gc_root_get(m, slot);
    }
    gc_write_word(m, o, j, wl_word(base, j));
  }
  if (poll)
    gc_root_pop(m, 1);
  return o;
}

/* The first j in [from, n) whose word of *o is not wl_word(base, j), or n
 * if all are. Polls as wl_fill_words does, leaving *o the object's
 * reference afterwards. */
static inline uint64_t wl_check_words(gc_mutator *m, gc_ref *o, uint64_t base,
                                      uint64_t from, uint64_t n) {
  bool poll = n > from + WL_POLL_WORDS;
  size_t slot = poll ? gc_root_push(m, *o) : 0;
  uint64_t j = from;
  for (; j < n; j++) {
    if (poll && (j - from) % WL_POLL_WORDS == 0) {
      gc_safepoint(m);
      *o = gc_root_get(m, slot);
    }
    if (gc_read_word(m, *o, j) != wl_word(base, j))
      break;
  }
  if (poll)
    gc_root_pop(m, 1);
  return j;
}

/* A running summary of the work one thread did: allocations and stores,
 * each folded into an order-dependent hash of logical values (kinds,
 * lengths, logical ids; never addresses). Equal summaries under two
 * policies mean the same work was done in the same order. */
typedef struct wl_sum {
  uint64_t allocs, words, stores, hash;
} wl_sum;

/* One step of the hash, h -> (h ^ x) * K with K odd: for each x a bijection
 * of h, and at one h a different result for each x. So two runs that fold
 * the same number of values and differ in any one of them end with
 * different hashes, which is all the determinism test needs; it costs three
 * instructions where a full mix costs ten, and it runs beside every
 * allocation and store. wl_sum_merge mixes each thread's hash fully. */
static inline void wl_sum_fold(wl_sum *s, uint64_t x) {
  s->hash = (s->hash ^ x) * 0x9e3779b97f4a7c15ull;
}
/* An allocation of `words` payload words of a workload-defined kind. */
static inline void wl_sum_alloc(wl_sum *s, uint64_t kind, uint64_t words) {
  s->allocs++;
  s->words += words;
  wl_sum_fold(s, kind << 40 ^ words);
}
/* A reference store: field of the object with logical id from now refers
 * to the object with logical id to (0: null); folded as two values, from
 * and then field and to. */
static inline void wl_sum_store(wl_sum *s, uint64_t from, uint64_t field,
                                uint64_t to) {
  s->stores++;
  wl_sum_fold(s, from);
  wl_sum_fold(s, field << 56 ^ to);
}
/* Adds thread i's summary into total, independently of the order in which
 * threads are added. */
void wl_sum_merge(wl_sum *total, const wl_sum *part, unsigned i);
/* "allocations", "payload_words", "ref_stores", "checksum" (16 hex digits). */
void wl_sum_json(json_t *metrics, const wl_sum *s);

/* The record's workload.work: value units of the workload's own work
 * (nodes built, requests served, steps), the same under every policy, so
 * that throughput (work / wall) compares policies on equal terms. */
void wl_work_json(json_t *metrics, uint64_t value, const char *unit);

/* ---- Test-only corruption hook --------------------------------------------
 */

/* With GCTB_TEST_CORRUPT=N in the environment, the Nth payload value a
 * workload passes through wl_corrupt (counted over all its threads) comes
 * back with one bit flipped. Workloads route through it only values they
 * check later, so the corruption-detection test can prove that their
 * validation fails. wl_corrupt_init reads the variable at the start of a
 * run. */
void wl_corrupt_init(void);
extern int wl__corrupt_armed;
uint64_t wl__corrupt_slow(uint64_t v);
static inline uint64_t wl_corrupt(uint64_t v) {
  if (__builtin_expect(__atomic_load_n(&wl__corrupt_armed, __ATOMIC_RELAXED),
                       0))
    return wl__corrupt_slow(v);
  return v;
}

/* ---- Threads ------------------------------------------------------------- */

/* Body of one mutator thread: m is attached for it. A workload's hot code
 * defines one per policy family (GC_INSTANCE(name) in its body header,
 * workloads/instance.h) and its driver runs the heap's:
 *
 *   GC_INSTANCE_DECLARE(wl_thread_body, go_thread);
 *   wl_run_threads(heap, n, GC_INSTANCE_PICK(wl_instance(ctx), go_thread),
 *                  &run, "gcold"); */
typedef void wl_thread_body(gc_mutator *m, unsigned index, void *arg);
typedef wl_thread_body *wl_thread_fn;

/* The family whose instance runs on ctx's heap (gc_instance_family),
 * recorded in the metrics as "instance" before anything runs, so that a
 * run ending early names it too. */
gc_family wl_instance(gc_workload_ctx *ctx);

/* Bracket every write to ctx->metrics (see gc_workload_ctx.metrics_lock). */
void wl_metrics_lock(gc_workload_ctx *ctx);
void wl_metrics_unlock(gc_workload_ctx *ctx);

/* Runs fn on n mutator threads, each attached to heap for its whole life,
 * and returns when all have detached. With n = 1 it runs on the calling
 * thread (attached for the call). The caller must not be attached itself:
 * it only waits, so no collection ever waits for it. who names the workload
 * in the message if a thread cannot be started. */
void wl_run_threads(gc_heap *heap, unsigned n, wl_thread_fn fn, void *arg,
                    const char *who);

/* calloc that ends the process with a message when C memory runs out. */
void *wl_calloc(size_t n, size_t size, const char *who);

/* Sleeps until the CLOCK_MONOTONIC time deadline_ns, outside the heap
 * (gc_enter_blocking) so that a collection need not wait for the sleeper. */
void wl_sleep_until(gc_mutator *m, uint64_t deadline_ns);

#endif
