# End-to-end tests of the workload suite (issue 3), each scaled down to well
# under a second: every workload under every policy with the verifier after
# every collection, and again in stress mode; a determinism test (the same
# seed does the same work under a moving and a non-moving policy); and a
# corruption test (one payload word flipped through the test-only hook
# GCTB_TEST_CORRUPT must end the run with the workload naming the object).
# The scaled-down configs are in tests/e2e/workloads/.
set(WL_DIR ${CMAKE_CURRENT_LIST_DIR}/workloads)
set(WL_OUT ${CMAKE_BINARY_DIR}/e2e-workloads.jsonl)
set(WL_WORKLOADS mt-gcbench binary-trees quads gcold lifetimes server fragger)
set(WL_POLICIES ${GCTB_POLICIES}) # policies/registry.c

# Heaps: a few times the declared live size, the same for every policy
# (segregated-fit classes share 32 KiB pages, heap/sfspace_pages.c, so no
# policy needs more); nogc holds everything the run allocates.
set(WL_HEAP_mt-gcbench 8M)
set(WL_HEAP_binary-trees 4M)
set(WL_HEAP_quads 4M)
set(WL_HEAP_gcold 6M)
set(WL_HEAP_lifetimes 10M)
set(WL_HEAP_server 6M)
set(WL_HEAP_fragger 12M)

# The heap for a workload with some mutator threads: four mutators hold
# four live sets, so twice the heap.
function(wl_heap out wl policy threads)
  string(REGEX REPLACE "M$" "" mib ${WL_HEAP_${wl}})
  if(threads GREATER 1)
    math(EXPR mib "${mib} * 2")
  endif()
  set(${out} ${mib}M PARENT_SCOPE)
endfunction()

foreach(wl ${WL_WORKLOADS})
  set(config ${WL_DIR}/${wl}.json)
  foreach(policy ${WL_POLICIES})
    if(policy STREQUAL nogc)
      set(heap 32M)
    else()
      wl_heap(heap ${wl} ${policy} 1)
    endif()
    set(base run ${config} --quiet --out ${WL_OUT}
             --set policy.name=\"${policy}\" --set heap.size=\"${heap}\")
    add_test(NAME e2e.wl.${wl}.${policy} COMMAND ${GCTB} ${base})
    set_tests_properties(e2e.wl.${wl}.${policy} PROPERTIES LABELS "e2e;workloads"
                         TIMEOUT 120)
    if(NOT policy STREQUAL nogc)
      add_test(NAME e2e.wl.${wl}.${policy}.stress
               COMMAND ${GCTB} ${base} --set stress.every_allocs=5000)
      set_tests_properties(e2e.wl.${wl}.${policy}.stress
                           PROPERTIES LABELS "e2e;workloads" TIMEOUT 120)
    endif()
  endforeach()

  add_test(NAME e2e.wl.${wl}.same-work
           COMMAND ${E2E}/same_work.sh ${GCTB} ${config}
                   ${CMAKE_BINARY_DIR}/e2e-same-work-${wl}.jsonl
                   semispace ${WL_HEAP_${wl}} segfit ${WL_HEAP_${wl}})
  add_test(NAME e2e.wl.${wl}.corrupt
           COMMAND ${E2E}/expect.sh 1 "gctb: ${wl}: .*expected .* found"
                   -- env GCTB_TEST_CORRUPT=100 ${GCTB} run ${config} --quiet
                   --out ${WL_OUT} --set heap.size=\"${WL_HEAP_${wl}}\")
  set_tests_properties(e2e.wl.${wl}.same-work e2e.wl.${wl}.corrupt
                       PROPERTIES LABELS "e2e;workloads" TIMEOUT 120)
endforeach()

# mt-gcbench (two mutators) with the verifier before and after every
# collection, in stress mode, under every registered policy.
foreach(policy ${WL_POLICIES})
  if(policy STREQUAL nogc)
    set(heap 32M)
  else()
    wl_heap(heap mt-gcbench ${policy} 1)
  endif()
  add_test(NAME e2e.wl.mt-gcbench.${policy}.verify-before-after-stress
           COMMAND ${GCTB} run ${WL_DIR}/mt-gcbench.json --quiet --out ${WL_OUT}
                   --set policy.name=\"${policy}\" --set heap.size=\"${heap}\"
                   --set verify=\"before-and-after-gc\"
                   --set stress.every_allocs=5000)
  set_tests_properties(e2e.wl.mt-gcbench.${policy}.verify-before-after-stress
                       PROPERTIES LABELS "e2e;workloads" TIMEOUT 120)
endforeach()

# On-the-fly policies: the threaded workloads with 1 and with 4 mutators,
# plain and in stress mode (the configs verify after every collection);
# and every workload with the verifier off, where only the workload's own
# checks watch: the verifier's stop-the-world mark check once hid a window
# in which otf's sweep freed new objects.
foreach(policy otf otf-gen)
  foreach(wl ${WL_WORKLOADS})
    wl_heap(heap ${wl} ${policy} 1)
    set(base run ${WL_DIR}/${wl}.json --quiet --out ${WL_OUT}
             --set policy.name=\"${policy}\"
             --set heap.size=\"${heap}\" --set verify=\"none\")
    add_test(NAME e2e.wl.${wl}.${policy}.noverify COMMAND ${GCTB} ${base})
    add_test(NAME e2e.wl.${wl}.${policy}.noverify.stress
             COMMAND ${GCTB} ${base} --set stress.every_allocs=5000)
    set_tests_properties(e2e.wl.${wl}.${policy}.noverify
                         e2e.wl.${wl}.${policy}.noverify.stress
                         PROPERTIES LABELS "e2e;workloads" TIMEOUT 120)
  endforeach()
  foreach(wl mt-gcbench binary-trees lifetimes server)
    foreach(t 1 4)
      wl_heap(heap ${wl} ${policy} ${t})
      set(base run ${WL_DIR}/${wl}.json --quiet --out ${WL_OUT}
               --set policy.name=\"${policy}\"
               --set heap.size=\"${heap}\"
               --set workload.params.threads=${t})
      add_test(NAME e2e.wl.${wl}.${policy}.threads${t} COMMAND ${GCTB} ${base})
      add_test(NAME e2e.wl.${wl}.${policy}.threads${t}.stress
               COMMAND ${GCTB} ${base} --set stress.every_allocs=5000)
      set_tests_properties(e2e.wl.${wl}.${policy}.threads${t}
                           e2e.wl.${wl}.${policy}.threads${t}.stress
                           PROPERTIES LABELS "e2e;workloads" TIMEOUT 120)
    endforeach()
  endforeach()
endforeach()

# The example configs in configs/ at full size, under every policy at 3x the
# declared live size (label bench: minutes, not in the default run).
add_test(NAME bench.workload-configs
         COMMAND ${E2E}/workload_configs.sh ${GCTB} ${CMAKE_SOURCE_DIR}/configs
                 ${CMAKE_BINARY_DIR}/bench-workload-configs.jsonl
                 ${WL_POLICIES})
set_tests_properties(bench.workload-configs PROPERTIES LABELS bench
                     TIMEOUT 3600)
