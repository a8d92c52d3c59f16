# No registered policy runs a workload on the generic instance with stress
# mode off (issue 14): tests/e2e/instances.sh runs each workload below,
# scaled down, under every policy `gctb list` names and checks the record's
# workload.instance. Every workload with a body compiled per family
# (workloads/instances/bodies.cmake) belongs in this list.
set(INSTANCE_WORKLOADS gcbench mt-gcbench binary-trees quads gcold lifetimes server fragger)
set(INSTANCE_ENV "")
if(GCTB_TSAN) # no bdw under TSan (.ci/test)
  set(INSTANCE_ENV "GCTB_SKIP_POLICIES=bdw")
endif()
foreach(wl ${INSTANCE_WORKLOADS})
  add_test(NAME e2e.instances.${wl}
           COMMAND ${E2E}/instances.sh ${GCTB} ${E2E}/workloads
                   ${CMAKE_BINARY_DIR}/e2e-instances ${wl})
  set_tests_properties(e2e.instances.${wl} PROPERTIES LABELS e2e TIMEOUT 300
                       ENVIRONMENT "${INSTANCE_ENV}")
endforeach()
