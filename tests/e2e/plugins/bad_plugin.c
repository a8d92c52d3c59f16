/* bad_plugin.c — workload plugins that gctb must refuse with exit 2 and a
 * message (tests/e2e/plugins.cmake builds one shared object per BAD_*):
 *   BAD_ABI        built against "other headers": a different layout record
 *   BAD_DEFAULT    a parameter whose default is outside its own range
 *   BAD_NAME       the name of a built-in workload
 *   BAD_NOT_PLUGIN a shared object without the plugin symbols
 * Without any, a good plugin: a trivial workload with one parameter. */
#include "workloads/plugin.h"

#ifndef BAD_NOT_PLUGIN
static const gc_option_spec params[] = {
#ifdef BAD_DEFAULT
    {"n", GC_OPT_INT, "a count", 50, 1, 10, NULL},
#else
    {"n", GC_OPT_INT, "a count", 5, 1, 10, NULL},
#endif
    {0}};

static uint64_t live_bytes(const gc_options *p, unsigned hdr_words) {
  return 0;
}

static void run(gc_workload_ctx *ctx) {
  gc_mutator *m = gc_attach(ctx->heap);
  gc_detach(m);
  json_object_set_new(ctx->metrics, "n",
                      json_integer(gc_opt_int(ctx->params, "n")));
}

static const gc_workload w = {
#ifdef BAD_NAME
    .name = "gcbench",
#else
    .name = "tiny-plugin",
#endif
    .params = params,
    .live_bytes = live_bytes,
    .run = run};

#ifdef BAD_ABI
const gctb_plugin_abi_info gctb_plugin_abi = {GCTB_PLUGIN_ABI + 1};
const gc_workload *gctb_plugin_workload(void) { return &w; }
#else
GCTB_WORKLOAD_PLUGIN(w)
#endif
#else
int not_a_plugin(void) { return 0; }
#endif
