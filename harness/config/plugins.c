/* plugins.c — loading workload plugins (workloads/plugin.h) and checking
 * declarations that come from outside the tree. A plugin stays loaded for
 * the life of the process: its workload's functions and strings are used
 * up to the record. */
#include "harness/config/plugins.h"
#include "heap/util.h"
#include "workloads/plugin.h"
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PLUGINS 16

static struct {
  char *path; /* realpath */
  const gc_workload *w;
} loaded[MAX_PLUGINS];
static size_t nloaded;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static bool check_param(const gc_option_spec *s, const char *where, char *err,
                        size_t errlen) {
  size_t nchoices = 0;
  switch (s->type) {
  case GC_OPT_INT:
  case GC_OPT_SIZE:
  case GC_OPT_DOUBLE:
    if (s->min < s->max && !(s->def >= s->min && s->def <= s->max))
      return gc_errorf(err, errlen,
                       "%s: parameter \"%s\": default %g is outside its "
                       "range [%g, %g]",
                       where, s->name, s->def, s->min, s->max);
    return true;
  case GC_OPT_BOOL:
    if (s->def != 0 && s->def != 1)
      return gc_errorf(err, errlen,
                       "%s: parameter \"%s\": a boolean's default must be 0 "
                       "or 1",
                       where, s->name);
    return true;
  case GC_OPT_ENUM:
    while (s->choices && s->choices[nchoices])
      nchoices++;
    if (!nchoices || s->def < 0 || s->def >= (double)nchoices ||
        s->def != (double)(size_t)s->def)
      return gc_errorf(err, errlen,
                       "%s: parameter \"%s\": an enum needs choices and a "
                       "default that indexes one",
                       where, s->name);
    return true;
  }
  return gc_errorf(err, errlen, "%s: parameter \"%s\": unknown type %d", where,
                   s->name, (int)s->type);
}

bool gctb_workload_check(const gc_workload *w, bool allow_no_run,
                         const char *where, char *err, size_t errlen) {
  if (!w || !w->name || !*w->name)
    return gc_errorf(err, errlen, "%s: the workload has no name", where);
  if (!w->live_bytes || (!w->run && !allow_no_run))
    return gc_errorf(
        err, errlen, "%s: workload \"%s\" lacks %s", where, w->name,
        w->live_bytes ? "a run function" : "a live_bytes function");
  if (gc_workload_find(w->name))
    return gc_errorf(err, errlen,
                     "%s: workload \"%s\" has the name of a built-in "
                     "workload; give it another",
                     where, w->name);
  size_t n = w->params ? gc_option_count(w->params) : 0;
  if (n > GC_OPTIONS_MAX)
    return gc_errorf(err, errlen, "%s: %zu parameters, at most %d", where, n,
                     GC_OPTIONS_MAX);
  for (size_t i = 0; i < n; i++) {
    for (size_t j = 0; j < i; j++)
      if (strcmp(w->params[i].name, w->params[j].name) == 0)
        return gc_errorf(err, errlen, "%s: parameter \"%s\" declared twice",
                         where, w->params[i].name);
    if (!check_param(&w->params[i], where, err, errlen))
      return false;
  }
  return true;
}

static bool same_layout(const gctb_plugin_abi_info *a) {
  const gctb_plugin_abi_info mine = GCTB_PLUGIN_ABI_INFO;
  return memcmp(a, &mine, sizeof mine) == 0;
}

/* dlopen and check; NULL with a message. */
static const gc_workload *open_plugin(const char *real, const char *path,
                                      char *err, size_t errlen) {
  dlerror();
  void *h = dlopen(real, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    gc_errorf(err, errlen, "workload.plugin: cannot load %s: %s", path,
              dlerror());
    return NULL;
  }
  const gctb_plugin_abi_info *abi = dlsym(h, "gctb_plugin_abi");
  const gc_workload *(*get)(void) =
      (const gc_workload *(*)(void))dlsym(h, "gctb_plugin_workload");
  const gc_workload *w = NULL;
  if (!abi || !get)
    gc_errorf(err, errlen,
              "workload.plugin: %s is not a gctb workload plugin (it does "
              "not use GCTB_WORKLOAD_PLUGIN from gctb/plugin.h)",
              path);
  else if (!same_layout(abi))
    gc_errorf(err, errlen,
              "workload.plugin: %s was built against other gctb headers "
              "(plugin interface %u, this gctb %u, or different structure "
              "layouts); rebuild it against this gctb",
              path, abi->abi, GCTB_PLUGIN_ABI);
  else if (gctb_workload_check(w = get(), false, "workload.plugin", err,
                               errlen))
    return w;
  dlclose(h);
  return NULL;
}

const gc_workload *gctb_plugin_load(const char *path, const char **real_out,
                                    char *err, size_t errlen) {
  char real[PATH_MAX];
  if (!realpath(path, real)) {
    gc_errorf(err, errlen, "workload.plugin: cannot find %s: %s", path,
              strerror(errno));
    return NULL;
  }
  const gc_workload *w = NULL;
  pthread_mutex_lock(&lock);
  for (size_t i = 0; i < nloaded && !w; i++)
    if (strcmp(loaded[i].path, real) == 0) {
      w = loaded[i].w;
      *real_out = loaded[i].path;
    }
  if (!w && nloaded == MAX_PLUGINS)
    gc_errorf(err, errlen, "workload.plugin: more than %d plugins loaded",
              MAX_PLUGINS);
  else if (!w && (w = open_plugin(real, path, err, errlen))) {
    loaded[nloaded].path = strdup(real);
    loaded[nloaded].w = w;
    *real_out = loaded[nloaded++].path;
  }
  pthread_mutex_unlock(&lock);
  return w;
}
