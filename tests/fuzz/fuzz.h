/* fuzz.h — what the libFuzzer targets share (tests/fuzz/README.md). Each
 * target is one LLVMFuzzerTestOneInput over one loader; a crash, a
 * sanitizer report, a leak or a hang is a finding. */
#ifndef GCTB_FUZZ_H
#define GCTB_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a NUL-terminated string (caller frees). */
static inline char *fuzz_cstr(const uint8_t *data, size_t size) {
  char *s = malloc(size + 1);
  memcpy(s, data, size);
  s[size] = 0;
  return s;
}

/* The input as a file of this process (the same path each time; the
 * loaders under test read files). */
static inline const char *fuzz_file(const char *what, const uint8_t *data,
                                    size_t size) {
  static char path[128];
  snprintf(path, sizeof path, "/tmp/gctb-fuzz-%s-%ld", what, (long)getpid());
  FILE *f = fopen(path, "wb");
  if (!f)
    abort();
  fwrite(data, 1, size, f);
  fclose(f);
  return path;
}

#endif
