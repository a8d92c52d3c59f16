# Honest heap axes and provenance (issue 13): bdw in a fixed heap, stale
# minimum-heap entries never reused, one reference minimum for every
# policy. Included from tests/CMakeLists.txt after matrix.cmake (GCTB, E2E,
# MX, MX_OUT, PYENV come from there).
add_test(NAME e2e.bdw.fixed-heap
         COMMAND ${E2E}/bdw_fixed_heap.sh ${GCTB}
                 ${CMAKE_SOURCE_DIR}/configs/gcbench-bdw.json ${MX_OUT})
# bdw's free lists (policies/bdw/bdw_lists.c): cells waiting on a mutator's
# lists survive collections. mt-gcbench allocates small pointer-free arrays
# from the PTRFREE lists, which only bdw's marking hook keeps; without it
# this run crashes (the same cell handed out twice). libgc's own trigger
# with a high divisor collects often in a small heap.
foreach(wl mt-gcbench gcold)
  add_test(NAME e2e.bdw.free-lists-kept.${wl}
           COMMAND ${GCTB} run ${WL_DIR}/${wl}.json --quiet --out ${MX_OUT}/bdw-lists.jsonl
                   --set policy.name=\"bdw\" --set heap.size=\"4M\"
                   --set policy.options.trigger=\"divisor\"
                   --set policy.options.free_space_divisor=50)
  set_tests_properties(e2e.bdw.free-lists-kept.${wl} PROPERTIES LABELS e2e
                       TIMEOUT 120)
endforeach()
add_test(NAME e2e.minheap.stale
         COMMAND ${E2E}/minheap_stale.sh ${GCTB} ${E2E}/gcbench-small.json
                 ${MX_OUT})
add_test(NAME e2e.matrix.heap-axis
         COMMAND ${E2E}/heap_axis.sh ${GCTB} ${MX}/minheap.json
                 ${MX_OUT}/heap-axis.jsonl ${MX_OUT}/minheap-axis.json)
set_tests_properties(e2e.bdw.fixed-heap e2e.minheap.stale e2e.matrix.heap-axis
                     PROPERTIES LABELS e2e TIMEOUT 300 ENVIRONMENT "${PYENV}")
# In-process iterations: warm-ups discarded, headline = measured ones.
add_test(NAME e2e.iterations
         COMMAND ${E2E}/iterations.sh ${GCTB} ${E2E}/gcbench-small.json ${MX_OUT})
set(ITER_ENV "${PYENV}")
if(GCTB_TSAN) # no bdw under TSan (.ci/test)
  list(APPEND ITER_ENV "GCTB_ITER_POLICIES=segfit")
endif()
set_tests_properties(e2e.iterations PROPERTIES LABELS e2e TIMEOUT 300
                     ENVIRONMENT "${ITER_ENV}")
# A minimum at a floor is reported as a bound: segfit completes the small
# gcbench at its declared live size; shenandoah refuses (exit 2) any heap
# just below its minimum (too few regions) rather than running out.
add_test(NAME e2e.minheap.bound-live
         COMMAND ${E2E}/expect.sh 0 "BOUND, not a measurement: it completes at the declared live size"
                 -- ${GCTB} minheap ${E2E}/gcbench-small.json --force
                 --precision 0.1 --cache ${MX_OUT}/minheap-bound.json)
add_test(NAME e2e.minheap.bound-policy
         COMMAND ${E2E}/expect.sh 0 "BOUND, not a measurement: the policy refuses any smaller heap"
                 -- ${GCTB} minheap ${E2E}/gcbench-small.json --force
                 --set policy.name=\"shenandoah\" --precision 0.1
                 --cache ${MX_OUT}/minheap-bound-policy.json)
set_tests_properties(e2e.minheap.bound-live e2e.minheap.bound-policy
                     PROPERTIES LABELS e2e TIMEOUT 300)
# Bad iterations and reference lists end with a message naming the key.
set(AXIS_RUN ${GCTB} run ${E2E}/gcbench-small.json --quiet --out ${MX_OUT}/never.jsonl)
add_test(NAME e2e.bad.iterations-measure
         COMMAND ${E2E}/expect.sh 2 "iterations.measure: 0 is out of range" --
                 ${AXIS_RUN} --set "iterations={\"measure\": 0}")
add_test(NAME e2e.bad.iterations-key
         COMMAND ${E2E}/expect.sh 2 "unknown key \"iterations.warmpu\"" --
                 ${AXIS_RUN} --set "iterations={\"warmpu\": 1}")
add_test(NAME e2e.bad.heap-reference
         COMMAND ${E2E}/expect.sh 2 "heap.reference\\[1\\]: string \"segfut\" is not a policy" --
                 ${AXIS_RUN} --set "heap.reference=[\"semispace\", \"segfut\"]")
add_test(NAME e2e.bad.heap-reference-empty
         COMMAND ${E2E}/expect.sh 2 "heap.reference: expected a non-empty array" --
                 ${AXIS_RUN} --set "heap.reference=[]")
set_tests_properties(e2e.bad.iterations-measure e2e.bad.iterations-key
                     e2e.bad.heap-reference e2e.bad.heap-reference-empty
                     PROPERTIES LABELS e2e TIMEOUT 60)
