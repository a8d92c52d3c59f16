# Honest measurements (issue 13; docs/delays.md, docs/results-format.md).
#
# Mutator-visible delays: a 20 ms stall, pace or assist of the test-delay
# policy shows in the record and leads the summary.
foreach(kind stall pace assist)
  add_test(NAME e2e.delays.shown-${kind}
           COMMAND ${E2E}/delay_shown.sh ${GCTB} ${SMALL}
                   ${CMAKE_BINARY_DIR}/delays-${kind}.jsonl ${kind})
  set_tests_properties(e2e.delays.shown-${kind} PROPERTIES LABELS e2e
                       TIMEOUT 120)
endforeach()

# Fair accounting under all 12 policies: the same requested bytes, objects
# and workload.work for the same workload and seed, and gc_cpu_ns equal to
# the cycles' GC CPU (plus what is named as outside them).
set(FAIR_gcbench ${SMALL} 4M 64M)
set(FAIR_POLICIES ${GCTB_POLICIES}) # policies/registry.c
if(GCTB_TSAN) # no bdw under TSan (.ci/test)
  set(FAIR_POLICIES ${GCTB_POLICIES_NO_LIBGC})
endif()
string(REPLACE ";" " " FAIR_ENV "GCTB_FAIR_POLICIES=${FAIR_POLICIES}")
set(FAIR_gcold ${WL_DIR}/gcold.json 6M 32M)
set(FAIR_server ${WL_DIR}/server.json 6M 32M)
set(FAIR_lifetimes ${WL_DIR}/lifetimes.json 10M 32M)
foreach(wl gcbench gcold server lifetimes)
  list(GET FAIR_${wl} 0 config)
  list(GET FAIR_${wl} 1 heap)
  list(GET FAIR_${wl} 2 nogc_heap)
  add_test(NAME e2e.fair-counts.${wl}
           COMMAND ${E2E}/fair_counts.sh ${GCTB} ${config}
                   ${CMAKE_BINARY_DIR}/fair-counts-${wl}.jsonl ${heap}
                   ${nogc_heap})
  set_tests_properties(e2e.fair-counts.${wl} PROPERTIES LABELS e2e
                       TIMEOUT 300 ENVIRONMENT "${FAIR_ENV}")
endforeach()

# The full-size gcold under satb, otf, shenandoah and segfit: the record
# accounts for the longest step (label long: a minute or more).
add_test(NAME e2e.delays.gcold-worst-step
         COMMAND ${E2E}/gcold_worst_step.sh ${GCTB}
                 ${CMAKE_SOURCE_DIR}/configs/gcold.json
                 ${CMAKE_BINARY_DIR}/gcold-worst-step.jsonl)
set_tests_properties(e2e.delays.gcold-worst-step PROPERTIES LABELS long
                     TIMEOUT 900)

# Lazy sweeping by an allocating mutator is an assist; sweeping inside the
# collector's pause is not.
add_test(NAME e2e.delays.sweep-assist
         COMMAND ${E2E}/sweep_assist.sh ${GCTB} ${SMALL}
                 ${CMAKE_BINARY_DIR}/delays-sweep-assist.jsonl)
set_tests_properties(e2e.delays.sweep-assist PROPERTIES LABELS e2e TIMEOUT 120)

# Waiting for a CPU is a delay: a busy loop on the same CPU as the mutator
# shows as runqueue waits; none with the sampler off.
add_test(NAME e2e.delays.runqueue
         COMMAND ${E2E}/runqueue.sh ${GCTB} ${WL_DIR}/gcold.json
                 ${CMAKE_BINARY_DIR}/delays-runqueue.jsonl)
set_tests_properties(e2e.delays.runqueue PROPERTIES LABELS e2e TIMEOUT 120)
