# Timelines (docs/analysis.md, "Timelines"): `gctb run --trace` and
# `gctb trace` on a stop-the-world (segfit), a concurrent (satb) and an
# on-the-fly (otf) policy, each trace checked against the trace-event
# format's rules and against its record (tests/analysis/trace_check.py); and
# the checker's and the trace builder's own tests on hand-made records.
# Included from tests/CMakeLists.txt after matrix.cmake (GCTB, E2E,
# GCTB_TEST_PYTHON).
set(TRACE_OUT ${CMAKE_BINARY_DIR}/trace-tests)
set(TRACE_SMALL ${E2E}/gcbench-small.json)

function(trace_test name config)
  add_test(NAME ${name}
           COMMAND ${E2E}/trace_run.sh ${GCTB} ${GCTB_TEST_PYTHON}
                   ${TRACE_OUT} ${name} ${config} ${ARGN})
  set_tests_properties(${name} PROPERTIES LABELS e2e TIMEOUT 120
                       ENVIRONMENT "GCTB_PYTHON=${GCTB_TEST_PYTHON}")
endfunction()

trace_test(trace.segfit ${TRACE_SMALL} -- --set policy.name=\"segfit\"
           --set heap.size=\"4M\" --set workload.params.threads=2)
trace_test(trace.satb ${TRACE_SMALL} -- --set policy.name=\"satb\"
           --set heap.size=\"4M\" --set workload.params.threads=2)
trace_test(trace.otf ${TRACE_SMALL} -- --set policy.name=\"otf\"
           --set heap.size=\"16M\" --set workload.params.threads=2)
# GCOld under satb, scaled down (4 MiB live, 60 steps, 1.5x the live size,
# under a second): the mutator stalls waiting for memory while the
# concurrent cycle runs, and every stall must be on its track at the
# record's times.
trace_test(trace.satb-gcold ${CMAKE_SOURCE_DIR}/configs/gcold.json
           --require-kind stall -- --set policy.name=\"satb\"
           --set verify=\"none\" --set workload.params.live_mb=4
           --set workload.params.steps=60 --set heap.multiple=1.5)

# A run that ends early (out of memory, exit 3) writes its trace too.
trace_test(trace.nogc-oom ${TRACE_SMALL} --exit 3 -- --set policy.name=\"nogc\"
           --set heap.size=\"2M\")

add_test(NAME analysis.trace COMMAND ${GCTB_TEST_PYTHON} -m unittest test_trace)
set_tests_properties(analysis.trace PROPERTIES LABELS analysis TIMEOUT 120
                     WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}/tests/analysis)
