/* command.c — `gctb minheap CONFIG.json [--set K=V]... [options]`:
 * the command around gctb_minheap_find (minheap.h). */
#include "harness/matrix/matrix.h"
#include "harness/minheap/minheap.h"
#include "harness/run/run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct minheap_args {
  const char *config;
  const char **sets;
  size_t nsets;
  gctb_minheap_opts o;
  bool reference; /* the reference minimum, not the policy's own */
} minheap_args;

static int usage(const char *msg, const char *arg) {
  fprintf(stderr, "gctb minheap: ");
  fprintf(stderr, msg, arg);
  fprintf(stderr, "\n(see gctb help minheap)\n");
  return GCTB_EXIT_USAGE;
}

static int parse_number_flag(int argc, char **argv, int *i, minheap_args *a) {
  const char *arg = argv[*i];
  double *out = gctb_arg_is(arg, "--precision")      ? &a->o.precision
                : gctb_arg_is(arg, "--timeout")      ? &a->o.timeout_s
                : gctb_arg_is(arg, "--max-multiple") ? &a->o.max_multiple
                                                     : NULL;
  char flag[32];
  snprintf(flag, sizeof flag, "%.*s", (int)strcspn(arg, "="), arg);
  if (!out)
    return usage("unknown option %s", arg);
  if (!gctb_arg_number(argc, argv, i, flag, out) || !(*out > 0))
    return usage("%s needs a positive number", flag);
  return -1;
}

static int parse(int argc, char **argv, minheap_args *a) {
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i], *v;
    if (gctb_arg_is(arg, "--set")) {
      if (!(a->sets[a->nsets++] = gctb_arg_value(argc, argv, &i, "--set")))
        return usage("%s needs KEY=VALUE", arg);
    } else if (gctb_arg_is(arg, "--cache") ||
               gctb_arg_is(arg, "--minheap-cache")) {
      const char *flag = arg[2] == 'c' ? "--cache" : "--minheap-cache";
      if (!(v = gctb_arg_value(argc, argv, &i, flag)))
        return usage("%s needs a FILE", arg);
      gctb_minheap_set_cache(v);
    } else if (strcmp(arg, "--reference") == 0) {
      a->reference = true;
    } else if (strcmp(arg, "--force") == 0) {
      a->o.force = true;
    } else if (strcmp(arg, "--quiet") == 0 || strcmp(arg, "-q") == 0) {
      a->o.quiet = true;
    } else if (arg[0] == '-' && arg[1]) {
      int rc = parse_number_flag(argc, argv, &i, a);
      if (rc >= 0)
        return rc;
    } else if (a->config) {
      return usage("more than one config (%s)", arg);
    } else {
      a->config = arg;
    }
  }
  return a->config ? -1 : usage("missing CONFIG.json%s", "");
}

static json_t *load(const minheap_args *a) {
  char err[1024];
  json_t *root = gctb_config_read_file(a->config, err, sizeof err);
  for (size_t i = 0; root && i < a->nsets; i++)
    if (!gctb_config_set(root, a->sets[i], err, sizeof err)) {
      json_decref(root);
      root = NULL;
    }
  if (!root)
    fprintf(stderr, "config error: %s\n", err);
  return root;
}

/* " (a bound: ...)" when the cached result is a floor, not a measurement. */
static const char *bound_note(const json_t *root, bool reference) {
  char err[256];
  gctb_config cfg;
  const char *note = "";
  json_t *c = gctb_minheap_probe_config(root, &cfg, err, sizeof err), *e;
  if (!c)
    return note;
  json_t *key = reference ? gctb_minheap_ref_key(&cfg) : gctb_minheap_key(&cfg);
  if (gctb_minheap_lookup(key, &e, NULL, 0) == GCTB_MINHEAP_FRESH &&
      json_is_true(json_object_get(e, "bound"))) {
    const char *kind = json_string_value(json_object_get(e, "bound_kind"));
    note = kind && strcmp(kind, "live") == 0
               ? " (a BOUND, not a measurement: it completes at the declared "
                 "live size)"
               : " (a BOUND, not a measurement: the policy refuses any "
                 "smaller heap)";
  }
  json_decref(e);
  json_decref(key);
  json_decref(c);
  gctb_config_free(&cfg);
  return note;
}

int gctb_minheap_main(int argc, char **argv) {
  minheap_args a = {.sets = calloc((size_t)argc, sizeof(char *))};
  gctb_minheap_opts_default(&a.o);
  int rc = parse(argc, argv, &a);
  json_t *root = rc < 0 ? load(&a) : NULL;
  if (rc < 0 && !root)
    rc = GCTB_EXIT_USAGE;
  if (rc < 0) {
    char err[2048], size[32];
    uint64_t bytes;
    rc = a.reference
             ? gctb_minheap_find_reference(root, &a.o, &bytes, err, sizeof err)
             : gctb_minheap_find(root, &a.o, &bytes, err, sizeof err);
    if (rc == GCTB_EXIT_OK) {
      gctb_format_size(bytes, size, sizeof size);
      printf("%s minimum heap: %s (%llu bytes)%s, cached in %s\n",
             a.reference ? "reference" : "policy", size,
             (unsigned long long)bytes, bound_note(root, a.reference),
             gctb_minheap_cache_path());
    } else {
      fprintf(stderr, "%s%s\n",
              rc == GCTB_EXIT_USAGE ? "config error: " : "gctb: ", err);
    }
  }
  json_decref(root);
  free(a.sets);
  return rc;
}
