/* lifetimes_body.h — lifetimes' hot code: one thread's generator. Compiled
 * once per policy family by the build (workloads/instances/bodies.cmake,
 * workloads/instance.h); the only external symbol is GC_INSTANCE(lt_thread).
 *
 * Live objects sit in a heap table (common_table.h); a C-side mirror holds
 * what each slot should contain (serial, size, death time, the serials its
 * reference fields point to) and a binary min-heap orders the slots by
 * (death time, serial). Time is the thread's allocation clock in bytes
 * counted with one header word, so the schedule is the same under every
 * policy.
 *
 * A reference X -> Y is only ever created when X dies before Y in that
 * order, and deaths, natural or early, always take the minimum first: when
 * an object dies nothing live points to it, so it really is garbage, and the
 * live set is exactly the table. */
#ifndef GCTB_FAMILY
#error                                                                         \
    "lifetimes_body.h is compiled once per family (workloads/instances/bodies.cmake)"
#endif

#include "lifetimes.h"
#include <stdlib.h>

typedef struct lt_slot {
  uint64_t death, serial; /* serial 0: the slot is free */
  uint64_t words;
  uint64_t ref[LT_MAX_REFS]; /* serials the reference fields point to */
} lt_slot;

typedef struct lt_gen {
  gc_mutator *m;
  const lt_config *c;
  lt_stats *st;
  unsigned thread;
  wl_rng rng;
  wl_table table;
  lt_slot *slots;
  size_t *free_list, nfree, high; /* slots ever used: [0, high) */
  size_t *pq, npq;                /* min-heap of slot indices */
  uint64_t clock, live, serial;
} lt_gen;

static bool lt_before(const lt_gen *g, size_t a, size_t b) {
  const lt_slot *x = &g->slots[a], *y = &g->slots[b];
  return x->death < y->death || (x->death == y->death && x->serial < y->serial);
}

static void lt_pq_push(lt_gen *g, size_t slot) {
  size_t i = g->npq++;
  while (i > 0 && lt_before(g, slot, g->pq[(i - 1) / 2])) {
    g->pq[i] = g->pq[(i - 1) / 2];
    i = (i - 1) / 2;
  }
  g->pq[i] = slot;
}

static size_t lt_pq_pop(lt_gen *g) {
  size_t top = g->pq[0], last = g->pq[--g->npq], i = 0;
  for (;;) {
    size_t k = 2 * i + 1;
    if (k >= g->npq)
      break;
    if (k + 1 < g->npq && lt_before(g, g->pq[k + 1], g->pq[k]))
      k++;
    if (!lt_before(g, g->pq[k], last))
      break;
    g->pq[i] = g->pq[k];
    i = k;
  }
  if (g->npq > 0)
    g->pq[i] = last;
  return top;
}

static uint64_t lt_base(const lt_gen *g, uint64_t serial) {
  return wl_mix64(g->c->seed ^ (uint64_t)g->thread << 48 ^ serial);
}

static bool lt_has_refs(const lt_gen *g, uint64_t words) {
  return g->c->refs > 0 && words <= GC_MAX_FIXED_WORDS;
}

/* Index of the id word: after the reference fields in fixed layouts. */
static unsigned lt_id_word(const lt_gen *g, uint64_t words) {
  return lt_has_refs(g, words) ? g->c->refs : 0;
}

static uint64_t lt_draw_size(lt_gen *g) {
  const lt_config *c = g->c;
  switch (c->size_dist) {
  case LT_FIXED:
    return c->size_min;
  case LT_UNIFORM:
    return wl_rng_range(&g->rng, c->size_min, c->size_max);
  case LT_POWER_LAW:
    return wl_rng_power_law(&g->rng, c->size_min, c->size_max, c->size_alpha);
  case LT_TABLE:
    break;
  }
  double u = wl_rng_unit(&g->rng) * c->table_total;
  int last = 0;
  for (int i = 0; i < LT_TABLE_SIZES; i++) {
    if (c->table_weight[i] <= 0)
      continue;
    last = i;
    if (u < c->table_weight[i])
      return c->table_bytes[i];
    u -= c->table_weight[i];
  }
  return c->table_bytes[last];
}

_Noreturn static void lt_bad(lt_gen *g, size_t slot, const char *what,
                             uint64_t expected, uint64_t found) {
  const lt_slot *s = &g->slots[slot];
  gc_fail(g->m,
          "lifetimes: object %llu (thread %u, table slot %zu, %llu words): "
          "expected %s %#llx, found %#llx",
          (unsigned long long)s->serial, g->thread, slot,
          (unsigned long long)s->words, what, (unsigned long long)expected,
          (unsigned long long)found);
}

/* The serial in the id word of the object r refers to. */
static uint64_t lt_serial_of(lt_gen *g, gc_ref r) {
  unsigned type = gc_type_of(g->m, r);
  const gc_type *t = gc_type_by_id(type);
  if (!t || t->kind == GC_TYPE_REF_ARRAY)
    return ~(uint64_t)0;
  uint64_t words = t->kind == GC_TYPE_FIXED ? t->nwords : gc_length(g->m, r);
  return gc_read_word(g->m, r, lt_id_word(g, words));
}

static void lt_check(lt_gen *g, size_t slot) {
  gc_mutator *m = g->m;
  const lt_slot *s = &g->slots[slot];
  gc_ref o = wl_table_get(m, &g->table, slot);
  if (o == GC_NULL)
    lt_bad(g, slot, "an object, found null; reference", 1, 0);
  const gc_type *t = lt_type(g->c, s->words);
  if (gc_type_of(m, o) != t->id)
    lt_bad(g, slot, "type id", t->id, gc_type_of(m, o));
  if (t->kind != GC_TYPE_FIXED && gc_length(m, o) != s->words)
    lt_bad(g, slot, "length", s->words, gc_length(m, o));
  unsigned id = lt_id_word(g, s->words);
  if (gc_read_word(m, o, id) != s->serial)
    lt_bad(g, slot, "id word", s->serial, gc_read_word(m, o, id));
  uint64_t base = lt_base(g, s->serial);
  uint64_t j = wl_check_words(m, &o, base, id + 1, s->words);
  if (j < s->words)
    lt_bad(g, slot, "data word", wl_word(base, j), gc_read_word(m, o, j));
  for (unsigned i = 0; i < id; i++) {
    gc_ref r = gc_read_ref(m, o, i);
    uint64_t found = r == GC_NULL ? 0 : lt_serial_of(g, r);
    if (found != s->ref[i])
      lt_bad(g, slot, "reference to the object with serial", s->ref[i], found);
  }
  g->st->objects_checked++;
}

static void lt_kill(lt_gen *g, bool early) {
  size_t slot = lt_pq_pop(g);
  lt_check(g, slot);
  wl_table_set(g->m, &g->table, slot, GC_NULL);
  wl_sum_store(&g->st->sum, 0, slot, 0);
  g->live -= lt_logical_bytes(g->slots[slot].words);
  g->slots[slot].serial = 0;
  g->free_list[g->nfree++] = slot;
  *(early ? &g->st->early_deaths : &g->st->natural_deaths) += 1;
}

/* A random live slot other than self, or SIZE_MAX after a few misses. */
static size_t lt_pick(lt_gen *g, size_t self) {
  for (int tries = 0; tries < 8; tries++) {
    size_t i = wl_rng_below(&g->rng, g->high);
    if (i != self && g->slots[i].serial != 0)
      return i;
  }
  return SIZE_MAX;
}

/* Field i of the new object: a reference to an older object that dies
 * after it, or a field of an older object that dies before it, now
 * pointing to it. */
static void lt_link(lt_gen *g, size_t slot, unsigned i) {
  gc_mutator *m = g->m;
  bool older = wl_rng_chance(&g->rng, g->c->ref_to_older);
  size_t other = lt_pick(g, slot);
  bool ok =
      other != SIZE_MAX && (older ? lt_before(g, slot, other)
                                  : lt_before(g, other, slot) &&
                                        lt_has_refs(g, g->slots[other].words));
  if (!ok) {
    g->st->refs_unset++;
    return;
  }
  size_t from = older ? slot : other, to = older ? other : slot;
  unsigned f = older ? i : (unsigned)wl_rng_below(&g->rng, g->c->refs);
  gc_write_ref(m, wl_table_get(m, &g->table, from), f,
               wl_table_get(m, &g->table, to));
  g->slots[from].ref[f] = g->slots[to].serial;
  wl_sum_store(&g->st->sum, g->slots[from].serial, f, g->slots[to].serial);
  *(older ? &g->st->refs_older : &g->st->refs_younger) += 1;
}

/* Fills the new object o; returns its reference afterwards (a long fill
 * polls safepoints: wl_fill_words). */
static gc_ref lt_fill(lt_gen *g, gc_ref o, const lt_slot *s) {
  gc_mutator *m = g->m;
  unsigned id = lt_id_word(g, s->words);
  gc_write_word(m, o, id, wl_corrupt(s->serial));
  return wl_fill_words(m, o, lt_base(g, s->serial), id + 1, s->words);
}

static void lt_allocate(lt_gen *g) {
  gc_mutator *m = g->m;
  const lt_config *c = g->c;
  uint64_t words = lt_words(c, lt_draw_size(g)), lb = lt_logical_bytes(words);
  g->clock += lb;
  /* Each death checks the dying object: poll between them, since a large
   * object may make many die at once. No reference is held here. */
  while (g->npq > 0 && g->slots[g->pq[0]].death <= g->clock) {
    gc_safepoint(m);
    lt_kill(g, false);
  }
  while (g->npq > 0 && (g->live + lb > c->live_set || g->npq >= c->capacity)) {
    gc_safepoint(m);
    lt_kill(g, true);
  }
  size_t slot = g->nfree ? g->free_list[--g->nfree] : g->high++;
  lt_slot *s = &g->slots[slot];
  *s = (lt_slot){.serial = ++g->serial, .words = words};
  if (wl_rng_chance(&g->rng, c->immortal_fraction)) {
    s->death = UINT64_MAX;
    g->st->immortals++;
  } else {
    s->death =
        g->clock + 1 + (uint64_t)wl_rng_exponential(&g->rng, c->lifetime_mean);
  }
  const gc_type *t = lt_type(c, words);
  gc_ref o = gc_alloc(m, t, t->kind == GC_TYPE_FIXED ? 0 : words);
  wl_sum_alloc(&g->st->sum, t->kind == GC_TYPE_FIXED ? 1 : 2, words);
  o = lt_fill(g, o, s);
  wl_table_set(m, &g->table, slot, o);
  wl_sum_store(&g->st->sum, 0, slot, s->serial);
  lt_pq_push(g, slot);
  g->live += lb;
  for (unsigned i = 0; lt_has_refs(g, words) && i < c->refs; i++)
    lt_link(g, slot, i);
  if (g->live > g->st->peak_live_bytes)
    g->st->peak_live_bytes = g->live;
  if (g->npq > g->st->peak_live_objects)
    g->st->peak_live_objects = g->npq;
}

void GC_INSTANCE(lt_thread)(gc_mutator *m, unsigned index, void *arg) {
  gc_instance_check(m, GC_FAMILY_THIS, "lifetimes");
  lt_run *run = arg;
  const lt_config *c = &run->c;
  lt_gen g = {.m = m, .c = c, .st = &run->st[index], .thread = index};
  wl_rng_seed(&g.rng, c->seed, index);
  g.slots = wl_calloc(c->capacity, sizeof *g.slots, "lifetimes");
  g.free_list = wl_calloc(c->capacity, sizeof *g.free_list, "lifetimes");
  g.pq = wl_calloc(c->capacity, sizeof *g.pq, "lifetimes");
  wl_table_new(m, &g.table, c->capacity);
  uint64_t t0 = gc_now_ns();
  for (uint64_t n = 0; g.clock < c->alloc_bytes; n++) {
    gc_safepoint(m);
    lt_allocate(&g);
    if (c->rate_limit && (n & 63) == 0) {
      uint64_t due =
          t0 + (uint64_t)((double)g.clock * 1e9 / (double)c->rate_limit);
      if (gc_now_ns() < due) {
        wl_sleep_until(m, due);
        g.st->sleeps++;
      }
    }
  }
  for (size_t i = 0; i < g.high; i++) {
    gc_safepoint(m); /* a check reads up to WL_POLL_WORDS words unpolled */
    if (g.slots[i].serial != 0)
      lt_check(&g, i);
  }
  g.st->allocated_bytes = g.clock;
  g.st->live_bytes_end = g.live;
  g.st->ns = gc_now_ns() - t0;
  gc_root_pop(m, 1);
  free(g.slots);
  free(g.free_list);
  free(g.pq);
}
