/* gcold's hot code for policy family freebits1 (free-bits allocation, one
 * header word, no barriers); see workloads/instance.h. */
#define GCTB_FAMILY freebits1
#include "../gcold_body.h"
