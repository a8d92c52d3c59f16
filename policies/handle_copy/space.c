/* space.c — the two semispaces as lists of arena extents: buffers claimed
 * for allocation and copying, the copy reserve, parsing, flip and release.
 *
 * The seed has "two heaps of equal size". Here both spaces draw chunks from
 * one arena, and the copy reserve keeps enough chunks free to copy whatever
 * the allocation space holds (the semispace policy's rule, restated for a
 * space that is copied while it is also allocated into): outside a cycle a
 * chunk may be taken only if every record of the allocation space could
 * still be copied; during a cycle, only if the records not yet copied could.
 * Copies themselves ignore the reserve: it exists for them. */
#include "hc.h"

bool hc_space_init(hc_space *sp, size_t nchunks, uint8_t id) {
  sp->ext = calloc(nchunks ? nchunks : 1, sizeof *sp->ext);
  sp->n = sp->chunks = 0;
  sp->cur = sp->limit = 0;
  sp->id = id;
  return sp->ext && id;
}

void hc_space_destroy(hc_space *sp) { free(sp->ext); }

size_t hc_space_bytes(const hc_space *sp) {
  return sp->chunks * GC_CHUNK_BYTES;
}

/* Chunks to keep free for copying (under the lock). A sixteenth on top for
 * buffer tails, and two for the buffers in flight. */
static size_t reserve_chunks(hc_state *s) {
  uint64_t bytes;
  if (hc_phase(s) == HC_IDLE)
    bytes = hc_space_bytes(hc_to(s));
  else if (s->compact_now)
    bytes = 0; /* the copies' extent was taken at the flip */
  else
    bytes = s->copy_bytes - __atomic_load_n(&s->copied_bytes, __ATOMIC_RELAXED);
  size_t chunks = (size_t)((bytes + GC_CHUNK_BYTES - 1) >> GC_CHUNK_LOG);
  return chunks + chunks / 16 + 2;
}

static bool allows_locked(hc_state *s, size_t k) {
  size_t free = gc_arena_free_bytes(&s->heap->arena) >> GC_CHUNK_LOG;
  /* Outside a cycle the k new chunks will need copying too. */
  size_t grows = hc_phase(s) == HC_IDLE ? k : 0;
  return free >= k && free - k >= reserve_chunks(s) + grows;
}

/* The table is a mapping of its own (entries must be contiguous, and the
 * arena hands out chunks), so its bytes are charged rather than placed: a
 * chunk taken here is never written and only keeps the object spaces from
 * using the table's share of heap.size. Without this the table (16 bytes a
 * live object as described) would lie outside the heap every other policy
 * is held to. */
bool hc_table_charge(hc_state *s, size_t hw) {
  size_t need = (hw * s->t.stride + GC_CHUNK_BYTES - 1) >> GC_CHUNK_LOG;
  while (s->table_chunks < need) {
    if (!allows_locked(s, 1) ||
        !gc_arena_take(&s->heap->arena, 1, s->table_space))
      return false;
    s->table_chunks++;
  }
  return true;
}

bool hc_reserve_allows(hc_state *s, size_t k) {
  pthread_mutex_lock(&s->lock);
  bool ok = allows_locked(s, k);
  pthread_mutex_unlock(&s->lock);
  return ok;
}

static void add_extent(hc_space *sp, uintptr_t start, size_t chunks) {
  sp->ext[sp->n++] = (hc_extent){start, chunks};
  sp->chunks += chunks;
}

/* Under the lock: between min and max bytes from the allocation space. */
static uintptr_t claim(hc_state *s, size_t min, size_t max, bool copying,
                       size_t *got) {
  hc_space *sp = hc_to(s);
  if (sp->limit - sp->cur < min) {
    if (!copying && !allows_locked(s, 1))
      return 0;
    uintptr_t c = gc_arena_take(&s->heap->arena, 1, sp->id);
    if (!c)
      return 0;
    add_extent(sp, c, 1);
    sp->cur = c; /* the old tail is already covered by a filler */
    sp->limit = c + GC_CHUNK_BYTES;
  }
  size_t n = sp->limit - sp->cur;
  n = n < max ? n : max;
  uintptr_t p = sp->cur;
  sp->cur = p + n;
  hc_fill(sp->cur, sp->limit);
  *got = n;
  return p;
}

uintptr_t hc_buffer_alloc(hc_state *s, hc_mutator *hm, size_t bytes,
                          bool copying) {
  uintptr_t p = hm->cur;
  if (bytes <= hm->limit - p) {
    hm->cur = p + bytes;
    hc_fill(hm->cur, hm->limit);
    return p;
  }
  size_t got;
  pthread_mutex_lock(&s->lock);
  if (bytes > s->tlab_bytes / 4) { /* its own claim: keep the buffer */
    p = claim(s, bytes, bytes, copying, &got);
    pthread_mutex_unlock(&s->lock);
    return p;
  }
  p = claim(s, bytes, s->tlab_bytes, copying, &got);
  pthread_mutex_unlock(&s->lock);
  if (!p)
    return 0;
  hm->cur = p + bytes; /* the old buffer's tail stays a filler */
  hm->limit = p + got;
  hc_fill(hm->cur, hm->limit);
  return p;
}

uintptr_t hc_space_take_extent(hc_state *s, size_t bytes) {
  size_t n = (bytes + GC_CHUNK_BYTES - 1) >> GC_CHUNK_LOG;
  pthread_mutex_lock(&s->lock);
  hc_space *sp = hc_to(s);
  uintptr_t c = gc_arena_take(&s->heap->arena, n, sp->id);
  if (c) {
    add_extent(sp, c, n);
    hc_fill(c + bytes, c + n * GC_CHUNK_BYTES);
  }
  pthread_mutex_unlock(&s->lock);
  return c;
}

size_t hc_record_bytes(uintptr_t rec) {
  uint64_t prefix = hc_word(rec);
  if (prefix & HC_PREFIX_FILLER)
    return (size_t)(prefix >> 1);
  uint64_t h = hc_word(rec + GC_WORD);
  const gc_type *t = gc_type_by_id(gc_header_type(h));
  if (!prefix || !t)
    return 0;
  return GC_WORD + gc_object_bytes(t, gc_header_length(h), 1);
}

void hc_space_parse(hc_space *sp, hc_record_fn fn, void *ctx) {
  for (size_t i = 0; i < sp->n; i++) {
    uintptr_t p = sp->ext[i].start;
    uintptr_t end = p + sp->ext[i].chunks * GC_CHUNK_BYTES;
    while (p < end) {
      uint64_t prefix = hc_word(p);
      size_t bytes = hc_record_bytes(p);
      fn(p, bytes ? prefix : 0, bytes, ctx);
      if (prefix == 0 || bytes == 0 || bytes > end - p)
        break; /* corrupt: the callback has been told (prefix 0) */
      p += bytes;
    }
  }
}

static void drop_buffer(gc_mutator *m, void *ctx) {
  hc_mut(m)->cur = hc_mut(m)->limit = 0; /* their tails are fillers */
}

void hc_flip(hc_state *s) {
  gc_for_each_mutator(s->heap, drop_buffer, NULL);
  s->cur ^= 1;
  hc_space *to = hc_to(s);
  to->cur = to->limit = 0;
}

void hc_release_from(hc_state *s) {
  hc_space *from = hc_from(s);
  for (size_t i = 0; i < from->n; i++)
    gc_arena_give(&s->heap->arena, from->ext[i].start, from->ext[i].chunks);
  from->n = from->chunks = 0;
  from->cur = from->limit = 0;
}
