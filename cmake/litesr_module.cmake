# litesr_module(NAME DEPS ...): a static library `litesr_<NAME>` from every src/<NAME>/*.cpp (globbed, so
# adding a file needs no CMake edit). Includes are rooted at src/.
function(litesr_module name)
  cmake_parse_arguments(ARG "" "" "DEPS;PRIVATE_DEPS;EXCLUDE" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/src/${name}/*.cpp")
  foreach(pattern IN LISTS ARG_EXCLUDE)
    list(FILTER sources EXCLUDE REGEX "${pattern}")
  endforeach()
  if(NOT sources)  # a module whose first file has not been written yet: headers only
    add_library(litesr_${name} INTERFACE)
    target_include_directories(litesr_${name} INTERFACE "${PROJECT_SOURCE_DIR}/src")
    target_link_libraries(litesr_${name} INTERFACE ${ARG_DEPS})
    return()
  endif()
  add_library(litesr_${name} STATIC ${sources})
  target_include_directories(litesr_${name} PUBLIC "${PROJECT_SOURCE_DIR}/src")
  target_link_libraries(litesr_${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()

# litesr_test_suite(NAME DEPS ...): one test binary `litesr_<NAME>_tests` from tests/<NAME>/*_test.cpp,
# each test case registered with CTest. Tests find the shared data through LITESR_DATA_DIR.
function(litesr_test_suite name)
  cmake_parse_arguments(ARG "WHOLE_BINARY" "" "DEPS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/tests/${name}/*.cpp")
  if(NOT sources)
    return()
  endif()
  add_executable(litesr_${name}_tests ${sources})
  target_link_libraries(litesr_${name}_tests PRIVATE ${ARG_DEPS} litesr_testing GTest::gtest GTest::gmock GTest::gtest_main)
  if(ARG_WHOLE_BINARY)
    # One CTest entry for the whole binary: processes linked to LibTorch are slow to start.
    add_test(NAME ${name} COMMAND litesr_${name}_tests)
  else()
    gtest_discover_tests(litesr_${name}_tests DISCOVERY_MODE PRE_TEST DISCOVERY_TIMEOUT 60)
  endif()
endfunction()
