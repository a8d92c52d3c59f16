/* common_tree.c — the trees' types, sizes and salts (the builders and the
 * walk are hot code: common_tree_body.h). */
#include "common_tree.h"

gc_type wl_node_type = {
    .name = "tree_node", .kind = GC_TYPE_FIXED, .nwords = 3, .ref_map = 0x3};
gc_type wl_hole_type = {.name = "tree_hole", .kind = GC_TYPE_WORD_ARRAY};

bool wl_tree_types(void) {
  return gc_type_register(&wl_node_type) && gc_type_register(&wl_hole_type);
}

uint64_t wl_tree_bytes(int depth, unsigned hdr_words) {
  return wl_tree_nodes(depth) * gc_object_bytes(&wl_node_type, 0, hdr_words);
}

uint64_t wl_tree_salt(const wl_tree *t, uint64_t seed, const wl_tree_id *id) {
  uint64_t h = wl_mix64(seed ^ 0x7472656573ull);
  for (const char *p = id->what; *p; p++)
    h = wl_mix64(h ^ (uint8_t)*p);
  h = wl_mix64(h ^ t->thread);
  h = wl_mix64(h ^ (uint64_t)id->depth);
  return wl_mix64(h ^ id->iteration);
}
