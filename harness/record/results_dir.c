/* results_dir.c — the default place for results (results_dir.h). The
 * current directory is only the last resort: a run started from a build
 * folder or a script's working directory should not scatter results/
 * folders (and stray records) through the tree. */
#include "harness/record/results_dir.h"
#include "heap/util.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *gctb_results_dir(void) {
  const char *env = getenv(GCTB_RESULTS_ENV);
  return env && *env ? env : GCTB_RESULTS_DEFAULT;
}

void gctb_set_results_dir(const char *dir) { setenv(GCTB_RESULTS_ENV, dir, 1); }

bool gctb_mkdir_p(const char *dir, char *err, size_t errlen) {
  char *path = strdup(dir);
  if (!path)
    return gc_errorf(err, errlen, "cannot create %s: out of memory", dir);
  for (char *p = path + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = 0;
    if (mkdir(path, 0777) != 0 && errno != EEXIST) {
      int e = errno;
      gc_errorf(err, errlen, "cannot create %s: %s", path, strerror(e));
      free(path);
      errno = e; /* callers that report errno see the real reason */
      return false;
    }
    *p = '/';
  }
  bool ok = mkdir(path, 0777) == 0 || errno == EEXIST;
  int e = errno;
  if (!ok)
    gc_errorf(err, errlen, "cannot create %s: %s", path, strerror(e));
  free(path);
  errno = e;
  return ok;
}
