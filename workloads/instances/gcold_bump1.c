/* gcold's hot code for policy family bump1 (bump allocation, one header word,
 * no barriers); see workloads/instance.h. */
#define GCTB_FAMILY bump1
#include "../gcold_body.h"
