/* util.c — small shared helpers. */
#include "util.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

bool gc_errorf(char *err, size_t errlen, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
  return false;
}

bool gc_vec_reserve(void **vec, size_t *cap, size_t n, size_t elem,
                    size_t first_cap) {
  if (n < *cap)
    return true;
  size_t ncap = *cap ? 2 * *cap : first_cap;
  while (ncap <= n)
    ncap *= 2;
  void *p = realloc(*vec, ncap * elem);
  if (!p)
    return false;
  *vec = p;
  *cap = ncap;
  return true;
}
