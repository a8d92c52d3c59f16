/* The matrix loader (harness/matrix/spec.c): a matrix file is parsed and,
 * when valid, its cells' configs, run order, run keys and tags are built
 * (at most a few hundred runs, so that one input stays fast). */
#include "fuzz.h"
#include "harness/matrix/matrix.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char err[1024];
  gctb_matrix m;
  json_t *root = json_loadb((const char *)data, size, 0, NULL);
  if (root && gctb_matrix_parse(root, &m, err, sizeof err)) {
    if (m.ncells * m.invocations <= 512) {
      for (size_t c = 0; c < m.ncells; c++) {
        json_t *cfg = gctb_matrix_cell_config(&m, c, err, sizeof err);
        json_decref(cfg);
        json_decref(gctb_matrix_cell_values(&m, c));
      }
      size_t n = 0;
      gctb_run_ref *order = gctb_matrix_order(&m, &n);
      for (size_t i = 0; i < n; i++) {
        char key[64];
        gctb_matrix_run_key(&m, order[i], key, sizeof key);
        json_decref(gctb_matrix_tag(&m, order[i]));
      }
      free(order);
    }
    gctb_matrix_free(&m);
  }
  json_decref(root);
  return 0;
}
