/* trigger.h — when a concurrent policy starts its next cycle: a fixed
 * occupancy threshold, or an adaptive one that learns how fast the mutators
 * allocate and how long a cycle takes (in the spirit of Shenandoah's
 * adaptive heuristic and Go's GC pacer). See docs/delays.md for what a late
 * start costs a mutator (stalls, pacing).
 *
 * Both modes come down to one number, the occupancy at which a cycle
 * starts (gc_trigger_threshold): the policy compares its own measure of
 * bytes in use against it on allocation, with one atomic load. In adaptive
 * mode the learner moves that number:
 *
 *   need      = max(rate_hi × duration, during_hi)
 *   threshold = capacity × (1 − margin − penalty) − need
 *               clamped to [min, max] × capacity
 *
 * where rate_hi is a decaying average of the allocation rate (all mutators
 * together, over windows of at least sample_ns and capacity/128 bytes)
 * plus GC_TRIGGER_SIGMAS of its spread, duration a decaying average of the
 * concurrent cycles' durations, and during_hi the average plus spread of
 * the bytes the mutators took while one ran (the direct measure: a mutator
 * slowed by the collector's threads allocates less than its rate times the
 * duration; one with a spike more). That is: start when the free
 * headroom, less the margin, would be gone at the current rate in less
 * than a cycle. Until a concurrent cycle has been measured the threshold
 * is the min bound (start early, learn soon). A cycle during which an
 * allocation found no memory, or that had to finish stopped (degenerated,
 * full), adds a penalty to the margin, which the following good cycles pay
 * back; a rate window in which an allocation found no memory is dropped
 * (the mutator was waiting, not allocating).
 *
 * Threads: gc_trigger_alloc on any mutator (atomics; one of them takes a
 * rate sample now and then, under a try-lock), the cycle calls on the
 * policy's collector thread. The learner's functions that take the time
 * explicitly (_at) are what the unit test drives. */
#ifndef GCTB_TRIGGER_H
#define GCTB_TRIGGER_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "options.h"

/* Spread margin: the rate and the duration used are the average plus this
 * many standard deviations (Shenandoah's initial confidence is 1.8). */
#define GC_TRIGGER_SIGMAS 2.0
/* Weight of a new sample in the decaying averages. */
#define GC_TRIGGER_RATE_ALPHA 0.3
#define GC_TRIGGER_CYCLE_ALPHA 0.5
/* A rate sample spans at least capacity / GC_TRIGGER_SAMPLE_SHARE bytes
 * (the clock is read once per such amount) and at least sample_ns (default
 * GC_TRIGGER_SAMPLE_NS: shorter windows measure the bursts of a mutator
 * that allocates in spurts, or is descheduled, not its rate; with 5 ms
 * windows gcold's rate came out 2-4 times what a cycle saw allocated).
 * Shenandoah samples at 10 Hz. */
#define GC_TRIGGER_SAMPLE_SHARE 128
#define GC_TRIGGER_SAMPLE_NS 20000000u
/* A degenerated cycle adds this share of the capacity to the margin (up to
 * the cap); each concurrent cycle that completes takes back a fifth of it. */
#define GC_TRIGGER_PENALTY 0.05
#define GC_TRIGGER_PENALTY_MAX 0.2

typedef enum gc_trigger_mode {
  GC_TRIGGER_ADAPTIVE,
  GC_TRIGGER_FIXED
} gc_trigger_mode;

typedef struct gc_trigger_config {
  gc_trigger_mode mode;
  double fixed;       /* fixed mode: the threshold's share of capacity */
  double min, max;    /* adaptive: bounds on the threshold's share */
  double margin;      /* adaptive: headroom share kept back */
  size_t capacity;    /* bytes the occupancy measure can reach */
  size_t fixed_of;    /* fixed mode: bytes `fixed` is a share of (0:
                         capacity) */
  uint64_t sample_ns; /* shortest rate window (0: GC_TRIGGER_SAMPLE_NS) */
} gc_trigger_config;

/* Why a cycle started, as the learner saw it when the cycle began (in the
 * policy's per-cycle log; gc_trigger_decision_json). */
typedef struct gc_trigger_decision {
  const char *basis;     /* "fixed", "learning", "adaptive" */
  uint64_t threshold;    /* bytes: the occupancy the trigger started at */
  uint64_t occupancy;    /* bytes in use when the cycle began */
  double rate;           /* learnt allocation rate, bytes per ns (rate_hi) */
  uint64_t duration_ns;  /* predicted cycle duration */
  uint64_t need;         /* bytes the cycle is expected to see allocated */
  uint64_t headroom;     /* capacity − occupancy at the start */
  uint64_t alloc_during; /* after the cycle: bytes allocated while it ran */
  uint64_t actual_ns;    /* after the cycle: its duration */
  bool late;             /* an allocation found no memory before it ended */
} gc_trigger_decision;

typedef struct gc_trigger {
  gc_trigger_config cfg;
  uint64_t threshold;    /* atomic: bytes; start a cycle at this occupancy */
  uint64_t allocated;    /* atomic: bytes handed out, all time */
  uint64_t sample_every; /* bytes between rate samples */
  int ran_out;           /* atomic: gc_trigger_ran_out since the last end */
  pthread_mutex_t lock;  /* the learnt state below */
  uint64_t sample_ns, sample_bytes; /* the current sample's start */
  double rate_avg, rate_var;        /* bytes per ns */
  unsigned rate_samples;
  double dur_avg, dur_var;       /* ns, of concurrent cycles */
  double during_avg, during_var; /* bytes allocated during a concurrent
                                    cycle */
  unsigned during_n;
  unsigned cycles; /* concurrent cycles measured */
  double penalty;  /* share of capacity added to the margin */
  uint64_t cycle_start_ns, cycle_start_bytes;
  gc_trigger_decision cur; /* the running cycle's */
} gc_trigger;

/* The options every concurrent policy with this trigger declares, as
 * entries of its gc_option_spec table; fixed_doc says what the fixed share
 * is a share of, in the policy's words. */
#define GC_TRIGGER_OPTIONS(fixed_doc)                                          \
  {"trigger_mode",                                                             \
   GC_OPT_ENUM,                                                                \
   "when to start a concurrent cycle: adaptive (learn the allocation rate "    \
   "and cycle duration, start so the cycle ends before the free memory is "    \
   "gone) or fixed (at the share `trigger`)",                                  \
   0,                                                                          \
   0,                                                                          \
   0,                                                                          \
   gc_trigger_modes},                                                          \
      {"trigger", GC_OPT_DOUBLE, fixed_doc, 0.5, 0.05, 1.0, NULL},             \
      {"trigger_min",                                                          \
       GC_OPT_DOUBLE,                                                          \
       "adaptive: never start below this share of the heap in use; also the "  \
       "threshold until a first cycle has been measured",                      \
       0.3,                                                                    \
       0.0,                                                                    \
       1.0,                                                                    \
       NULL},                                                                  \
      {"trigger_max",                                                          \
       GC_OPT_DOUBLE,                                                          \
       "adaptive: always start once this share of the heap is in use",         \
       0.9,                                                                    \
       0.05,                                                                   \
       1.0,                                                                    \
       NULL},                                                                  \
  {                                                                            \
    "trigger_margin", GC_OPT_DOUBLE,                                           \
        "adaptive: share of the heap kept back as a safety margin when "       \
        "predicting whether a cycle would end before the free memory is gone", \
        0.1, 0.0, 0.9, NULL                                                    \
  }
extern const char *const gc_trigger_modes[];

/* The options above into cfg (capacity and fixed_of are the caller's). */
void gc_trigger_read_options(gc_trigger_config *cfg, const gc_options *o);
void gc_trigger_init(gc_trigger *t, const gc_trigger_config *cfg);
void gc_trigger_destroy(gc_trigger *t);

/* The occupancy (bytes) at which to start a cycle. */
static inline uint64_t gc_trigger_threshold(gc_trigger *t) {
  return __atomic_load_n(&t->threshold, __ATOMIC_RELAXED);
}
/* bytes were handed out (any mutator); now and then takes a rate sample. */
void gc_trigger_alloc(gc_trigger *t, uint64_t bytes);
void gc_trigger_alloc_at(gc_trigger *t, uint64_t bytes, uint64_t now_ns);

/* A cycle begins (collector thread), with occupancy bytes in use. */
void gc_trigger_cycle_begin(gc_trigger *t, uint64_t occupancy);
void gc_trigger_cycle_begin_at(gc_trigger *t, uint64_t occupancy,
                               uint64_t now_ns);
/* An allocation attempt found no memory (any mutator): the cycle that
 * ends next started too late, and pays the penalty. */
void gc_trigger_ran_out(gc_trigger *t);
/* The cycle ends: concurrent (completed without stopping the world: its
 * duration is learnt) or not (degenerated, full: a penalty). *out: the
 * decision made at its start, completed. */
void gc_trigger_cycle_end(gc_trigger *t, bool concurrent,
                          gc_trigger_decision *out);
void gc_trigger_cycle_end_at(gc_trigger *t, bool concurrent, uint64_t now_ns,
                             gc_trigger_decision *out);

/* A cycle's decision as a JSON object (for the policy's cycle log). */
json_t *gc_trigger_decision_json(const gc_trigger_decision *d);
/* The options and what has been learnt, into the policy's report. */
void gc_trigger_report(gc_trigger *t, json_t *out);

#endif
