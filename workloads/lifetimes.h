/* lifetimes.h — the lifetime-distribution generator's configuration and
 * one thread's state. See docs/workloads/lifetimes.md. */
#ifndef GCTB_LIFETIMES_H
#define GCTB_LIFETIMES_H

#include "common.h"
#include "common_table.h"
#include <jansson.h>

#define LT_MAX_REFS 4
#define LT_TABLE_SIZES 4

typedef enum lt_size_dist {
  LT_FIXED,
  LT_UNIFORM,
  LT_POWER_LAW,
  LT_TABLE
} lt_size_dist;

typedef struct lt_config {
  unsigned threads, refs;
  uint64_t alloc_bytes, live_set, size_min, size_max, rate_limit, seed;
  lt_size_dist size_dist;
  double size_alpha, lifetime_mean, immortal_fraction, ref_to_older;
  uint64_t table_bytes[LT_TABLE_SIZES];
  double table_weight[LT_TABLE_SIZES], table_total;
  size_t capacity; /* table slots per thread: the object-count cap */
} lt_config;

/* Validates what the option table cannot (size_min <= size_max, a table
 * with weight); false with a message in err. */
bool lt_config_from(const gc_options *p, uint64_t seed, lt_config *c, char *err,
                    size_t errlen);

/* Payload words of an object of `size` payload bytes. */
uint64_t lt_words(const lt_config *c, uint64_t size);
/* Bytes with one header word: the policy-independent measure the
 * generator counts its clock and its live set in. */
static inline uint64_t lt_logical_bytes(uint64_t words) {
  return (1 + words) * GC_WORD;
}
/* The type of an object of `words` payload words (registered by
 * lt_types_register). */
const gc_type *lt_type(const lt_config *c, uint64_t words);
bool lt_types_register(const lt_config *c);

typedef struct lt_stats {
  wl_sum sum;
  uint64_t allocated_bytes, natural_deaths, early_deaths, immortals;
  uint64_t refs_older, refs_younger, refs_unset, objects_checked;
  uint64_t peak_live_bytes, peak_live_objects, live_bytes_end;
  uint64_t sleeps, ns;
} lt_stats;

typedef struct lt_run {
  lt_config c;
  lt_stats *st; /* per thread */
} lt_run;

/* One thread's generator (arg: the lt_run), per family. */
GC_INSTANCE_DECLARE(wl_thread_body, lt_thread);

#endif
