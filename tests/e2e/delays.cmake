# Mutator-visible delays (docs/delays.md): a 20 ms stall, pace or assist of
# the test-delay policy shows in the record and leads the summary.
foreach(kind stall pace assist)
  add_test(NAME e2e.delays.shown-${kind}
           COMMAND ${E2E}/delay_shown.sh ${GCTB} ${SMALL}
                   ${CMAKE_BINARY_DIR}/delays-${kind}.jsonl ${kind})
  set_tests_properties(e2e.delays.shown-${kind} PROPERTIES LABELS e2e
                       TIMEOUT 120)
endforeach()
