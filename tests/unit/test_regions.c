/* The region space (heap/regions.h): regions from the arena, labs carved
 * and retired walkably, the mark bitmap with tams, the cset map. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <string.h>

#include "heap/regions.h"

static gc_type node = {
    .name = "regions-node", .kind = GC_TYPE_FIXED, .nwords = 3, .ref_map = 1};
static gc_type words = {.name = "regions-words", .kind = GC_TYPE_WORD_ARRAY};

typedef struct seen {
  uintptr_t at[64];
  size_t n;
} seen;

static void record(uintptr_t obj, void *ctx) {
  seen *s = ctx;
  if (s->n < 64)
    s->at[s->n++] = obj;
}

static void setup(gc_arena *a, gc_regions *rs, unsigned hw) {
  char err[256];
  assert_true(gc_type_register(&node));
  assert_true(gc_type_register(&words));
  assert_true(gc_arena_init(a, 8 * GC_CHUNK_BYTES, err, sizeof err));
  assert_true(
      gc_regions_init(rs, a, "r", 2 * GC_CHUNK_BYTES, hw, err, sizeof err));
}

static void bad_region_sizes_are_refused(void **state) {
  gc_arena a;
  gc_regions rs;
  char err[256];
  assert_true(gc_arena_init(&a, 8 * GC_CHUNK_BYTES, err, sizeof err));
  assert_false(
      gc_regions_init(&rs, &a, "r", GC_CHUNK_BYTES / 2, 1, err, sizeof err));
  assert_non_null(strstr(err, "power of two"));
  assert_false(
      gc_regions_init(&rs, &a, "r", 3 * GC_CHUNK_BYTES, 1, err, sizeof err));
  gc_arena_destroy(&a);
}

static void regions_come_and_go(void **state) {
  gc_arena a;
  gc_regions rs;
  setup(&a, &rs, 1);
  gc_region *r[5];
  for (int i = 0; i < 4; i++) {
    r[i] = gc_regions_take(&rs);
    assert_non_null(r[i]);
    assert_int_equal(r[i]->end - r[i]->start, 2 * GC_CHUNK_BYTES);
    assert_ptr_equal(gc_region_of(&rs, r[i]->end - 8), r[i]);
  }
  assert_null(gc_regions_take(&rs)); /* 8 chunks = 4 regions */
  assert_int_equal(gc_regions_count(&rs), 4);
  gc_regions_release(&rs, r[1]);
  assert_int_equal(gc_regions_count(&rs), 3);
  assert_false(gc_regions_owns(&rs, r[1]->start));
  r[4] = gc_regions_take(&rs);
  assert_ptr_equal(r[4], r[1]);
  gc_regions_destroy(&rs);
  gc_arena_destroy(&a);
}

/* Labs carved, objects bumped, the lab retired with an odd tail: the
 * region walks object by object, fillers and zero words skipped. */
static void retired_labs_stay_walkable(void **state) {
  for (unsigned hw = 1; hw <= 2; hw++) {
    gc_arena a;
    gc_regions rs;
    setup(&a, &rs, hw);
    gc_region *cur = NULL;
    size_t got;
    uintptr_t p = gc_regions_carve(&rs, &cur, 64, 4096, &got, NULL, NULL);
    assert_int_not_equal(p, 0);
    assert_int_equal(got, 4096);
    memset((void *)p, 0, got);
    gc_lab lab = {p, p + got};
    uintptr_t objs[3];
    for (int i = 0; i < 3; i++) {
      objs[i] = lab.cur;
      *(uint64_t *)lab.cur = gc_header_make(&node, 0);
      lab.cur += gc_object_bytes(&node, 0, hw);
    }
    gc_regions_retire_lab(&rs, &lab);
    /* a second lab whose tail is one word: too small for a filler */
    uintptr_t q = gc_regions_carve(&rs, &cur, 64, 40, &got, NULL, NULL);
    assert_int_equal(q, p + 4096);
    memset((void *)q, 0xff, got);
    *(uint64_t *)q = gc_header_make(&words, 1); /* (hw + 1) words */
    gc_lab l2 = {q + (hw + 1) * 8, q + got};
    gc_regions_retire_lab(&rs, &l2);
    seen s = {0};
    gc_regions_walk(&rs, cur->start, cur->top, record, &s);
    assert_int_equal(s.n, 4);
    for (int i = 0; i < 3; i++)
      assert_int_equal(s.at[i], objs[i]);
    assert_int_equal(s.at[3], q);
    gc_regions_destroy(&rs);
    gc_arena_destroy(&a);
  }
}

static void marks_tams_and_cset(void **state) {
  gc_arena a;
  gc_regions rs;
  setup(&a, &rs, 1);
  gc_region *r = gc_regions_take(&rs);
  uintptr_t x = r->start + 64, y = r->start + 4096, z = r->start + 8192;
  __atomic_store_n(&r->top, r->start + 8192, __ATOMIC_RELAXED);
  __atomic_store_n(&r->tams, r->start + 8192, __ATOMIC_RELAXED);
  assert_true(gc_regions_mark(&rs, x));
  assert_false(gc_regions_mark(&rs, x)); /* already */
  assert_true(gc_regions_mark(&rs, y));
  assert_true(gc_regions_is_marked(&rs, x));
  assert_false(gc_regions_is_marked(&rs, r->start + 128));
  assert_true(gc_regions_is_marked(&rs, z)); /* at tams: allocated since */
  seen s = {0};
  gc_regions_each_marked(&rs, r->start, r->start + 4096, record, &s);
  assert_int_equal(s.n, 1); /* the range's end is exclusive */
  assert_int_equal(s.at[0], x);
  assert_false(gc_regions_in_cset(&rs, x));
  gc_regions_set_cset(&rs, r, true);
  assert_true(gc_regions_in_cset(&rs, r->end - 8));
  gc_regions_clear_marks(&rs, r);
  assert_false(gc_regions_bit(&rs, x));
  assert_false(gc_regions_bit(&rs, y));
  gc_regions_release(&rs, r);
  assert_false(gc_regions_in_cset(&rs, x));
  gc_regions_destroy(&rs);
  gc_arena_destroy(&a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(bad_region_sizes_are_refused),
      cmocka_unit_test(regions_come_and_go),
      cmocka_unit_test(retired_labs_stay_walkable),
      cmocka_unit_test(marks_tams_and_cset),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
