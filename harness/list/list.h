/* list.h — `gctb list`: every policy and workload with its options. */
#ifndef GCTB_HARNESS_LIST_H
#define GCTB_HARNESS_LIST_H

#include <stdio.h>

const char *gctb_alloc_style_name(int style);
const char *gctb_read_barrier_name(int kind);
const char *gctb_write_barrier_name(int kind);

void gctb_list_print(FILE *f);

#endif
