/* sfspace_verify.c — what the heap verifier asks of the segregated-fit
 * space, and its statistics.
 *
 * gc_sf_verify_object re-derives everything from the address with a plain
 * division (not the marker's reciprocal), so a wrong multiplier or a cell
 * freed while reachable shows up here. */
#include "sfspace.h"
#include "trace.h"

static const char *space_name(const gc_sf_space *sp) {
  return sp->arena->space_name[sp->space];
}

static bool pool_swept(gc_sf_space *sp, size_t page) {
  return __atomic_load_n(&sp->pools[page].swept, __ATOMIC_ACQUIRE) ==
         __atomic_load_n(&sp->epoch, __ATOMIC_ACQUIRE);
}

/* A cell holds an object: its free bit is clear, or, in a pool sweeping has
 * not reached yet, the last marking found it. */
bool gc_sf_cell_in_use(gc_sf_space *sp, size_t page, uint32_t cell) {
  unsigned b = cell / GC_FB_BLOCK_CELLS, i = cell % GC_FB_BLOCK_CELLS;
  if (pool_swept(sp, page))
    return !gc_fb_is_set(&gc_sf_free_of(sp, page)[b], i);
  return gc_fb_is_set(&gc_sf_mark_of(sp, page)[b], i);
}

bool gc_sf_verify_object(gc_sf_space *sp, gc_verifier *v, uintptr_t addr) {
  size_t page = gc_sf_page_index(sp, addr);
  unsigned c = sp->pools[page].cls;
  if (sp->pools[page].free) {
    gc_verify_fail(v, "0x%lx is in a free %s page (no size class)",
                   (unsigned long)addr, space_name(sp));
    return false;
  }
  const gc_sf_class *k = &sp->cls[c];
  size_t off = addr - gc_sf_page_base(sp, page), size = k->size;
  size_t cell = off / size, bytes = gc_object_size(addr, 1);
  const char *bad = off % size          ? "is not at a cell boundary"
                    : cell >= k->ncells ? "lies past the pool's last cell"
                    : !gc_sf_cell_in_use(sp, page, (uint32_t)cell)
                        ? "is in a free cell"
                    : gc_sizeclass_of(bytes) != c ? "is in the wrong size class"
                                                  : NULL;
  if (bad)
    gc_verify_fail(v, "0x%lx (%zu bytes, class %zu, cell %zu) %s",
                   (unsigned long)addr, bytes, size, cell, bad);
  return bad == NULL;
}

/* One listed pool: owned, of this class, no free bit past the last cell,
 * and (once swept) no cell both free and marked. */
static bool verify_pool(gc_sf_space *sp, gc_verifier *v, unsigned c,
                        size_t page) {
  const gc_sf_class *k = &sp->cls[c];
  const char *bad = NULL;
  if (sp->pools[page].cls != c)
    bad = "is listed under the wrong class";
  else if (sp->pools[page].free)
    bad = "is listed but also in the free page pool";
  else if (!gc_sf_owns(sp, gc_sf_page_base(sp, page)))
    bad = "is not in a chunk tagged as this space's in the arena";
  uint64_t *fw = gc_sf_free_of(sp, page), *mw = gc_sf_mark_of(sp, page);
  if (!bad &&
      (__atomic_load_n(&fw[k->nblocks - 1], __ATOMIC_RELAXED) & ~k->last_mask))
    bad = "has free bits past its last cell";
  if (!bad && gc_fb_any(mw, k->nblocks) &&
      !__atomic_load_n(&sp->pools[page].marked, __ATOMIC_RELAXED))
    bad = "has mark bits set but its marked flag clear";
  for (size_t b = 0; !bad && pool_swept(sp, page) && b < k->nblocks; b++)
    if (__atomic_load_n(&fw[b], __ATOMIC_RELAXED) &
        __atomic_load_n(&mw[b], __ATOMIC_RELAXED))
      bad = "has a cell both free and marked";
  if (bad)
    gc_verify_fail(v, "pool at page %zu (class %u bytes) %s", page, k->size,
                   bad);
  return bad == NULL;
}

bool gc_sf_los_verify_object(gc_sf_space *sp, gc_heap *heap, gc_verifier *v,
                             uintptr_t addr, const char *unmarked) {
  if (!gc_sf_owns(sp, addr))
    return gc_verify_large_object(heap, v, addr, 1, unmarked);
  if (unmarked && !gc_sf_is_marked(sp, addr))
    return gc_verify_unmarked(v, addr, unmarked);
  return gc_sf_verify_object(sp, v, addr);
}

bool gc_sf_verify_space(gc_sf_space *sp, gc_verifier *v) {
  size_t listed = 0;
  for (unsigned c = 0; c < GC_SIZECLASS_COUNT; c++) {
    gc_sf_class *k = &sp->cls[c];
    for (size_t li = 0; li < k->npools; li++, listed++)
      if (!verify_pool(sp, v, c, k->list[li]))
        return false;
  }
  /* every page of a chunk we hold is either some class's pool or free */
  size_t tagged = 0, free = 0;
  for (size_t i = 0; i < sp->nchunks; i++) {
    if (!gc_sf_owns(sp, sp->arena->base + (i << GC_CHUNK_LOG)))
      continue;
    tagged += GC_SF_CHUNK_PAGES;
    for (size_t p = 0; p < GC_SF_CHUNK_PAGES; p++)
      free += sp->pools[i * GC_SF_CHUNK_PAGES + p].free;
  }
  if (listed != sp->pages_held || tagged != listed + free ||
      free != gc_sf_pages_free(sp)) {
    gc_verify_fail(v,
                   "%zu pools listed and %zu held, %zu pages free (%zu in the "
                   "pool) in %zu pages tagged %s",
                   listed, sp->pages_held, free, gc_sf_pages_free(sp), tagged,
                   space_name(sp));
    return false;
  }
  return true;
}

/* Cells holding objects in one pool (cached, unallocated cells count). */
static size_t pool_used(gc_sf_space *sp, const gc_sf_class *k, size_t page) {
  bool swept = pool_swept(sp, page);
  const uint64_t *w = swept ? gc_sf_free_of(sp, page) : gc_sf_mark_of(sp, page);
  size_t set = 0;
  for (size_t b = 0; b < k->nblocks; b++)
    set +=
        (size_t)__builtin_popcountll(__atomic_load_n(&w[b], __ATOMIC_RELAXED));
  return swept ? k->ncells - set : set;
}

size_t gc_sf_used_bytes(gc_sf_space *sp) {
  size_t bytes = 0;
  for (unsigned c = 0; c < GC_SIZECLASS_COUNT; c++) {
    gc_sf_class *k = &sp->cls[c];
    size_t n = __atomic_load_n(&k->npools, __ATOMIC_ACQUIRE);
    for (size_t li = 0; li < n; li++)
      bytes += pool_used(sp, k, gc_sf_listed(k, li)) * k->size;
  }
  return bytes;
}

static json_t *class_report(gc_sf_space *sp, gc_sf_class *k, size_t n,
                            size_t *used_cells) {
  size_t used = 0;
  for (size_t li = 0; li < n; li++)
    used += pool_used(sp, k, gc_sf_listed(k, li));
  size_t cells = n * k->ncells;
  *used_cells = used;
  return json_pack("{s:i, s:i, s:i, s:i, s:i, s:f}", "size",
                   (json_int_t)k->size, "pools", (json_int_t)n, "blocks",
                   (json_int_t)(n * k->nblocks), "used_cells", (json_int_t)used,
                   "free_cells", (json_int_t)(cells - used), "fragmentation",
                   cells ? (double)(cells - used) / (double)cells : 0.0);
}

/* Per class: pools, blocks, cells used and free, and fragmentation (the
 * free share of the cells the class holds: memory no other class can use
 * until its page empties). */
void gc_sf_report(gc_sf_space *sp, json_t *out) {
  json_t *classes = json_array();
  size_t held = 0, used = 0;
  for (unsigned c = 0; c < GC_SIZECLASS_COUNT; c++) {
    gc_sf_class *k = &sp->cls[c];
    size_t n = __atomic_load_n(&k->npools, __ATOMIC_ACQUIRE), u;
    if (!n)
      continue;
    json_array_append_new(classes, class_report(sp, k, n, &u));
    held += n * k->ncells * (size_t)k->size;
    used += u * k->size;
  }
  json_object_set_new(out, "classes", classes);
  json_object_set_new(out, "pool_bytes", json_integer((json_int_t)held));
  json_object_set_new(out, "used_cell_bytes", json_integer((json_int_t)used));
  json_object_set_new(out, "fragmentation",
                      json_real(held ? (double)(held - used) / held : 0.0));
  json_object_set_new(out, "page_bytes",
                      json_integer((json_int_t)GC_SF_PAGE_BYTES));
  json_object_set_new(out, "pages_released",
                      json_integer((json_int_t)sp->pages_released));
  json_object_set_new(out, "pages_reused",
                      json_integer((json_int_t)sp->pages_reused));
  json_object_set_new(out, "chunks_released",
                      json_integer((json_int_t)sp->chunks_released));
}
