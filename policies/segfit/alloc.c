/* alloc.c — the allocation slow path: refilling a mutator's per-class cache
 * (the seed's small TLAB: a block base and a claimed free-bits word), large
 * objects, and collecting when the heap is full.
 *
 * Byte accounting: the inline fast path counts objects only, so a refill
 * adds every claimed cell's bytes to m->stats.bytes_allocated at once, and
 * dropping a cache (collection, detach) takes back the cells never handed
 * out. bytes_allocated is therefore exact in cell bytes (internal
 * fragmentation included) whenever no cache is live, e.g. at the end. */
#include "segfit.h"

static void cache_drop(gc_freebits_cache *c, gc_mutator *m) {
  m->stats.bytes_allocated -= (uint64_t)__builtin_popcountll(c->bits) * c->size;
  c->bits = 0;
  c->base = 0;
}

/* Unallocated cells of a dropped block are simply unmarked: the next sweep
 * makes them free again. */
void segfit_drop_caches(gc_mutator *m) {
  for (unsigned c = 0; c < GC_SIZECLASS_COUNT; c++)
    if (m->fb[c].bits)
      cache_drop(&m->fb[c], m);
}

/* Fills m's cache for class c from a block with free cells, or from a new
 * chunk unless the trigger says to collect first (grow_anyway overrides it
 * right after a collection, so a heap above the trigger cannot thrash). */
static bool refill(gc_mutator *m, segfit_state *s, unsigned c,
                   bool grow_anyway) {
  uintptr_t base = 0;
  uint64_t bits = segfit_find_block(s, c, &base);
  if (!bits && (grow_anyway || !segfit_over_trigger(s)))
    bits = segfit_grow(s, c, &base);
  if (!bits)
    return false;
  gc_freebits_cache *fc = &m->fb[c];
  fc->base = base;
  fc->bits = bits;
  m->stats.bytes_allocated += (uint64_t)__builtin_popcountll(bits) * fc->size;
  return true;
}

static gc_ref cell_init(uintptr_t p, size_t size, uint64_t header) {
  memset((void *)p, 0, size); /* freed cells hold stale objects */
  *(uint64_t *)p = header;
  return (gc_ref)p;
}

/* Collects because an allocation failed; true if this thread collected
 * (false: another thread did, which helps just as well). */
static bool collect_for(gc_mutator *m) {
  return gc_collect_stw(m, "segfit-full", segfit_collect_stw, (void *)"alloc");
}

/* At most this many of our own collections per allocation before we call
 * the heap exhausted: the first frees what is garbage, a second covers
 * cells another thread grabbed between our collection and our retry. */
#define SEGFIT_MAX_COLLECTIONS 2

static gc_ref alloc_large(gc_mutator *m, size_t bytes, uint64_t header) {
  gc_heap *heap = m->heap;
  for (int own = 0;;) {
    uintptr_t p = gc_los_alloc(&heap->los, bytes); /* zeroed */
    if (p) {
      *(uint64_t *)p = header;
      m->stats.bytes_allocated += bytes;
      return (gc_ref)p;
    }
    if (own >= SEGFIT_MAX_COLLECTIONS)
      return GC_NULL;
    own += collect_for(m);
  }
}

gc_ref segfit_alloc_slow(gc_mutator *m, size_t bytes, uint64_t header) {
  if (bytes > GC_SIZECLASS_MAX_BYTES)
    return alloc_large(m, bytes, header);
  segfit_state *s = segfit_of(m->heap);
  unsigned c = gc_sizeclass_of(bytes);
  gc_freebits_cache *fc = &m->fb[c];
  bool collected = false;
  for (int own = 0;;) {
    /* stress mode routes every allocation here: use the cache first */
    if (fc->bits || refill(m, s, c, collected)) {
      uintptr_t p = fc->base + (uintptr_t)fc->size * segfit_fb_pop(&fc->bits);
      return cell_init(p, fc->size, header);
    }
    if (own >= SEGFIT_MAX_COLLECTIONS)
      return GC_NULL;
    own += collect_for(m);
    collected = true;
  }
}

void segfit_collect(gc_mutator *m, gc_collect_reason why) {
  const char *reason = why == GC_REASON_STRESS      ? "stress"
                       : why == GC_REASON_REQUESTED ? "requested"
                                                    : "alloc";
  gc_collect_stw(m, "segfit-full", segfit_collect_stw, (void *)reason);
}
