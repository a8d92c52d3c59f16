/* util.h — small helpers the core, policies and harness share. */
#ifndef GCTB_UTIL_H
#define GCTB_UTIL_H

#include <stdbool.h>
#include <stddef.h>

/* Formats a message into err and returns false, for `return gc_errorf(...)`
 * in functions that report failure as false plus a message. */
bool gc_errorf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Makes room for element n of a growable array (*vec, capacity *cap,
 * elements of elem bytes), doubling from first_cap; false on no memory. */
bool gc_vec_reserve(void **vec, size_t *cap, size_t n, size_t elem,
                    size_t first_cap);

#endif
