/* alloc.c — the allocation attempt: refilling a mutator's per-class cache
 * (the seed's small TLAB, heap/sfspace_cache.c), large objects, and the
 * trigger. Collecting when an attempt fails is the driver's
 * (heap/collector.h, gc_stw_alloc): at most two collections of this
 * thread per allocation before the heap is called exhausted: the first
 * frees what is garbage, a second covers cells another thread grabbed
 * between our collection and our retry. */
#include "segfit.h"

/* Fills m's cache for class c from a block with free cells, or from a new
 * chunk unless the trigger says to collect first (grow_anyway overrides it
 * right after a collection, so a heap above the trigger cannot thrash). */
static bool refill(gc_mutator *m, segfit_state *s, unsigned c,
                   bool grow_anyway) {
  uintptr_t base = 0;
  uint64_t bits = gc_sf_find_block(&s->sf, c, &base);
  if (!bits && (grow_anyway || !segfit_over_trigger(s)))
    bits = gc_sf_grow(&s->sf, c, &base);
  if (!bits)
    return false;
  gc_sf_cache_set(&s->sf, m, c, base, bits, false);
  return true;
}

static gc_ref cell_init(uintptr_t p, size_t size, uint64_t header) {
  memset((void *)p, 0, size); /* freed cells hold stale objects */
  *(uint64_t *)p = header;
  return (gc_ref)p;
}

static gc_ref try_alloc(gc_mutator *m, size_t bytes, uint64_t header,
                        const gc_alloc_try *at, void *ctx) {
  segfit_state *s = ctx;
  if (bytes > GC_SIZECLASS_MAX_BYTES)
    return (gc_ref)gc_los_alloc_object(m, bytes, header, false);
  unsigned c = gc_sizeclass_of(bytes);
  gc_freebits_cache *fc = &m->fb[c];
  /* stress mode routes every allocation here: use the cache first */
  if (fc->bits || refill(m, s, c, at->tries > 0)) {
    uintptr_t p = fc->base + (uintptr_t)fc->size * gc_fb_pop(&fc->bits);
    return cell_init(p, fc->size, header);
  }
  return GC_NULL;
}

const gc_collector_ops segfit_collector_ops = {.try_alloc = try_alloc,
                                               .stw_collect =
                                                   segfit_collect_stw,
                                               .stw_pause = "segfit-full",
                                               .ladder = {.own = 2}};

/* After a collection (and at start): allow trigger * (chunks free now) more
 * chunks to be taken before allocation collects instead (collect.c). */
void segfit_set_trigger(segfit_state *s) {
  size_t used = gc_sf_arena_used(&s->sf);
  s->grow_limit = used + (size_t)(s->trigger * (double)(s->sf.nchunks - used));
}

/* True when taking another chunk would pass the trigger (see collect.c). */
bool segfit_over_trigger(segfit_state *s) {
  return gc_sf_arena_used(&s->sf) + 1 > s->grow_limit;
}
