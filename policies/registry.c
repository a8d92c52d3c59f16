/* registry.c — the policies gctb knows, by name: one GCTB_POLICY line
 * each, and the only place a policy is registered. GCTB_POLICY(id) names
 * the table gc_policy_<id>, whose .name must be id with '_' spelt '-'
 * (tutorial_ms: "tutorial-ms"). The build reads the same lines
 * (cmake/policies.cmake), so that every listed policy runs the end-to-end
 * tests (gcbench and every workload, under the verifier and in stress
 * mode) with no other edit; its sources, any .c file in a folder of
 * policies/, are compiled without being named (docs/adding-a-policy.md). Each table is checked (no NULL entries, sane
 * constraints, gc_policy_check) before it is handed out. */
#include "heap/policy.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One line per policy, in the order `gctb list` shows them. */
/* clang-format off */
#define GCTB_POLICIES(GCTB_POLICY)                                             \
  GCTB_POLICY(nogc)                                                            \
  GCTB_POLICY(semispace)                                                       \
  GCTB_POLICY(segfit)                                                          \
  GCTB_POLICY(bdw)                                                             \
  GCTB_POLICY(satb)                                                            \
  GCTB_POLICY(immix)                                                           \
  GCTB_POLICY(sticky_immix)                                                    \
  GCTB_POLICY(handle_copy)                                                     \
  GCTB_POLICY(otf)                                                             \
  GCTB_POLICY(otf_gen)                                                         \
  GCTB_POLICY(shenandoah)                                                      \
  GCTB_POLICY(shenandoah_brooks)                                               \
  GCTB_POLICY(tutorial_ms)                                                     \
  /* add a line above this one: every line of the list ends in a backslash */
/* clang-format on */

#define DECLARE(id) extern const gc_policy gc_policy_##id;
GCTB_POLICIES(DECLARE)
#define ENTRY(id) {&gc_policy_##id, #id},
static const struct {
  const gc_policy *table;
  const char *id;
} policies[] = {GCTB_POLICIES(ENTRY)};

size_t gc_policy_count(void) { return sizeof policies / sizeof policies[0]; }

/* Whether name is id with '_' spelt '-', as the build expects. */
static bool name_matches(const char *name, const char *id) {
  for (; *name && *id; name++, id++)
    if (*name != (*id == '_' ? '-' : *id))
      return false;
  return *name == *id;
}

const gc_policy *gc_policy_at(size_t i) {
  if (i >= gc_policy_count())
    return NULL;
  const gc_policy *p = policies[i].table;
  char err[256];
  if (!gc_policy_check(p, err, sizeof err)) {
    fprintf(stderr, "gctb: bad policy table: %s\n", err);
    abort();
  }
  if (!name_matches(p->name, policies[i].id)) {
    fprintf(stderr,
            "gctb: policies/registry.c: GCTB_POLICY(%s) holds a table named "
            "\"%s\"; name it after the line (the tests run it by that name)\n",
            policies[i].id, p->name);
    abort();
  }
  return p;
}

const gc_policy *gc_policy_find(const char *name) {
  for (size_t i = 0; i < gc_policy_count(); i++)
    if (strcmp(policies[i].table->name, name) == 0)
      return gc_policy_at(i);
  return NULL;
}
