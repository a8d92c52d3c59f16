/* Option and size parsing (heap/options.c, harness/config/config.c): the first
 * byte picks a policy's options or a workload's parameters; the first line
 * of the rest is parsed as a size ("64M") and applied as a `--set`
 * assignment; the remainder, as JSON, is validated against the chosen
 * table. */
#include "fuzz.h"
#include "harness/config/config.h"

static const gc_option_spec *pick_spec(uint8_t b) {
  size_t np = gc_policy_count(), nw = gc_workload_count();
  size_t i = b % (np + nw);
  return i < np ? gc_policy_at(i)->options : gc_workload_at(i - np)->params;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  const gc_option_spec *spec = pick_spec(data[0]);
  char *text = fuzz_cstr(data + 1, size - 1), err[1024], buf[64];
  char *nl = strchr(text, '\n');
  char *rest = nl ? nl + 1 : text + strlen(text);
  if (nl)
    *nl = 0;

  uint64_t bytes;
  if (gc_parse_size_string(text, &bytes))
    gctb_format_size(bytes, buf, sizeof buf);
  json_t *root = json_pack("{s:{s:s},s:{s:s},s:s}", "policy", "name", "segfit",
                           "workload", "name", "gcbench", "heap", "64M");
  gctb_config_set(root, text, err, sizeof err);
  json_decref(root);

  json_t *obj = json_loads(rest, JSON_DECODE_ANY, NULL);
  gc_options opts;
  if (gc_options_parse(&opts, spec, obj, "fuzz", err, sizeof err))
    json_decref(gc_options_to_json(&opts));
  json_decref(obj);
  free(text);
  return 0;
}
