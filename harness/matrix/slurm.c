/* slurm.c — `gctb matrix M.json --slurm` (matrix.h, docs/cluster.md):
 * a sharded matrix as one Slurm job array, one task per shard.
 *
 * Slurm does the distribution; gctb only makes each piece deterministic
 * (the partition depends on the matrix and N alone), resumable (each task
 * runs its shard with --resume, so a requeued or resubmitted task continues
 * where its shard file ends) and mergeable (`gctb merge`). The job script
 * is written into the results directory so that a failed task can be
 * resubmitted by hand: `sbatch --array=K DIR/job.sbatch`. */
#include "harness/matrix/matrix.h"
#include "harness/run/run.h"
#include "heap/util.h"
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* Runs argv (found on PATH) with standard output into out (up to len - 1
 * bytes, NUL-terminated) and standard error passed through, or discarded
 * when quiet. Returns its exit status, or -1 when it could not start. */
static int run_capture(char *const argv[], char *out, size_t len, bool quiet) {
  int fds[2];
  posix_spawn_file_actions_t fa;
  pid_t pid;
  size_t n = 0;
  int status;
  if (pipe(fds) != 0)
    return -1;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  posix_spawn_file_actions_addclose(&fa, fds[0]);
  if (quiet)
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    return -1;
  }
  for (;;) {
    char sink[512];
    char *buf = n + 1 < len ? out + n : sink;
    size_t room = n + 1 < len ? len - 1 - n : sizeof sink;
    ssize_t got = read(fds[0], buf, room);
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0)
      break;
    if (buf != sink)
      n += (size_t)got;
  }
  out[n] = 0;
  close(fds[0]);
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Whether a path can go into the script and its #SBATCH lines as is. */
static bool plain_path(const char *s) { return !strpbrk(s, " \t\n'\"\\$`%"); }

static bool write_script(const gctb_matrix *m, const char *dir, const char *exe,
                         const char *cache, double timeout_s,
                         const gctb_slurm_opts *o, char *err, size_t errlen) {
  char path[4200], when[32], timeout[64] = "";
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
  if (timeout_s > 0)
    snprintf(timeout, sizeof timeout, " --timeout %g", timeout_s);
  snprintf(path, sizeof path, "%s/job.sbatch", dir);
  FILE *f = fopen(path, "w");
  if (!f)
    return gc_errorf(err, errlen, "cannot write %s: %s", path, strerror(errno));
  fprintf(f,
          "#!/bin/bash\n"
          "# Matrix \"%s\" (id %s) as a Slurm job array of %u shards, written "
          "by\n# `gctb matrix --slurm` on %s (docs/cluster.md).\n"
          "# Each task runs its shard with --resume: a requeued task, or one\n"
          "# resubmitted with `sbatch --array=K %s`, continues it.\n"
          "# Follow: squeue -j JOBID; gctb matrix %s/matrix.json --status %s\n"
          "#SBATCH --job-name=gctb-%s\n"
          "#SBATCH --array=1-%u\n"
          "#SBATCH --output=%s/slurm-%%A_%%a.out\n"
          "#SBATCH --requeue\n",
          m->name, m->id, o->shards, when, path, dir, dir, m->name, o->shards,
          dir);
  if (!o->shared_nodes) /* timings need the node to themselves */
    fprintf(f, "#SBATCH --exclusive\n");
  if (o->partition)
    fprintf(f, "#SBATCH --partition=%s\n", o->partition);
  if (o->time)
    fprintf(f, "#SBATCH --time=%s\n", o->time);
  for (size_t i = 0; i < o->nsbatch_args; i++)
    fprintf(f, "#SBATCH %s\n", o->sbatch_args[i]);
  fprintf(f,
          "set -u\n"
          "dir='%s'\n"
          "# One build per node type: point GCTB_BIN at this node's build\n"
          "# (sbatch --export=ALL,GCTB_BIN=...); merge checks the commits.\n"
          "gctb=\"${GCTB_BIN:-%s}\"\n"
          "# The array's job id, for `gctb matrix --status` to ask squeue.\n"
          "grep -qsx \"$SLURM_ARRAY_JOB_ID\" \"$dir/slurm-jobs\" ||\n"
          "  echo \"$SLURM_ARRAY_JOB_ID\" >>\"$dir/slurm-jobs\"\n"
          "echo \"gctb: shard $SLURM_ARRAY_TASK_ID/%u on $(hostname) (job "
          "$SLURM_JOB_ID)\"\n"
          "# Pinning is the matrix config's \"pinning\" (hwloc, in gctb).\n"
          "exec \"$gctb\" matrix \"$dir/matrix.json\" --shard "
          "\"$SLURM_ARRAY_TASK_ID/%u\" \\\n"
          "  --out \"$dir/\" --resume --minheap-cache '%s'%s\n",
          dir, exe, o->shards, o->shards, cache, timeout);
  bool ok = fclose(f) == 0 && chmod(path, 0755) == 0;
  if (!ok)
    return gc_errorf(err, errlen, "cannot write %s: %s", path, strerror(errno));
  return true;
}

static void note_job(const char *dir, const char *id) {
  char path[4200];
  snprintf(path, sizeof path, "%s/slurm-jobs", dir);
  FILE *f = fopen(path, "a");
  if (f) {
    fprintf(f, "%s\n", id);
    fclose(f);
  }
}

int gctb_slurm_submit(const gctb_matrix *m, const char *dir, const char *cache,
                      double timeout_s, const gctb_slurm_opts *o) {
  char adir[4096], exe[4096], err[1024], out[256], script[4200];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0 || !realpath(dir, adir)) {
    fprintf(stderr, "matrix error: cannot resolve %s or this executable\n",
            dir);
    return GCTB_EXIT_ERROR;
  }
  exe[n] = 0;
  if (!plain_path(adir) || !plain_path(exe) || !plain_path(cache)) {
    fprintf(stderr,
            "matrix error: --slurm: the paths of the results directory (%s), "
            "of gctb (%s) and of the minimum-heap cache (%s) must not hold "
            "blanks, quotes, %% or $ (they go into #SBATCH lines)\n",
            adir, exe, cache);
    return GCTB_EXIT_USAGE;
  }
  if (!write_script(m, adir, exe, cache, timeout_s, o, err, sizeof err)) {
    fprintf(stderr, "matrix error: %s\n", err);
    return GCTB_EXIT_ERROR;
  }
  snprintf(script, sizeof script, "%s/job.sbatch", adir);
  if (o->no_submit) {
    printf("%s\n", script);
    fprintf(stderr, "matrix: wrote %s (%u tasks); submit it with: sbatch %s\n",
            script, o->shards, script);
    return GCTB_EXIT_OK;
  }
  char *argv[] = {"sbatch", "--parsable", script, NULL};
  int rc = run_capture(argv, out, sizeof out, false);
  out[strcspn(out, ";\n")] = 0; /* "JOBID[;CLUSTER]" */
  if (rc != 0 || !*out) {
    fprintf(stderr,
            "matrix error: sbatch %s (%s); the script is written: fix and "
            "submit it with sbatch %s\n",
            rc < 0 ? "could not be started (is Slurm installed?)" : "failed",
            rc < 0 ? strerror(errno) : "its message is above", script);
    return GCTB_EXIT_ERROR;
  }
  note_job(adir, out);
  printf("%s\n", out);
  fprintf(stderr,
          "matrix: submitted job %s: %u tasks, one shard each\n"
          "  follow:  squeue -j %s   (after: sacct -j %s)\n"
          "           gctb matrix %s/matrix.json --status %s\n"
          "  a failed task K resumes with: sbatch --array=K %s\n"
          "  when done: gctb merge %s --out %s.jsonl\n",
          out, o->shards, out, out, adir, adir, script, adir, adir);
  return GCTB_EXIT_OK;
}

/* Adds what squeue says of one array job to state; false when squeue did
 * not answer (no Slurm here, the controller down, or a job id it has
 * forgotten: MinJobAge after the end). */
static bool ask_squeue(const char *id, unsigned n, char *state) {
  char out[65536], job[64];
  snprintf(job, sizeof job, "%s", id);
  /* One line per array task (-r): "TASK STATE". */
  char *argv[] = {"squeue", "-h", "-r", "-j", job, "-o", "%K %t", NULL};
  if (run_capture(argv, out, sizeof out, true) != 0)
    return false;
  for (char *p = strtok(out, "\n"); p; p = strtok(NULL, "\n")) {
    unsigned k;
    char st[16], tok[20];
    if (sscanf(p, "%u %15s", &k, st) != 2 || k < 1 || k > n)
      continue;
    /* With -j squeue lists finished tasks too (CD, F, CA...): only
     * these count. */
    snprintf(tok, sizeof tok, " %s ", st);
    if (strstr(" R CG CF S SI SO ", tok))
      state[k] = 'R';
    else if (strstr(" PD RQ RF RH RS ", tok) && state[k] != 'R')
      state[k] = 'P';
  }
  return true;
}

bool gctb_slurm_queue(const char *dir, unsigned n, char *state) {
  char path[4200], line[64];
  bool answered = false;
  snprintf(path, sizeof path, "%s/slurm-jobs", dir);
  FILE *f = fopen(path, "r");
  while (f && fgets(line, sizeof line, f)) {
    line[strcspn(line, "\n")] = 0;
    if (*line)
      answered |= ask_squeue(line, n, state);
  }
  if (f)
    fclose(f);
  return answered;
}
