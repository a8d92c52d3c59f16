/* immix lines: which lines an object marks (objects spanning lines, the
 * conservative rule against exact marking), hole finding, a block's census,
 * the defragmentation threshold, and a randomised check of the property
 * the conservative rule exists for: no hole ever overlaps a live object.
 * The random test prints its seed; GCTB_TEST_SEED replays one. */
/* cmocka.h needs these first (a blank line keeps clang-format from sorting) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "heap/immix_space.h"

enum { LINE_LOG = 7, LINE = 128, LINES = 256 };

static void lines_of(size_t off, size_t bytes, bool cons, size_t *f,
                     size_t *l) {
  immix_lines_to_mark(off, bytes, LINE_LOG, cons, f, l);
}

static void small_objects_mark_their_first_line(void **state) {
  size_t f, l;
  lines_of(0, 32, true, &f, &l); /* inside line 0 */
  assert_int_equal(f, 0);
  assert_int_equal(l, 0);
  lines_of(112, 32, true, &f, &l); /* spans lines 0 and 1 */
  assert_int_equal(f, 0);
  assert_int_equal(l, 0); /* line 1 is implied by the rule */
  lines_of(112, 32, false, &f, &l);
  assert_int_equal(l, 1);           /* exact marking marks both */
  lines_of(128, 128, true, &f, &l); /* exactly line 1 */
  assert_int_equal(f, 1);
  assert_int_equal(l, 1);
  lines_of(128, 128, false, &f, &l);
  assert_int_equal(l, 1);
}

static void medium_objects_mark_all_but_their_last_line(void **state) {
  size_t f, l;
  lines_of(100, 300, true, &f, &l); /* bytes 100..399: lines 0..3 */
  assert_int_equal(f, 0);
  assert_int_equal(l, 2);
  lines_of(100, 300, false, &f, &l);
  assert_int_equal(l, 3);
  lines_of(256, 256, true, &f, &l); /* lines 2..3, aligned */
  assert_int_equal(f, 2);
  assert_int_equal(l, 2);
  lines_of(256, 136, true, &f, &l); /* a line and a word: lines 2..3 */
  assert_int_equal(l, 2);
}

static void holes_skip_the_line_after_a_mark(void **state) {
  uint8_t m[16] = {0};
  m[2] = m[3] = m[9] = 1;
  unsigned lo, hi;
  assert_true(immix_hole_find(m, 16, 0, true, &lo, &hi));
  assert_int_equal(lo, 0);
  assert_int_equal(hi, 2);
  assert_true(immix_hole_find(m, 16, hi, true, &lo, &hi));
  assert_int_equal(lo, 5); /* 4 follows the marked 3 */
  assert_int_equal(hi, 9);
  assert_true(immix_hole_find(m, 16, hi, true, &lo, &hi));
  assert_int_equal(lo, 11);
  assert_int_equal(hi, 16);
  assert_false(immix_hole_find(m, 16, hi, true, &lo, &hi));
  /* exact: the line after a mark is free */
  assert_true(immix_hole_find(m, 16, 3, false, &lo, &hi));
  assert_int_equal(lo, 4);
  assert_int_equal(hi, 9);
  /* a line right after a mark, then a mark: no hole there */
  uint8_t n[4] = {1, 0, 1, 0};
  assert_false(immix_hole_find(n, 4, 0, true, &lo, &hi));
  assert_true(immix_hole_find(n, 4, 0, false, &lo, &hi));
  assert_int_equal(lo, 1);
  assert_int_equal(hi, 2);
}

static void census_counts_marks_free_lines_and_holes(void **state) {
  uint8_t m[16] = {0};
  immix_census c;
  immix_census_of(m, 16, true, &c);
  assert_int_equal(c.marked, 0);
  assert_int_equal(c.free, 16);
  assert_int_equal(c.holes, 1);
  m[2] = m[3] = m[9] = 1;
  immix_census_of(m, 16, true, &c);
  assert_int_equal(c.marked, 3);
  assert_int_equal(c.free, 2 + 4 + 5); /* 4 and 10 are implied used */
  assert_int_equal(c.holes, 3);
  immix_census_of(m, 16, false, &c);
  assert_int_equal(c.free, 13);
  assert_int_equal(c.holes, 3);
  memset(m, 1, sizeof m);
  immix_census_of(m, 16, true, &c);
  assert_int_equal(c.free, 0);
  assert_int_equal(c.holes, 0);
}

/* The census one line at a time, as the definition reads. */
static immix_census census_reference(const uint8_t *marks, unsigned n,
                                     bool cons) {
  immix_census c = {0, 0, 0};
  bool in_hole = false;
  for (unsigned i = 0; i < n; i++) {
    c.marked += marks[i] != 0;
    bool usable = immix_line_usable(marks, i, cons);
    c.free += usable;
    c.holes += usable && !in_hole;
    in_hole = usable;
  }
  return c;
}

/* The word-at-a-time census against the reference: block sizes that are
 * and are not multiples of 8 and 64 lines, sparse and dense marks, mark
 * bytes other than 1, runs across the 64-line word boundaries. */
static void census_matches_the_line_by_line_definition(void **state) {
  static const unsigned sizes[] = {4, 8, 12, 63, 64, 65, 128, 200, 256, 2048};
  srand(7);
  uint8_t m[2048];
  for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
    for (int round = 0; round < 300; round++) {
      unsigned n = sizes[s], density = (unsigned)(rand() % 8);
      for (unsigned i = 0; i < n; i++)
        m[i] = rand() % 8 < (int)density ? (uint8_t)(1 + rand() % 255) : 0;
      for (int cons = 0; cons <= 1; cons++) {
        immix_census got, want = census_reference(m, n, cons);
        immix_census_of(m, n, cons, &got);
        if (got.marked != want.marked || got.free != want.free ||
            got.holes != want.holes)
          fail_msg("n %u round %d conservative %d: census %u/%u/%u, "
                   "expected %u/%u/%u (marked/free/holes)",
                   n, round, cons, got.marked, got.free, got.holes, want.marked,
                   want.free, want.holes);
      }
    }
}

static void threshold_takes_the_most_fragmented_bins_that_fit(void **state) {
  /* bins by hole count 0..5: marked lines of the blocks in each bin */
  uint64_t hist[6] = {100, 100, 40, 30, 20, 10};
  /* everything from bin 5 down to 2 (100 lines) fits: threshold 1 */
  assert_int_equal(immix_defrag_threshold(hist, 6, 100), 1);
  /* 10 + 20 + 30 = 60 fits, + 40 does not: blocks with > 2 holes */
  assert_int_equal(immix_defrag_threshold(hist, 6, 60), 2);
  assert_int_equal(immix_defrag_threshold(hist, 6, 65), 2);
  /* not even bin 5 fits: no block has more than 5 holes */
  assert_int_equal(immix_defrag_threshold(hist, 6, 5), 5);
  /* nothing to copy at all */
  uint64_t empty[6] = {0};
  assert_int_equal(immix_defrag_threshold(empty, 6, 0), 1);
}

/* Random objects packed into a block as an allocator would (with gaps for
 * dead ones), a random subset live: with the live ones' lines marked by
 * the rule, no hole may overlap a live object. */
static void check_no_hole_overlaps_live(bool cons, unsigned seed) {
  srand(seed);
  for (int round = 0; round < 2000; round++) {
    uint8_t marks[LINES] = {0};
    size_t starts[1024], sizes[1024], n = 0;
    bool live[1024];
    for (size_t off = 0; n < 1024;) {
      size_t bytes = 16 + 8 * (size_t)(rand() % (rand() % 4 ? 16 : 200));
      if (off + bytes > (size_t)LINES * LINE)
        break;
      starts[n] = off;
      sizes[n] = bytes;
      live[n] = rand() % 3 == 0;
      if (live[n]) {
        size_t f, l;
        lines_of(off, bytes, cons, &f, &l);
        for (size_t i = f; i <= l; i++)
          marks[i] = 1;
      }
      n++;
      off += bytes;
    }
    unsigned lo, hi = 0;
    while (immix_hole_find(marks, LINES, hi, cons, &lo, &hi))
      for (size_t i = 0; i < n; i++)
        if (live[i] && starts[i] < (size_t)hi * LINE &&
            starts[i] + sizes[i] > (size_t)lo * LINE)
          fail_msg("seed %u round %d: hole [%u,%u) overlaps live object at "
                   "%zu (%zu bytes)",
                   seed, round, lo, hi, starts[i], sizes[i]);
  }
}

/* The word-at-a-time hole search against the line-by-line definition, on
 * random marks of every length up to 80 lines, from every start line. */
static void hole_find_matches_the_line_by_line_definition(void **state) {
  srand(7);
  for (int round = 0; round < 3000; round++) {
    uint8_t marks[80];
    unsigned n = 1 + (unsigned)(rand() % 80);
    int density = 1 + rand() % 7;
    for (unsigned i = 0; i < n; i++)
      marks[i] = rand() % 8 < density ? (uint8_t)(1 + rand() % 255) : 0;
    for (int cons = 0; cons < 2; cons++)
      for (unsigned from = 0; from <= n; from++) {
        unsigned i = from;
        while (i < n && !immix_line_usable(marks, i, cons))
          i++;
        unsigned j = i + 1;
        while (j < n && !marks[j])
          j++;
        unsigned lo = 99, hi = 99;
        bool found = immix_hole_find(marks, n, from, cons, &lo, &hi);
        assert_int_equal(found, i < n);
        if (found) {
          assert_int_equal(lo, i);
          assert_int_equal(hi, j);
        }
      }
  }
}

static void no_hole_overlaps_a_live_object(void **state) {
  const char *env = getenv("GCTB_TEST_SEED");
  unsigned seed = env ? (unsigned)strtoul(env, NULL, 10) : (unsigned)time(NULL);
  printf("test_immix_lines: seed %u (GCTB_TEST_SEED replays it)\n", seed);
  check_no_hole_overlaps_live(true, seed);
  check_no_hole_overlaps_live(false, seed);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(small_objects_mark_their_first_line),
      cmocka_unit_test(medium_objects_mark_all_but_their_last_line),
      cmocka_unit_test(holes_skip_the_line_after_a_mark),
      cmocka_unit_test(census_counts_marks_free_lines_and_holes),
      cmocka_unit_test(census_matches_the_line_by_line_definition),
      cmocka_unit_test(threshold_takes_the_most_fragmented_bins_that_fit),
      cmocka_unit_test(hole_find_matches_the_line_by_line_definition),
      cmocka_unit_test(no_hole_overlaps_a_live_object),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
