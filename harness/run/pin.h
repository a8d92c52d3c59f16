/* pin.h — pinning mutator and GC threads to CPUs through hwloc, and the
 * record of where each thread went (docs/matrix.md, "Pinning").
 *
 * A placement is "none" (leave the scheduler alone), "compact" (thread i on
 * the i-th processing unit in topology order, so hyperthread siblings fill
 * up first), "scatter" (spread over packages, then cores, then hyperthread
 * siblings) or an explicit list of operating-system PU numbers; thread i
 * takes entry i modulo the list's length. Mutators and GC worker threads
 * are placed independently, each by its own index.
 */
#ifndef GCTB_HARNESS_PIN_H
#define GCTB_HARNESS_PIN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define GCTB_PIN_LIST_MAX 256

typedef enum gctb_pin_mode {
  GCTB_PIN_NONE,
  GCTB_PIN_COMPACT,
  GCTB_PIN_SCATTER,
  GCTB_PIN_LIST
} gctb_pin_mode;

typedef struct gctb_pin_spec {
  gctb_pin_mode mode;
  size_t nlist;
  unsigned list[GCTB_PIN_LIST_MAX]; /* OS PU indices, for GCTB_PIN_LIST */
} gctb_pin_spec;

typedef struct gctb_pinning {
  gctb_pin_spec mutators, gc;
} gctb_pinning;

/* Parses the config's "pinning" object (NULL: none for both). Messages
 * name the key ("pinning.gc: ..."). */
bool gctb_pin_parse(const json_t *obj, gctb_pinning *out, char *err,
                    size_t errlen);
/* {"mutators": "compact", "gc": [0, 2]}: loads back to the same pinning. */
json_t *gctb_pin_to_json(const gctb_pinning *p);

/* Loads the topology, checks list entries against the PUs this process may
 * use, and installs the thread hook (heap/pin.h) that pins each thread as
 * it starts. False with a message when a listed PU is not available. */
bool gctb_pin_start(const gctb_pinning *p, char *err, size_t errlen);
/* What was applied so far: {"mutators", "gc", "pus_available",
 * "threads": [{"kind", "index", "pu"} or {"kind", "index", "error"}]}. */
json_t *gctb_pin_applied_json(void);
/* Removes the hook and frees the topology. */
void gctb_pin_stop(void);

/* The order in which placement mode m hands out PUs (OS indices), for
 * tests and `gctb list`-style inspection; returns the count written. */
size_t gctb_pin_order(gctb_pin_mode m, unsigned *out, size_t max);

#endif
