# gctb as an installed library and command (docs/embedding.md). Included
# from CMakeLists.txt after the targets are defined.
#
#   cmake --install build --prefix P
#
# installs bin/gctb; lib/libgctb.a (one archive: heap, policies, workloads
# and harness, merged from the two build libraries); the public headers in
# include/gctb/ (gctb.h with gctb_freelist.h and gctb_families.h, options.h,
# workload.h, plugin.h, embed.h);
# lib/pkgconfig/gctb.pc; lib/cmake/gctb/ for find_package(gctb); the
# analysis package in share/gctb/analysis, where an installed gctb finds it
# for `gctb report|plot|trace`; configs in share/gctb/configs; the manual
# page man1/gctb.1 made from the help texts; docs and examples in
# share/doc/gctb.
#
# Static only: a shared libgctb would need every object compiled as
# position-independent code (a second compile of the whole tree, or PIC in
# the archive the gctb command is linked from, with its globals such as the
# type table reached through the GOT), for programs that link the archive
# just as well. Plugins need no shared libgctb: they use the symbols of the
# gctb executable that loads them.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(GCTB_VERSION 0.1.0)

# Plugins (workloads/plugin.h) call back into the executable that loads
# them: gctb exports its symbols (-rdynamic; calls inside the executable
# stay direct, so this costs nothing at run time).
set_target_properties(gctb_cli PROPERTIES ENABLE_EXPORTS ON)
target_link_libraries(gctb_harness PUBLIC ${CMAKE_DL_LIBS})

# An installed gctb finds its analysis scripts relative to itself.
file(RELATIVE_PATH GCTB_EXE_TO_ANALYSIS /${CMAKE_INSTALL_BINDIR}
     /${CMAKE_INSTALL_DATADIR}/gctb/analysis)
target_compile_definitions(gctb_harness PRIVATE
                           GCTB_EXE_TO_ANALYSIS="${GCTB_EXE_TO_ANALYSIS}")

# The one archive.
set(GCTB_ARCHIVE ${CMAKE_BINARY_DIR}/lib/libgctb.a)
add_custom_command(
  OUTPUT ${GCTB_ARCHIVE}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/lib
  COMMAND ${CMAKE_COMMAND} -DAR=${CMAKE_AR} -DRANLIB=${CMAKE_RANLIB}
          -DOUT=${GCTB_ARCHIVE}
          "-DINPUTS=$<TARGET_FILE:gctb>|$<TARGET_FILE:gctb_harness>"
          -P ${CMAKE_SOURCE_DIR}/cmake/merge_archives.cmake
  DEPENDS gctb gctb_harness ${CMAKE_SOURCE_DIR}/cmake/merge_archives.cmake
  COMMENT "Merging libgctb.a for installation" VERBATIM)
add_custom_target(gctb_archive ALL DEPENDS ${GCTB_ARCHIVE})

# The manual page, from the help texts.
set(GCTB_MAN ${CMAKE_BINARY_DIR}/gctb.1)
add_custom_command(
  OUTPUT ${GCTB_MAN}
  COMMAND sh ${CMAKE_SOURCE_DIR}/cmake/man.sh $<TARGET_FILE:gctb_cli>
          > ${GCTB_MAN}
  DEPENDS gctb_cli ${CMAKE_SOURCE_DIR}/cmake/man.sh
  COMMENT "Writing the manual page gctb.1" VERBATIM)
add_custom_target(gctb_man ALL DEPENDS ${GCTB_MAN})

# pkg-config and CMake package files, with paths relative to themselves.
set(GCTB_PC_DIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
set(GCTB_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/gctb)
file(RELATIVE_PATH GCTB_PC_TO_PREFIX /${GCTB_PC_DIR} /)
file(RELATIVE_PATH GCTB_CONFIG_TO_PREFIX /${GCTB_CMAKE_DIR} /)
string(REGEX REPLACE "/$" "" GCTB_PC_TO_PREFIX "${GCTB_PC_TO_PREFIX}")
string(REGEX REPLACE "/$" "" GCTB_CONFIG_TO_PREFIX "${GCTB_CONFIG_TO_PREFIX}")
# An instrumented archive needs the same sanitizer to link (and, for TSan,
# to see the program's own accesses).
set(GCTB_SANITIZE "")
if(GCTB_ASAN)
  set(GCTB_SANITIZE "-fsanitize=address,undefined")
elseif(GCTB_TSAN)
  set(GCTB_SANITIZE "-fsanitize=thread")
endif()
set(GCTB_PC_DL "")
foreach(lib ${CMAKE_DL_LIBS})
  string(APPEND GCTB_PC_DL " -l${lib}")
endforeach()
configure_file(${CMAKE_SOURCE_DIR}/cmake/gctb.pc.in
               ${CMAKE_BINARY_DIR}/gctb.pc @ONLY)
configure_file(${CMAKE_SOURCE_DIR}/cmake/gctbConfig.cmake.in
               ${CMAKE_BINARY_DIR}/gctbConfig.cmake @ONLY)
write_basic_package_version_file(
  ${CMAKE_BINARY_DIR}/gctbConfigVersion.cmake VERSION ${GCTB_VERSION}
  COMPATIBILITY SameMinorVersion)

install(TARGETS gctb_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${GCTB_ARCHIVE} DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(FILES heap/gctb.h heap/gctb_freelist.h ${GCTB_GENERATED}/gctb_families.h
              heap/options.h
              workloads/workload.h
              workloads/plugin.h harness/run/embed.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/gctb)
install(FILES ${CMAKE_BINARY_DIR}/gctb.pc DESTINATION ${GCTB_PC_DIR})
install(FILES ${CMAKE_BINARY_DIR}/gctbConfig.cmake
              ${CMAKE_BINARY_DIR}/gctbConfigVersion.cmake
        DESTINATION ${GCTB_CMAKE_DIR})
install(DIRECTORY analysis/ DESTINATION ${CMAKE_INSTALL_DATADIR}/gctb/analysis
        PATTERN __pycache__ EXCLUDE)
install(DIRECTORY configs/ DESTINATION ${CMAKE_INSTALL_DATADIR}/gctb/configs)
install(FILES ${GCTB_MAN} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(DIRECTORY docs/ examples DESTINATION ${CMAKE_INSTALL_DOCDIR})
