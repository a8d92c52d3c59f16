/* status.c — `gctb matrix M.json --status DIR` (matrix.h,
 * docs/cluster.md): where each shard of a sharded matrix stands.
 *
 *   done     every run of the shard is recorded
 *   running  a Slurm task of the shard is running (squeue), or, where
 *            squeue cannot tell (no Slurm, or no job of DIR/slurm-jobs
 *            known to it), its file was written within the last run
 *            timeout + 60 s
 *   pending  its Slurm task waits in the queue
 *   failed   its file holds some runs, and nothing is running it
 *   missing  no file and nothing queued: never started
 *
 * "not ok" counts the recorded runs whose status is not ok (crash,
 * timeout, oom, ...): they are recorded outcomes, not missing runs. */
#include "harness/matrix/matrix.h"
#include "harness/run/run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct shard_state {
  size_t runs, recorded, not_ok, misplaced;
  bool file, recent;
} shard_state;

static void scan_shard(const gctb_matrix *m, const char *dir,
                       const unsigned *part, gctb_shard s, shard_state *st) {
  char path[4096], err[512];
  struct stat sb;
  gctb_store store;
  gctb_dir_shard_file(dir, s, path, sizeof path);
  if (stat(path, &sb) != 0)
    return;
  st->file = true;
  st->recent = time(NULL) - sb.st_mtime < (time_t)m->timeout_s + 60;
  if (!gctb_store_scan(&store, path, m->id, err, sizeof err)) {
    fprintf(stderr, "status: %s\n", err);
    gctb_store_close(&store);
    return;
  }
  const char *key;
  json_t *status;
  json_object_foreach(store.done, key, status) {
    gctb_run_ref r;
    if (!gctb_matrix_parse_run_key(m, key, &r) ||
        part[r.cell * m->invocations + r.invocation] != s.k) {
      st->misplaced++;
      continue;
    }
    st->recorded++;
    st->not_ok += strcmp(json_string_value(status), "ok") != 0;
  }
  if (store.foreign)
    fprintf(stderr, "status: %s holds %zu records of another matrix (id %s)\n",
            path, store.foreign, store.foreign_id);
  gctb_store_close(&store);
}

/* With an answer from squeue, a shard runs when its task does; without,
 * when its file was written lately. */
static const char *state_name(const shard_state *st, char queued, bool asked) {
  if (st->recorded == st->runs)
    return "done";
  if (queued == 'R' || (!asked && st->file && st->recent))
    return "running";
  if (queued == 'P')
    return "pending";
  return st->file ? "failed" : "missing";
}

static bool same_matrix(const gctb_matrix *m, const char *dir) {
  gctb_matrix there;
  char err[512];
  if (!gctb_dir_load_matrix(dir, &there, err, sizeof err))
    return true; /* no copy there: nothing to compare */
  bool same = strcmp(there.id, m->id) == 0;
  if (!same)
    fprintf(stderr,
            "status: %s holds matrix \"%s\" (id %s), not \"%s\" (id %s)\n", dir,
            there.name, there.id, m->name, m->id);
  gctb_matrix_free(&there);
  return same;
}

int gctb_matrix_status(const gctb_matrix *m, const char *dir, unsigned n) {
  char err[1024];
  if (!gctb_dir_exists(dir)) {
    fprintf(stderr, "status: %s is not a directory\n", dir);
    return GCTB_EXIT_USAGE;
  }
  if (!same_matrix(m, dir))
    return GCTB_EXIT_USAGE;
  n = n ? n : gctb_dir_shards(dir);
  if (!n) {
    fprintf(stderr,
            "status: %s does not say how many shards the matrix has (no "
            "shards.json, no shard files): give --shards N\n",
            dir);
    return GCTB_EXIT_USAGE;
  }
  unsigned *part = gctb_matrix_partition(m, n, err, sizeof err);
  if (!part) {
    fprintf(stderr, "status: %s\n", err);
    return GCTB_EXIT_USAGE;
  }
  shard_state *st = calloc(n + 1, sizeof *st);
  char *queued = calloc(n + 1, 1);
  bool asked = gctb_slurm_queue(dir, n, queued);
  size_t total = m->ncells * (size_t)m->invocations, recorded = 0;
  size_t count[5] = {0};
  static const char *const names[] = {"done", "running", "pending", "failed",
                                      "missing"};
  for (size_t r = 0; r < total; r++)
    st[part[r]].runs++;
  printf("matrix %s (id %s) in %s: %u shards%s\n", m->name, m->id, dir, n,
         asked ? " (queue from squeue)" : "");
  printf("%7s %8s %9s %7s  %s\n", "shard", "runs", "recorded", "not ok",
         "state");
  for (unsigned k = 1; k <= n; k++) {
    scan_shard(m, dir, part, (gctb_shard){k, n}, &st[k]);
    const char *name = state_name(&st[k], queued[k], asked);
    for (int i = 0; i < 5; i++)
      count[i] += strcmp(name, names[i]) == 0;
    recorded += st[k].recorded;
    printf("%7u %8zu %9zu %7zu  %s", k, st[k].runs, st[k].recorded,
           st[k].not_ok, name);
    if (st[k].misplaced)
      printf(" (+%zu records of runs outside this shard)", st[k].misplaced);
    printf("\n");
  }
  printf("%zu of %zu runs recorded; shards: %zu done, %zu running, %zu "
         "pending, %zu failed, %zu missing\n",
         recorded, total, count[0], count[1], count[2], count[3], count[4]);
  if (count[3] || count[4])
    printf("resume a failed or missing shard K: sbatch --array=K "
           "%s/job.sbatch, or gctb matrix %s/matrix.json --shard K/%u --out "
           "%s/ --resume\n",
           dir, dir, n, dir);
  free(st);
  free(queued);
  free(part);
  return count[0] == n ? GCTB_EXIT_OK : GCTB_EXIT_ERROR;
}
