# Result integrity (issue 19): a record that cannot be written is an error,
# a full or read-only disk under a matrix, concurrent appends (the unit test
# test_record_write), SIGINT/SIGTERM during a run, `gctb run --repro`, the
# soak (label soak) and the fuzz targets (label fuzz, tests/fuzz/). Included
# from tests/CMakeLists.txt after e2e.cmake and matrix.cmake.
set(INTEGRITY_OUT ${CMAKE_BINARY_DIR}/integrity-tests)
file(MAKE_DIRECTORY ${INTEGRITY_OUT})

add_test(NAME e2e.record.dev-full
         COMMAND ${E2E}/expect.sh 1
                 "cannot write the result record: /dev/full: No space left on device"
                 -- ${GCTB} run ${SMALL} --quiet --out /dev/full)
add_test(NAME e2e.record.no-directory
         COMMAND ${E2E}/expect.sh 1
                 "cannot write the result record: .*/no-such-dir/r.jsonl: No such file"
                 -- ${GCTB} run ${SMALL} --quiet
                 --out ${INTEGRITY_OUT}/no-such-dir/r.jsonl)
set_tests_properties(e2e.record.dev-full e2e.record.no-directory PROPERTIES
                     LABELS e2e TIMEOUT 120)

# A 2 MiB tmpfs that fills during a matrix, then --resume; read-only.
add_test(NAME e2e.matrix.disk-full
         COMMAND ${E2E}/disk_full.sh ${GCTB} ${MX}/diskfull.json
                 ${INTEGRITY_OUT}/diskfull)
set_tests_properties(e2e.matrix.disk-full PROPERTIES LABELS matrix TIMEOUT 300
                     ENVIRONMENT "${PYENV}" SKIP_RETURN_CODE 77)

add_test(NAME e2e.run.signals
         COMMAND ${E2E}/signals.sh ${GCTB} ${E2E}/long-gcbench.json
                 ${INTEGRITY_OUT}/signals)
set_tests_properties(e2e.run.signals PROPERTIES LABELS e2e TIMEOUT 300
                     ENVIRONMENT "${PYENV}")

# --repro on the records of a small matrix of the smoke matrix's kind; on
# the smoke matrix itself in the long set.
add_test(NAME e2e.repro.matrix
         COMMAND ${E2E}/matrix_run.sh ${GCTB} ${MX}/repro.json
                 ${INTEGRITY_OUT}/repro.jsonl 6 ok=6)
add_test(NAME e2e.repro
         COMMAND ${E2E}/repro_check.sh ${GCTB} ${INTEGRITY_OUT}/repro.jsonl
                 ${INTEGRITY_OUT}/repro)
set_tests_properties(e2e.repro.matrix PROPERTIES FIXTURES_SETUP repro_records)
set_tests_properties(e2e.repro PROPERTIES FIXTURES_REQUIRED repro_records)
set_tests_properties(e2e.repro.matrix e2e.repro PROPERTIES LABELS matrix
                     TIMEOUT 300 ENVIRONMENT "${PYENV}")
add_test(NAME e2e.repro.smoke
         COMMAND ${E2E}/repro_check.sh ${GCTB} ${MX_OUT}/smoke.jsonl
                 ${INTEGRITY_OUT}/repro-smoke 12)
set_tests_properties(e2e.repro.smoke PROPERTIES FIXTURES_REQUIRED mx_smoke
                     LABELS long TIMEOUT 600 ENVIRONMENT "${PYENV}")

# A short soak (labels soak and long, so not in the default run; .ci/run
# runs it; tests/soak.sh SECONDS for a long one). libgc cannot run under
# TSan (see .ci/test): no bdw there.
set(SOAK_SECONDS 30 CACHE STRING "seconds the soak test runs")
set(SOAK_ENV "")
if(GCTB_TSAN)
  string(REPLACE ";" " " SOAK_ENV "${GCTB_POLICIES_NO_LIBGC}")
  set(SOAK_ENV "GCTB_SOAK_POLICIES=${SOAK_ENV}")
endif()
add_test(NAME soak.short
         COMMAND ${CMAKE_SOURCE_DIR}/tests/soak.sh ${SOAK_SECONDS} ${GCTB}
                 ${INTEGRITY_OUT}/soak)
set_tests_properties(soak.short PROPERTIES LABELS "soak;long" TIMEOUT 900
                     ENVIRONMENT "${SOAK_ENV}")


# The results reader under seeded damage (truncated lines, missing keys,
# wrong types): every damaged line is used or reported, never a traceback.
mx_test(analysis.mutation ${GCTB_TEST_PYTHON} -m unittest test_records_mutation)
set_tests_properties(analysis.mutation PROPERTIES WORKING_DIRECTORY
                     ${ANALYSIS_TESTS} TIMEOUT 300)

include(${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz.cmake)
