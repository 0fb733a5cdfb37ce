# dp_add_unit_test(NAME SOURCES src... [LIBS lib...]): a cmocka test program, registered with ctest.
function(dp_add_unit_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE PkgConfig::CMOCKA ${T_LIBS})
  add_test(NAME ${name} COMMAND ${name})
  # exit status 77 (DP_TEST_SKIP): the test's data is absent (../shared), reported as skipped
  set_tests_properties(${name} PROPERTIES ENVIRONMENT "${DP_TEST_ENV}" SKIP_RETURN_CODE 77)
  target_compile_definitions(${name} PRIVATE DP_TEST_SKIP=77)
endfunction()

# dp_add_e2e_test(NAME SCRIPT): a bash script that generates dumps and runs dumppipe on them.
# It sources tests/e2e/lib.sh, which reads the variables below.
function(dp_add_e2e_test name script)
  add_test(NAME e2e_${name} COMMAND bash ${script})
  set_tests_properties(e2e_${name} PROPERTIES ENVIRONMENT "${DP_TEST_ENV}" SKIP_RETURN_CODE 77)
endfunction()
