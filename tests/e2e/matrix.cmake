# Matrices, minimum heaps and the analysis (docs/matrix.md,
# docs/analysis.md). Included from tests/CMakeLists.txt after e2e.cmake
# (GCTB, E2E and expect.sh come from there).
set(MX ${E2E}/matrix)
set(MX_OUT ${CMAKE_BINARY_DIR}/matrix-tests)
set(MX_CACHE ${MX_OUT}/minheap.json)
file(MAKE_DIRECTORY ${MX_OUT})
set(ANALYSIS_TESTS ${CMAKE_SOURCE_DIR}/tests/analysis)

# The interpreter for the analysis tests: the first that can import
# matplotlib, in the order `gctb plot` tries them; else any Python 3 (the
# plot tests then skip).
set(GCTB_TEST_PYTHON "")
foreach(cand $ENV{GCTB_PYTHON} /usr/bin/python3 python3 python)
  if(NOT GCTB_TEST_PYTHON)
    execute_process(COMMAND ${cand} -c "import matplotlib"
                    RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
    if(rc EQUAL 0)
      set(GCTB_TEST_PYTHON ${cand})
    endif()
  endif()
endforeach()
if(NOT GCTB_TEST_PYTHON)
  find_package(Python3 COMPONENTS Interpreter)
  set(GCTB_TEST_PYTHON ${Python3_EXECUTABLE})
  message(STATUS "gctb: no Python with matplotlib; plot tests will skip")
endif()
set(PYENV PYTHON=${GCTB_TEST_PYTHON})

function(mx_test name)
  add_test(NAME ${name} COMMAND ${ARGN})
  set_tests_properties(${name} PROPERTIES LABELS matrix TIMEOUT 120
                       ENVIRONMENT "${PYENV};GCTB_TEST_POLICIES=1"
                       SKIP_RETURN_CODE 77)
endfunction()

# A small matrix end to end; its output feeds e2e.matrix.plot.
mx_test(e2e.matrix.tiny ${E2E}/matrix_run.sh ${GCTB} ${MX}/tiny.json
        ${MX_OUT}/tiny.jsonl 12 ok=12)
set_tests_properties(e2e.matrix.tiny PROPERTIES FIXTURES_SETUP mx_tiny)
mx_test(e2e.matrix.plot ${E2E}/plot_check.sh ${GCTB} ${MX_OUT}/tiny.jsonl
        ${MX_OUT}/tiny delays pauses mmu gccpu time throughput lbo)
# analysis.plot already draws every figure through `gctb plot`: this one
# (real matrix output) is in the long set.
set_tests_properties(e2e.matrix.plot PROPERTIES FIXTURES_REQUIRED mx_tiny
                     LABELS long)

# Crash isolation: runs that abort, segfault or hang (the test-fault
# policy) and one that runs out of memory are each recorded; the matrix
# goes on.
mx_test(e2e.matrix.faults ${E2E}/matrix_run.sh ${GCTB} ${MX}/faults.json
        ${MX_OUT}/faults.jsonl 10 ok=3 oom=1 crash=4 timeout=2)
# Sanitizers turn SIGSEGV into a report and exit 1; let the segfault be one.
set_tests_properties(e2e.matrix.faults PROPERTIES ENVIRONMENT
  "${PYENV};GCTB_TEST_POLICIES=1;ASAN_OPTIONS=handle_segv=0:detect_leaks=1;TSAN_OPTIONS=handle_segv=0:halt_on_error=1")

# kill -9 part-way, a half-written last line, --resume: one record per run.
mx_test(e2e.matrix.resume ${E2E}/matrix_resume.sh ${GCTB} ${MX}/resume.json
        ${MX_OUT}/resume)

# Heaps as multiples of the measured minimum heap, measured on the way.
mx_test(e2e.matrix.minheap ${E2E}/matrix_run.sh ${GCTB} ${MX}/minheap.json
        ${MX_OUT}/minheap.jsonl 4 ok=4 -- --minheap-cache ${MX_CACHE})
mx_test(e2e.minheap ${E2E}/expect.sh 0 "minimum heap: [0-9.]+[KM]" --
        ${GCTB} minheap ${E2E}/gcbench-small.json --force --precision 0.1
        --cache ${MX_OUT}/minheap-solo.json)

mx_test(e2e.matrix.dry-run ${E2E}/expect.sh 0
        "6 cells x 2 invocations = 12 runs, 0 recorded, 12 to run" -- ${GCTB} matrix
        ${MX}/tiny.json --dry-run --out ${MX_OUT}/never-written.jsonl)
mx_test(e2e.matrix.bad-axis ${E2E}/expect.sh 2 "cell 0 .*heap\\.sise" --
        ${GCTB} matrix ${MX}/bad-axis.json --dry-run)
mx_test(e2e.matrix.bad-key ${E2E}/expect.sh 2 "unknown matrix key \"axis\"" --
        ${GCTB} matrix ${MX}/bad-key.json --dry-run)

# The analysis scripts: statistics and exact MMU and BMU against brute
# force (standard library), tables, delays, paired ratios and pooling
# checks on the fixtures, every figure on the fixture.
mx_test(analysis.stats ${CMAKE_COMMAND} -E env GCTB_BIN=${GCTB}
        ${GCTB_TEST_PYTHON} -m unittest test_stats test_mmu)
mx_test(analysis.report ${CMAKE_COMMAND} -E env GCTB_BIN=${GCTB}
        ${GCTB_TEST_PYTHON} -m unittest
        test_analysis.Reading test_analysis.Grouping test_analysis.LBO
        test_analysis.Latency test_analysis.Report test_delays test_compare)
mx_test(analysis.plot ${CMAKE_COMMAND} -E env GCTB_BIN=${GCTB}
        ${GCTB_TEST_PYTHON} -m unittest test_analysis.Plot)
set_tests_properties(analysis.stats analysis.report analysis.plot PROPERTIES
                     WORKING_DIRECTORY ${ANALYSIS_TESTS})

# The README's smoke matrix, plotted and reported (under a minute; label
# long, not in the default run).
add_test(NAME e2e.matrix.smoke
         COMMAND ${E2E}/matrix_run.sh ${GCTB}
                 ${CMAKE_SOURCE_DIR}/configs/matrices/smoke.json
                 ${MX_OUT}/smoke.jsonl 144 --
                 --minheap-cache ${MX_OUT}/minheap-smoke.json)
add_test(NAME e2e.matrix.smoke-plot
         COMMAND ${E2E}/plot_check.sh ${GCTB} ${MX_OUT}/smoke.jsonl
                 ${MX_OUT}/smoke delays pauses mmu gccpu time throughput lbo
                 latency)
set_tests_properties(e2e.matrix.smoke PROPERTIES FIXTURES_SETUP mx_smoke)
set_tests_properties(e2e.matrix.smoke-plot PROPERTIES
                     FIXTURES_REQUIRED mx_smoke)
set_tests_properties(e2e.matrix.smoke e2e.matrix.smoke-plot PROPERTIES
                     LABELS long TIMEOUT 600 ENVIRONMENT "${PYENV}"
                     SKIP_RETURN_CODE 77)

# Every shipped matrix builds and validates all its cells (a dry run: the
# configs are checked, nothing runs).
file(GLOB MX_SHIPPED ${CMAKE_SOURCE_DIR}/configs/matrices/*.json)
foreach(spec ${MX_SHIPPED})
  get_filename_component(mx_name ${spec} NAME_WE)
  mx_test(e2e.matrix.shipped.${mx_name} ${GCTB} matrix ${spec} --dry-run)
endforeach()

# Sharding (docs/cluster.md): the shards of N = 1, 3, 7 cover the smoke and
# full matrices with no run twice (dry runs: nothing runs); bad K/N values;
# merge, status and their refusals on real shard files.
mx_test(e2e.matrix.shards ${E2E}/matrix_shards.sh ${GCTB}
        ${CMAKE_SOURCE_DIR}/configs/matrices/smoke.json
        ${CMAKE_SOURCE_DIR}/configs/matrices/full.json)
mx_test(e2e.matrix.shard-bad ${E2E}/expect.sh 2 "--shard 4/3: K must be 1 to 3"
        -- ${GCTB} matrix ${MX}/tiny.json --dry-run --shard 4/3)
mx_test(e2e.matrix.shard-too-many ${E2E}/expect.sh 2 "only 12 runs" --
        ${GCTB} matrix ${MX}/tiny.json --dry-run --shard 1/13)
mx_test(e2e.matrix.merge ${E2E}/matrix_merge.sh ${GCTB} ${MX}/shards.json
        ${MX_OUT}/merge)

# A real Slurm (docs/cluster.md): munged, slurmctld and slurmd started on
# this machine, the smoke matrix as a 4-task job array, one task cancelled
# and resubmitted, merged with one record per run. About two minutes, and
# it needs root: labels slurm and long (not in the default run; .ci/run
# runs -L slurm). It skips (77) only where Slurm cannot start, saying why.
add_test(NAME e2e.slurm.local
         COMMAND ${E2E}/slurm_local.sh ${GCTB}
                 ${CMAKE_SOURCE_DIR}/configs/matrices/smoke.json
                 ${MX_OUT}/slurm)
set_tests_properties(e2e.slurm.local PROPERTIES LABELS "slurm;long"
                     TIMEOUT 1500 SKIP_RETURN_CODE 77 ENVIRONMENT "${PYENV}")
