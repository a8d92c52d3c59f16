/* list.c — `gctb list`: what can be run, with every option's type, default
 * and range, printed from the same tables the config is validated against
 * so the listing cannot drift from the code. */
#include "harness/list/list.h"
#include "heap/policy.h"
#include "workloads/workload.h"

const char *gctb_alloc_style_name(int style) {
  switch (style) {
  case GC_ALLOC_BUMP:
    return "bump";
  case GC_ALLOC_FREEBITS:
    return "freebits";
  case GC_ALLOC_CALL:
    return "call";
  case GC_ALLOC_FREELIST:
    return "freelist";
  }
  return "?";
}

const char *gctb_read_barrier_name(int kind) {
  switch (kind) {
  case GC_RB_NONE:
    return "none";
  case GC_RB_HANDLE:
    return "handle";
  case GC_RB_BROOKS:
    return "brooks";
  case GC_RB_LRB:
    return "load-reference";
  }
  return "?";
}

const char *gctb_write_barrier_name(int kind) {
  switch (kind) {
  case GC_WB_NONE:
    return "none";
  case GC_WB_SATB:
    return "satb";
  case GC_WB_OBJECT_LOG:
    return "object-log";
  case GC_WB_WHEN_ACTIVE:
    return "when-active";
  case GC_WB_ALWAYS:
    return "always";
  case GC_WB_OBJECT_LOG_SATB:
    return "object-log-satb";
  }
  return "?";
}

static void print_policy(FILE *f, const gc_policy *p) {
  const gc_constraints *c = &p->constraints;
  fprintf(f, "  %-12s %s\n", p->name, p->summary);
  fprintf(f,
          "    alloc %s, read barrier %s, write barrier %s, %u header "
          "word%s, %s\n",
          gctb_alloc_style_name(c->alloc),
          gctb_read_barrier_name(c->read_barrier),
          gctb_write_barrier_name(c->write_barrier), c->header_words,
          c->header_words == 1 ? "" : "s",
          c->moves_objects ? "moving" : "non-moving");
  if (!p->options || gc_option_count(p->options) == 0)
    fprintf(f, "    (no options)\n");
  else
    gc_options_describe(p->options, "    ", f);
}

static void print_workload(FILE *f, const gc_workload *w) {
  fprintf(f, "  %-12s %s\n", w->name, w->summary);
  if (!w->params || gc_option_count(w->params) == 0)
    fprintf(f, "    (no params)\n");
  else
    gc_options_describe(w->params, "    ", f);
}

void gctb_list_print(FILE *f) {
  fprintf(f, "policies (config key policy.name; options under "
             "policy.options):\n");
  for (size_t i = 0; i < gc_policy_count(); i++)
    print_policy(f, gc_policy_at(i));
  fprintf(f, "\nworkloads (config key workload.name; params under "
             "workload.params):\n");
  for (size_t i = 0; i < gc_workload_count(); i++)
    print_workload(f, gc_workload_at(i));
}
