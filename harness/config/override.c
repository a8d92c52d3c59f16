/* override.c — "--set dotted.key=VALUE": changes a config before it is
 * validated, so one config file can serve a whole experiment matrix. */
#include "harness/config/config.h"
#include "heap/util.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* JSON if it parses ("2", "true", "{\"a\":1}", "\"32M\""), else the raw
 * text as a string, so `--set policy.name=segfit` needs no quoting. */
static json_t *parse_value(const char *text) {
  json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);
  return v ? v : json_string(text);
}

/* heap.size, heap.multiple and heap.min_multiple exclude each other;
 * setting one drops the others so that a matrix axis can override whichever
 * the file used. */
static void drop_sibling(json_t *parent, const char *path) {
  static const char *const heap_keys[] = {"size", "multiple", "min_multiple"};
  bool sized = false;
  if (strncmp(path, "heap.", 5) != 0)
    return;
  for (size_t i = 0; i < 3; i++)
    sized = sized || strcmp(path + 5, heap_keys[i]) == 0;
  for (size_t i = 0; i < 3 && sized; i++) /* not for heap.reference */
    if (strcmp(path + 5, heap_keys[i]) != 0)
      json_object_del(parent, heap_keys[i]);
}

/* Walks (creating) the objects along path up to its last component. */
static json_t *walk(json_t *root, char *path, const char *full, char **leaf,
                    char *err, size_t errlen) {
  json_t *cur = root;
  char *dot;
  while ((dot = strchr(path, '.'))) {
    *dot = 0;
    if (!*path) {
      gc_errorf(err, errlen, "--set %s: empty key component", full);
      return NULL;
    }
    json_t *next = json_object_get(cur, path);
    if (!next) {
      next = json_object();
      json_object_set_new(cur, path, next);
    } else if (!json_is_object(next)) {
      gc_errorf(err, errlen, "--set %s: \"%s\" is not an object", full, path);
      return NULL;
    }
    cur = next;
    path = dot + 1;
  }
  *leaf = path;
  return cur;
}

bool gctb_config_set_value(json_t *root, const char *key, json_t *value,
                           char *err, size_t errlen) {
  if (!json_is_object(root)) {
    json_decref(value);
    return gc_errorf(err, errlen, "--set: the config is not an object");
  }
  char *path = strdup(key), *full = strdup(key), *leaf;
  json_t *parent = walk(root, path, full, &leaf, err, errlen);
  bool ok = parent != NULL;
  if (ok && !*leaf)
    ok = gc_errorf(err, errlen, "--set %s: empty key component", full);
  if (ok) {
    drop_sibling(parent, full);
    json_object_set_new(parent, leaf, value);
  } else {
    json_decref(value);
  }
  free(path);
  free(full);
  return ok;
}

bool gctb_config_set(json_t *root, const char *assignment, char *err,
                     size_t errlen) {
  const char *eq = strchr(assignment, '=');
  if (!eq || eq == assignment)
    return gc_errorf(err, errlen, "--set %s: expected dotted.key=VALUE",
                     assignment);
  char *key = strndup(assignment, (size_t)(eq - assignment));
  bool ok = gctb_config_set_value(root, key, parse_value(eq + 1), err, errlen);
  free(key);
  return ok;
}
