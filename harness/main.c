/* main.c — the `gctb` command: argument parsing and dispatch. The work is
 * in the gctb_harness library (config.c, run.c, record.c, list.c) so that
 * tests can drive it without a process. Exit codes: run.h. */
#include "harness/analysis/analysis.h"
#include "harness/config/config.h"
#include "harness/list/list.h"
#include "harness/matrix/matrix.h"
#include "harness/minheap/minheap.h"
#include "harness/record/results_dir.h"
#include "harness/run/repro.h"
#include "harness/run/run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct command {
  const char *name;
  const char *synopsis;
  const char *help;
  int (*main)(int argc, char **argv);
} command;

static const command *find_command(const char *name);

static int usage_error(const char *fmt, const char *arg) {
  fprintf(stderr, "gctb: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\n(see gctb --help)\n");
  return GCTB_EXIT_USAGE;
}

static bool is_help(const char *a) {
  return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0;
}

/* ---- gctb run ---- */

typedef struct run_args {
  const char *config;
  const char *repro; /* --repro RECORD.jsonl[:LINE] instead of a config */
  const char **sets;
  size_t nsets;
  gctb_run_opts opts;
} run_args;

/* "--out FILE" or "--out=FILE": the value, advancing *i past it. */
static const char *flag_value(int argc, char **argv, int *i, const char *flag) {
  size_t n = strlen(flag);
  if (strncmp(argv[*i], flag, n) == 0 && argv[*i][n] == '=')
    return argv[*i] + n + 1;
  if (*i + 1 >= argc)
    return NULL;
  return argv[++*i];
}

static bool flag_is(const char *arg, const char *flag) {
  size_t n = strlen(flag);
  return strncmp(arg, flag, n) == 0 && (arg[n] == 0 || arg[n] == '=');
}

/* Returns -1 when parsed, else an exit code. */
static int parse_run_args(int argc, char **argv, run_args *a) {
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i];
    if (flag_is(arg, "--out") || strcmp(arg, "-o") == 0) {
      if (!(a->opts.out_path = flag_value(argc, argv, &i, "--out")))
        return usage_error("%s needs a FILE", arg);
    } else if (flag_is(arg, "--repro")) {
      if (!(a->repro = flag_value(argc, argv, &i, "--repro")))
        return usage_error("%s needs RECORD.jsonl[:LINE]", arg);
    } else if (flag_is(arg, "--trace")) {
      if (!(a->opts.trace_path = flag_value(argc, argv, &i, "--trace")))
        return usage_error("%s needs a FILE", arg);
    } else if (flag_is(arg, "--set")) {
      if (!(a->sets[a->nsets++] = flag_value(argc, argv, &i, "--set")))
        return usage_error("%s needs KEY=VALUE", arg);
    } else if (strcmp(arg, "--quiet") == 0 || strcmp(arg, "-q") == 0) {
      a->opts.quiet = true;
    } else if (flag_is(arg, "--minheap-cache")) {
      const char *v = flag_value(argc, argv, &i, "--minheap-cache");
      if (!v)
        return usage_error("%s needs a FILE", arg);
      gctb_minheap_set_cache(v);
    } else if (flag_is(arg, "--matrix-tag")) {
      /* Set by `gctb matrix` on its children: the record's "matrix". */
      const char *v = flag_value(argc, argv, &i, "--matrix-tag");
      json_decref(a->opts.matrix);
      /* Parsed outside json_is_object, a macro that would parse twice. */
      a->opts.matrix = v ? json_loads(v, 0, NULL) : NULL;
      if (!json_is_object(a->opts.matrix))
        return usage_error("%s needs a JSON object", arg);
    } else if (arg[0] == '-' && arg[1] != 0) {
      return usage_error("run: unknown option %s", arg);
    } else if (a->config) {
      return usage_error("run: more than one config (%s)", arg);
    } else {
      a->config = arg;
    }
  }
  if (a->config && a->repro)
    return usage_error("run: a CONFIG (%s) or --repro, not both", a->config);
  if (!a->config && !a->repro)
    return usage_error("run: missing CONFIG.json%s", "");
  return -1;
}

static int load_config(const run_args *a, gctb_config *cfg) {
  char err[1024];
  json_t *root = a->repro ? gctb_repro_config(a->repro, stderr, err, sizeof err)
                          : gctb_config_read_file(a->config, err, sizeof err);
  if (!root) {
    fprintf(stderr, "config error: %s\n", err);
    return GCTB_EXIT_USAGE;
  }
  bool ok = true;
  for (size_t i = 0; ok && i < a->nsets; i++)
    ok = gctb_config_set(root, a->sets[i], err, sizeof err);
  ok = ok && gctb_config_load_json(root, cfg, err, sizeof err);
  json_decref(root);
  if (!ok) {
    fprintf(stderr, "config error: %s\n", err);
    return GCTB_EXIT_USAGE;
  }
  return -1;
}

static int cmd_run(int argc, char **argv) {
  run_args a = {.sets = calloc((size_t)argc, sizeof(char *))};
  gctb_config cfg;
  int rc = parse_run_args(argc, argv, &a);
  if (rc < 0)
    rc = load_config(&a, &cfg);
  if (rc < 0) {
    rc = gctb_run_config(&cfg, &a.opts);
    gctb_config_free(&cfg);
  }
  json_decref(a.opts.matrix);
  free(a.sets);
  return rc;
}

/* ---- gctb list / version / help ---- */

static int no_args(int argc, char **argv) {
  if (argc > 1)
    return usage_error("%s takes no arguments", argv[0]);
  return -1;
}

static int cmd_list(int argc, char **argv) {
  int rc = no_args(argc, argv);
  if (rc >= 0)
    return rc;
  gctb_list_print(stdout);
  return GCTB_EXIT_OK;
}

static int cmd_version(int argc, char **argv) {
  int rc = no_args(argc, argv);
  if (rc >= 0)
    return rc;
  printf("%s\n", gctb_version());
  return GCTB_EXIT_OK;
}

static void print_usage(FILE *f);

static void print_command_help(const command *c) {
  printf("usage: gctb %s\n\n%s", c->synopsis, c->help);
}

static int cmd_help(int argc, char **argv) {
  if (argc == 1) {
    print_usage(stdout);
    return GCTB_EXIT_OK;
  }
  const command *c = find_command(argv[1]);
  if (!c || argc > 2)
    return usage_error("help: unknown command %s", argv[1]);
  print_command_help(c);
  return GCTB_EXIT_OK;
}

static const command commands[] = {
    {"run",
     "run CONFIG.json|--repro RECORD.jsonl[:LINE] [--out FILE]\n"
     "           [--set KEY=VALUE]... [--quiet] [--trace FILE]",
     "Runs one config (a JSON file, or - for stdin; see docs/config.md),\n"
     "prints a summary and appends one JSON result record (one line) to\n"
     "FILE, or to a new file <UTC time>-<policy>-<workload>.jsonl in the\n"
     "results directory.\n"
     "\n"
     "  -o, --out FILE       append the record to FILE\n"
     "  --results-dir DIR    the results directory (default\n"
     "                       $GCTB_RESULTS_DIR, else ./results)\n"
     "  --repro RECORD.jsonl[:LINE]\n"
     "                       run the recorded run's exact config again (the\n"
     "                       record on LINE, or the file's only record) and\n"
     "                       say whether this build differs from its build\n"
     "  --set KEY=VALUE      override a config key before validation, e.g.\n"
     "                       --set policy.name=segfit --set heap.size=32M\n"
     "                       --set workload.params.threads=2 (VALUE is JSON,\n"
     "                       or a string if it does not parse as JSON)\n"
     "  -q, --quiet          no summary\n"
     "  --trace FILE         also write the run as a Chrome trace-event file\n"
     "                       (what `gctb trace` makes of the record; needs\n"
     "                       Python 3)\n"
     "  --minheap-cache FILE the measured minimum heaps heap.min_multiple\n"
     "                       reads (default $GCTB_MINHEAP_CACHE, else\n"
     "                       minheap.json in the results directory)\n"
     "\n"
     "Exit status: 0 ok, 1 a wrong value was found (workload or verifier)\n"
     "or the record could not be written, 2 bad usage or config, 3 out of\n"
     "memory, 128+N interrupted by signal N (SIGINT, SIGTERM: the record says\n"
     "\"interrupted\"; a second signal ends the run at once, unrecorded).\n",
     cmd_run},
    {"matrix",
     "matrix MATRIX.json [--out FILE] [--resume] [--dry-run] [--timeout S]\n"
     "           [--shard K/N] [--slurm [--shards N] [--partition P] [--time "
     "T]\n"
     "           [--sbatch-arg ARG]... [--no-submit] [--no-exclusive]]\n"
     "           [--status DIR [--shards N]]",
     "Runs an experiment matrix (docs/matrix.md): a base config, axes over\n"
     "dotted config keys and a number of invocations. Each run is a child\n"
     "`gctb run` with a timeout; every run appends one record to FILE\n"
     "(default <matrix>-<UTC time>.jsonl in the results directory), also a\n"
     "crashed, timed-out,\n"
     "out-of-memory or refused one. Runs go in an order shuffled with the\n"
     "matrix's seed. Heaps given as heap.min_multiple are measured first\n"
     "(gctb minheap) unless cached.\n"
     "\n"
     "  -o, --out FILE        the results file\n"
     "  --results-dir DIR     where FILE and shard directories go by default\n"
     "                        (default $GCTB_RESULTS_DIR, else ./results)\n"
     "  --resume              continue FILE: skip runs it already records\n"
     "                        (after an interruption or a kill -9)\n"
     "  -n, --dry-run         list the runs in order, done or pending\n"
     "  --timeout S           per-run limit in seconds (default: the\n"
     "                        matrix's \"timeout\", else 600)\n"
     "  --minheap-cache FILE  the minimum-heap cache to use and fill\n"
     "\n"
     "On a cluster (docs/cluster.md):\n"
     "  --shard K/N           run only shard K of N disjoint parts (balanced\n"
     "                        by the matrix's \"cost\"), into\n"
     "                        DIR/shard-K-of-N.jsonl; DIR is --out when it is\n"
     "                        a directory (or ends in /), else\n"
     "                        <results dir>/<matrix>-shards\n"
     "  --slurm               measure the minimum heaps, write DIR/job.sbatch\n"
     "                        (a job array, one task per shard) and submit it\n"
     "  --shards N            tasks (default: one per cell, at most 1000)\n"
     "  --partition P, --time T, --sbatch-arg ARG   passed to sbatch\n"
     "  --no-submit           only write the job script\n"
     "  --no-exclusive        share nodes (default: --exclusive, for timing)\n"
     "  --status DIR          per shard: done, running, pending, failed or\n"
     "                        missing (exit 0 only when all are done)\n"
     "\n"
     "Exit status: 0 every run recorded, 2 bad matrix or usage, 1 a record\n"
     "could not be written, 128+N interrupted by signal N (resumable).\n",
     gctb_matrix_main},
    {"merge", "merge DIR [--out FILE] [--matrix MATRIX.json] [--partial]",
     "Merges the shard files of a sharded matrix (DIR, from --shard or\n"
     "--slurm) into one results file, FILE (default DIR.jsonl), in run\n"
     "order. It refuses, naming the files and lines, when a run appears\n"
     "twice, a record is not a run of the matrix, the records come from\n"
     "more than one build commit, a line is cut short, or a run is missing.\n"
     "\n"
     "  -o, --out FILE        the merged file (replaced)\n"
     "  --matrix MATRIX.json  the matrix (default DIR/matrix.json)\n"
     "  --partial             allow missing runs (a study still running)\n"
     "\n"
     "Exit status: 0 merged, 1 refused, 2 bad usage.\n",
     gctb_merge_main},
    {"minheap",
     "minheap CONFIG.json [--set KEY=VALUE]... [--reference] [--force]\n"
     "           [--precision P] [--timeout S] [--max-multiple M] [--cache "
     "FILE]",
     "Finds the smallest heap in which CONFIG's workload completes under its\n"
     "policy: doubling from the declared live size until a run fits, then\n"
     "bisecting. Each probe is a child `gctb run`; out of memory, a refused\n"
     "heap, a crash or a timeout count as \"does not fit\". The result is\n"
     "cached (key: policy and options, workload and parameters, gc_threads,\n"
     "the build and the CPU count; an entry of another build is stale and is\n"
     "measured again). A result at the declared live size or just above a\n"
     "size the policy refuses is reported as a BOUND, not a measurement.\n"
     "\n"
     "  --reference        the reference minimum heap.min_multiple "
     "multiplies:\n"
     "                     the smallest of the own minima of the policies in\n"
     "                     heap.reference (default every policy)\n"
     "  --force            measure again even if cached\n"
     "  --precision P      stop within P x live size (default 0.01)\n"
     "  --timeout S        per probe (default 300; after a success at most\n"
     "                     20x the fastest successful probe, at least 5 s)\n"
     "  --max-multiple M   give up above M x live size (default 64)\n"
     "  --cache FILE       the cache (default $GCTB_MINHEAP_CACHE, else\n"
     "                     minheap.json in the results directory)\n"
     "  --results-dir DIR  the results directory (default $GCTB_RESULTS_DIR,\n"
     "                     else ./results)\n",
     gctb_minheap_main},
    {"plot", "plot RESULTS.jsonl|DIR... [--allow-mixed] [--out DIR]",
     "Draws the figures of docs/analysis.md from result records, as PNG and\n"
     "SVG in DIR (default RESULTS-plots/): mutator-observed delay and world\n"
     "pause CDFs, per-mutator MMU and BMU, the GC CPU share, time against\n"
     "heap size, throughput, lower-bound overhead, and request latency\n"
     "where a workload records it. Needs Python 3 with\n"
     "matplotlib (GCTB_PYTHON chooses the interpreter). A directory of\n"
     "shard files is read as `gctb merge --partial` checks it.\n",
     gctb_plot_main},
    {"report",
     "report RESULTS.jsonl|DIR... [--baseline POLICY] [--allow-mixed] [--out "
     "DIR] "
     "[--no-csv]",
     "Prints the numbers behind the figures as tables (per cell, first the\n"
     "delays each mutator saw, then world pauses, outcomes, times with 95%\n"
     "confidence intervals, per-mutator MMU and BMU, lower-bound overhead,\n"
     "latency; with --baseline, each policy's paired ratio to POLICY with a\n"
     "95% interval) and writes them as CSV files in DIR (default\n"
     "RESULTS-report/). Refuses records of different builds, machines or\n"
     "verify/stress settings unless --allow-mixed. Needs only Python 3's\n"
     "standard library. A directory of shard files is read as `gctb merge\n"
     "--partial` checks it.\n",
     gctb_report_main},
    {"trace", "trace RESULTS.jsonl [--run N] [--out FILE]",
     "Writes one run of RESULTS.jsonl (the last unless --run N: the Nth\n"
     "record, from 0; negative counts from the end) as a Chrome JSON\n"
     "trace-event file that Perfetto (ui.perfetto.dev) and chrome://tracing\n"
     "open: a track per mutator with its pauses, holds, stalls, paces and\n"
     "assists, the collector's cycles, pauses and concurrent phases, and\n"
     "counters for the heap in use, the live size and the allocation rate\n"
     "(docs/analysis.md, \"Timelines\"). FILE defaults to RESULTS-trace.json\n"
     "(RESULTS-runN-trace.json with --run). Needs only Python 3's standard\n"
     "library.\n",
     gctb_trace_main},
    {"list", "list",
     "Lists every policy (constraints and options) and every workload\n"
     "(parameters), with types, defaults and ranges.\n",
     cmd_list},
    {"version", "version",
     "Prints the commit and compiler gctb was built "
     "from.\n",
     cmd_version},
    {"help", "help [COMMAND]", "Shows help for gctb or for one command.\n",
     cmd_help},
};

static const command *find_command(const char *name) {
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (strcmp(commands[i].name, name) == 0)
      return &commands[i];
  return NULL;
}

static void print_usage(FILE *f) {
  fprintf(f, "gctb — a garbage-collection testbed\n\nusage:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(f, "  gctb %s\n", commands[i].synopsis);
  fprintf(f,
          "\nOption of every command:\n"
          "  --results-dir DIR  where records, matrix results and the\n"
          "                     minimum-heap cache go when no file is named\n"
          "                     (default $GCTB_RESULTS_DIR, else ./results)\n");
  fprintf(f, "\nRun `gctb help COMMAND` or `gctb COMMAND --help` for more.\n");
}

/* Takes --results-dir DIR (or =DIR) out of argv wherever it appears, before
 * or after the command, and applies it. Returns argc, or -1 on a missing
 * DIR. */
static int take_results_dir(int argc, char **argv) {
  int n = 1;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--results-dir") == 0) {
      if (i + 1 >= argc || !*argv[i + 1])
        return -1;
      gctb_set_results_dir(argv[++i]);
    } else if (strncmp(a, "--results-dir=", 14) == 0) {
      if (!a[14])
        return -1;
      gctb_set_results_dir(a + 14);
    } else {
      argv[n++] = argv[i];
    }
  }
  argv[n] = NULL;
  return n;
}

int main(int argc, char **argv) {
  argc = take_results_dir(argc, argv);
  if (argc < 0)
    return usage_error("--results-dir needs a DIR%s", "");
  if (argc < 2) {
    print_usage(stderr);
    return GCTB_EXIT_USAGE;
  }
  if (is_help(argv[1])) {
    print_usage(stdout);
    return GCTB_EXIT_OK;
  }
  if (strcmp(argv[1], "--version") == 0)
    return cmd_version(1, argv + 1);
  const command *c = find_command(argv[1]);
  if (!c)
    return usage_error(argv[1][0] == '-' ? "unknown option %s"
                                         : "unknown command %s",
                       argv[1]);
  for (int i = 2; i < argc; i++)
    if (is_help(argv[i])) {
      print_command_help(c);
      return GCTB_EXIT_OK;
    }
  return c->main(argc - 1, argv + 1);
}
