/* registry.c — the workloads gctb knows, by name. */
#include "workload.h"
#include <string.h>

extern const gc_workload gc_workload_gcbench;

static const gc_workload *const workloads[] = {
    &gc_workload_gcbench,
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
