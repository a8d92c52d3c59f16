/* plugin.h — a workload from outside gctb's tree, as a shared object.
 *
 * `gctb run` (and so `gctb matrix` and `gctb minheap`) loads it when a
 * config names it:
 *
 *   "workload": {"plugin": "path/to/libmywl.so", "params": {"n": 3}}
 *
 * The object defines one gc_workload (workload.h: a name, its parameters
 * declared as gc_option_spec with types, defaults and ranges, its maximum
 * live size, and a run function that attaches its own mutators) and exports
 * it with GCTB_WORKLOAD_PLUGIN. gctb checks the declaration when it loads
 * the object and then validates the config's params against it exactly as
 * it validates a built-in workload's: an unknown key, a wrong type or a
 * value out of range ends the run with exit 2 and a message naming the key.
 *
 * Build it against gctb's headers alone, without linking libgctb:
 *
 *   cc -shared -fPIC $(pkg-config --cflags gctb) mywl.c -o libmywl.so
 *
 * The gctb functions it calls are those of the gctb executable that loads
 * it (which exports them), so both must come from the same gctb: the
 * loader compares the layouts of the structures the inline fast paths
 * read and refuses an object built against other headers. See
 * examples/plugin_workload.c and docs/workloads/README.md, "Plugins".
 */
#ifndef GCTB_PLUGIN_H
#define GCTB_PLUGIN_H

#include "workload.h"
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped when the plugin interface changes in a way sizes do not show. */
#define GCTB_PLUGIN_ABI 1

typedef struct gctb_plugin_abi_info {
  unsigned abi;
  size_t mutator_size, type_size, ctx_size, workload_size, option_spec_size;
  size_t options_size;
} gctb_plugin_abi_info;

#define GCTB_PLUGIN_ABI_INFO                                                   \
  {                                                                            \
    GCTB_PLUGIN_ABI, sizeof(gc_mutator), sizeof(gc_type),                      \
        sizeof(gc_workload_ctx), sizeof(gc_workload), sizeof(gc_option_spec),  \
        sizeof(gc_options)                                                     \
  }

/* Exports workload w (a gc_workload defined in the plugin) and the layout
 * it was compiled with. Use once, at file scope. */
#define GCTB_WORKLOAD_PLUGIN(w)                                                \
  const gctb_plugin_abi_info gctb_plugin_abi = GCTB_PLUGIN_ABI_INFO;           \
  const gc_workload *gctb_plugin_workload(void) { return &(w); }

#ifdef __cplusplus
}
#endif
#endif /* GCTB_PLUGIN_H */
