/* registry.c — the policies gctb knows, by name. Each table is checked
 * (no NULL entries, sane constraints) before it is handed out. */
#include "../heap/policy.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const gc_policy gc_policy_nogc;
extern const gc_policy gc_policy_semispace;
extern const gc_policy gc_policy_segfit;
extern const gc_policy gc_policy_bdw;
extern const gc_policy gc_policy_satb;
extern const gc_policy gc_policy_immix;
extern const gc_policy gc_policy_sticky_immix;
extern const gc_policy gc_policy_handle_copy;
extern const gc_policy gc_policy_otf;
extern const gc_policy gc_policy_otf_gen;
extern const gc_policy gc_policy_shenandoah;
extern const gc_policy gc_policy_shenandoah_brooks;

static const gc_policy *const policies[] = {
    &gc_policy_nogc,         &gc_policy_semispace,
    &gc_policy_segfit,       &gc_policy_bdw,
    &gc_policy_satb,         &gc_policy_immix,
    &gc_policy_sticky_immix, &gc_policy_handle_copy,
    &gc_policy_otf,          &gc_policy_otf_gen,
    &gc_policy_shenandoah,   &gc_policy_shenandoah_brooks,
};

size_t gc_policy_count(void) { return sizeof policies / sizeof policies[0]; }

const gc_policy *gc_policy_at(size_t i) {
  if (i >= gc_policy_count())
    return NULL;
  char err[256];
  if (!gc_policy_check(policies[i], err, sizeof err)) {
    fprintf(stderr, "gctb: bad policy table: %s\n", err);
    abort();
  }
  return policies[i];
}

const gc_policy *gc_policy_find(const char *name) {
  for (size_t i = 0; i < gc_policy_count(); i++)
    if (strcmp(policies[i]->name, name) == 0)
      return gc_policy_at(i);
  return NULL;
}
