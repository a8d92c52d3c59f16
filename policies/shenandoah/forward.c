/* forward.c — forwarding and copying, the heart of concurrent evacuation
 * (the Shenandoah seed's refA/refB story).
 *
 * Several threads may try to copy the same collection-set object at once:
 * GC workers, and mutators whose barriers touch it. Each makes its own copy
 * in its own GC lab and then tries to install it with one CAS; the winner's
 * copy becomes the object, a loser drops its copy (rolling its lab back when
 * the copy was the last thing in it) and uses the winner's. No thread ever
 * writes to a from-space copy during evacuation, so every copy made from it
 * is the same (Flood et al., PPPJ 2016, section 3.3).
 *
 *   lrb     the CAS replaces the from-space header with the copy's address
 *           tagged SHEN_FWD_TAG (Shenandoah 2.0 keeps it in the mark word).
 *   brooks  the CAS goes on the header too (setting SHEN_COPIED), then the
 *           winner stores the copy's address in the Brooks word; a thread
 *           that sees SHEN_COPIED before the Brooks word moved waits for it.
 *           Racing on one word keeps "copied" and "could not be copied"
 *           exclusive (see below).
 *
 * When no to-space can be had, the object is marked SHEN_EVAC_FAILED by the
 * same CAS and stays where it is ("self-forwarded", as G1 and Shenandoah do);
 * its region leaves the collection set at the end of the cycle. */
#include "../../heap/spin.h"
#include "../../heap/trace.h"
#include "../../heap/util.h"
#include "shen.h"

/* brooks mode: the header bit the winning copier sets. */
#define SHEN_COPIED ((uint64_t)8)

static uint64_t load_header(uintptr_t obj) {
  return __atomic_load_n((uint64_t *)obj, __ATOMIC_ACQUIRE);
}

static uintptr_t brooks_word(uintptr_t obj) {
  return __atomic_load_n((uintptr_t *)obj + 1, __ATOMIC_ACQUIRE);
}

uintptr_t shen_forwardee(shen_state *s, uintptr_t obj) {
  if (s->mode == SHEN_BROOKS)
    return brooks_word(obj);
  uint64_t h = load_header(obj);
  return (h & SHEN_FWD_TAG) == SHEN_FWD_TAG ? (uintptr_t)(h & ~(uint64_t)7)
                                            : obj;
}

/* brooks: the winner is between its two stores; wait for the second. */
static uintptr_t await_brooks(uintptr_t obj) {
  uintptr_t f;
  for (unsigned spins = 0; (f = brooks_word(obj)) == obj; spins++)
    gc_spin_backoff(spins, 64);
  return f;
}

/* Already decided: the forwardee, or 0 if obj is still to be copied. */
static uintptr_t decided(shen_state *s, uintptr_t obj, uint64_t h) {
  if (h & SHEN_EVAC_FAILED)
    return obj;
  if (s->mode == SHEN_LRB)
    return (h & SHEN_FWD_TAG) == SHEN_FWD_TAG ? (uintptr_t)(h & ~(uint64_t)7)
                                              : 0;
  if (h & SHEN_COPIED)
    return await_brooks(obj);
  return 0;
}

static uintptr_t lab_take(shen_state *s, gc_lab *lab, size_t bytes) {
  if (s->fail_every &&
      __atomic_add_fetch(&s->copy_attempts, 1, __ATOMIC_RELAXED) %
              s->fail_every ==
          0)
    return 0;
  if (bytes > lab->end - lab->cur && !shen_gclab_refill(s, lab, bytes))
    return 0;
  uintptr_t p = lab->cur;
  lab->cur = p + bytes;
  return p;
}

/* Word by word with atomic accesses: mutators may read the from-space copy
 * meanwhile (brooks), and readers of the copy find it through a relaxed
 * slot load. */
static uint64_t mix(uint64_t acc, uint64_t w) {
  return (acc ^ w) * 0x100000001b3ull;
}

/* Returns a hash of the payload words copied (for the verifier). */
static uint64_t copy_words(shen_state *s, uintptr_t to, uintptr_t from,
                           uint64_t h, size_t bytes) {
  uint64_t *d = (uint64_t *)to, *f = (uint64_t *)from,
           acc = 0xcbf29ce484222325ull;
  __atomic_store_n(&d[0], h, __ATOMIC_RELAXED);
  size_t i = 1;
  if (s->hw == 2)
    __atomic_store_n(&d[i++], (uint64_t)to, __ATOMIC_RELAXED);
  for (; i < bytes / GC_WORD; i++) {
    uint64_t w = __atomic_load_n(&f[i], __ATOMIC_RELAXED);
    acc = mix(acc, w);
    __atomic_store_n(&d[i], w, __ATOMIC_RELAXED);
  }
  return acc;
}

uint64_t shen_payload_hash(shen_state *s, uintptr_t obj, size_t bytes) {
  uint64_t *f = (uint64_t *)obj, acc = 0xcbf29ce484222325ull;
  for (size_t i = s->hw; i < bytes / GC_WORD; i++)
    acc = mix(acc, __atomic_load_n(&f[i], __ATOMIC_RELAXED));
  return acc;
}

/* Verify mode: what the from-space copy held when it was copied. Nothing
 * may write to it afterwards; shen_verify_forwarding checks. */
static void record_copy(shen_state *s, uintptr_t obj, uintptr_t copy,
                        size_t bytes, uint64_t hash) {
  pthread_mutex_lock(&s->copied_lock);
  if (gc_vec_reserve((void **)&s->copied, &s->copied_cap, s->ncopied,
                     sizeof *s->copied, 1024))
    s->copied[s->ncopied++] = (shen_copy_record){obj, copy, bytes, hash};
  pthread_mutex_unlock(&s->copied_lock);
}

static bool install(shen_state *s, uintptr_t obj, uint64_t h, uintptr_t copy) {
  uint64_t want =
      s->mode == SHEN_LRB ? (uint64_t)copy | SHEN_FWD_TAG : h | SHEN_COPIED;
  if (!__atomic_compare_exchange_n((uint64_t *)obj, &h, want, false,
                                   __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
    return false;
  if (s->mode == SHEN_BROOKS)
    __atomic_store_n((uintptr_t *)obj + 1, copy, __ATOMIC_RELEASE);
  return true;
}

/* No to-space: obj stays. False if another thread decided first. */
static bool fail_in_place(shen_state *s, uintptr_t obj, uint64_t h) {
  if (!__atomic_compare_exchange_n((uint64_t *)obj, &h, h | SHEN_EVAC_FAILED,
                                   false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
    return false;
  gc_region *r = gc_region_of(&s->rs, obj);
  __atomic_store_n(&r->evac_failed, true, __ATOMIC_RELAXED);
  __atomic_add_fetch(&s->evac_failures, 1, __ATOMIC_RELAXED);
  return true;
}

uintptr_t shen_evacuate(shen_state *s, gc_lab *lab, uintptr_t obj,
                        uint64_t *copies, uint64_t *bytes, uint64_t *lost) {
  for (;;) {
    uint64_t h = load_header(obj);
    uintptr_t f = decided(s, obj, h);
    if (f)
      return f;
    const gc_type *t = gc_type_by_id(gc_header_type(h));
    size_t size = gc_object_bytes(t, gc_header_length(h), s->hw);
    uintptr_t copy = lab_take(s, lab, size);
    if (!copy) {
      if (fail_in_place(s, obj, h))
        return obj;
      continue;
    }
    uint64_t hash = copy_words(s, copy, obj, h, size);
    if (install(s, obj, h, copy)) {
      if (s->verify_copies)
        record_copy(s, obj, copy, size, hash);
      (*copies)++;
      *bytes += size;
      return copy;
    }
    (*lost)++; /* another thread's copy won: drop ours */
    if (lab->cur == copy + size)
      lab->cur = copy;
    else
      gc_regions_fill(&s->rs, copy, copy + size);
  }
}

static void clear_failed(uintptr_t obj, void *ctx) {
  __atomic_fetch_and((uint64_t *)obj, ~SHEN_EVAC_FAILED, __ATOMIC_RELAXED);
}

void shen_clear_failed(shen_state *s, gc_region *r) {
  gc_regions_each_marked(&s->rs, r->start,
                         __atomic_load_n(&r->tams, __ATOMIC_RELAXED),
                         clear_failed, s);
}
