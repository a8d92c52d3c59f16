/* alloc.c — the allocation slow path: thread-local bump buffers (TLABs)
 * carved from the allocation space, direct claims for mid-sized objects, the
 * large-object space for the rest, and collecting when the copy reserve says
 * the space is full.
 *
 * The inline fast path (gctb.h) bumps m->bump_cur and writes the header but
 * does not zero, so every buffer is zeroed when it is handed out: chunks come
 * back from the arena dirty (from-space, swept large objects). */
#include "semispace.h"
#include <string.h>

/* Bumps within m's buffer; 0 if it does not fit. */
static uintptr_t bump(gc_mutator *m, size_t bytes) {
  uintptr_t p = m->bump_cur;
  if (bytes > m->bump_limit - p)
    return 0;
  m->bump_cur = p + bytes;
  return p;
}

/* One try at a small object: the current buffer (stress mode sends every
 * allocation here), a direct claim for objects that would waste more than a
 * quarter of a buffer, else a fresh buffer. 0 when the reserve says collect. */
static uintptr_t try_small(semi_state *st, gc_mutator *m, size_t bytes) {
  uintptr_t p = bump(m, bytes);
  if (p)
    return p;
  size_t got;
  if (bytes > st->tlab_bytes / 4) {
    if (!(p = semi_claim(st, bytes, bytes, false, &got)))
      return 0;
    memset((void *)p, 0, bytes);
    m->stats.bytes_allocated += bytes;
    return p;
  }
  if (!(p = semi_claim(st, bytes, st->tlab_bytes, false, &got)))
    return 0;
  memset((void *)p, 0, got);
  gc_mutator_retire_bump(m);
  m->bump_start = m->bump_cur = p;
  m->bump_limit = p + got;
  return bump(m, bytes);
}

/* Large objects are never copied, so they need no copy reserve of their
 * own; they may only not eat into the semispaces' reserve. After one
 * collection the allocation is tried regardless: the LOS may have a free
 * run that needs no new chunk, and if it does eat the reserve, a collection
 * keeps what it cannot copy in place (copy.c) rather than fail. */
static uintptr_t try_large(semi_state *st, gc_mutator *m, size_t bytes,
                           bool after_gc) {
  size_t k = (bytes + GC_CHUNK_BYTES - 1) >> GC_CHUNK_LOG;
  if (!after_gc && !semi_reserve_allows(st, k))
    return 0;
  uintptr_t p = gc_los_alloc(&m->heap->los, bytes);
  if (p)
    m->stats.bytes_allocated += bytes;
  return p;
}

static gc_ref try_alloc(gc_mutator *m, size_t bytes, uint64_t header,
                        const gc_alloc_try *at, void *ctx) {
  semi_state *st = ctx;
  bool large = bytes >= m->heap->c.large_object_bytes;
  uintptr_t p =
      large ? try_large(st, m, bytes, at->own > 0) : try_small(st, m, bytes);
  if (p)
    *(uint64_t *)p = header;
  return (gc_ref)p;
}

/* A mutator gives up after two collections of its own that left no room
 * (the live data does not fit in half the free heap), or after 16 attempts
 * in all (other threads collecting and filling the space again before this
 * one gets to allocate). st->lock is not held while collecting: a mutator
 * blocked on it could not reach a safepoint, and the world would never
 * stop. */
const gc_collector_ops semi_collector_ops = {
    .try_alloc = try_alloc,
    .stw_collect = semi_collect_stopped,
    .stw_pause = "full",
    .ladder = {.own = 2, .attempts = 16}};
