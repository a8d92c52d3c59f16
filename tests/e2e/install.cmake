# gctb from outside its tree (docs/embedding.md): install into a temporary
# prefix, build the examples against it with pkg-config and with
# find_package, run them (tests/e2e/install.sh). About 15 s; in the default
# run. Included from tests/CMakeLists.txt after matrix.cmake.
add_test(NAME install.examples
         COMMAND ${E2E}/install.sh ${CMAKE_BINARY_DIR} ${CMAKE_SOURCE_DIR}
                 ${CMAKE_BINARY_DIR}/install-test ${GCTB_TEST_PYTHON})
set_tests_properties(install.examples PROPERTIES LABELS "e2e;install"
                     TIMEOUT 300 ENVIRONMENT "CC=${CMAKE_C_COMPILER}")
