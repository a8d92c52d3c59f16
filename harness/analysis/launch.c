/* launch.c — `gctb plot` and `gctb report`: the analysis is Python
 * (analysis/, docs/analysis.md); these commands find an interpreter that
 * can run it and hand over.
 *
 * Plots need matplotlib, which a pyenv or virtualenv python3 first on PATH
 * often lacks while the distribution's /usr/bin/python3 has it
 * (python3-matplotlib), so each candidate is asked to import it:
 * $GCTB_PYTHON, /usr/bin/python3, python3, python. `report` needs only the
 * standard library and prefers the same interpreter. The scripts are found
 * in $GCTB_ANALYSIS_DIR, else beside an installed gctb (GCTB_EXE_TO_ANALYSIS
 * from its own directory: cmake/install.cmake), else in the source tree gctb
 * was built from. */
#include "harness/analysis/analysis.h"
#include "harness/matrix/matrix.h"
#include "harness/run/run.h"
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef GCTB_SOURCE_DIR
#define GCTB_SOURCE_DIR "."
#endif
#ifndef GCTB_EXE_TO_ANALYSIS
#define GCTB_EXE_TO_ANALYSIS "../share/gctb/analysis"
#endif

extern char **environ;

/* Whether `python -c code` exits 0 (output discarded). */
static bool python_can(const char *python, const char *code) {
  posix_spawn_file_actions_t fa;
  pid_t pid;
  int status;
  char *argv[] = {(char *)python, "-c", (char *)code, NULL};
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  int rc = posix_spawnp(&pid, python, &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0)
    return false;
  while (waitpid(pid, &status, 0) < 0)
    ;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

const char *gctb_find_python(bool need_matplotlib) {
  static const char *const fixed[] = {"/usr/bin/python3", "python3", "python"};
  const char *cands[4];
  size_t n = 0;
  const char *env = getenv("GCTB_PYTHON");
  if (env && *env)
    cands[n++] = env;
  for (size_t i = 0; i < 3; i++)
    cands[n++] = fixed[i];
  for (size_t i = 0; i < n; i++)
    if (python_can(cands[i], "import matplotlib"))
      return cands[i];
  for (size_t i = 0; i < n && !need_matplotlib; i++)
    if (python_can(cands[i], "import json, sys; sys.exit(sys.version_info < "
                             "(3, 6))"))
      return cands[i];
  return NULL;
}

/* The analysis folder of an installed gctb: GCTB_EXE_TO_ANALYSIS from the
 * folder of this executable, if report.py is there. */
static bool installed_analysis_dir(char *buf, size_t len) {
  char exe[2048];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0)
    return false;
  exe[n] = 0;
  char *slash = strrchr(exe, '/');
  if (!slash)
    return false;
  *slash = 0;
  char probe[4096 + 16];
  snprintf(buf, len, "%s/%s", exe, GCTB_EXE_TO_ANALYSIS);
  snprintf(probe, sizeof probe, "%s/report.py", buf);
  return access(probe, R_OK) == 0;
}

const char *gctb_analysis_dir(void) {
  static char installed[4096];
  const char *env = getenv("GCTB_ANALYSIS_DIR");
  if (env && *env)
    return env;
  if (installed_analysis_dir(installed, sizeof installed))
    return installed;
  return GCTB_SOURCE_DIR "/analysis";
}

/* Replaces this process with `python DIR/script ARGS...`. */
static int hand_over(const char *script, bool need_matplotlib, int argc,
                     char **argv) {
  char path[8192];
  snprintf(path, sizeof path, "%s/%s", gctb_analysis_dir(), script);
  if (access(path, R_OK) != 0) {
    fprintf(stderr,
            "gctb: cannot find %s (set GCTB_ANALYSIS_DIR to the analysis/ "
            "folder of the gctb sources)\n",
            path);
    return GCTB_EXIT_USAGE;
  }
  const char *python = gctb_find_python(need_matplotlib);
  if (!python) {
    fprintf(stderr,
            "gctb: no Python 3 interpreter %s was found (tried "
            "$GCTB_PYTHON, /usr/bin/python3, python3, python). Install "
            "matplotlib (Debian/Ubuntu: apt-get install python3-matplotlib) "
            "or point GCTB_PYTHON at an interpreter that has it.\n",
            need_matplotlib ? "that can import matplotlib" : "");
    return GCTB_EXIT_USAGE;
  }
  char **args = calloc((size_t)argc + 3, sizeof *args);
  args[0] = (char *)python;
  args[1] = path;
  for (int i = 1; i < argc; i++)
    args[i + 1] = argv[i];
  fflush(NULL);
  execvp(python, args);
  perror("gctb: exec python");
  free(args);
  return GCTB_EXIT_ERROR;
}

/* Whether args hold an --out (or -o) of their own. */
static bool has_out(int argc, char **argv) {
  for (int i = 1; i < argc; i++)
    if (gctb_arg_is(argv[i], "--out") || strcmp(argv[i], "-o") == 0)
      return true;
  return false;
}

/* Whether arg (after prev) names a sharded matrix's results directory:
 * a directory with a matrix.json, and not the value of --out. */
static bool is_shard_dir(const char *arg, const char *prev) {
  char path[4200];
  if (strcmp(prev, "--out") == 0 || strcmp(prev, "-o") == 0 ||
      !gctb_dir_exists(arg))
    return false;
  snprintf(path, sizeof path, "%s/matrix.json", arg);
  return access(path, F_OK) == 0;
}

/* A sharded matrix's results directory becomes its shard files, after the
 * checks of `gctb merge --partial` (no duplicates, strays or mixed builds;
 * runs may be missing while a study runs). Without an --out, the output
 * goes beside the directory, DIR<suffix>. */
static int hand_over_dirs(const char *script, const char *suffix,
                          bool need_matplotlib, int argc, char **argv) {
  char **args = calloc(1, sizeof *args), out[4200];
  int n = 0;
  bool dirs = false;
  for (int i = 0; i < argc; i++) {
    char err[1024], **files;
    size_t nfiles;
    gctb_matrix m;
    if (i == 0 || !is_shard_dir(argv[i], argv[i - 1])) {
      args = realloc(args, (size_t)(n + 4) * sizeof *args);
      args[n++] = argv[i];
      continue;
    }
    if (!gctb_dir_load_matrix(argv[i], &m, err, sizeof err)) {
      fprintf(stderr, "gctb %s: %s (is %s a sharded matrix's results?)\n",
              argv[0], err, argv[i]);
      free(args);
      return GCTB_EXIT_USAGE;
    }
    bool ok = gctb_merge_check(argv[i], &m, true, &files, &nfiles);
    gctb_matrix_free(&m);
    if (!ok) {
      fprintf(stderr, "gctb %s: %s does not merge cleanly (above)\n", argv[0],
              argv[i]);
      free(args);
      return GCTB_EXIT_ERROR;
    }
    args = realloc(args, ((size_t)n + nfiles + 4) * sizeof *args);
    for (size_t f = 0; f < nfiles; f++)
      args[n++] = files[f]; /* kept until exec */
    if (!dirs && !has_out(argc, argv)) {
      size_t len = strlen(argv[i]);
      while (len > 1 && argv[i][len - 1] == '/')
        len--;
      snprintf(out, sizeof out, "%.*s%s", (int)len, argv[i], suffix);
    }
    dirs = true;
  }
  if (dirs && !has_out(argc, argv)) {
    args[n++] = "--out";
    args[n++] = out;
  }
  args[n] = NULL;
  return hand_over(script, need_matplotlib, n, args);
}

int gctb_plot_main(int argc, char **argv) {
  return hand_over_dirs("plot.py", "-plots", true, argc, argv);
}

int gctb_report_main(int argc, char **argv) {
  return hand_over_dirs("report.py", "-report", false, argc, argv);
}

int gctb_trace_main(int argc, char **argv) {
  return hand_over("trace.py", false, argc, argv);
}
