/* args.c — command-line helpers shared by the matrix, minheap, plot
 * and report commands (matrix.h). */
#include "harness/matrix/matrix.h"
#include <stdlib.h>
#include <string.h>

bool gctb_arg_is(const char *arg, const char *flag) {
  size_t n = strlen(flag);
  return strncmp(arg, flag, n) == 0 && (arg[n] == 0 || arg[n] == '=');
}

const char *gctb_arg_value(int argc, char **argv, int *i, const char *flag) {
  size_t n = strlen(flag);
  if (strncmp(argv[*i], flag, n) == 0 && argv[*i][n] == '=')
    return argv[*i] + n + 1;
  if (*i + 1 >= argc)
    return NULL;
  return argv[++*i];
}

bool gctb_arg_number(int argc, char **argv, int *i, const char *flag,
                     double *out) {
  const char *v = gctb_arg_value(argc, argv, i, flag);
  char *end;
  if (!v || !*v)
    return false;
  *out = strtod(v, &end);
  return *end == 0;
}
