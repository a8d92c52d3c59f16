/* write.h — appending result records to a JSON-lines file so that
 * nothing is lost and nothing is torn (docs/results-format.md, "Writing").
 *
 * Every record is one line, written with one write(2) to a file opened with
 * O_APPEND and flushed with fsync(2) before success is reported: two
 * processes appending to one file never interleave their lines, and a
 * reader never sees half a record from a write that failed (a short write
 * on a full disk takes its part line back). */
#ifndef GCTB_HARNESS_RECORD_WRITE_H
#define GCTB_HARNESS_RECORD_WRITE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Appends record as one line to fd (opened with O_APPEND) and syncs it.
 * False with the reason (naming path) when the line is not wholly in the
 * file. */
bool gctb_append_record(int fd, const char *path, const json_t *record,
                        char *err, size_t errlen);

/* Opens path for appending records (created if absent): a file descriptor,
 * or -1 with errno set. */
int gctb_open_append(const char *path);

#endif
