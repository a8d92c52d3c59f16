/* options.c — validating JSON option objects against declared specs. */
#include "options.h"
#include "util.h"
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t gc_option_count(const gc_option_spec *spec) {
  size_t n = 0;
  while (spec && spec[n].name)
    n++;
  return n;
}

bool gc_parse_size_string(const char *s, uint64_t *out) {
  char *end;
  double v = strtod(s, &end);
  if (end == s || v < 0 || !isfinite(v))
    return false;
  double mult = 1;
  switch (toupper((unsigned char)*end)) {
  case 'K':
    mult = 1024.0;
    end++;
    break;
  case 'M':
    mult = 1024.0 * 1024;
    end++;
    break;
  case 'G':
    mult = 1024.0 * 1024 * 1024;
    end++;
    break;
  case 'T':
    mult = 1024.0 * 1024 * 1024 * 1024;
    end++;
    break;
  default:
    break;
  }
  if (*end == 'i' || *end == 'I')
    end++;
  if (*end == 'B' || *end == 'b')
    end++;
  if (*end != '\0' || v * mult > 9.0e18)
    return false;
  *out = (uint64_t)(v * mult);
  return true;
}

bool gc_parse_size(const json_t *v, uint64_t *out) {
  if (json_is_integer(v) && json_integer_value(v) >= 0) {
    *out = (uint64_t)json_integer_value(v);
    return true;
  }
  if (json_is_string(v))
    return gc_parse_size_string(json_string_value(v), out);
  return false;
}

static const char *json_kind(const json_t *v) {
  switch (json_typeof(v)) {
  case JSON_OBJECT:
    return "object";
  case JSON_ARRAY:
    return "array";
  case JSON_STRING:
    return "string";
  case JSON_INTEGER:
    return "integer";
  case JSON_REAL:
    return "number";
  case JSON_TRUE:
  case JSON_FALSE:
    return "boolean";
  default:
    return "null";
  }
}

/* What the user wrote, for "expected X, got Y": the kind, and the value of
 * strings and numbers. */
static const char *got(const json_t *v, char *buf, size_t len) {
  if (json_is_string(v))
    snprintf(buf, len, "string \"%s\"", json_string_value(v));
  else if (json_is_number(v))
    snprintf(buf, len, "%s %g", json_kind(v), json_number_value(v));
  else
    snprintf(buf, len, "%s", json_kind(v));
  return buf;
}

static bool in_range(const gc_option_spec *s, double v) {
  return !(s->min < s->max) || (v >= s->min && v <= s->max);
}

static bool parse_one(const gc_option_spec *s, const json_t *v, double *out,
                      const char *where, char *err, size_t errlen) {
  uint64_t size;
  char buf[96];
  switch (s->type) {
  case GC_OPT_INT:
    if (!json_is_integer(v))
      return gc_errorf(err, errlen, "%s.%s: expected an integer, got %s", where,
                       s->name, got(v, buf, sizeof buf));
    *out = (double)json_integer_value(v);
    break;
  case GC_OPT_SIZE:
    if (!gc_parse_size(v, &size))
      return gc_errorf(
          err, errlen,
          "%s.%s: expected a size (bytes, or a string like \"64M\"), "
          "got %s",
          where, s->name, got(v, buf, sizeof buf));
    *out = (double)size;
    break;
  case GC_OPT_DOUBLE:
    if (!json_is_number(v))
      return gc_errorf(err, errlen, "%s.%s: expected a number, got %s", where,
                       s->name, got(v, buf, sizeof buf));
    *out = json_number_value(v);
    break;
  case GC_OPT_BOOL:
    if (!json_is_boolean(v))
      return gc_errorf(err, errlen, "%s.%s: expected true or false, got %s",
                       where, s->name, got(v, buf, sizeof buf));
    *out = json_is_true(v);
    return true;
  case GC_OPT_ENUM:
    if (json_is_string(v))
      for (size_t i = 0; s->choices[i]; i++)
        if (strcmp(s->choices[i], json_string_value(v)) == 0) {
          *out = (double)i;
          return true;
        }
    {
      char choices[256] = "";
      for (size_t i = 0; s->choices[i]; i++) {
        strncat(choices, i ? ", " : "", sizeof choices - strlen(choices) - 1);
        strncat(choices, s->choices[i], sizeof choices - strlen(choices) - 1);
      }
      return gc_errorf(err, errlen, "%s.%s: expected one of %s", where, s->name,
                       choices);
    }
  }
  if (!in_range(s, *out))
    return gc_errorf(err, errlen, "%s.%s: %g is out of range [%g, %g]", where,
                     s->name, *out, s->min, s->max);
  return true;
}

bool gc_options_parse(gc_options *opts, const gc_option_spec *spec,
                      const json_t *obj, const char *where, char *err,
                      size_t errlen) {
  memset(opts, 0, sizeof *opts);
  opts->spec = spec;
  opts->n = gc_option_count(spec);
  if (opts->n > GC_OPTIONS_MAX)
    return gc_errorf(err, errlen, "%s: too many declared options", where);
  for (size_t i = 0; i < opts->n; i++)
    opts->value[i] = spec[i].def;
  if (!obj || json_is_null(obj))
    return true;
  if (!json_is_object(obj))
    return gc_errorf(err, errlen, "%s: expected an object, got %s", where,
                     json_kind(obj));
  const char *key;
  json_t *v;
  json_object_foreach((json_t *)obj, key, v) {
    size_t i = 0;
    while (i < opts->n && strcmp(spec[i].name, key) != 0)
      i++;
    if (i == opts->n) {
      char known[512] = "";
      for (size_t j = 0; j < opts->n; j++) {
        strncat(known, j ? ", " : "", sizeof known - strlen(known) - 1);
        strncat(known, spec[j].name, sizeof known - strlen(known) - 1);
      }
      return gc_errorf(err, errlen, "unknown key \"%s.%s\" (known: %s)", where,
                       key, opts->n ? known : "none");
    }
    if (!parse_one(&spec[i], v, &opts->value[i], where, err, errlen))
      return false;
    opts->given[i] = true;
  }
  return true;
}

static size_t index_of(const gc_options *o, const char *name) {
  for (size_t i = 0; i < o->n; i++)
    if (strcmp(o->spec[i].name, name) == 0)
      return i;
  fprintf(stderr, "gctb: bug: option \"%s\" is not declared\n", name);
  abort();
}

int64_t gc_opt_int(const gc_options *o, const char *name) {
  return (int64_t)o->value[index_of(o, name)];
}
double gc_opt_double(const gc_options *o, const char *name) {
  return o->value[index_of(o, name)];
}
bool gc_opt_bool(const gc_options *o, const char *name) {
  return o->value[index_of(o, name)] != 0;
}
const char *gc_opt_enum(const gc_options *o, const char *name) {
  size_t i = index_of(o, name);
  return o->spec[i].choices[(size_t)o->value[i]];
}

json_t *gc_options_to_json(const gc_options *o) {
  json_t *obj = json_object();
  for (size_t i = 0; i < o->n; i++) {
    const gc_option_spec *s = &o->spec[i];
    json_t *v;
    switch (s->type) {
    case GC_OPT_INT:
    case GC_OPT_SIZE:
      v = json_integer((json_int_t)o->value[i]);
      break;
    case GC_OPT_DOUBLE:
      v = json_real(o->value[i]);
      break;
    case GC_OPT_BOOL:
      v = json_boolean(o->value[i] != 0);
      break;
    default:
      v = json_string(s->choices[(size_t)o->value[i]]);
      break;
    }
    json_object_set_new(obj, s->name, v);
  }
  return obj;
}

static const char *type_name(gc_option_type t) {
  static const char *const names[] = {"int", "size", "number", "bool", "enum"};
  return names[t];
}

void gc_options_describe(const gc_option_spec *spec, const char *indent,
                         void *file) {
  FILE *f = file;
  for (size_t i = 0; spec && spec[i].name; i++) {
    const gc_option_spec *s = &spec[i];
    fprintf(f, "%s%-18s %-6s default ", indent, s->name, type_name(s->type));
    if (s->type == GC_OPT_ENUM) {
      fprintf(f, "%s (", s->choices[(size_t)s->def]);
      for (size_t j = 0; s->choices[j]; j++)
        fprintf(f, "%s%s", j ? "|" : "", s->choices[j]);
      fprintf(f, ")");
    } else if (s->type == GC_OPT_BOOL) {
      fprintf(f, "%s", s->def ? "true" : "false");
    } else {
      fprintf(f, "%g", s->def);
      if (s->min < s->max)
        fprintf(f, " [%g, %g]", s->min, s->max);
    }
    fprintf(f, "\n%s    %s\n", indent, s->doc ? s->doc : "");
  }
}
