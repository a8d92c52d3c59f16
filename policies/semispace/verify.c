/* verify.c — the semispace policy's verifier hooks. The core verifier walks
 * the graph from the roots (heap/verify.c) and asks, for every object it
 * reaches, whether the policy can hold a live object there; then once for
 * the policy's own bookkeeping. Between collections this must hold:
 *  - every reachable object is in a "semispace-to" chunk, below the claim
 *    cursor of the newest chunk, or is the start of a large object;
 *  - no reachable header carries BUSY, FWD or KEPT (a forwarding word left
 *    behind means a reference was not updated);
 *  - no chunk is tagged "semispace-from", and the chunk list agrees with
 *    the arena's space table. */
#include "semispace.h"

uintptr_t semi_resolve(gc_heap *heap, gc_ref r) { return (uintptr_t)r; }

static const char *space_name(gc_arena *a, uint8_t id) {
  return id < a->nspaces && a->space_name[id] ? a->space_name[id] : "?";
}

/* The object at addr lies in a to-space chunk: it must not cross the chunk
 * end nor lie in the newest chunk's unclaimed part. */
static bool within_claims(semi_state *st, gc_verifier *v, uintptr_t addr) {
  uintptr_t chunk = addr & ~(uintptr_t)(GC_CHUNK_BYTES - 1);
  uint64_t h = *(uint64_t *)addr;
  const gc_type *t = gc_type_by_id(gc_header_type(h));
  size_t bytes = gc_object_bytes(t, gc_header_length(h), 1);
  uintptr_t end = chunk + GC_CHUNK_BYTES;
  if (st->to.limit == end)
    end = st->to.cur; /* the newest chunk: claimed up to cur */
  if (addr + bytes > end) {
    gc_verify_fail(v,
                   "semispace: object 0x%lx (%zu bytes) runs past the "
                   "claimed part of its chunk (ends at 0x%lx)",
                   (unsigned long)addr, bytes, (unsigned long)end);
    return false;
  }
  return true;
}

bool semi_verify_object(gc_heap *heap, gc_verifier *v, uintptr_t addr) {
  semi_state *st = semi_of(heap);
  gc_arena *a = &heap->arena;
  uint8_t space = gc_arena_space_of(a, addr);
  uint64_t h = *(uint64_t *)addr;
  if (h & SEMI_GC_BITS) {
    gc_verify_fail(v,
                   "semispace: object 0x%lx has GC bits 0x%x set (a "
                   "forwarding or claim left behind)",
                   (unsigned long)addr, (unsigned)(h & SEMI_GC_BITS));
    return false;
  }
  if (space == heap->los.space) {
    if (gc_los_is_object(&heap->los, addr))
      return true;
    gc_verify_fail(v, "semispace: 0x%lx is in the LOS but starts no object",
                   (unsigned long)addr);
    return false;
  }
  if (space != st->to.id) {
    gc_verify_fail(v,
                   "semispace: object 0x%lx is in a %s chunk, not in the "
                   "current semispace",
                   (unsigned long)addr, space_name(a, space));
    return false;
  }
  return within_claims(st, v, addr);
}

/* Counts arena chunks tagged id. */
static size_t tagged(gc_arena *a, uint8_t id) {
  size_t n = 0;
  for (size_t i = 0; i < a->nchunks; i++)
    n += gc_arena_space_of(a, a->base + (i << GC_CHUNK_LOG)) == id;
  return n;
}

bool semi_verify_heap(gc_heap *heap, gc_verifier *v) {
  semi_state *st = semi_of(heap);
  gc_arena *a = &heap->arena;
  size_t to = tagged(a, st->to.id), from = tagged(a, st->from.id);
  if (st->from.n != 0 || from != 0) {
    gc_verify_fail(v, "semispace: %zu chunks still in from-space (list %zu)",
                   from, st->from.n);
    return false;
  }
  if (to != st->to.n) {
    gc_verify_fail(v, "semispace: %zu chunks tagged to-space, list has %zu", to,
                   st->to.n);
    return false;
  }
  for (size_t i = 0; i < st->to.n; i++)
    if (gc_arena_space_of(a, st->to.chunks[i]) != st->to.id) {
      gc_verify_fail(v, "semispace: listed chunk 0x%lx is tagged %s",
                     (unsigned long)st->to.chunks[i],
                     space_name(a, gc_arena_space_of(a, st->to.chunks[i])));
      return false;
    }
  size_t free = gc_arena_free_bytes(a) >> GC_CHUNK_LOG;
  if (st->to.n + heap->los.chunks_held + free != a->nchunks) {
    gc_verify_fail(v,
                   "semispace: chunks do not add up: %zu to-space + %zu LOS "
                   "+ %zu free != %zu",
                   st->to.n, heap->los.chunks_held, free, a->nchunks);
    return false;
  }
  return true;
}
