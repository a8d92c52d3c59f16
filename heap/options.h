/* options.h — declared, typed, range-checked options.
 *
 * Policies declare their options and workloads their parameters as a table of
 * gc_option_spec; a JSON object from the config is validated against the
 * table (unknown key, wrong type, out of range, bad enum value) and turned
 * into a gc_options value array. Every value has a default.
 */
#ifndef GCTB_OPTIONS_H
#define GCTB_OPTIONS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum gc_option_type {
  GC_OPT_INT,    /* integer in [min, max] */
  GC_OPT_SIZE,   /* bytes: integer or string with K/M/G suffix */
  GC_OPT_DOUBLE, /* number in [min, max] */
  GC_OPT_BOOL,
  GC_OPT_ENUM /* one of the strings in choices */
} gc_option_type;

typedef struct gc_option_spec {
  const char *name;
  gc_option_type type;
  const char *doc;
  double def;                 /* default (index into choices for ENUM) */
  double min, max;            /* range for INT, SIZE, DOUBLE */
  const char *const *choices; /* NULL-terminated, for ENUM */
} gc_option_spec;

#define GC_OPTIONS_MAX 32

/* Parsed values, indexed like the spec table. */
typedef struct gc_options {
  const gc_option_spec *spec;
  size_t n;
  double value[GC_OPTIONS_MAX];
  bool given[GC_OPTIONS_MAX];
} gc_options;

/* Number of entries in a spec table terminated by a zeroed entry. */
size_t gc_option_count(const gc_option_spec *spec);

/* Fills opts with defaults, then applies obj (may be NULL). On error writes a
 * message naming the key (prefixed by where, e.g. "policy.options") into err
 * and returns false. */
bool gc_options_parse(gc_options *opts, const gc_option_spec *spec,
                      const json_t *obj, const char *where, char *err,
                      size_t errlen);

/* Lookup by name; aborts on a name the spec does not declare (a bug). */
int64_t gc_opt_int(const gc_options *o, const char *name);
double gc_opt_double(const gc_options *o, const char *name);
bool gc_opt_bool(const gc_options *o, const char *name);
const char *gc_opt_enum(const gc_options *o, const char *name);

/* The effective values as a JSON object (for result records). */
json_t *gc_options_to_json(const gc_options *o);

/* Parses "64M", "1.5G", 4096 ... into bytes. */
bool gc_parse_size(const json_t *v, uint64_t *out);
bool gc_parse_size_string(const char *s, uint64_t *out);

/* One line per option: name, type, default, range, doc (for `gctb list`). */
void gc_options_describe(const gc_option_spec *spec, const char *indent,
                         void *file);

#endif
