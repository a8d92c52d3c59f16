/* immix_lines.c — where the holes are, and a block's census (which lines
 * an object marks is inline in immix.h). Pure functions on a block's mark
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
#include "immix.h"

bool immix_hole_find(const uint8_t *marks, unsigned n, unsigned from,
                     bool conservative, unsigned *lo, unsigned *hi) {
  unsigned i = from;
  while (i < n && !immix_line_usable(marks, i, conservative))
    i++;
  if (i >= n)
    return false;
  /* after a usable line, the next is usable exactly when it is unmarked */
  unsigned j = i + 1;
  while (j < n && !marks[j])
    j++;
  *lo = i;
  *hi = j;
  return true;
}

void immix_census_of(const uint8_t *marks, unsigned n, bool conservative,
                     immix_census *out) {
  immix_census c = {0, 0, 0};
  bool in_hole = false;
  for (unsigned i = 0; i < n; i++) {
    c.marked += marks[i] != 0;
    bool usable = immix_line_usable(marks, i, conservative);
    c.free += usable;
    c.holes += usable && !in_hole;
    in_hole = usable;
  }
  *out = c;
}
