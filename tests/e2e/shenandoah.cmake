# shenandoah and shenandoah-brooks beyond the common lists (issue 9): four
# mutator threads under stress, copies that fail and leave objects in place,
# small regions, a clean out-of-memory after degenerated and full
# collections, and a test-only option that leaves out update-references,
# which the verifier must catch.
set(SHEN_OUT ${CMAKE_BINARY_DIR}/e2e-shenandoah.jsonl)
foreach(policy shenandoah shenandoah-brooks)
  set(base run ${SMALL} --quiet --out ${SHEN_OUT}
           --set policy.name=\"${policy}\")
  add_test(NAME e2e.${policy}.threads4
           COMMAND ${GCTB} ${base} --set workload.params.threads=4
                   --set heap.size=\"12M\" --set stress.every_allocs=3000)
  add_test(NAME e2e.${policy}.evac-fail
           COMMAND ${GCTB} ${base} --set heap.size=\"4M\"
                   --set policy.options.evac_fail_every=7
                   --set stress.every_allocs=2000
                   --set verify=\"before-and-after-gc\")
  add_test(NAME e2e.${policy}.big-regions
           COMMAND ${GCTB} ${base} --set heap.size=\"16M\"
                   --set policy.options.region_bytes=\"1M\"
                   --set stress.every_allocs=2000)
  add_test(NAME e2e.${policy}.oom
           COMMAND ${E2E}/expect.sh 3 "out of memory" -- ${GCTB} run
                   ${WL_DIR}/gcold.json --quiet --out ${SHEN_OUT}
                   --set policy.name=\"${policy}\" --set heap.size=\"2M\")
  # gcold: its long-lived trees are evacuated and their copies keep
  # pointing into the cset (gcbench's short-lived trees may die first)
  add_test(NAME e2e.${policy}.lost-update
           COMMAND ${E2E}/expect.sh 1
                   "heap verification failed \\(final-update-refs" -- ${GCTB}
                   run ${WL_DIR}/gcold.json --quiet --out ${SHEN_OUT}
                   --set policy.name=\"${policy}\" --set heap.size=\"6M\"
                   --set verify=\"after-gc\"
                   --set policy.options.unsafe_skip_update_refs=true)
  set_tests_properties(e2e.${policy}.threads4 e2e.${policy}.evac-fail
                       e2e.${policy}.big-regions e2e.${policy}.oom
                       e2e.${policy}.lost-update
                       PROPERTIES LABELS e2e TIMEOUT 300)
endforeach()

# The contents check catches a write that lands in a from-space copy.
add_test(NAME e2e.shenandoah-brooks.lost-write
         COMMAND ${E2E}/shen_lost_write.sh ${GCTB} ${WL_DIR}/gcold.json
                 ${SHEN_OUT})
set_tests_properties(e2e.shenandoah-brooks.lost-write
                     PROPERTIES LABELS e2e TIMEOUT 300)

# Every workload, both modes, verifier and stress, 1 and 4 threads (label
# long: a minute, longer under a sanitizer).
add_test(NAME long.shenandoah.matrix
         COMMAND ${E2E}/shenandoah_matrix.sh ${GCTB} ${SHEN_OUT})
set_tests_properties(long.shenandoah.matrix PROPERTIES LABELS long
                     TIMEOUT 1800)
