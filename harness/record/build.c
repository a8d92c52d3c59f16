/* build.c — which build produced a result: the commit and dirty flag read
 * at build time (cmake/buildinfo.cmake writes gctb_buildinfo.c), and every
 * build option that changes code paths. A record from a checked, sanitized
 * or specialised build, or from an edited tree, must not be pooled with one
 * from the plain build of a clean commit; the minimum-heap cache keys its
 * entries by the same options (minheap/cache.c). */
#include "harness/run/run.h"
#include <stdio.h>

#ifndef GCTB_COMPILER
#define GCTB_COMPILER "unknown"
#endif
#ifndef GCTB_CFLAGS
#define GCTB_CFLAGS ""
#endif
#ifndef GCTB_BUILD_TYPE
#define GCTB_BUILD_TYPE ""
#endif
#ifndef GCTB_SPECIALISE_NAME
#define GCTB_SPECIALISE_NAME ""
#endif

extern const char gctb_build_commit[];
extern const int gctb_build_dirty;
extern const char gctb_build_diff_hash[];

static bool sanitizer_address(void) {
#if defined(__SANITIZE_ADDRESS__)
  return true;
#else
  return false;
#endif
}

static bool sanitizer_thread(void) {
#if defined(__SANITIZE_THREAD__)
  return true;
#else
  return false;
#endif
}

static bool checked_build(void) {
#if defined(GCTB_CHECKED)
  return true;
#else
  return false;
#endif
}

json_t *gctb_build_key_json(void) {
  json_t *o = json_pack(
      "{s:s,s:b,s:s,s:s,s:s,s:b,s:b,s:b}", "commit", gctb_build_commit, "dirty",
      gctb_build_dirty, "diff_hash", gctb_build_diff_hash, "build_type",
      GCTB_BUILD_TYPE, "specialise", GCTB_SPECIALISE_NAME, "checked",
      checked_build(), "asan", sanitizer_address(), "tsan", sanitizer_thread());
  return o;
}

json_t *gctb_build_json(void) {
  json_t *o = gctb_build_key_json();
  json_object_set_new(o, "compiler", json_string(GCTB_COMPILER));
  json_object_set_new(o, "cflags", json_string(GCTB_CFLAGS));
  return o;
}

const char *gctb_version(void) {
  static char buf[160];
  if (!buf[0])
    snprintf(buf, sizeof buf, "gctb %.12s%s (%s)", gctb_build_commit,
             gctb_build_dirty ? "-dirty" : "", GCTB_COMPILER);
  return buf;
}
