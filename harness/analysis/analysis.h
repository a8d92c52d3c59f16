/* analysis.h — reaching the Python analysis (analysis/, docs/analysis.md)
 * from C: the interpreter, the scripts' folder, and the trace of one record
 * (`gctb trace`, `gctb run --trace`). */
#ifndef GCTB_HARNESS_ANALYSIS_H
#define GCTB_HARNESS_ANALYSIS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* A Python 3 that can import matplotlib ($GCTB_PYTHON, /usr/bin/python3,
 * python3, python); without need_matplotlib, any Python 3 if none can.
 * NULL if there is none. */
const char *gctb_find_python(bool need_matplotlib);

/* The folder holding report.py, plot.py and trace.py: $GCTB_ANALYSIS_DIR,
 * else share/gctb/analysis beside an installed gctb, else the source
 * tree's analysis/. */
const char *gctb_analysis_dir(void);

/* `gctb trace RESULTS.jsonl [--run N] [--out FILE]` (analysis/launch.c). */
int gctb_trace_main(int argc, char **argv);

/* Writes the Chrome trace-event file of record to path, through the
 * analysis's trace.py (trace_write.c). False with a message in err when
 * there is no Python or the script fails. */
bool gctb_trace_write(const json_t *record, const char *path, char *err,
                      size_t errlen);

#endif
