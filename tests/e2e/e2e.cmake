# End-to-end tests: every policy runs a scaled-down gcbench with the verifier
# after every collection, under stress mode, and with two mutator threads;
# bad configurations must fail cleanly with a message naming the problem.
set(E2E ${CMAKE_CURRENT_LIST_DIR})
set(GCTB $<TARGET_FILE:gctb_cli>)
set(E2E_OUT ${CMAKE_BINARY_DIR}/e2e-results.jsonl)
set(SMALL ${E2E}/gcbench-small.json)

foreach(policy ${GCTB_POLICIES}) # policies/registry.c, cmake/policies.cmake
  if(policy STREQUAL nogc)
    set(heap 64M) # never collects: room for everything it allocates
  else()
    set(heap 4M)
  endif()
  set(base run ${SMALL} --quiet --out ${E2E_OUT} --set policy.name=\"${policy}\"
           --set heap.size=\"${heap}\")
  add_test(NAME e2e.${policy}.verify COMMAND ${GCTB} ${base})
  add_test(NAME e2e.${policy}.verify-before-after
           COMMAND ${GCTB} ${base} --set verify=\"before-and-after-gc\")
  add_test(NAME e2e.${policy}.stress
           COMMAND ${GCTB} ${base} --set stress.every_allocs=2000)
  add_test(NAME e2e.${policy}.threads2
           COMMAND ${GCTB} ${base} --set workload.params.threads=2
                   --set heap.size=\"128M\" --set stress.every_bytes=\"1M\")
  set_tests_properties(e2e.${policy}.verify e2e.${policy}.verify-before-after
                       e2e.${policy}.stress e2e.${policy}.threads2
                       PROPERTIES LABELS e2e TIMEOUT 300)
endforeach()

# immix: evacuating every block in every collection (stress), and with the
# conservative line-marking rule and small blocks; sticky-immix: a full
# collection every third, and the conservative rule under stress.
add_test(NAME e2e.immix.defrag-every
         COMMAND ${GCTB} run ${SMALL} --quiet --out ${E2E_OUT}
                 --set policy.name=\"immix\" --set heap.size=\"4M\"
                 --set policy.options.defrag=\"every\"
                 --set stress.every_allocs=1000
                 --set verify=\"before-and-after-gc\")
add_test(NAME e2e.immix.conservative-small-blocks
         COMMAND ${GCTB} run ${SMALL} --quiet --out ${E2E_OUT}
                 --set policy.name=\"immix\" --set heap.size=\"4M\"
                 --set policy.options.defrag=\"every\"
                 --set policy.options.line_marking=\"conservative\"
                 --set policy.options.block_bytes=\"8K\"
                 --set policy.options.line_bytes=256
                 --set policy.options.large_object_bytes=\"4K\"
                 --set stress.every_allocs=3000)
add_test(NAME e2e.sticky-immix.full-every-3
         COMMAND ${GCTB} run ${SMALL} --quiet --out ${E2E_OUT}
                 --set policy.name=\"sticky-immix\" --set heap.size=\"4M\"
                 --set policy.options.full_every=3
                 --set stress.every_allocs=1000
                 --set verify=\"before-and-after-gc\")
add_test(NAME e2e.sticky-immix.conservative
         COMMAND ${GCTB} run ${SMALL} --quiet --out ${E2E_OUT}
                 --set policy.name=\"sticky-immix\" --set heap.size=\"4M\"
                 --set policy.options.line_marking=\"conservative\"
                 --set stress.every_allocs=2000
                 --set verify=\"before-and-after-gc\")
set_tests_properties(e2e.immix.defrag-every
                     e2e.immix.conservative-small-blocks
                     e2e.sticky-immix.full-every-3
                     e2e.sticky-immix.conservative
                     PROPERTIES LABELS e2e TIMEOUT 300)

# handle-copy: every improvement at once under stress with the verifier
# around every pause; lock-free 8-byte entries with two mutators copying
# every allocation; proportional pacing with compact placement.
add_test(NAME e2e.handle-copy.all-variants
         COMMAND ${GCTB} run ${SMALL} --quiet --out ${E2E_OUT}
                 --set policy.name=\"handle-copy\" --set heap.size=\"4M\"
                 --set policy.options.writes=\"lockfree\"
                 --set policy.options.entry_bytes=8
                 --set policy.options.placement=\"compact\"
                 --set policy.options.order=\"traversal\"
                 --set policy.options.table_release=true
                 --set stress.every_allocs=1000
                 --set verify=\"before-and-after-gc\")
add_test(NAME e2e.handle-copy.lockfree-threads2
         COMMAND ${GCTB} run ${SMALL} --quiet --out ${E2E_OUT}
                 --set policy.name=\"handle-copy\" --set heap.size=\"16M\"
                 --set workload.params.threads=2
                 --set policy.options.writes=\"lockfree\"
                 --set policy.options.entry_bytes=8
                 --set policy.options.copy_every=1
                 --set policy.options.copy_batch=1)
add_test(NAME e2e.handle-copy.proportional-compact
         COMMAND ${GCTB} run ${SMALL} --quiet --out ${E2E_OUT}
                 --set policy.name=\"handle-copy\" --set heap.size=\"4M\"
                 --set policy.options.pacing=\"proportional\"
                 --set policy.options.placement=\"compact\"
                 --set stress.every_allocs=3000)
set_tests_properties(e2e.handle-copy.all-variants
                     e2e.handle-copy.lockfree-threads2
                     e2e.handle-copy.proportional-compact
                     PROPERTIES LABELS e2e TIMEOUT 300)

# Out of memory: a heap that holds the live data but not the garbage under
# nogc ends with status oom and exit code 3, never a crash.
add_test(NAME e2e.nogc.oom
         COMMAND ${E2E}/expect.sh 3 "out of memory" -- ${GCTB} run ${SMALL}
                 --quiet --out ${E2E_OUT} --set policy.name=\"nogc\"
                 --set heap.size=\"2M\")

# otf, otf-gen: a heap the size of fragger's live set ends in a clean
# out-of-memory (exit 3) once cycles stop freeing enough, never a crash or
# a hang (gcold at just over its live size now completes: its size classes
# share 32 KiB pages, heap/sfspace_pages.c); otf-gen with young cycles only (but for those a mutator out of
# memory asks for) under stress, verified after every collection. The
# stop-the-world policies likewise, once the driver's ladder
# (heap/collector.h, gc_stw_alloc) ran their own collections.
foreach(policy otf otf-gen segfit semispace immix sticky-immix handle-copy
               tutorial-ms)
  add_test(NAME e2e.${policy}.oom
           COMMAND ${E2E}/expect.sh 3 "out of memory" -- ${GCTB} run
                   ${E2E}/workloads/fragger.json --quiet --out ${E2E_OUT}
                   --set policy.name=\"${policy}\" --set heap.size=\"1100K\")
  set_tests_properties(e2e.${policy}.oom PROPERTIES LABELS e2e TIMEOUT 120)
endforeach()
foreach(policy otf otf-gen)
  add_test(NAME e2e.${policy}.threads4
           COMMAND ${GCTB} run ${SMALL} --quiet --out ${E2E_OUT}
                   --set policy.name=\"${policy}\" --set heap.size=\"16M\"
                   --set workload.params.threads=4
                   --set stress.every_allocs=2000)
  set_tests_properties(e2e.${policy}.threads4 PROPERTIES LABELS e2e
                       TIMEOUT 120)
endforeach()
add_test(NAME e2e.otf-gen.young-only
         COMMAND ${GCTB} run ${SMALL} --quiet --out ${E2E_OUT}
                 --set policy.name=\"otf-gen\" --set heap.size=\"8M\"
                 --set policy.options.full_every=1000
                 --set stress.every_allocs=2000
                 --set workload.params.threads=4)
set_tests_properties(e2e.otf-gen.young-only PROPERTIES LABELS e2e TIMEOUT 120)

# Bad input: each exits 2 with a message naming the problem.
set(ERR_unknown-key "heap\\.sise")
set(ERR_unknown-policy "unknown policy \"foo\"")
set(ERR_unknown-workload "unknown workload \"gcbnech\"")
set(ERR_unknown-option "policy\\.options\\.no_such_option")
set(ERR_wrong-type "workload\\.params\\.long_lived_depth")
set(ERR_heap-too-small "heap\\.size.*smaller than")
set(ERR_bad-json "(JSON|json)")
set(ERR_bad-verify "verify")
foreach(case unknown-key unknown-policy unknown-workload unknown-option
             wrong-type heap-too-small bad-json bad-verify)
  add_test(NAME e2e.bad.${case}
           COMMAND ${E2E}/expect.sh 2 "${ERR_${case}}" -- ${GCTB} run
                   ${E2E}/bad/${case}.json --quiet --out ${E2E_OUT})
  set_tests_properties(e2e.bad.${case} PROPERTIES LABELS e2e TIMEOUT 60)
endforeach()
set_tests_properties(e2e.nogc.oom PROPERTIES LABELS e2e TIMEOUT 120)

# The record names the workload instance that ran: the one compiled for the
# policy's family (heap/gctb.h, workloads/instance.h); stress mode makes every
# barrier-free policy call1; GCTB_INSTANCE=generic asks for run-time dispatch.
set(FAMILY_nogc bump1)
set(FAMILY_semispace bump1)
set(FAMILY_segfit freebits1)
set(FAMILY_bdw freelist1_conservative)
foreach(policy nogc semispace segfit bdw)
  set(inst run ${SMALL} --quiet --out /dev/stdout --set policy.name=\"${policy}\"
           --set heap.size=\"64M\")
  add_test(NAME e2e.${policy}.instance
           COMMAND ${E2E}/expect.sh 0 "\"instance\":\"${FAMILY_${policy}}\""
                   -- ${GCTB} ${inst})
  add_test(NAME e2e.${policy}.instance-stress
           COMMAND ${E2E}/expect.sh 0 "\"instance\":\"call1\"" -- ${GCTB}
                   ${inst} --set stress.every_allocs=20000)
  set_tests_properties(e2e.${policy}.instance e2e.${policy}.instance-stress
                       PROPERTIES LABELS e2e TIMEOUT 120)
endforeach()
add_test(NAME e2e.segfit.instance-generic
         COMMAND ${E2E}/expect.sh 0 "\"instance\":\"generic\"" -- ${GCTB} run
                 ${SMALL} --quiet --out /dev/stdout --set policy.name=\"segfit\"
                 --set heap.size=\"64M\")
add_test(NAME e2e.bad.instance
         COMMAND ${E2E}/expect.sh 2 "GCTB_INSTANCE=call1" -- ${GCTB} run
                 ${SMALL} --quiet --out /dev/stdout --set policy.name=\"segfit\"
                 --set heap.size=\"64M\")
set_tests_properties(e2e.segfit.instance-generic PROPERTIES LABELS e2e
                     TIMEOUT 120 ENVIRONMENT GCTB_INSTANCE=generic)
set_tests_properties(e2e.bad.instance PROPERTIES LABELS e2e TIMEOUT 60
                     ENVIRONMENT GCTB_INSTANCE=call1)

# Where records go without --out: --results-dir, $GCTB_RESULTS_DIR, ./results.
add_test(NAME e2e.results-dir
         COMMAND ${E2E}/results_dir.sh ${GCTB} ${SMALL}
                 ${CMAKE_BINARY_DIR}/results-dir-test)
set_tests_properties(e2e.results-dir PROPERTIES LABELS e2e TIMEOUT 120)
