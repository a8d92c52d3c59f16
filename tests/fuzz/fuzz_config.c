/* The config loader: any bytes that parse as JSON are validated as a run
 * config (harness/config/config.c) and, when valid, written back as the effective
 * config, which must load again. */
#include "fuzz.h"
#include "harness/config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char err[1024];
  gctb_config cfg;
  json_t *root = json_loadb((const char *)data, size, 0, NULL);
  if (root && gctb_config_load_json(root, &cfg, err, sizeof err)) {
    json_t *eff = gctb_config_to_json(&cfg);
    gctb_config_free(&cfg);
    if (!gctb_config_load_json(eff, &cfg, err, sizeof err)) {
      fprintf(stderr, "the effective config does not load again: %s\n", err);
      abort();
    }
    gctb_config_free(&cfg);
    json_decref(eff);
  }
  json_decref(root);
  return 0;
}
