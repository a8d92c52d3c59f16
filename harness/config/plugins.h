/* plugins.h — workloads that are not in gctb's registry: loaded from a
 * shared object named by the config (workloads/plugin.h, plugins.c), or
 * declared by a program that embeds gctb (embed.c). config.c finds them. */
#ifndef GCTB_HARNESS_PLUGINS_H
#define GCTB_HARNESS_PLUGINS_H

#include "workloads/workload.h"
#include <stdbool.h>
#include <stddef.h>

/* The workload of the plugin at path, loaded once per process; its
 * absolute path in *real (owned by plugins.c). NULL with a message naming
 * "workload.plugin" when the object cannot be loaded, was built against
 * other gctb headers, or declares an invalid workload. */
const gc_workload *gctb_plugin_load(const char *path, const char **real,
                                    char *err, size_t errlen);

/* Checks a workload declaration from outside the tree: a name, the two
 * functions (run may be NULL when allow_no_run: an embedding program runs
 * its own code), and parameters whose defaults are valid values. */
bool gctb_workload_check(const gc_workload *w, bool allow_no_run,
                         const char *where, char *err, size_t errlen);

/* The workload an embedding program declared (embed.c), by name; NULL if
 * none or another name. */
const gc_workload *gctb_embedded_workload_find(const char *name);

#endif
