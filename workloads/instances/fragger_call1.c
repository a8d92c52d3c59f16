/* fragger's hot code for policy family call1 (allocation by call, one header
 * word, no barriers); see workloads/instance.h. */
#define GCTB_FAMILY call1
#include "../fragger_body.h"
