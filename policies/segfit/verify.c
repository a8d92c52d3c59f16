/* verify.c — what the heap verifier asks of segfit, and the statistics.
 *
 * verify_object re-derives everything from the address with a plain
 * division (not the marker's reciprocal), so a wrong multiplier or a cell
 * freed while reachable shows up here. */
#include "../../heap/trace.h"
#include "segfit.h"

static bool pool_swept(segfit_state *s, size_t chunk) {
  return __atomic_load_n(&s->pools[chunk].swept, __ATOMIC_ACQUIRE) == s->epoch;
}

/* A cell holds an object: its free bit is clear, or, in a pool lazy
 * sweeping has not reached yet, the last marking found it. */
bool segfit_cell_in_use(segfit_state *s, size_t chunk, uint32_t cell) {
  unsigned b = cell / SEGFIT_BLOCK_CELLS, i = cell % SEGFIT_BLOCK_CELLS;
  if (pool_swept(s, chunk))
    return !segfit_fb_is_set(&segfit_free_of(s, chunk)[b], i);
  return segfit_fb_is_set(&segfit_mark_of(s, chunk)[b], i);
}

static bool verify_small(gc_heap *heap, gc_verifier *v, uintptr_t addr) {
  segfit_state *s = segfit_of(heap);
  size_t chunk = gc_arena_chunk_index(&heap->arena, addr);
  unsigned c = s->pools[chunk].cls;
  if (c == SEGFIT_NO_CLASS) {
    gc_verify_fail(v, "0x%lx is in a segfit chunk without a size class",
                   (unsigned long)addr);
    return false;
  }
  const segfit_class *k = &s->cls[c];
  size_t off = addr - segfit_chunk_base(s, chunk), size = k->size;
  size_t cell = off / size, bytes = gc_object_size(addr, 1);
  const char *bad = off % size          ? "is not at a cell boundary"
                    : cell >= k->ncells ? "lies past the pool's last cell"
                    : !segfit_cell_in_use(s, chunk, (uint32_t)cell)
                        ? "is in a free cell"
                    : gc_sizeclass_of(bytes) != c ? "is in the wrong size class"
                                                  : NULL;
  if (bad)
    gc_verify_fail(v, "0x%lx (%zu bytes, class %zu, cell %zu) %s",
                   (unsigned long)addr, bytes, size, cell, bad);
  return bad == NULL;
}

bool segfit_verify_object(gc_heap *heap, gc_verifier *v, uintptr_t addr) {
  segfit_state *s = segfit_of(heap);
  if (segfit_owns(s, addr))
    return verify_small(heap, v, addr);
  if (gc_los_contains(&heap->los, addr)) {
    if (gc_los_is_object(&heap->los, addr) &&
        gc_object_size(addr, 1) > GC_SIZECLASS_MAX_BYTES)
      return true;
    gc_verify_fail(v, "0x%lx is not a large object's start",
                   (unsigned long)addr);
    return false;
  }
  gc_verify_fail(v, "0x%lx is neither in a segfit pool nor in the LOS",
                 (unsigned long)addr);
  return false;
}

/* One listed pool: owned, of this class, no free bit past the last cell,
 * and (once swept) no cell both free and marked. */
static bool verify_pool(segfit_state *s, gc_verifier *v, unsigned c,
                        size_t chunk) {
  const segfit_class *k = &s->cls[c];
  const char *bad = NULL;
  if (s->pools[chunk].cls != c)
    bad = "is listed under the wrong class";
  else if (!segfit_owns(s, segfit_chunk_base(s, chunk)))
    bad = "is not tagged as segfit in the arena";
  uint64_t *fw = segfit_free_of(s, chunk), *mw = segfit_mark_of(s, chunk);
  if (!bad &&
      (__atomic_load_n(&fw[k->nblocks - 1], __ATOMIC_RELAXED) & ~k->last_mask))
    bad = "has free bits past its last cell";
  for (size_t b = 0; !bad && pool_swept(s, chunk) && b < k->nblocks; b++)
    if (__atomic_load_n(&fw[b], __ATOMIC_RELAXED) &
        __atomic_load_n(&mw[b], __ATOMIC_RELAXED))
      bad = "has a cell both free and marked";
  if (bad)
    gc_verify_fail(v, "pool at chunk %zu (class %u bytes) %s", chunk, k->size,
                   bad);
  return bad == NULL;
}

bool segfit_verify_heap(gc_heap *heap, gc_verifier *v) {
  segfit_state *s = segfit_of(heap);
  size_t listed = 0;
  for (unsigned c = 0; c < GC_SIZECLASS_COUNT; c++) {
    segfit_class *k = &s->cls[c];
    for (size_t li = 0; li < k->npools; li++, listed++)
      if (!verify_pool(s, v, c, k->list[li]))
        return false;
  }
  size_t tagged = 0;
  for (size_t i = 0; i < s->nchunks; i++)
    tagged += segfit_owns(s, segfit_chunk_base(s, i));
  if (listed != tagged || listed != s->chunks_held) {
    gc_verify_fail(v, "%zu pools listed, %zu chunks tagged segfit, %zu held",
                   listed, tagged, s->chunks_held);
    return false;
  }
  return true;
}

/* Cells holding objects in one pool (cached, unallocated cells count). */
static size_t pool_used(segfit_state *s, const segfit_class *k, size_t chunk) {
  bool swept = pool_swept(s, chunk);
  const uint64_t *w =
      swept ? segfit_free_of(s, chunk) : segfit_mark_of(s, chunk);
  size_t set = 0;
  for (size_t b = 0; b < k->nblocks; b++)
    set +=
        (size_t)__builtin_popcountll(__atomic_load_n(&w[b], __ATOMIC_RELAXED));
  return swept ? k->ncells - set : set;
}

static size_t los_bytes(gc_heap *heap) {
  pthread_mutex_lock(&heap->los.lock);
  size_t n = heap->los.bytes_in_use;
  pthread_mutex_unlock(&heap->los.lock);
  return n;
}

size_t segfit_heap_used(gc_heap *heap) {
  segfit_state *s = segfit_of(heap);
  size_t bytes = los_bytes(heap);
  for (unsigned c = 0; c < GC_SIZECLASS_COUNT; c++) {
    segfit_class *k = &s->cls[c];
    size_t n = __atomic_load_n(&k->npools, __ATOMIC_ACQUIRE);
    for (size_t li = 0; li < n; li++)
      bytes += pool_used(s, k, k->list[li]) * k->size;
  }
  return bytes;
}

static json_t *class_report(segfit_state *s, segfit_class *k, size_t n,
                            size_t *used_cells) {
  size_t used = 0;
  for (size_t li = 0; li < n; li++)
    used += pool_used(s, k, k->list[li]);
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
 * until its chunk empties). */
void segfit_report(gc_heap *heap, json_t *out) {
  segfit_state *s = segfit_of(heap);
  json_t *classes = json_array();
  size_t held = 0, used = 0;
  for (unsigned c = 0; c < GC_SIZECLASS_COUNT; c++) {
    segfit_class *k = &s->cls[c];
    size_t n = __atomic_load_n(&k->npools, __ATOMIC_ACQUIRE), u;
    if (!n)
      continue;
    json_array_append_new(classes, class_report(s, k, n, &u));
    held += n * k->ncells * (size_t)k->size;
    used += u * k->size;
  }
  json_object_set_new(out, "sweep", json_string(s->sweep ? "lazy" : "eager"));
  json_object_set_new(out, "classes", classes);
  json_object_set_new(out, "pool_bytes", json_integer((json_int_t)held));
  json_object_set_new(out, "used_cell_bytes", json_integer((json_int_t)used));
  json_object_set_new(out, "fragmentation",
                      json_real(held ? (double)(held - used) / held : 0.0));
  json_object_set_new(out, "los_bytes",
                      json_integer((json_int_t)los_bytes(heap)));
  json_object_set_new(out, "chunks_released",
                      json_integer((json_int_t)s->chunks_released));
}
