/* verify.c — the handle-copy policy's verifier hooks (issue 6). The core
 * walks the graph from the roots, resolving every handle through
 * hc_resolve (a free or out-of-range handle resolves to 0, which the core
 * reports as a bad address: freed slots are unreachable). Then, once:
 *  - every handle in use points at an object of a valid type, in the
 *    allocation space (or in from-space while a cycle is copying) or the
 *    large-object space, and the record there carries that same handle, so
 *    no two handles share an object; no handle is locked at a safepoint;
 *  - the spaces' object lists (their parse) hold exactly the objects the
 *    handles point at: every record of the allocation space is where its
 *    handle points (compact placement: or awaits its copy), and the counts
 *    agree;
 *  - every free slot is on exactly one free chain (global or a mutator's
 *    cache); no mark bit is left set; the arena's chunks add up. */
#include "hc.h"

uintptr_t hc_resolve(gc_heap *heap, gc_ref r) {
  hc_state *s = hc_of(heap);
  if (r >= s->t.hw || s->t.released[r / s->t.chunk_ents])
    return 0;
  uintptr_t e = hc_entry_load(&s->t, (uint32_t)r);
  return e & HC_E_FREE ? 0 : hc_addr(e);
}

static bool in_spaces(hc_state *s, uintptr_t addr, bool *los) {
  uint8_t id = gc_arena_space_of(&s->heap->arena, addr);
  *los = id == s->heap->los.space;
  return *los || id == hc_to(s)->id ||
         (id == hc_from(s)->id && hc_phase(s) == HC_COPYING);
}

bool hc_verify_object(gc_heap *heap, gc_verifier *v, uintptr_t addr) {
  bool los;
  if (in_spaces(hc_of(heap), addr, &los))
    return true;
  gc_verify_fail(v, "handle-copy: object 0x%lx is outside the current space",
                 (unsigned long)addr);
  return false;
}

typedef struct hc_check {
  hc_state *s;
  gc_verifier *v;
  bool ok;
  uint64_t in_use, free_tagged, los, on_lists;
} hc_check;

#define FAIL(c, ...)                                                           \
  do {                                                                         \
    gc_verify_fail((c)->v, "handle-copy: " __VA_ARGS__);                       \
    (c)->ok = false;                                                           \
    return;                                                                    \
  } while (0)

static void check_handle(hc_check *c, uint32_t h) {
  hc_table *t = &c->s->t;
  uintptr_t e = hc_entry_load(t, h);
  if (e & HC_E_FREE) {
    c->free_tagged++;
    return;
  }
  c->in_use++;
  uintptr_t a = hc_addr(e);
  if (e & HC_E_BUSY || (t->stride == 16 && hc_entry(t, h)[1] != 0))
    FAIL(c, "handle %u is locked at a safepoint", h);
  bool los;
  if (!in_spaces(c->s, a, &los))
    FAIL(c, "handle %u points at 0x%lx, outside the spaces", h,
         (unsigned long)a);
  if (!gc_type_by_id(gc_header_type(hc_word(a))))
    FAIL(c, "handle %u: object 0x%lx has no valid type", h, (unsigned long)a);
  if (los) {
    c->los++;
    if (!gc_los_is_object(&c->s->heap->los, a))
      FAIL(c, "handle %u: 0x%lx starts no large object", h, (unsigned long)a);
  } else if (hc_word(a - GC_WORD) != (uint64_t)h << 1) {
    FAIL(c, "handle %u points at the record of handle %llu (shared object?)", h,
         (unsigned long long)(hc_word(a - GC_WORD) >> 1));
  }
}

static void check_table(hc_check *c) {
  hc_table *t = &c->s->t;
  for (size_t h = 1; h < t->hw && c->ok; h++) {
    if (t->released[h / t->chunk_ents]) {
      h = (h / t->chunk_ents + 1) * t->chunk_ents - 1;
      continue;
    }
    check_handle(c, (uint32_t)h);
  }
  for (size_t w = 0; w <= t->hw >> 6 && c->ok; w++)
    if (t->marks[w])
      FAIL(c, "mark bits left set near handle %zu", w << 6);
}

/* Free-chain length, or -1 if it holds a slot that is not free. */
static int64_t chain_length(hc_table *t, uint32_t h) {
  int64_t n = 0;
  for (; h; n++) {
    uintptr_t e = hc_entry_load(t, h);
    if (!(e & HC_E_FREE) || h >= t->hw || n > (int64_t)t->hw)
      return -1;
    h = (uint32_t)(e >> 3);
  }
  return n;
}

static void count_cache(gc_mutator *m, void *ctx) {
  hc_check *c = ctx;
  int64_t n = chain_length(&c->s->t, hc_mut(m)->hfree);
  if (n != (int64_t)hc_mut(m)->nhfree)
    FAIL(c, "mutator %u's handle cache holds %lld slots, counted %u",
         m->priv->id, (long long)n, hc_mut(m)->nhfree);
  c->free_tagged -= (uint64_t)n;
}

static void check_free(hc_check *c) {
  int64_t n = chain_length(&c->s->t, c->s->t.free);
  if (n != (int64_t)c->s->t.nfree)
    FAIL(c, "global free chain holds %lld slots, counted %zu", (long long)n,
         c->s->t.nfree);
  c->free_tagged -= (uint64_t)n;
  gc_for_each_mutator(c->s->heap, count_cache, c);
  if (c->ok && c->free_tagged != 0)
    FAIL(c, "%llu free slots are on no free chain",
         (unsigned long long)c->free_tagged);
}

/* A record of the space being checked (to-space when from is false). */
static void check_record(hc_check *c, uintptr_t rec, uint64_t prefix,
                         bool from) {
  if (!c->ok || (prefix & HC_PREFIX_FILLER))
    return;
  if (!prefix)
    FAIL(c, "corrupt record at 0x%lx", (unsigned long)rec);
  uint32_t h = (uint32_t)(prefix >> 1);
  uintptr_t where = hc_resolve(c->s->heap, h);
  if (where == rec + GC_WORD) {
    c->on_lists++;
    return;
  }
  /* From-space keeps the records of copied and dead objects; a compact
   * to-space, the places of objects not yet copied. */
  bool waiting =
      c->s->compact_now && hc_phase(c->s) == HC_COPYING &&
      gc_arena_space_of(&c->s->heap->arena, where) == hc_from(c->s)->id;
  if (!from && !waiting)
    FAIL(c, "to-space record 0x%lx of handle %u: the handle points at 0x%lx",
         (unsigned long)rec, h, (unsigned long)where);
}

static void to_record(uintptr_t rec, uint64_t prefix, size_t bytes, void *ctx) {
  check_record(ctx, rec, prefix, false);
}
static void from_record(uintptr_t rec, uint64_t prefix, size_t bytes,
                        void *ctx) {
  check_record(ctx, rec, prefix, true);
}

static void check_lists(hc_check *c) {
  hc_space_parse(hc_to(c->s), to_record, c);
  if (hc_phase(c->s) == HC_COPYING)
    hc_space_parse(hc_from(c->s), from_record, c);
  else if (c->ok && hc_from(c->s)->n != 0)
    FAIL(c, "from-space holds %zu extents outside a cycle", hc_from(c->s)->n);
  if (c->ok && c->on_lists + c->los != c->in_use)
    FAIL(c, "%llu handles in use but %llu objects on the lists + %llu large",
         (unsigned long long)c->in_use, (unsigned long long)c->on_lists,
         (unsigned long long)c->los);
  gc_arena *a = &c->s->heap->arena;
  size_t chunks = c->s->sp[0].chunks + c->s->sp[1].chunks + c->s->table_chunks +
                  c->s->heap->los.chunks_held +
                  (gc_arena_free_bytes(a) >> GC_CHUNK_LOG);
  if (c->ok && chunks != a->nchunks)
    FAIL(c, "chunks do not add up: %zu != %zu", chunks, a->nchunks);
}

bool hc_verify_heap(gc_heap *heap, gc_verifier *v) {
  hc_check c = {.s = hc_of(heap), .v = v, .ok = true};
  check_table(&c);
  if (c.ok)
    check_free(&c);
  if (c.ok)
    check_lists(&c);
  return c.ok;
}
