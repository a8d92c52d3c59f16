/* The minimum-heap cache reader (harness/minheap/cache.c): the input is
 * the cache file; a lookup reads it, and a config whose heap is a
 * min_multiple resolves its heap size through it (harness/config/config.c). */
#include "fuzz.h"
#include "harness/config/config.h"
#include "harness/minheap/minheap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  gctb_minheap_set_cache(fuzz_file("minheap", data, size));
  char err[1024];
  gctb_config cfg;
  /* tests/e2e/gcbench-small.json's run, as in the seed corpus's cache. */
  json_t *root =
      json_pack("{s:{s:s},s:{s:s,s:{s:i,s:i,s:i,s:i,s:i,s:i}},s:{s:f},s:i}",
                "policy", "name", "segfit", "workload", "name", "gcbench",
                "params", "stretch_depth", 13, "long_lived_depth", 11,
                "array_size", 20000, "min_depth", 4, "max_depth", 10,
                "depth_step", 2, "heap", "min_multiple", 2.0, "gc_threads", 2);
  if (gctb_config_load_json(root, &cfg, err, sizeof err)) {
    uint64_t bytes;
    json_t *key = gctb_minheap_key(&cfg);
    gctb_minheap_lookup_bytes(key, &bytes);
    json_t *entry = NULL;
    char why[256];
    gctb_minheap_lookup(key, &entry, why, sizeof why);
    json_decref(entry);
    json_decref(key);
    gctb_config_free(&cfg);
  }
  json_decref(root);
  return 0;
}
