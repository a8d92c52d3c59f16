/* gctb.h — the mutator API of the gctb testbed (the one public header).
 *
 * Workloads see objects only through this API: references (gc_ref) are opaque
 * (an address for most policies, a handle for the handle-table policy), and
 * every read, write and allocation goes through inline fast paths that switch
 * on what the running policy declared (allocation style, read- and
 * write-barrier kind). Only the slow paths call into the policy, so every
 * policy pays the same small dispatch and its barriers are real and measured.
 *
 * The structures below are public only so that the fast paths can be inline;
 * workloads must treat their fields as private. See docs/object-model.md and
 * docs/policy-interface.md.
 */
#ifndef GCTB_H
#define GCTB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef uintptr_t gc_ref; /* opaque reference; 0 is null */
#define GC_NULL ((gc_ref)0)

typedef struct gc_heap gc_heap;
typedef struct gc_mutator gc_mutator;
typedef struct gc_policy gc_policy;

/* ---- Object model ------------------------------------------------------ */

/* Header word, the first word of every object:
 *   bits  0..7   GC bits, owned by the policy (mark, forwarded, logged...)
 *   bits  8..23  type id (index into the type table)
 *   bits 32..63  length: element count for arrays, 0 for fixed layouts
 * A policy may ask for a second header word (e.g. a Brooks forwarding
 * pointer); payload words follow the header words. Objects are 8-byte aligned
 * and at least 16 bytes long. */
#define GC_HDR_GC_BITS 0xffu
#define GC_HDR_TYPE_SHIFT 8
#define GC_HDR_TYPE_MASK 0xffffu
#define GC_HDR_LENGTH_SHIFT 32
/* GC bit the object-logging write barrier tests: set on objects that must be
 * logged (remembered) the first time they are written. */
#define GC_HDR_UNLOGGED 0x80u

#define GC_WORD 8u
#define GC_MIN_OBJECT_BYTES 16u
#define GC_MAX_TYPES 256u
#define GC_MAX_FIXED_WORDS 64u

typedef enum gc_type_kind {
  GC_TYPE_FIXED, /* nwords payload words; ref_map bit i set: word i is a ref */
  GC_TYPE_REF_ARRAY, /* length reference words */
  GC_TYPE_WORD_ARRAY /* length 64-bit data words (no references) */
} gc_type_kind;

typedef struct gc_type {
  const char *name;
  gc_type_kind kind;
  uint32_t nwords;  /* fixed layouts: payload words (1..64) */
  uint64_t ref_map; /* fixed layouts: which payload words hold references */
  /* Filled in by gc_type_register, for the allocation fast path: */
  uint16_t id;
  uint64_t header; /* header word of a length-0 object of this type */
  /* bytes with h header words: base_bytes[h] + (length - 1) * elem_bytes
   * for length > 0, base_bytes[h] for length 0 (never below 16 bytes) */
  uint32_t base_bytes[3];
  uint32_t elem_bytes;
  bool pointer_free; /* no reference words (word arrays, ref_map 0) */
} gc_type;

/* Registers a type (process-wide) and fills in t->id. Returns false if the
 * descriptor is invalid or the table is full. Idempotent for the same t. */
bool gc_type_register(gc_type *t);
extern const gc_type *gc__type_table[GC_MAX_TYPES];
/* NULL for an id nobody registered. */
static inline const gc_type *gc_type_by_id(unsigned id) {
  return id < GC_MAX_TYPES ? gc__type_table[id] : NULL;
}

static inline uint64_t gc_header_make(const gc_type *t, size_t length) {
  return ((uint64_t)t->id << GC_HDR_TYPE_SHIFT) |
         ((uint64_t)length << GC_HDR_LENGTH_SHIFT);
}
static inline unsigned gc_header_type(uint64_t h) {
  return (unsigned)((h >> GC_HDR_TYPE_SHIFT) & GC_HDR_TYPE_MASK);
}
static inline size_t gc_header_length(uint64_t h) {
  return (size_t)(h >> GC_HDR_LENGTH_SHIFT);
}
static inline size_t gc_payload_words(const gc_type *t, size_t length) {
  return t->kind == GC_TYPE_FIXED ? t->nwords : length;
}
/* Total object size in bytes for a policy with hdr_words header words. */
/* Arrays always have room for one element, so that an empty array has a
 * payload word a copying policy can use (and the fast path's size formula
 * needs no clamp). */
static inline size_t gc_object_bytes(const gc_type *t, size_t length,
                                     unsigned hdr_words) {
  size_t words = gc_payload_words(t, length);
  if (t->kind != GC_TYPE_FIXED && words == 0)
    words = 1;
  size_t bytes = (hdr_words + words) * GC_WORD;
  return bytes < GC_MIN_OBJECT_BYTES ? GC_MIN_OBJECT_BYTES : bytes;
}

/* ---- What a policy declares (read by the inline fast paths) ------------ */

typedef enum gc_alloc_style {
  GC_ALLOC_BUMP,     /* bump pointer into a thread-local buffer */
  GC_ALLOC_FREEBITS, /* per-size-class 64-object blocks with a free-bits word */
  GC_ALLOC_CALL,     /* always the policy's allocation function */
  GC_ALLOC_FREELIST /* per-size free lists the policy fills (gctb_freelist.h) */
} gc_alloc_style;

typedef enum gc_read_barrier {
  GC_RB_NONE,   /* a reference is the object's address */
  GC_RB_HANDLE, /* a reference indexes the handle table */
  GC_RB_BROOKS, /* every access goes through the forwarding word (header 2) */
  GC_RB_LRB     /* references loaded from the heap are resolved while active */
} gc_read_barrier;

typedef enum gc_write_barrier {
  GC_WB_NONE,        /* plain stores */
  GC_WB_SATB,        /* reference stores call the policy while active */
  GC_WB_OBJECT_LOG,  /* reference stores into GC_HDR_UNLOGGED objects call it */
  GC_WB_WHEN_ACTIVE, /* every store calls the policy while active (Brooks) */
  GC_WB_ALWAYS,      /* every store calls the policy (handle locking) */
  /* reference stores into GC_HDR_UNLOGGED objects, and every reference
   * store while active (otf-gen: its remembered set and otf's marking;
   * both tested at once through gc_mutator.log_mask) */
  GC_WB_OBJECT_LOG_SATB
} gc_write_barrier;

typedef struct gc_constraints {
  gc_alloc_style alloc;
  gc_read_barrier read_barrier;
  gc_write_barrier write_barrier;
  unsigned header_words; /* 1 or 2 */
  bool moves_objects;
  size_t large_object_bytes; /* objects at least this big go to the LOS */
  bool external_memory; /* the policy brings its own memory (bdw): no arena */
  /* the policy finds roots conservatively on the C stacks of its mutators
   * (bdw): a family instance keeps gc_local roots in C locals, not in the
   * shadow stack (GC_FAST_PATHS_CONSERVATIVE; "Local roots" below) */
  bool conservative_roots;
} gc_constraints;

/* ---- The mutator (public for inlining only) ---------------------------- */

#define GC_SIZE_CLASSES 40
/* GC_ALLOC_FREELIST: list g holds cells of g granules (heap/gctb_freelist.h;
 * libgc's "tiny" free lists on 64-bit hosts: 16-byte granules, 25 lists). */
#define GC_FREELIST_GRANULE 16u
#define GC_FREELISTS 25u

typedef struct gc_freebits_cache {
  uintptr_t base; /* first object of the cached block, 0 if none */
  uint64_t bits;  /* set bit i: object i of the block is free and claimed */
  uint32_t size;  /* object size of this class */
  /* GC bits of objects allocated from this block: GC_HDR_UNLOGGED for
   * cells handed out old (otf-gen's black cells); read by the fast path of
   * the GC_WB_OBJECT_LOG_SATB families only */
  uint32_t hdr_bits;
} gc_freebits_cache;

typedef struct gc_mutator_stats {
  uint64_t objects_allocated;
  uint64_t bytes_allocated; /* bump styles add retired buffers lazily */
  /* bytes the workload asked for: sizes with one header word, whatever the
   * policy adds or rounds up to (policy independent) */
  uint64_t bytes_requested;
  uint64_t slow_allocs;
  uint64_t barrier_slow;
  uint64_t safepoints_taken;
} gc_mutator_stats;

struct gc_mutator {
  /* fast-path state, first for locality */
  uintptr_t bump_cur, bump_limit;
  gc_alloc_style alloc_style; /* GC_ALLOC_CALL while stress mode is on */
  uint8_t alloc_fast;   /* gc_alloc's instance: style and header words in one */
  uint8_t plain_access; /* no barriers, one header word: accesses are loads */
  gc_read_barrier read_barrier;
  gc_write_barrier write_barrier;
  unsigned hdr_words;
  bool conservative_roots; /* the constraint; false in stress mode */
  size_t large_object_bytes;
  /* atomic; the write barrier's flag: SATB marking, a Brooks or handle
   * copy phase in progress (GC_WB_SATB, GC_WB_WHEN_ACTIVE,
   * GC_WB_OBJECT_LOG_SATB) */
  int barrier_active;
  /* atomic; the load-reference barrier's own flag (GC_RB_LRB): set only
   * while loaded references may need resolving (evacuation, update-refs),
   * so that marking, which has the SATB flag, does not slow every load */
  int lrb_active;
  int safepoint_pending; /* atomic; stop-the-world or handshake requested */
  /* atomic; GC_WB_OBJECT_LOG_SATB's test mask: GC_HDR_UNLOGGED, or every
   * bit while barrier_active (a registered type's header is never 0), so
   * that its fast path tests the header bit and the flag at once. Set with
   * barrier_active by gc_object_log_set_active (heap/object_log.h). */
  uint64_t log_mask;
  uintptr_t handle_base; /* GC_RB_HANDLE: table base and entry stride */
  size_t handle_stride;
  uintptr_t bump_start;         /* start of the current bump buffer (stats) */
  const uint8_t *size_class_of; /* (bytes+15)/16 -> class, for FREEBITS */
  /* GC_ALLOC_FREELIST: list heads by [granules][pointer_free] (the kinds
   * side by side: one address computation, (2g + pointer_free) words) */
  void *free_lists[GC_FREELISTS][2];
  gc_freebits_cache fb[GC_SIZE_CLASSES];
  gc_mutator_stats stats;
  /* shadow stack of root slots */
  gc_ref *roots;
  size_t nroots, roots_cap;
  /* everything else */
  gc_heap *heap;
  const gc_policy *policy;
  void *policy_data; /* per-mutator state owned by the policy */
  struct gc_mutator_private *priv;
};

/* ---- Policy families: fast paths compiled for fixed kinds -------------- *
 *
 * The fast paths below read the kinds through the GC__* macros. By default
 * they read the mutator's copy of what the running policy declared and
 * switch on it at run time (~10% of gcbench's mutator time, measured in
 * docs/policy-interface.md). A translation unit that defines GCTB_FAMILY
 * before including this header fixes the kinds of one *family* of policies
 * instead, so that the switches fold away (whippet's per-collector "attrs",
 * chosen here at run time rather than at build time).
 *
 * A family is a fast-path signature: allocation style, header words, read
 * barrier, write barrier, how roots are found (precise: the shadow stack;
 * conservative: the C stacks too). Each policy declares its own in its
 * constraints:
 *
 *   .constraints = {GC_FAST_PATHS(BUMP, 1, NONE, OBJECT_LOG), ...}
 *
 * and the build (cmake/families.cmake) collects the distinct signatures of
 * all policies into generated/gctb_families.h, names each family
 * <style><header words>[_<read barrier>][_<write barrier>][_conservative]
 * in lower case (bump1, freebits1_satb, bump2_brooks_when_active,
 * freelist1_conservative ...) and compiles every
 * workload body once per family (workloads/instance.h). A policy with a new
 * signature needs no edit anywhere else. bump1, freebits1 and call1 always
 * exist, with fixed ids; generic (run-time dispatch, what no GCTB_FAMILY
 * means) runs any policy and is what stress mode runs for policies with
 * barriers (stress sends every allocation to the policy: style CALL).
 *
 * The library itself is compiled without GCTB_FAMILY. A build configured
 * with -DGCTB_SPECIALISE=<family> compiles everything for one family and
 * refuses heaps of another (heap/heap.c). */

/* The signature a policy declares (a designated-initialiser fragment for
 * gc_constraints), read by cmake/families.cmake: keep the four arguments
 * literal names (STYLE of gc_alloc_style, HDR 1 or 2, RB of gc_read_barrier,
 * WB of gc_write_barrier). */
#define GC_FAST_PATHS(style, hdr, rb, wb)                                      \
  .alloc = GC_ALLOC_##style, .header_words = hdr, .read_barrier = GC_RB_##rb,  \
  .write_barrier = GC_WB_##wb
/* A further signature a policy's mutators may run with (an option that
 * changes their kinds, applied to heap->c at init): only read by the build. */
#define GC_FAST_PATHS_ALSO(style, hdr, rb, wb)                                 \
  _Static_assert(1, "fast-path signature for cmake/families.cmake")
/* GC_FAST_PATHS for a policy that finds its roots conservatively on the C
 * stacks of its mutators (bdw): its family's instances keep gc_local roots
 * in plain C locals, which it scans, instead of the shadow stack. */
#define GC_FAST_PATHS_CONSERVATIVE(style, hdr, rb, wb)                         \
  GC_FAST_PATHS(style, hdr, rb, wb), .conservative_roots = true

/* How a family finds roots (the fifth item of a signature, as
 * cmake/families.cmake writes it): 0 or 1, usable in #if. */
#define GC__ROOTS_PRECISE 0
#define GC__ROOTS_CONSERVATIVE 1

/* Family ids are small integers: 0 generic, then the generated families in
 * the order of generated/gctb_families.h. The first three are fixed. */
typedef unsigned gc_family;
#define GC_FAMILY_GENERIC 0u
#define GC_FAMILY_BUMP1 1u     /* bump, one header word, no barriers */
#define GC_FAMILY_FREEBITS1 2u /* free bits, one header word, no barriers */
#define GC_FAMILY_CALL1 3u     /* allocation call, one header word, none */

/* heap/families.c, from the generated list: the number of families
 * (generic included), a family's name ("generic" for an unknown id), the
 * family whose constants match a signature (generic if none), and the
 * family of a policy's constraints with stress mode off or on (stress mode
 * allocates by call and keeps roots precise). */
unsigned gc_family_count(void);
const char *gc_family_name(gc_family f);
gc_family gc_family_find(gc_alloc_style style, unsigned hdr_words,
                         gc_read_barrier rb, gc_write_barrier wb,
                         bool conservative_roots);
gc_family gc_family_of(const gc_constraints *c, bool stress);
/* gc_family_of for the heap's policy and stress setting (heap/mutator.c):
 * the instance a workload should run on it. */
gc_family gc_heap_family(const gc_heap *heap);
/* The family of the kinds m actually runs with, read from its fields (not
 * from a unit's constants): what a family instance checks it was given. */
gc_family gc_mutator_family(const gc_mutator *m);

#define GC__CAT_(a, b) a##b
#define GC__CAT(a, b) GC__CAT_(a, b)

#if !defined(GCTB_FAMILY) && defined(GCTB_SPECIALISE)
#define GCTB_FAMILY GCTB_SPECIALISE /* the whole build is one family */
#endif
/* Preprocessor ids: generic is 1, the generated ones follow, so that a
 * misspelt name, which #if reads as 0, is an error. */
#define GC__FAMILY_ID_generic 1
/* The generated list (GC__FAMILIES) where the build provides it: always
 * inside the build, and to an installed gctb's users; a plugin compiled
 * against the source tree's heap/ alone does without. */
#if defined(__has_include)
#if __has_include("gctb_families.h")
#include "gctb_families.h"
#endif
#endif
#ifdef GCTB_FAMILY
#include "gctb_families.h"
#define GC__FAMILY_ID GC__CAT(GC__FAMILY_ID_, GCTB_FAMILY)
#if GC__FAMILY_ID == 0
#error "GCTB_FAMILY must be generic or a family of generated/gctb_families.h"
#endif
#else
#define GC__FAMILY_ID GC__FAMILY_ID_generic
#endif
/* The family this translation unit's fast paths are compiled for. */
#define GC_FAMILY_THIS ((gc_family)(GC__FAMILY_ID - 1))

#if GC__FAMILY_ID == GC__FAMILY_ID_generic
/* Barrier-free policies with one header word (plain_access) are the common
 * case: one flag tested first keeps them off the switches below. */
#define GC__PLAIN_ACCESS(m) __builtin_expect((m)->plain_access, 1)
#define GC__ALLOC_FAST(m) ((m)->alloc_fast)
#define GC__READ_BARRIER(m) ((m)->read_barrier)
#define GC__WRITE_BARRIER(m) ((m)->write_barrier)
#define GC__HDR_WORDS(m) ((m)->hdr_words)
#else
/* The family's constants (generated/gctb_families.h). */
#define GC__READ_BARRIER(m) GC__CAT(GC__FAM_RB_, GCTB_FAMILY)
#define GC__WRITE_BARRIER(m) GC__CAT(GC__FAM_WB_, GCTB_FAMILY)
#define GC__HDR_WORDS(m) GC__CAT(GC__FAM_HDR_, GCTB_FAMILY)
#define GC__PLAIN_ACCESS(m)                                                    \
  (GC__READ_BARRIER(m) == GC_RB_NONE && GC__WRITE_BARRIER(m) == GC_WB_NONE &&  \
   GC__HDR_WORDS(m) == 1)
#define GC__ALLOC_FAST(m)                                                      \
  gc_alloc_fast_kind(GC__CAT(GC__FAM_STYLE_, GCTB_FAMILY), GC__HDR_WORDS(m))
#endif

/* The fast paths are always inlined: left to its heuristics, GCC kept
 * gc_alloc and gc__store out of line in a unit with several callers (the
 * generic gcbench instance), costing ~8% of its mutator time. */
#define GC__FAST static inline __attribute__((always_inline))

/* Slow paths (heap/mutator.c); never call them directly. */
gc_ref gc__alloc_slow(gc_mutator *m, const gc_type *t, size_t length,
                      size_t bytes);
void gc__safepoint_slow(gc_mutator *m);
void gc__store_slow(gc_mutator *m, gc_ref obj, size_t off, uintptr_t val,
                    bool is_ref);
gc_ref gc__load_ref_slow(gc_mutator *m, gc_ref obj, size_t off, gc_ref val);
void gc__roots_overflow(gc_mutator *m);

GC__FAST uintptr_t gc__load_word(uintptr_t addr) {
  return __atomic_load_n((uintptr_t *)addr, __ATOMIC_RELAXED);
}
GC__FAST void gc__store_word(uintptr_t addr, uintptr_t val) {
  __atomic_store_n((uintptr_t *)addr, val, __ATOMIC_RELAXED);
}

/* The object's current address. */
GC__FAST uintptr_t gc_ref_address(const gc_mutator *m, gc_ref r) {
  switch (GC__READ_BARRIER(m)) {
  case GC_RB_HANDLE:
    return __atomic_load_n((uintptr_t *)(m->handle_base + r * m->handle_stride),
                           __ATOMIC_ACQUIRE) &
           ~(uintptr_t)7;
  case GC_RB_BROOKS:
    return __atomic_load_n((uintptr_t *)r + 1, __ATOMIC_ACQUIRE);
  default:
    return (uintptr_t)r;
  }
}

/* Byte offset of payload word i. */
GC__FAST size_t gc__offset(const gc_mutator *m, size_t i) {
  return (GC__HDR_WORDS(m) + i) * GC_WORD;
}

GC__FAST uint64_t gc_header(const gc_mutator *m, gc_ref obj) {
  if (GC__PLAIN_ACCESS(m))
    return gc__load_word((uintptr_t)obj);
  return gc__load_word(gc_ref_address(m, obj));
}
GC__FAST size_t gc_length(const gc_mutator *m, gc_ref obj) {
  return gc_header_length(gc_header(m, obj));
}
GC__FAST unsigned gc_type_of(const gc_mutator *m, gc_ref obj) {
  return gc_header_type(gc_header(m, obj));
}

GC__FAST void gc_safepoint(gc_mutator *m) {
  if (__builtin_expect(__atomic_load_n(&m->safepoint_pending, __ATOMIC_ACQUIRE),
                       0))
    gc__safepoint_slow(m);
}

/* What an allocation of t with length elements counts as requested: its
 * size with one header word (gc_mutator_stats.bytes_requested). */
GC__FAST size_t gc__requested_bytes(const gc_type *t, size_t length) {
  return t->base_bytes[1] + (length ? (length - 1) * t->elem_bytes : 0);
}

#include "gctb_freelist.h"

/* The allocation fast path for a known allocation style and header-word
 * count. With both constant (a build or driver specialised per policy) and
 * a fixed-layout type (length 0) it folds to a bump and two stores; gc_alloc
 * below picks the instance at run time. Fixed layouts are at most 520 bytes,
 * below every policy's large-object threshold (gc_policy_check), so only
 * arrays test it. */
GC__FAST gc_ref gc_alloc_as(gc_mutator *m, const gc_type *t, size_t length,
                            gc_alloc_style style, unsigned hdr_words) {
  size_t bytes =
      t->base_bytes[hdr_words] + (length ? (length - 1) * t->elem_bytes : 0);
  uintptr_t p;
  uint64_t gc_bits = 0; /* the header's GC bits */
  switch (style) {
  case GC_ALLOC_BUMP:
    p = m->bump_cur;
    if (__builtin_expect(bytes > m->bump_limit - p, 0) ||
        (length && __builtin_expect(bytes >= m->large_object_bytes, 0)))
      return gc__alloc_slow(m, t, length, bytes);
    m->bump_cur = p + bytes;
    break; /* bump buffers are handed out zeroed */
  case GC_ALLOC_FREEBITS: {
    if (length && __builtin_expect(bytes > 4096, 0))
      return gc__alloc_slow(m, t, length, bytes);
    gc_freebits_cache *c = &m->fb[m->size_class_of[(bytes + 15) >> 4]];
    uint64_t bits = c->bits;
    if (__builtin_expect(bits == 0, 0))
      return gc__alloc_slow(m, t, length, bytes);
    p = c->base + (uintptr_t)c->size * (uintptr_t)__builtin_ctzll(bits);
    c->bits = bits & (bits - 1);
    memset((void *)p, 0, c->size); /* freed cells hold stale data */
    if (GC__WRITE_BARRIER(m) == GC_WB_OBJECT_LOG_SATB)
      gc_bits = c->hdr_bits;
    break;
  }
  case GC_ALLOC_FREELIST:
    p = gc__freelist_pop(m, t, bytes); /* zeroed but for the header word */
    if (__builtin_expect(p == 0, 0))
      return gc__alloc_slow(m, t, length, bytes);
    break;
  default:
    return gc__alloc_slow(m, t, length, bytes);
  }
  m->stats.objects_allocated++;
  m->stats.bytes_requested +=
      hdr_words == 1 ? bytes : gc__requested_bytes(t, length);
  *(uint64_t *)p =
      t->header | gc_bits | ((uint64_t)length << GC_HDR_LENGTH_SHIFT);
  if (hdr_words == 2)
    ((uintptr_t *)p)[1] = p; /* Brooks word: points to itself */
  return (gc_ref)p;
}

/* Values of m->alloc_fast: one byte to switch on instead of two fields. */
enum {
  GC_FAST_BUMP1,     /* bump, one header word */
  GC_FAST_FREEBITS1, /* free bits, one header word */
  GC_FAST_BUMP2,     /* bump, two header words */
  GC_FAST_CALL,      /* everything else: the policy's allocation function */
  GC_FAST_FREELIST1  /* free lists, one header word */
};

GC__FAST uint8_t gc_alloc_fast_kind(gc_alloc_style style, unsigned hdr_words) {
  if (style == GC_ALLOC_BUMP)
    return hdr_words == 1 ? GC_FAST_BUMP1 : GC_FAST_BUMP2;
  if (style == GC_ALLOC_FREEBITS && hdr_words == 1)
    return GC_FAST_FREEBITS1;
  if (style == GC_ALLOC_FREELIST && hdr_words == 1)
    return GC_FAST_FREELIST1;
  return GC_FAST_CALL;
}

GC__FAST gc_ref gc_alloc(gc_mutator *m, const gc_type *t, size_t length) {
  /* Bump allocation is tested first: most policies use it. */
  if (__builtin_expect(GC__ALLOC_FAST(m) == GC_FAST_BUMP1, 1))
    return gc_alloc_as(m, t, length, GC_ALLOC_BUMP, 1);
  switch (GC__ALLOC_FAST(m)) {
  case GC_FAST_FREEBITS1:
    return gc_alloc_as(m, t, length, GC_ALLOC_FREEBITS, 1);
  case GC_FAST_BUMP2:
    return gc_alloc_as(m, t, length, GC_ALLOC_BUMP, 2);
  case GC_FAST_FREELIST1:
    return gc_alloc_as(m, t, length, GC_ALLOC_FREELIST, 1);
  default:
    return gc_alloc_as(m, t, length, GC_ALLOC_CALL, GC__HDR_WORDS(m));
  }
}

/* Payload word i of obj when m->plain_access: one header word, no barrier.
 * Testing that one flag first keeps barrier-free policies from paying for
 * the switches below on every access (measured: ~25% of gcbench's mutator
 * time before; docs/policy-interface.md). */
GC__FAST uintptr_t gc__plain_slot(gc_ref obj, size_t i) {
  return (uintptr_t)obj + (1 + i) * GC_WORD;
}

GC__FAST gc_ref gc_read_ref(gc_mutator *m, gc_ref obj, size_t i) {
  if (GC__PLAIN_ACCESS(m))
    return gc__load_word(gc__plain_slot(obj, i));
  size_t off = gc__offset(m, i);
  gc_ref v = gc__load_word(gc_ref_address(m, obj) + off);
  if (GC__READ_BARRIER(m) == GC_RB_LRB &&
      __builtin_expect(__atomic_load_n(&m->lrb_active, __ATOMIC_RELAXED), 0) &&
      v != GC_NULL)
    v = gc__load_ref_slow(m, obj, off, v);
  return v;
}

GC__FAST uint64_t gc_read_word(gc_mutator *m, gc_ref obj, size_t i) {
  if (GC__PLAIN_ACCESS(m))
    return gc__load_word(gc__plain_slot(obj, i));
  return gc__load_word(gc_ref_address(m, obj) + gc__offset(m, i));
}

GC__FAST void gc__store(gc_mutator *m, gc_ref obj, size_t off, uintptr_t val,
                        bool is_ref) {
  switch (GC__WRITE_BARRIER(m)) {
  case GC_WB_NONE:
    break;
  case GC_WB_SATB:
    if (is_ref && __builtin_expect(
                      __atomic_load_n(&m->barrier_active, __ATOMIC_RELAXED), 0))
      goto slow;
    break;
  case GC_WB_OBJECT_LOG:
    if (is_ref && __builtin_expect(gc_header(m, obj) & GC_HDR_UNLOGGED, 0))
      goto slow;
    break;
  case GC_WB_OBJECT_LOG_SATB:
    if (is_ref &&
        __builtin_expect(gc_header(m, obj) &
                             __atomic_load_n(&m->log_mask, __ATOMIC_RELAXED),
                         0))
      goto slow;
    break;
  case GC_WB_WHEN_ACTIVE:
    if (__builtin_expect(__atomic_load_n(&m->barrier_active, __ATOMIC_RELAXED),
                         0))
      goto slow;
    break;
  case GC_WB_ALWAYS:
    goto slow;
  }
  gc__store_word(gc_ref_address(m, obj) + off, val);
  return;
slow:
  gc__store_slow(m, obj, off, val, is_ref);
}

GC__FAST void gc_write_ref(gc_mutator *m, gc_ref obj, size_t i, gc_ref val) {
  if (GC__PLAIN_ACCESS(m))
    return gc__store_word(gc__plain_slot(obj, i), val);
  gc__store(m, obj, gc__offset(m, i), val, true);
}
GC__FAST void gc_write_word(gc_mutator *m, gc_ref obj, size_t i, uint64_t val) {
  if (GC__PLAIN_ACCESS(m))
    return gc__store_word(gc__plain_slot(obj, i), val);
  gc__store(m, obj, gc__offset(m, i), val, false);
}

/* ---- Roots: a shadow stack of slots the collector scans and updates ----- */

/* Pushes a root slot holding r; returns its index. Slots are addressed by
 * index because a moving collector rewrites them. */
GC__FAST size_t gc_root_push(gc_mutator *m, gc_ref r) {
  if (__builtin_expect(m->nroots == m->roots_cap, 0))
    gc__roots_overflow(m);
  __atomic_store_n(&m->roots[m->nroots], r, __ATOMIC_RELAXED);
  return m->nroots++;
}
GC__FAST gc_ref gc_root_get(const gc_mutator *m, size_t slot) {
  return __atomic_load_n(&m->roots[slot], __ATOMIC_RELAXED);
}
GC__FAST void gc_root_set(gc_mutator *m, size_t slot, gc_ref r) {
  __atomic_store_n(&m->roots[slot], r, __ATOMIC_RELAXED);
}
GC__FAST void gc_root_pop(gc_mutator *m, size_t n) { m->nroots -= n; }
GC__FAST size_t gc_root_depth(const gc_mutator *m) { return m->nroots; }

/* ---- Local roots: references one function keeps across allocations ----- *
 *
 * gc_local_push(m, r) makes a root holding r for the rest of the enclosing
 * block and returns its handle; gc_local_get/gc_local_set read and write it
 * (a moving collector may have rewritten it), gc_local_pop(m, n) ends the
 * last n, in the reverse order of their pushes. A handle may be passed to
 * the functions the block calls, never returned from it or kept in memory
 * that outlives the block (or that the collector does not scan).
 *
 * Precise roots (every family but a conservative one, generic included): a
 * handle is a shadow-stack slot, as with gc_root_*; the two kinds of push
 * and pop nest. A family whose policy finds roots conservatively on the C
 * stacks (GC_FAST_PATHS_CONSERVATIVE: bdw) compiles a local root to a C
 * variable of the enclosing block (a compound literal), which the compiler
 * keeps in a register or the stack frame where that policy's collector
 * scans it, as it scans a program written directly on it; pop does nothing.
 * gc_root_* slots stay on the shadow stack in every family: code that
 * addresses slots by index (an explicit DFS stack, slots kept in a struct)
 * uses those. */
#if defined(GCTB_FAMILY) && GC__FAMILY_ID != GC__FAMILY_ID_generic
#define GC__LOCAL_CONSERVATIVE GC__CAT(GC__FAM_ROOTS_, GCTB_FAMILY)
#else
#define GC__LOCAL_CONSERVATIVE 0
#endif
#if GC__LOCAL_CONSERVATIVE
typedef gc_ref *gc_local;
#define gc_local_push(m, r) ((void)(m), &(gc_ref){(r)})
#define gc_local_get(m, l) ((void)(m), *(l))
#define gc_local_set(m, l, r) ((void)(m), (void)(*(l) = (r)))
#define gc_local_pop(m, n) ((void)(m), (void)(n))
#else
typedef size_t gc_local;
#define gc_local_push(m, r) gc_root_push(m, r)
#define gc_local_get(m, l) gc_root_get(m, l)
#define gc_local_set(m, l, r) gc_root_set(m, l, r)
#define gc_local_pop(m, n) gc_root_pop(m, n)
#endif

/* ---- Threads and collection -------------------------------------------- */

/* Each thread that touches the heap attaches first and detaches at the end. */
gc_mutator *gc_attach(gc_heap *heap);
void gc_detach(gc_mutator *m);

/* Brackets code that does not touch the heap and may block (joining threads,
 * waiting on a lock): the collector will not wait for this mutator. */
void gc_enter_blocking(gc_mutator *m);
void gc_leave_blocking(gc_mutator *m);

/* Requests a full collection and returns when it is done. */
void gc_collect(gc_mutator *m);

/* A workload found a wrong value: records the message, ends the run with
 * status "error" (exit code 1). Does not return. */
_Noreturn void gc_fail(gc_mutator *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- Clocks and what a heap holds (for workloads' own metrics) ---------- */

/* CLOCK_MONOTONIC nanoseconds: the clock of every time in the record. */
uint64_t gc_now_ns(void);
/* The calling thread's CPU time in nanoseconds. */
uint64_t gc_thread_cpu_ns(void);
/* The heap size the run was configured with (heap.size), in bytes. */
size_t gc_heap_size(const gc_heap *heap);
/* Bytes the policy holds for objects now, by its own count (blocks, pages
 * or chunks in use, not live bytes): what fragmentation is measured by. */
size_t gc_heap_used(gc_heap *heap);

#ifdef __cplusplus
}
#endif
#endif /* GCTB_H */
