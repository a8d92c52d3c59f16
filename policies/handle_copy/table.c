/* table.c — the handle table: O(1) handle allocation from per-thread caches
 * of free slots (the seed's "cached handle slots"), marks, and the sweep
 * that frees the slots of dead objects.
 *
 * A free entry's address word holds the next free index << 3 | HC_E_FREE,
 * so the free list costs no memory of its own. Each mutator takes a batch
 * of free slots under the policy lock and then allocates from it without
 * synchronisation. The sweep (world stopped, right after marking) rebuilds
 * one ascending global chain: handing the lowest slots out first keeps the
 * live handles packed low, so that with the release option the table's top
 * chunks empty out and are given back to the OS (madvise), and fully free
 * chunks below the top are given back too and taken again only when the
 * chain runs dry. */
#include "hc.h"
#include <stdlib.h>
#include <sys/mman.h>

#define HC_TABLE_CHUNK ((size_t)65536)

bool hc_table_init(hc_table *t, size_t cap, size_t stride, bool release,
                   char *err, size_t errlen) {
  memset(t, 0, sizeof *t);
  t->stride = stride;
  t->chunk_ents = HC_TABLE_CHUNK / stride;
  cap = (cap + t->chunk_ents - 1) / t->chunk_ents * t->chunk_ents;
  if (cap > UINT32_MAX)
    cap = UINT32_MAX / t->chunk_ents * t->chunk_ents;
  t->cap = cap;
  t->map_bytes = cap * stride;
  void *p = mmap(NULL, t->map_bytes, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) {
    snprintf(err, errlen, "cannot map a handle table of %zu entries", cap);
    return false;
  }
  t->base = (uintptr_t)p;
  size_t nchunks = cap / t->chunk_ents;
  t->marks = calloc(cap / 64 + 1, sizeof *t->marks);
  t->released = calloc(nchunks, 1);
  t->rstack = calloc(nchunks, sizeof *t->rstack);
  t->release = release;
  t->hw = 1; /* handle 0 is the null reference */
  if (!t->marks || !t->released || !t->rstack) {
    snprintf(err, errlen, "out of memory for the handle table's side data");
    return false;
  }
  return true;
}

void hc_table_destroy(hc_table *t) {
  if (t->base)
    munmap((void *)t->base, t->map_bytes);
  free(t->marks);
  free(t->released);
  free(t->rstack);
  t->base = 0;
}

static void set_free(hc_table *t, uint32_t h, uint32_t next) {
  __atomic_store_n(hc_entry(t, h), ((uintptr_t)next << 3) | HC_E_FREE,
                   __ATOMIC_RELAXED);
}
static uint32_t next_free(hc_table *t, uint32_t h) {
  return (uint32_t)(__atomic_load_n(hc_entry(t, h), __ATOMIC_RELAXED) >> 3);
}

/* Under the lock: threads the slots of a released chunk back onto the
 * global chain (its pages fault back in as zeros). */
static void reuse_chunk(hc_table *t, size_t c) {
  t->released[c] = 0;
  t->chunks_reused++;
  size_t lo = c * t->chunk_ents, hi = lo + t->chunk_ents;
  lo = lo ? lo : 1;
  hi = hi < t->hw ? hi : t->hw;
  for (size_t h = hi; h-- > lo;) {
    set_free(t, (uint32_t)h, t->free);
    t->free = (uint32_t)h;
    t->nfree++;
  }
}

/* Under the lock: one never-used slot from the high-water mark, if the
 * heap size has room for the table to grow (hc_table_charge). */
static uint32_t bump_slot(hc_state *s) {
  hc_table *t = &s->t;
  if (t->hw >= t->cap || !hc_table_charge(s, t->hw + 1))
    return 0;
  size_t c = t->hw / t->chunk_ents;
  if (t->released[c]) { /* a top chunk given back earlier */
    t->released[c] = 0;
    t->chunks_reused++;
  }
  return (uint32_t)t->hw++;
}

static void refill(hc_state *s, hc_mutator *hm) {
  hc_table *t = &s->t;
  pthread_mutex_lock(&s->lock);
  while (hm->nhfree < s->handle_batch) {
    uint32_t h;
    if (t->free) {
      h = t->free;
      t->free = next_free(t, h);
      t->nfree--;
    } else if (t->nrstack) {
      reuse_chunk(t, t->rstack[--t->nrstack]);
      continue;
    } else if (!(h = bump_slot(s))) {
      break;
    }
    set_free(t, h, hm->hfree);
    hm->hfree = h;
    hm->nhfree++;
    t->handed++;
  }
  pthread_mutex_unlock(&s->lock);
}

uint32_t hc_handle_alloc(hc_state *s, hc_mutator *hm) {
  if (hm->nhfree == 0)
    refill(s, hm);
  uint32_t h = hm->hfree;
  if (h) {
    hm->hfree = next_free(&s->t, h);
    hm->nhfree--;
  }
  return h;
}

void hc_handle_cache_return(hc_state *s, hc_mutator *hm) {
  hc_table *t = &s->t;
  if (!hm->hfree)
    return;
  pthread_mutex_lock(&s->lock);
  uint32_t tail = hm->hfree;
  while (next_free(t, tail))
    tail = next_free(t, tail);
  set_free(t, tail, t->free);
  t->free = hm->hfree;
  t->nfree += hm->nhfree;
  pthread_mutex_unlock(&s->lock);
  hm->hfree = 0;
  hm->nhfree = 0;
}

bool hc_mark(hc_table *t, uint32_t h) {
  uint64_t bit = (uint64_t)1 << (h & 63), *w = &t->marks[h >> 6];
  if (__atomic_load_n(w, __ATOMIC_RELAXED) & bit)
    return false;
  return !(__atomic_fetch_or(w, bit, __ATOMIC_RELAXED) & bit);
}

bool hc_is_marked(const hc_table *t, uint32_t h) {
  return (__atomic_load_n(&t->marks[h >> 6], __ATOMIC_RELAXED) >> (h & 63)) & 1;
}

size_t hc_table_resident_bytes(const hc_table *t) {
  size_t chunks = (t->hw + t->chunk_ents - 1) / t->chunk_ents, held = 0;
  for (size_t c = 0; c < chunks; c++)
    held += !t->released[c];
  return held * HC_TABLE_CHUNK;
}

static void drop_cache(gc_mutator *m, void *ctx) {
  hc_mut(m)->hfree = 0;
  hc_mut(m)->nhfree = 0;
}

/* Marked entries in [lo, hi) (chunk bounds are multiples of 64). */
static size_t marked_in(const hc_table *t, size_t lo, size_t hi) {
  size_t n = 0;
  for (size_t w = lo >> 6; w < (hi + 63) >> 6; w++)
    n += (size_t)__builtin_popcountll(t->marks[w]);
  return n;
}

/* Unmarked entries of [lo, hi) that were in use (not yet free). */
static uint64_t dead_in(const hc_table *t, size_t lo, size_t hi) {
  uint64_t n = 0;
  for (size_t h = lo; h < hi; h++)
    n += !hc_is_marked(t, (uint32_t)h) &&
         !(*hc_entry(t, (uint32_t)h) & HC_E_FREE);
  return n;
}

/* A chunk with no live entry: given back to the OS when the option is on.
 * Returns true if it was (or already had been). */
static bool release_chunk(hc_table *t, size_t c) {
  if (t->released[c])
    return true;
  if (!t->release)
    return false;
  madvise((void *)(t->base + c * HC_TABLE_CHUNK), HC_TABLE_CHUNK,
          MADV_DONTNEED);
  t->released[c] = 1;
  t->chunks_released++;
  return true;
}

/* Hysteresis: the chunks below the returned index hold as many free slots
 * as the mutators took since the last sweep, and are kept even if wholly
 * free, so a heap that churns through handles at a steady rate does not
 * give chunks back only to fault them in again (measured on gcbench: a
 * pause of ~100 ms of madvise and refaults every cycle without this). */
static size_t keep_chunks(hc_table *t) {
  size_t nchunks = (t->hw + t->chunk_ents - 1) / t->chunk_ents, c = 0;
  uint64_t free = 0, want = t->handed;
  for (; c < nchunks && free < want; c++) {
    size_t lo = c ? c * t->chunk_ents : 1, hi = (c + 1) * t->chunk_ents;
    hi = hi < t->hw ? hi : t->hw;
    if (!t->released[c])
      free += (hi - lo) - marked_in(t, lo, hi);
  }
  t->handed = 0;
  return c;
}

uint64_t hc_table_sweep(hc_state *s) {
  hc_table *t = &s->t;
  gc_for_each_mutator(s->heap, drop_cache, NULL);
  size_t resident = hc_table_resident_bytes(t); /* the most it holds */
  if (resident > s->peak_table_bytes)
    s->peak_table_bytes = resident;
  t->free = 0;
  t->nfree = 0;
  t->nrstack = 0;
  uint64_t freed = 0;
  size_t old_hw = t->hw, new_hw = 1;
  size_t keep = keep_chunks(t);
  bool top = true; /* still in the run of empty chunks at the top */
  for (size_t c = (old_hw + t->chunk_ents - 1) / t->chunk_ents; c-- > 0;) {
    size_t lo = c ? c * t->chunk_ents : 1, hi = (c + 1) * t->chunk_ents;
    hi = hi < old_hw ? hi : old_hw;
    if (t->released[c] || (c >= keep && marked_in(t, lo, hi) == 0)) {
      uint64_t dead = t->released[c] ? 0 : dead_in(t, lo, hi);
      if (release_chunk(t, c)) {
        freed += dead;
        if (!top)
          t->rstack[t->nrstack++] = c; /* pushed high to low: lowest on top */
        continue;
      }
    }
    if (top)
      new_hw = hi;
    top = false;
    for (size_t h = hi; h-- > lo;) {
      if (hc_is_marked(t, (uint32_t)h))
        continue;
      freed += !(*hc_entry(t, (uint32_t)h) & HC_E_FREE);
      set_free(t, (uint32_t)h, t->free);
      t->free = (uint32_t)h;
      t->nfree++;
    }
  }
  if (t->release)
    t->hw = new_hw;
  memset(t->marks, 0, ((old_hw + 63) >> 6) * sizeof *t->marks);
  return freed;
}
