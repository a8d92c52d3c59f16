/* registry.c — the workloads gctb knows, by name. */
#include "workload.h"
#include <string.h>

extern const gc_workload gc_workload_gcbench;
extern const gc_workload gc_workload_mt_gcbench;
extern const gc_workload gc_workload_binary_trees;
extern const gc_workload gc_workload_quads;
extern const gc_workload gc_workload_gcold;
extern const gc_workload gc_workload_lifetimes;
extern const gc_workload gc_workload_server;
extern const gc_workload gc_workload_fragger;

static const gc_workload *const workloads[] = {
    &gc_workload_gcbench, &gc_workload_mt_gcbench, &gc_workload_binary_trees,
    &gc_workload_quads,   &gc_workload_gcold,      &gc_workload_lifetimes,
    &gc_workload_server,  &gc_workload_fragger,
};

size_t gc_workload_count(void) {
  return sizeof workloads / sizeof workloads[0];
}

const gc_workload *gc_workload_at(size_t i) {
  return i < gc_workload_count() ? workloads[i] : NULL;
}

const gc_workload *gc_workload_find(const char *name) {
  for (size_t i = 0; i < gc_workload_count(); i++)
    if (strcmp(workloads[i]->name, name) == 0)
      return workloads[i];
  return NULL;
}
