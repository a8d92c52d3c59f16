/* immix_lines.c — where the holes are, and a block's census (which lines
 * an object marks is inline in immix_space.h). Pure functions on a block's mark
 * bytes: tests/unit/test_immix_lines.c exercises them without a heap.
 *
 * The conservative rule (Blackburn and McKinley 2008, section 3.2; seed
 * 003): objects of at most one line mark only their first line, bigger ones
 * every line but their last, and the line after any marked line counts as
 * used. No object reaches more than one line past its last marked line, so
 * no hole ever overlaps a live object.
 *
 * Why exact marking is the default: the rule saves computing a small
 * object's extent, but our scan reads every object's header for its size
 * anyway (to count live bytes), so marking exactly costs one shift more,
 * and the line the rule assumes used after every marked run is space no
 * allocation gets. On gcold (25 MiB live, ratio 1) at 1.5x live that was
 * 120 collections conservative against 83 exact (segfit: 79); gcbench's
 * marking time did not change. */
#include "immix_space.h"
#include <string.h>

/* High bit of each byte of x set exactly when that byte is nonzero (no
 * carry crosses a byte: each byte sums to at most 0xfe). */
static uint64_t nonzero_bytes(uint64_t x) {
  const uint64_t lo7 = 0x7f7f7f7f7f7f7f7full, hi = 0x8080808080808080ull;
  return (((x & lo7) + lo7) | x) & hi;
}

/* The first line at or after i whose mark is nonzero (want_marked) or zero
 * (!want_marked); n if none. Eight marks per load (little-endian: the
 * lowest set bit is the first line): with 32-byte lines a block has 1024
 * of them, and the byte-at-a-time loop over the marked runs between holes
 * was a third of the allocation slow path's instructions. */
static unsigned first_line(const uint8_t *marks, unsigned i, unsigned n,
                           bool want_marked) {
  for (; i + 8 <= n; i += 8) {
    uint64_t x;
    memcpy(&x, marks + i, sizeof x);
    uint64_t hit = nonzero_bytes(x);
    if (!want_marked)
      hit ^= 0x8080808080808080ull;
    if (hit)
      return i + (unsigned)__builtin_ctzll(hit) / 8;
  }
  while (i < n && !marks[i] == want_marked)
    i++;
  return i;
}

bool immix_hole_find(const uint8_t *marks, unsigned n, unsigned from,
                     bool conservative, unsigned *lo, unsigned *hi) {
  unsigned i = from;
  for (;;) {
    i = first_line(marks, i, n, false);
    if (i >= n)
      return false;
    if (immix_line_usable(marks, i, conservative))
      break;
    i++; /* right after a marked line (conservative): the next may do */
  }
  /* after a usable line, the next is usable exactly when it is unmarked */
  *lo = i;
  *hi = first_line(marks, i + 1, n, true);
  return true;
}

/* Bit i set: marks[i] != 0, for the 8 mark bytes in x (little-endian
 * load). Each byte's high bit is set when the byte is nonzero, and the
 * multiply gathers the 8 high bits into the top byte. */
static uint64_t nonzero_bits8(uint64_t x) {
  return (nonzero_bytes(x) * 0x0002040810204081ull) >> 56;
}

/* Up to 64 lines' marks as a bitmap (bit i: line base + i is marked). */
static uint64_t marked_bits(const uint8_t *marks, unsigned n) {
  uint64_t m = 0;
  unsigned i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t x;
    memcpy(&x, marks + i, sizeof x);
    m |= nonzero_bits8(x) << i;
  }
  for (; i < n; i++)
    m |= (uint64_t)(marks[i] != 0) << i;
  return m;
}

/* 64 lines at a time, on bitmaps: the sweep censuses every block with a
 * marked line after every collection, and the byte-at-a-time loop was ~3%
 * of immix's collection instructions on mt-gcbench (docs/spaces/immix.md,
 * "Tracing loop"). A usable line is unmarked and, under the conservative
 * rule, not right after a marked one; a hole starts at a usable line whose
 * predecessor is not usable. The carries bring the previous word's last
 * line across the word boundary. */
void immix_census_of(const uint8_t *marks, unsigned n, bool conservative,
                     immix_census *out) {
  immix_census c = {0, 0, 0};
  uint64_t prev_marked = 0, prev_usable = 0;
  for (unsigned base = 0; base < n; base += 64) {
    unsigned k = n - base < 64 ? n - base : 64;
    uint64_t valid = k == 64 ? ~0ull : (1ull << k) - 1;
    uint64_t m = marked_bits(marks + base, k);
    uint64_t usable = ~m & valid;
    if (conservative)
      usable &= ~((m << 1) | prev_marked);
    c.marked += (unsigned)__builtin_popcountll(m);
    c.free += (unsigned)__builtin_popcountll(usable);
    c.holes +=
        (unsigned)__builtin_popcountll(usable & ~((usable << 1) | prev_usable));
    prev_marked = m >> 63;
    prev_usable = usable >> 63;
  }
  *out = c;
}
