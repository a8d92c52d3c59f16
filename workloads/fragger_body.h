/* fragger_body.h — the fragmenter's hot code: its rounds. Compiled once per
 * policy family by the build (workloads/instances/bodies.cmake,
 * workloads/instance.h); the only external symbol is GC_INSTANCE(fr_thread).
 *
 * Live objects are word arrays in a heap table (common_table.h); a C-side
 * mirror holds each slot's serial and size. Round 0 fills the live set;
 * every later round walks the table once, killing each object with
 * probability death_fraction (checked in full as it dies; survivors get a
 * quick check of their first and last words), then refills. Occupancy is
 * sampled after the deaths and after the refill, each time after a full
 * collection when `collect` is on. */
#ifndef GCTB_FAMILY
#error                                                                         \
    "fragger_body.h is compiled once per family (workloads/instances/bodies.cmake)"
#endif

#include "fragger.h"
#include <math.h>
#include <stdlib.h>

typedef struct fr_slot {
  uint64_t serial, words; /* serial 0: free */
} fr_slot;

typedef struct fr_state {
  gc_mutator *m;
  fr_run *run;
  const fr_config *c;
  wl_rng rng;
  wl_table table;
  fr_slot *slots;
  size_t *free_list, nfree, high, count;
  uint64_t live, serial;
} fr_state;

static uint64_t fr_base(const fr_state *s, uint64_t serial) {
  return wl_mix64(s->c->seed ^ 0x66726167ull << 32 ^ serial);
}

static uint64_t fr_draw(fr_state *s, unsigned round) {
  uint64_t lo = s->c->size_min, hi = s->c->size_max, b;
  switch (s->c->dist) {
  case FR_UNIFORM:
    b = wl_rng_range(&s->rng, lo, hi);
    break;
  case FR_ALTERNATING: {
    uint64_t mid = (uint64_t)sqrt((double)lo * (double)hi);
    b = round % 2 ? wl_rng_power_law(&s->rng, mid, hi, 1)
                  : wl_rng_power_law(&s->rng, lo, mid, 1);
    break;
  }
  default:
    b = wl_rng_power_law(&s->rng, lo, hi, 1);
  }
  b &= ~7ull;
  return b < lo ? lo : b;
}

_Noreturn static void fr_bad(fr_state *s, size_t slot, const char *what,
                             uint64_t expected, uint64_t found) {
  gc_fail(s->m,
          "fragger: object %llu (table slot %zu, %llu words): expected %s "
          "%#llx, found %#llx",
          (unsigned long long)s->slots[slot].serial, slot,
          (unsigned long long)s->slots[slot].words, what,
          (unsigned long long)expected, (unsigned long long)found);
}

/* Checks the object in slot: type, length, id word, and every data word
 * (full) or only the last one. */
static void fr_check(fr_state *s, size_t slot, bool full) {
  gc_mutator *m = s->m;
  const fr_slot *e = &s->slots[slot];
  gc_ref o = wl_table_get(m, &s->table, slot);
  if (o == GC_NULL || gc_type_of(m, o) != fr_object_type.id)
    fr_bad(s, slot, "an object of type", fr_object_type.id,
           o ? gc_type_of(m, o) : 0);
  if (gc_length(m, o) != e->words)
    fr_bad(s, slot, "length", e->words, gc_length(m, o));
  if (gc_read_word(m, o, 0) != e->serial)
    fr_bad(s, slot, "id word", e->serial, gc_read_word(m, o, 0));
  uint64_t base = fr_base(s, e->serial);
  uint64_t from = full || e->words < 2 ? 1 : e->words - 1;
  uint64_t j = wl_check_words(m, &o, base, from, e->words);
  if (j < e->words)
    fr_bad(s, slot, "data word", wl_word(base, j), gc_read_word(m, o, j));
  s->run->objects_checked++;
}

static void fr_allocate(fr_state *s, uint64_t bytes) {
  gc_mutator *m = s->m;
  uint64_t words = fr_words(bytes), serial = ++s->serial;
  gc_ref o = gc_alloc(m, &fr_object_type, words);
  wl_sum_alloc(&s->run->sum, 1, words);
  uint64_t base = fr_base(s, serial);
  gc_write_word(m, o, 0, wl_corrupt(serial));
  o = wl_fill_words(m, o, base, 1, words);
  size_t slot = s->nfree ? s->free_list[--s->nfree] : s->high++;
  wl_table_set(m, &s->table, slot, o);
  wl_sum_store(&s->run->sum, 0, slot, serial);
  s->slots[slot] = (fr_slot){serial, words};
  s->live += bytes;
  s->count++;
  s->run->allocated += bytes;
}

/* Allocates until the next object would not fit the live set. */
static void fr_fill(fr_state *s, unsigned round) {
  while (s->count < s->c->capacity) {
    gc_safepoint(s->m);
    uint64_t b = fr_draw(s, round);
    if (s->live + b > s->c->live_set)
      break;
    fr_allocate(s, b);
  }
}

static void fr_deaths(fr_state *s) {
  gc_mutator *m = s->m;
  for (size_t i = 0; i < s->high; i++) {
    gc_safepoint(m); /* a check reads up to WL_POLL_WORDS words unpolled */
    if (s->slots[i].serial == 0)
      continue;
    bool dies = wl_rng_chance(&s->rng, s->c->death_fraction);
    fr_check(s, i, dies);
    if (!dies)
      continue;
    wl_table_set(m, &s->table, i, GC_NULL);
    wl_sum_store(&s->run->sum, 0, i, 0);
    s->live -= (s->slots[i].words + 1) * GC_WORD;
    s->count--;
    s->slots[i].serial = 0;
    s->free_list[s->nfree++] = i;
    s->run->deaths++;
  }
}

static void fr_sample_now(fr_state *s, unsigned round, const char *phase,
                          uint64_t t0) {
  if (s->c->collect)
    gc_collect(s->m);
  s->run->samples[s->run->nsamples++] =
      (fr_sample){.round = round,
                  .phase = phase,
                  .t_ns = gc_now_ns() - t0,
                  .live_bytes = s->live,
                  .objects = s->count,
                  .heap_used = gc_heap_used(s->run->heap)};
}

void GC_INSTANCE(fr_thread)(gc_mutator *m, unsigned index, void *arg) {
  gc_instance_check(m, GC_FAMILY_THIS, "fragger");
  fr_run *run = arg;
  const fr_config *c = &run->c;
  fr_state s = {.m = m, .run = run, .c = c};
  wl_rng_seed(&s.rng, c->seed, 0x66);
  s.slots = wl_calloc(c->capacity, sizeof *s.slots, "fragger");
  s.free_list = wl_calloc(c->capacity, sizeof *s.free_list, "fragger");
  wl_table_new(m, &s.table, c->capacity);
  uint64_t t0 = gc_now_ns();
  fr_fill(&s, 0);
  fr_sample_now(&s, 0, "fill", t0);
  for (unsigned r = 1; r <= c->rounds; r++) {
    fr_deaths(&s);
    fr_sample_now(&s, r, "after-deaths", t0);
    fr_fill(&s, r);
    fr_sample_now(&s, r, "after-refill", t0);
  }
  for (size_t i = 0; i < s.high; i++) {
    gc_safepoint(m);
    if (s.slots[i].serial != 0)
      fr_check(&s, i, true);
  }
  gc_root_pop(m, 1);
  free(s.slots);
  free(s.free_list);
}
