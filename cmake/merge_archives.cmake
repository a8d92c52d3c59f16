# cmake -DAR=ar -DRANLIB=ranlib -DOUT=libgctb.a -DINPUTS="a.a|b.a"
#       -P merge_archives.cmake
#
# One static archive holding every member of INPUTS (what the installed
# libgctb.a is: the heap, policies and workloads, and the harness), made
# with ar's MRI script mode, which keeps members whose names repeat across
# the inputs (harness/run/pin.c and heap/pin.c are both pin.c.o).
string(REPLACE "|" ";" INPUTS "${INPUTS}")
set(script "create ${OUT}.tmp\n")
foreach(in IN LISTS INPUTS)
  string(APPEND script "addlib ${in}\n")
endforeach()
string(APPEND script "save\nend\n")
file(WRITE ${OUT}.mri "${script}")
file(REMOVE ${OUT}.tmp)
execute_process(COMMAND ${AR} -M INPUT_FILE ${OUT}.mri RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "merge_archives: ${AR} -M failed (${rc})")
endif()
execute_process(COMMAND ${RANLIB} ${OUT}.tmp RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "merge_archives: ${RANLIB} failed (${rc})")
endif()
file(RENAME ${OUT}.tmp ${OUT})
