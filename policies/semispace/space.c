/* space.c — the semispaces as lists of arena chunks: claiming memory, the
 * copy reserve rule, the flip and giving from-space back.
 *
 * The copy reserve (docs/policies/semispace.md, "Copy reserve"): a
 * collection copies at most what the allocation space holds, so the arena
 * must keep at least that many chunks free. A chunk is taken for allocation
 * only if afterwards free >= held, i.e. free - 1 >= held + 1. Fenichel and
 * Yochelson's two fixed halves (1969) give the same guarantee but fix the
 * split; counting chunks lets the large-object space and the semispaces
 * share one heap budget. */
#include "semispace.h"
#include <stdlib.h>

bool semi_space_init(semi_space *s, size_t capacity, uint8_t id) {
  s->chunks = calloc(capacity ? capacity : 1, sizeof *s->chunks);
  s->n = 0;
  s->cur = s->limit = 0;
  s->id = id;
  return s->chunks != NULL && id != 0;
}

void semi_space_destroy(semi_space *s) { free(s->chunks); }

static size_t free_chunks(semi_state *st) {
  return gc_arena_free_bytes(&st->heap->arena) >> GC_CHUNK_LOG;
}

/* Under st->lock. */
static bool reserve_allows_locked(semi_state *st, size_t k, size_t grows) {
  size_t free = free_chunks(st);
  return free >= k && free - k >= st->to.n + grows;
}

bool semi_reserve_allows(semi_state *st, size_t k) {
  pthread_mutex_lock(&st->lock);
  bool ok = reserve_allows_locked(st, k, 0);
  pthread_mutex_unlock(&st->lock);
  return ok;
}

/* Under st->lock: makes a fresh chunk the newest; the old one's tail is
 * left unused (less than the object that did not fit). */
static bool grow(semi_state *st, bool collecting) {
  semi_space *s = &st->to;
  if (!collecting && !reserve_allows_locked(st, 1, 1))
    return false;
  uintptr_t c = gc_arena_take(&st->heap->arena, 1, s->id);
  if (!c)
    return false;
  s->chunks[s->n++] = c;
  s->cur = c;
  s->limit = c + GC_CHUNK_BYTES;
  return true;
}

uintptr_t semi_claim(semi_state *st, size_t min, size_t max, bool collecting,
                     size_t *got) {
  semi_space *s = &st->to;
  uintptr_t p = 0;
  pthread_mutex_lock(&st->lock);
  if (s->limit - s->cur >= min || grow(st, collecting)) {
    size_t n = s->limit - s->cur;
    n = n < max ? n : max;
    p = s->cur;
    s->cur = p + n;
    *got = n;
  }
  pthread_mutex_unlock(&st->lock);
  return p;
}

size_t semi_space_used(semi_state *st) {
  pthread_mutex_lock(&st->lock);
  size_t used = (st->to.n << GC_CHUNK_LOG) - (st->to.limit - st->to.cur);
  pthread_mutex_unlock(&st->lock);
  return used;
}

/* Retags n chunks of list, in runs of adjacent chunks (the arena hands
 * chunks out first-fit, so most lists are a few runs). */
static void retag_all(gc_arena *a, const uintptr_t *list, size_t n,
                      uint8_t id) {
  for (size_t i = 0, j; i < n; i = j) {
    for (j = i + 1; j < n && list[j] == list[j - 1] + GC_CHUNK_BYTES; j++)
      ;
    gc_arena_retag(a, list[i], j - i, id);
  }
}

void semi_flip(semi_state *st) {
  semi_space *to = &st->to, *from = &st->from;
  retag_all(&st->heap->arena, to->chunks, to->n, from->id);
  uintptr_t *chunks = from->chunks;
  from->chunks = to->chunks;
  from->n = to->n;
  from->cur = from->limit = 0;
  to->chunks = chunks;
  to->n = 0;
  to->cur = to->limit = 0;
}

void semi_release_from(semi_state *st) {
  gc_arena *a = &st->heap->arena;
  semi_space *from = &st->from;
  size_t keep = 0;
  for (size_t i = 0; i < from->n; i++) {
    uintptr_t c = from->chunks[i];
    size_t idx = gc_arena_chunk_index(a, c);
    if (st->pinned[idx]) {
      st->pinned[idx] = 0;
      gc_arena_retag(a, c, 1, st->to.id);
      st->to.chunks[st->to.n++] = c; /* full: nothing left to claim */
    } else {
      from->chunks[keep++] = c;
    }
  }
  for (size_t i = 0, j; i < keep; i = j) {
    for (j = i + 1;
         j < keep && from->chunks[j] == from->chunks[j - 1] + GC_CHUNK_BYTES;
         j++)
      ;
    gc_arena_give(a, from->chunks[i], j - i);
  }
  from->n = 0;
}
