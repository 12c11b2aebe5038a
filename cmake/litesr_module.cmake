# LITESR_ASAN_LIGHT: the compile options, under ASan, of the Highway kernel files and of the test programs: no
# use-after-scope checks (stack-buffer overflows and every heap access stay checked; the library code keeps them).
# The kernels' register blocks are arrays of vectors indexed by compile-time constants, whose scope poisoning
# tripled their compile time (kernel_conv3x3.cpp 600 s -> 219 s), and a test batch compiles in 48 s instead of 70 s
# (measured on the AVX2-only EPYC): the ASan stage is the longest of CI.
if(LITESR_SANITIZE)
  set(LITESR_ASAN_LIGHT -fno-sanitize-address-use-after-scope)
else()
  set(LITESR_ASAN_LIGHT "")
endif()
# LITESR_TEST_OPTIONS: the compile options of the test programs, which only drive the library (compiled as its build
# type says), measured on the AVX2-only EPYC: -Og in Release builds instead of -O3 (a test batch 29 s at -O3, 17 s at
# -O1, 13 s at -Og) for the README build and the arm64 cross build, whose largest share the tests are; -O0 under ASan
# instead of the preset's -O1 (a CLI test batch 29 s -> 16 s; the library, where the checks matter, keeps -O1).
if(LITESR_SANITIZE)
  set(LITESR_TEST_OPTIONS ${LITESR_ASAN_LIGHT} -O0)
else()
  set(LITESR_TEST_OPTIONS $<$<CONFIG:Release>:-Og>)
endif()

# litesr_unity_build(TARGET SOURCES...): compile TARGET's sources in batches of five per translation unit (CMake
# unity build; the test suites and litesr_train set ten): each batch parses the shared headers (GoogleTest,
# nlohmann-json, CLI11, the runtime) and instantiates their templates once instead of five times, which halves the
# build time of the test suites and the CLI. Highway's per-target kernel files (foreach_target.h re-includes the
# file itself) stay on their own. One consequence: names in a file's anonymous namespace are visible to the files
# after it in the same batch, so file-local helpers need names of their own (two `config()` helpers in one batch are
# a compile error).
# Under ASan those kernel files are compiled with LITESR_ASAN_LIGHT (above).
function(litesr_unity_build target)
  set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 5)
  foreach(source IN LISTS ARGN)
    file(STRINGS "${source}" self_including REGEX "HWY_TARGET_INCLUDE")
    if(self_including)
      set_source_files_properties("${source}" TARGET_DIRECTORY ${target} PROPERTIES SKIP_UNITY_BUILD_INCLUSION ON)
      set_property(SOURCE "${source}" TARGET_DIRECTORY ${target} APPEND PROPERTY COMPILE_OPTIONS ${LITESR_ASAN_LIGHT})
    endif()
  endforeach()
endfunction()

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
  litesr_unity_build(litesr_${name} ${sources})
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
  litesr_unity_build(litesr_${name}_tests ${sources})
  # Test files are small and share heavy headers (GoogleTest, the runtime): half of a batch's compile is parsing them
  # (-fsyntax-only 6.6 s of 13.4 s), so their batches are ten files.
  set_target_properties(litesr_${name}_tests PROPERTIES UNITY_BUILD_BATCH_SIZE 10)
  target_compile_options(litesr_${name}_tests PRIVATE ${LITESR_TEST_OPTIONS})
  target_link_libraries(litesr_${name}_tests PRIVATE ${ARG_DEPS} litesr_testing GTest::gtest GTest::gmock GTest::gtest_main)
  if(ARG_WHOLE_BINARY)
    # One CTest entry for the whole binary: processes linked to LibTorch are slow to start.
    add_test(NAME ${name} COMMAND litesr_${name}_tests)
  else()
    gtest_discover_tests(litesr_${name}_tests DISCOVERY_MODE PRE_TEST DISCOVERY_TIMEOUT 60)
  endif()
endfunction()
