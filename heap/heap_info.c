/* heap_info.c — what gctb.h lets a workload read about its heap, so that
 * workloads need no internal header (struct gc_heap stays private). */
#include "heap.h"

size_t gc_heap_size(const gc_heap *heap) { return heap->cfg.heap_bytes; }

size_t gc_heap_used(gc_heap *heap) { return heap->policy->heap_used(heap); }
