/* Reading results files: the matrix's store reader (resume, collect;
 * harness/matrix/store.c) and `gctb run --repro` (harness/run/repro.c), which
 * must turn any record's config into a config or a message. */
#include "fuzz.h"
#include "harness/config/config.h"
#include "harness/matrix/matrix.h"
#include "harness/run/repro.h"
#include <fcntl.h>

static void count(json_t *rec, void *ctx) {
  (void)rec;
  ++*(size_t *)ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = fuzz_file("results", data, size);
  size_t n = 0, bad = 0;
  int64_t end = 0;
  int fd = open(path, O_RDONLY);
  if (fd < 0)
    abort();
  gctb_store_read(fd, count, &n, &bad, &end);
  close(fd);

  char spec[160], err[1024];
  static FILE *devnull;
  if (!devnull)
    devnull = fopen("/dev/null", "w");
  snprintf(spec, sizeof spec, "%s:1", path);
  json_t *config = gctb_repro_config(spec, devnull, err, sizeof err);
  gctb_config cfg;
  if (config && gctb_config_load_json(config, &cfg, err, sizeof err))
    gctb_config_free(&cfg);
  json_decref(config);
  return 0;
}
