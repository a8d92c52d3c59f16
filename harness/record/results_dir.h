/* results_dir.h — where gctb writes when not told a file: a run's record
 * (DIR/<UTC time>-<policy>-<workload>.jsonl), a matrix's results
 * (DIR/<matrix>-<UTC time>.jsonl, DIR/<matrix>-shards/) and the
 * minimum-heap cache (DIR/minheap.json). DIR is `--results-dir DIR`, else
 * $GCTB_RESULTS_DIR, else results/ under the current directory
 * (docs/config.md, "Where results go"). */
#ifndef GCTB_HARNESS_RESULTS_DIR_H
#define GCTB_HARNESS_RESULTS_DIR_H

#include <stdbool.h>
#include <stddef.h>

#define GCTB_RESULTS_ENV "GCTB_RESULTS_DIR"
#define GCTB_RESULTS_DEFAULT "results"

/* The results directory (never NULL, never empty). */
const char *gctb_results_dir(void);

/* Chooses the results directory for this process and, through the
 * environment, for the child runs a matrix or a minimum-heap search starts,
 * so that every record of one command lands in one place. */
void gctb_set_results_dir(const char *dir);

/* mkdir -p dir. False with the reason in err. */
bool gctb_mkdir_p(const char *dir, char *err, size_t errlen);

#endif
