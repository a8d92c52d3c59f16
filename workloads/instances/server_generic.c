/* server's hot code for policy family generic (run-time dispatch: any policy no
 * other family fits); see workloads/instance.h. */
#define GCTB_FAMILY generic
#include "../server_body.h"
