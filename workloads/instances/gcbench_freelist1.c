/* gcbench's hot code for policy family freelist1 (free-list allocation, one
 * header word, no barriers: bdw); see workloads/instance.h. */
#define GCTB_FAMILY freelist1
#include "../gcbench_body.h"
