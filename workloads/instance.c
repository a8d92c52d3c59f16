/* instance.c — which family instance of a workload runs (instance.h). */
#include "instance.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

gc_family gc_instance_family(const gc_heap *heap) {
  gc_family f = gc_heap_family(heap);
  const char *want = getenv("GCTB_INSTANCE");
  if (!want || !*want || strcmp(want, gc_family_name(f)) == 0)
    return f;
  if (strcmp(want, "generic") == 0)
    return GC_FAMILY_GENERIC;
  fprintf(stderr,
          "gctb: GCTB_INSTANCE=%s: this heap runs family %s; only generic or "
          "%s may be asked for\n",
          want, gc_family_name(f), gc_family_name(f));
  exit(2);
}
