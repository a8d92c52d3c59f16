# The fuzz tests (labels fuzz and long, so not in the default run: .ci/run
# runs them after the default suite). fuzz.build compiles the targets with clang into
# build-dir/fuzz/; each fuzz.<target> then runs for $GCTB_FUZZ_SECONDS
# (default 60) from tests/fuzz/corpus/<target>/.
set(FUZZ_SRC ${CMAKE_SOURCE_DIR}/tests/fuzz)
set(FUZZ_BUILD ${CMAKE_BINARY_DIR}/fuzz)
add_test(NAME fuzz.build
         COMMAND ${FUZZ_SRC}/build.sh ${CMAKE_SOURCE_DIR} ${FUZZ_BUILD})
set_tests_properties(fuzz.build PROPERTIES LABELS "fuzz;long" TIMEOUT 1800
                     FIXTURES_SETUP fuzz_targets SKIP_RETURN_CODE 77)
foreach(name config matrix options minheap_cache results)
  add_test(NAME fuzz.${name}
           COMMAND ${FUZZ_SRC}/run.sh ${FUZZ_BUILD}/fuzz_${name}
                   ${FUZZ_SRC}/corpus/${name} ${FUZZ_BUILD}/run-${name})
  set_tests_properties(fuzz.${name} PROPERTIES LABELS "fuzz;long" TIMEOUT 900
                       FIXTURES_REQUIRED fuzz_targets SKIP_RETURN_CODE 77)
endforeach()
