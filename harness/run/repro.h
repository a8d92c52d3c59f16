/* repro.h — `gctb run --repro RECORD.jsonl[:LINE]`: the config of a
 * recorded run, to run it again exactly (docs/results-format.md). */
#ifndef GCTB_HARNESS_REPRO_H
#define GCTB_HARNESS_REPRO_H

#include <jansson.h>
#include <stdio.h>

/* The effective config of the record at spec ("FILE:LINE", or "FILE" when
 * it holds one record), with the heap as the exact size the run had; says
 * on out which run it is and whether this build differs from the one that
 * produced it. NULL with a message naming the file and line when there is
 * no such record. */
json_t *gctb_repro_config(const char *spec, FILE *out, char *err,
                          size_t errlen);

#endif
