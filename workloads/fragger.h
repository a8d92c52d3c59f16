/* fragger.h — the fragmenter's configuration and state. */
#ifndef GCTB_FRAGGER_H
#define GCTB_FRAGGER_H

#include "common.h"
#include "common_table.h"
#include <jansson.h>

typedef enum fr_dist { FR_LOG_UNIFORM, FR_UNIFORM, FR_ALTERNATING } fr_dist;

typedef struct fr_config {
  uint64_t live_set, size_min, size_max, seed;
  unsigned rounds;
  double death_fraction;
  fr_dist dist;
  bool collect;
  size_t capacity; /* table slots: the object-count cap */
} fr_config;

bool fr_config_from(const gc_options *p, uint64_t seed, fr_config *c, char *err,
                    size_t errlen);

/* Object bytes with one header word: what the fragmenter counts. */
static inline uint64_t fr_words(uint64_t bytes) { return bytes / GC_WORD - 1; }

typedef struct fr_sample {
  unsigned round;
  const char *phase; /* "fill", "after-deaths", "after-refill" */
  uint64_t t_ns, live_bytes, objects, heap_used;
} fr_sample;

typedef struct fr_run {
  fr_config c;
  gc_heap *heap;
  wl_sum sum;
  fr_sample *samples;
  size_t nsamples;
  uint64_t allocated, deaths, objects_checked;
} fr_run;

/* The whole run on one mutator (arg: the fr_run), per family. */
GC_INSTANCE_DECLARE(wl_thread_body, fr_thread);
extern gc_type fr_object_type;
bool fr_types(void);

#endif
