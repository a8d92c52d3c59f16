# policies.cmake — the registered policies, read from policies/registry.c
# (one GCTB_POLICY(id) line each) so that the tests run every policy with
# no list of names to keep in step (docs/adding-a-policy.md).
#
#   GCTB_POLICIES          every policy's name (id with '_' spelt '-'), in
#                          registry order
#   GCTB_POLICIES_NO_LIBGC the same without bdw, for TSan builds (libgc's
#                          signal-based stop-the-world fails under TSan)
#
# Editing registry.c re-runs CMake, so a new line is a new set of tests.
set(GCTB_REGISTRY ${CMAKE_SOURCE_DIR}/policies/registry.c)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${GCTB_REGISTRY})
file(READ ${GCTB_REGISTRY} registry)
# (lines end in the macro's backslash: matched in the text, not as a list)
string(REGEX MATCHALL "\n[ \t]*GCTB_POLICY\\([a-z0-9_]+\\)" lines "${registry}")
set(GCTB_POLICIES "")
foreach(line ${lines})
  string(REGEX REPLACE ".*GCTB_POLICY\\(([a-z0-9_]+)\\)" "\\1" id "${line}")
  string(REPLACE "_" "-" name ${id})
  list(APPEND GCTB_POLICIES ${name})
endforeach()
if(NOT GCTB_POLICIES)
  message(FATAL_ERROR "no GCTB_POLICY(id) lines in ${GCTB_REGISTRY}")
endif()
set(GCTB_POLICIES_NO_LIBGC ${GCTB_POLICIES})
list(REMOVE_ITEM GCTB_POLICIES_NO_LIBGC bdw)
