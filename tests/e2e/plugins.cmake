# Workload plugins loaded by `gctb run` (workloads/plugin.h): a good one
# runs and its bad parameter is refused; plugins that are not plugins,
# were built against other headers or declare invalid workloads are each
# refused with exit 2 and a message naming workload.plugin. (The example
# plugin, built against an installed gctb, runs under `gctb matrix` in
# install.examples.) Included from tests/CMakeLists.txt after e2e.cmake.
set(PLUGIN_SRC ${E2E}/plugins/bad_plugin.c)
set(PLUGIN_CONFIG ${E2E}/plugins/plugin.json)
foreach(kind good BAD_ABI BAD_DEFAULT BAD_NAME BAD_NOT_PLUGIN)
  string(TOLOWER ${kind} lib)
  add_library(plugin_${lib} MODULE ${PLUGIN_SRC})
  target_include_directories(plugin_${lib} PRIVATE ${CMAKE_SOURCE_DIR}
                             ${CMAKE_SOURCE_DIR}/heap)
  target_link_libraries(plugin_${lib} PRIVATE PkgConfig::JANSSON)
  if(NOT kind STREQUAL good)
    target_compile_definitions(plugin_${lib} PRIVATE ${kind}=1)
  endif()
  set(PLUGIN_${kind} $<TARGET_FILE:plugin_${lib}>)
endforeach()

function(plugin_test name code regex plugin)
  add_test(NAME e2e.plugin.${name}
           COMMAND ${E2E}/expect.sh ${code} ${regex} -- ${GCTB} run
                   ${PLUGIN_CONFIG} --out ${E2E_OUT}
                   --set workload.plugin=\"${plugin}\" ${ARGN})
  set_tests_properties(e2e.plugin.${name} PROPERTIES LABELS e2e TIMEOUT 60)
endfunction()
plugin_test(runs 0 "workload tiny-plugin" ${PLUGIN_good})
plugin_test(bad-param 2 "workload\\.params\\.n: 11 is out of range"
            ${PLUGIN_good} --set workload.params.n=11)
plugin_test(unknown-param 2 "unknown key \"workload\\.params\\.m\""
            ${PLUGIN_good} --set workload.params.m=1)
plugin_test(wrong-name 2 "workload\\.name: \"gcbench\", but the plugin"
            ${PLUGIN_good} --set workload.name=\"gcbench\")
plugin_test(abi 2 "workload\\.plugin: .* built against other gctb headers"
            ${PLUGIN_BAD_ABI})
plugin_test(bad-default 2 "parameter \"n\": default 50 is outside"
            ${PLUGIN_BAD_DEFAULT})
plugin_test(builtin-name 2 "has the name of a built-in workload"
            ${PLUGIN_BAD_NAME})
plugin_test(not-a-plugin 2 "is not a gctb workload plugin"
            ${PLUGIN_BAD_NOT_PLUGIN})
plugin_test(missing 2 "workload\\.plugin: cannot find"
            ${CMAKE_BINARY_DIR}/no-such-plugin.so)
plugin_test(not-a-string 2 "workload\\.plugin: expected a path"
            ${PLUGIN_good} --set workload.plugin=3)
