/* A workload reaching into the heap's internals: workload_includes.cmake
 * must reject both includes (tests/CMakeLists.txt, lint.workload-includes). */
#include "../heap/heap.h"
#include "gctb.h"
#include <events.h>
#include <stdio.h>
