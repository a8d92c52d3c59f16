/* copy.c — the seed's copy loop, run by mutators a batch at a time:
 *
 *   current = heapFrom->currentCopyObj       claim the next copy-list index
 *   ...find room in heapTo...                 bump in the copier's buffer
 *                                             (or the record placed at the
 *                                             flip, compact placement)
 *   LockObj(handle); memcpy; lists; SetHandleAddress(handle, new); Unlock
 *
 * The copy list holds the handles of the objects the mark found live, in
 * from-space list (address) order or in the order the mark reached them
 * (traversal order, for locality). A claim is one fetch-and-add on the
 * cursor, so several mutators copy at once without copying anything twice.
 * Readers never wait: until the new address is published (release) they
 * read the from-space copy, which stays intact until a pause releases it.
 * Writers are kept off the object while it is copied: by the handle lock
 * (as described) or, lock-free, by the copying bit (alloc.c). */
#include "../../heap/spin.h"
#include "../../heap/util.h"
#include "hc.h"
#include <stdio.h>
#include <stdlib.h>

static void push_copy(hc_state *s, uint32_t h, uint64_t bytes) {
  if (!gc_vec_reserve((void **)&s->copy, &s->copy_cap, s->ncopy,
                      sizeof *s->copy, 1024)) {
    fprintf(stderr, "gctb: handle-copy: out of memory for the copy list\n");
    abort();
  }
  s->copy[s->ncopy++] = h;
  s->copy_bytes += bytes;
}

/* List order: parse the space; a record is live if its handle is marked.
 * Every record of the allocation space was made (copied or allocated)
 * after the previous mark, and no copy has left it since, so its handle has
 * pointed at it ever since: the handle need not be read (a cache miss per
 * object). */
static void list_record(uintptr_t rec, uint64_t prefix, size_t bytes,
                        void *ctx) {
  hc_state *s = ctx;
  if (!prefix || (prefix & HC_PREFIX_FILLER))
    return;
  uint32_t h = (uint32_t)(prefix >> 1);
  if (!hc_is_marked(&s->t, h))
    return;
  GC_CHECK(hc_addr(hc_entry_load(&s->t, h)) == rec + GC_WORD);
  push_copy(s, h, bytes);
}

void hc_copy_list_build(hc_state *s) {
  s->ncopy = 0;
  s->copy_bytes = 0;
  __atomic_store_n(&s->copied_bytes, 0, __ATOMIC_RELAXED);
  __atomic_store_n(&s->cursor, 0, __ATOMIC_RELAXED);
  if (s->order == HC_ORDER_LIST) {
    hc_space_parse(hc_to(s), list_record, s);
    return;
  }
  for (unsigned w = 0; w < s->nworkers; w++) {
    for (size_t i = 0; i < s->mvec_n[w]; i++)
      push_copy(s, s->mvec[w][i], 0);
    s->copy_bytes += s->mvec_bytes[w];
  }
}

/* Compact placement: every record gets its to-space place now, one after
 * another in copy-list order in one extent, so to-space has no holes and
 * copying needs no room-finding. Prefix and header are written here, so
 * to-space stays parseable while the payloads arrive. */
void hc_copy_place(hc_state *s) {
  s->compact_now = false;
  if (s->place != HC_PLACE_COMPACT || s->ncopy == 0)
    return;
  uintptr_t p = hc_space_take_extent(s, s->copy_bytes);
  if (!p) { /* no contiguous run: place copies in buffers this time */
    s->compact_fallbacks++;
    return;
  }
  if (!gc_vec_reserve((void **)&s->dst, &s->dst_cap, s->ncopy - 1,
                      sizeof *s->dst, 1024)) {
    fprintf(stderr, "gctb: handle-copy: out of memory placing copies\n");
    abort();
  }
  for (size_t i = 0; i < s->ncopy; i++) {
    uint32_t h = s->copy[i];
    uintptr_t obj = hc_addr(hc_entry_load(&s->t, h));
    s->dst[i] = p;
    hc_set_word(p, (uint64_t)h << 1);
    hc_set_word(p + GC_WORD, hc_word(obj));
    p += hc_record_bytes(p);
  }
  s->compact_now = true;
}

/* The holder may be descheduled: yield now and then. */
#define HC_LOCK_YIELD_EVERY 256

void hc_lock(hc_state *s, uint32_t h) {
  uintptr_t *e = hc_entry(&s->t, h);
  if (s->t.stride == 16 && s->writes == HC_WRITES_LOCK) {
    uintptr_t zero = 0;
    for (unsigned spins = 0; !__atomic_compare_exchange_n(
             e + 1, &zero, 1, true, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
         spins++, zero = 0)
      gc_spin_backoff(spins, HC_LOCK_YIELD_EVERY);
    return;
  }
  /* The busy bit of the address word: readers mask it off. */
  uintptr_t v = __atomic_load_n(e, __ATOMIC_RELAXED);
  for (unsigned spins = 0;; spins++) {
    if (!(v & HC_E_BUSY) &&
        __atomic_compare_exchange_n(e, &v, v | HC_E_BUSY, true,
                                    __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
      return;
    gc_spin_backoff(spins, HC_LOCK_YIELD_EVERY);
    v = __atomic_load_n(e, __ATOMIC_RELAXED);
  }
}

void hc_unlock(hc_state *s, uint32_t h) {
  uintptr_t *e = hc_entry(&s->t, h);
  if (s->t.stride == 16 && s->writes == HC_WRITES_LOCK)
    __atomic_store_n(e + 1, 0, __ATOMIC_RELEASE);
  else
    __atomic_fetch_and(e, ~(uintptr_t)HC_E_BUSY, __ATOMIC_RELEASE);
}

/* Copies copy-list entry i; returns the record's bytes. */
static uint64_t copy_one(hc_state *s, gc_mutator *m, size_t i) {
  uint32_t h = s->copy[i];
  uintptr_t old = hc_addr(hc_entry_load(&s->t, h));
  uint64_t hdr = hc_word(old);
  size_t bytes = hc_object_bytes(hdr);
  uintptr_t rec = s->compact_now
                      ? s->dst[i]
                      : hc_buffer_alloc(s, hc_mut(m), GC_WORD + bytes, true);
  if (!rec)
    gc_heap_oom(m, bytes); /* the reserve should have prevented this */
  uintptr_t to = rec + GC_WORD;
  /* Lock-free writers re-read the entry with an RMW after their store:
   * this claim is ordered with it (alloc.c, store_lockfree). */
  hc_lock(s, h);
  for (size_t k = GC_WORD; k < bytes; k += GC_WORD)
    hc_set_word(to + k, hc_word(old + k));
  hc_set_word(to, hdr);
  hc_set_word(rec, (uint64_t)h << 1);
  /* Publishing the address also clears the busy bit (8-byte entries,
   * lock-free): the copier holds it, so no writer can have set it. */
  __atomic_store_n(hc_entry(&s->t, h), to, __ATOMIC_RELEASE);
  if (s->t.stride == 16 && s->writes == HC_WRITES_LOCK)
    hc_unlock(s, h);
  return GC_WORD + bytes;
}

bool hc_copy_step(hc_state *s, gc_mutator *m, size_t batch, uint64_t *copied) {
  *copied = 0;
  if (hc_phase(s) != HC_COPYING)
    return false;
  size_t i = __atomic_fetch_add(&s->cursor, batch, __ATOMIC_RELAXED);
  if (i >= s->ncopy)
    return false;
  size_t end = i + batch < s->ncopy ? i + batch : s->ncopy;
  uint64_t bytes = 0;
  for (size_t j = i; j < end; j++)
    bytes += copy_one(s, m, j);
  __atomic_fetch_add(&s->copied_bytes, bytes, __ATOMIC_RELAXED);
  hc_mut(m)->copied += end - i;
  *copied = bytes;
  return end == s->ncopy;
}

void hc_copy_all(hc_state *s, gc_mutator *m) {
  while (hc_phase(s) == HC_COPYING &&
         __atomic_load_n(&s->cursor, __ATOMIC_RELAXED) < s->ncopy) {
    uint64_t bytes;
    hc_copy_step(s, m, 64, &bytes);
  }
}
