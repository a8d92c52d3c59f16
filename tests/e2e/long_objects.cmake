# Objects longer than WL_POLL_WORDS (workloads/common.h): their fills and
# checks poll safepoints and re-read the object afterwards, so a collection
# started by another mutator (lifetimes and server run two) or by the
# collector thread of a concurrent policy can run, and move what it may, in
# the middle of one. Every policy, the verifier after every collection, and
# again in stress mode. Included from tests/CMakeLists.txt after
# workloads.cmake (WL_DIR, WL_OUT, WL_POLICIES).
set(LONG_fragger --set workload.params.size_min=8192
                 --set workload.params.size_max=131072
                 --set workload.params.live_set=\"2M\"
                 --set workload.params.rounds=6)
set(LONG_lifetimes --set workload.params.size_dist=\"uniform\"
                   --set workload.params.size_min=16
                   --set workload.params.size_max=65536
                   --set workload.params.live_set=\"1M\"
                   --set workload.params.alloc_bytes=\"8M\")
# values and request buffers of 48 and 40 KiB: below shenandoah's
# large-object threshold (64 KiB), so they are evacuated like any other
set(LONG_server --set workload.params.value_words=6000
                --set workload.params.request_words=5000
                --set workload.params.request_nodes=8
                --set workload.params.cache_entries=64
                --set workload.params.keys=256
                --set workload.params.requests=300)
foreach(wl fragger lifetimes server)
  foreach(policy ${WL_POLICIES})
    if(policy STREQUAL nogc)
      continue()
    endif()
    set(base run ${WL_DIR}/${wl}.json --quiet --out ${WL_OUT}
             --set policy.name=\"${policy}\" --set heap.size=\"32M\"
             ${LONG_${wl}})
    add_test(NAME e2e.wl.long-objects.${wl}.${policy} COMMAND ${GCTB} ${base})
    add_test(NAME e2e.wl.long-objects.${wl}.${policy}.stress
             COMMAND ${GCTB} ${base} --set stress.every_allocs=200)
    set_tests_properties(e2e.wl.long-objects.${wl}.${policy}
                         e2e.wl.long-objects.${wl}.${policy}.stress
                         PROPERTIES LABELS "e2e;workloads" TIMEOUT 120)
  endforeach()
endforeach()
