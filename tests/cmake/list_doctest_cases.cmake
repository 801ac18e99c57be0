# Run by ctest (cmake -P) before the tests: lists a doctest binary's test cases and writes one
# add_test per case to OUT. doctest_discover_tests hands each name to ctest as a CMake list, so a
# name with a ';' became two tests whose filters matched nothing and passed; here a ';' is the
# filter's one-character wildcard '?' (and a ',' in the ctest name), so every case runs.
# -D EXE=binary -D OUT=file -D DIR=working folder -D "PROPS=property value ..."
execute_process(COMMAND "${EXE}" --list-test-cases OUTPUT_VARIABLE listing RESULT_VARIABLE result
                WORKING_DIRECTORY "${DIR}")
if(NOT result EQUAL 0)
  message(FATAL_ERROR "'${EXE}' --list-test-cases failed (${result}):\n${listing}")
endif()
string(REPLACE ";" "<semicolon>" listing "${listing}")
string(REPLACE "\n" ";" lines "${listing}")
set(script "")
foreach(line IN LISTS lines)
  if(line STREQUAL "" OR line MATCHES "^===+$" OR line MATCHES "^\\[doctest\\] ")
    continue()
  endif()
  string(REPLACE "<semicolon>" "," name "${line}")
  string(REPLACE "," "\\," filter "${line}")
  string(REPLACE "<semicolon>" "?" filter "${filter}")
  string(APPEND script "add_test([==[${name}]==] [==[${EXE}]==] [==[--test-case=${filter}]==])\n"
         "set_tests_properties([==[${name}]==] PROPERTIES WORKING_DIRECTORY [==[${DIR}]==] ${PROPS})\n")
endforeach()
file(WRITE "${OUT}" "${script}")
