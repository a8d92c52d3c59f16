/* binary-trees's hot code for policy family generic (run-time dispatch: any
 * policy no other family fits); see workloads/instance.h. */
#define GCTB_FAMILY generic
#include "../binary_trees_body.h"
