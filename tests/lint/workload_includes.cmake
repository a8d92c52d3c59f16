# workload_includes.cmake — workloads include only the public headers.
#
#   cmake -DROOT=<source tree> [-DGENERATED=<build>/generated] -P workload_includes.cmake
#
# Fails, naming each file and line, if a file under ROOT/workloads/
# includes anything but system headers, headers of workloads/ itself, and
# the public heap headers gctb.h and options.h (what an installed gctb
# ships in include/gctb/). A workload that needs something of the heap
# asks gctb.h for it (a clock, the heap size, bytes in use), so struct
# gc_heap and the heap's internals stay private. Headers are resolved as
# the compiler would: relative to the including file, then through the
# include directories heap/, the source root and GENERATED, whose headers
# (gctb_families.h, cmake/families.cmake) are part of gctb.h.
cmake_minimum_required(VERSION 3.18)
if(NOT ROOT)
  message(FATAL_ERROR "usage: cmake -DROOT=<source tree> -P ${CMAKE_CURRENT_LIST_FILE}")
endif()
get_filename_component(ROOT ${ROOT} ABSOLUTE)
set(public ${ROOT}/heap/gctb.h ${ROOT}/heap/options.h)
set(gen_dirs "")
if(GENERATED)
  get_filename_component(GENERATED ${GENERATED} ABSOLUTE)
  set(gen_dirs ${GENERATED})
  file(GLOB gen_headers ${GENERATED}/*.h)
  list(APPEND public ${gen_headers})
endif()
file(GLOB_RECURSE files ${ROOT}/workloads/*.c ${ROOT}/workloads/*.h)
if(NOT files)
  message(FATAL_ERROR "no workload sources under ${ROOT}/workloads")
endif()

# Where the compiler finds inc for a file in dir ("" if nowhere in the tree:
# a system header).
function(resolve out inc dir quoted)
  set(cands ${ROOT}/heap/${inc} ${ROOT}/${inc})
  foreach(g ${gen_dirs})
    list(APPEND cands ${g}/${inc})
  endforeach()
  if(quoted)
    list(PREPEND cands ${dir}/${inc})
  endif()
  foreach(c ${cands})
    if(EXISTS ${c})
      get_filename_component(c ${c} ABSOLUTE)
      set(${out} ${c} PARENT_SCOPE)
      return()
    endif()
  endforeach()
  set(${out} "" PARENT_SCOPE)
endfunction()

set(bad "")
foreach(f ${files})
  get_filename_component(dir ${f} DIRECTORY)
  file(STRINGS ${f} lines REGEX "^[ \t]*#[ \t]*include")
  foreach(line ${lines})
    if(line MATCHES "include[ \t]*\"([^\"]+)\"")
      set(quoted TRUE)
    elseif(line MATCHES "include[ \t]*<([^>]+)>")
      set(quoted FALSE)
    else()
      continue()
    endif()
    set(inc ${CMAKE_MATCH_1})
    resolve(path ${inc} ${dir} ${quoted})
    if(path STREQUAL "" AND NOT quoted)
      continue() # a system header
    endif()
    string(FIND "${path}" "${ROOT}/workloads/" in_workloads)
    if(in_workloads EQUAL 0 OR path IN_LIST public)
      continue()
    endif()
    file(RELATIVE_PATH rel ${ROOT} ${f})
    if(path STREQUAL "")
      set(path "nothing in the tree")
    else()
      file(RELATIVE_PATH path ${ROOT} ${path})
    endif()
    string(APPEND bad "\n  ${rel}: ${line} (${path})")
  endforeach()
endforeach()
if(bad)
  message(FATAL_ERROR
          "workloads may include only heap/gctb.h, heap/options.h, their own "
          "headers and system headers; add what they need to gctb.h:${bad}")
endif()
list(LENGTH files n)
message(STATUS "${n} workload files include only public headers")
