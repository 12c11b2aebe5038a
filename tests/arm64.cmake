# The arm64 cross build's tests (docs/arm.md), included from tests/CMakeLists.txt when cross-compiling for
# AArch64. Every test here runs under qemu-aarch64-static (CMAKE_CROSSCOMPILING_EMULATOR, the toolchain file),
# once per emulated CPU (QEMU_CPU), and carries the label `arm64`: the `arm64` test preset runs only these
# (the other suites' registrations are not built by the `arm64` build preset).
#
# The kernels are compiled for NEON only on AArch64 (kernel_targets.h: the SVE targets are disabled, the NEON
# target is Highway's AArch64 baseline). So every CPU must run "neon"; the SVE/SVE2 CPUs check that Highway
# detects their SVE (and its vector length: its detection runs SVE code in libhwy) and that the NEON kernels
# give the same results there. Each CPU's <cpu>/CpuIsa.Expected fails when QEMU_CPU did not take.
#
# Per CPU: name | QEMU_CPU | Highway targets it must report (cpu_isas()) | SVE vector bits
# QEMU's `max` has SVE2; its only SVE-without-SVE2 model is a64fx, for which glibc's ifuncs pick their A64FX SVE
# memcpy/memset: emulated, a memcpy loop ran 25-45x slower than on `max`, and the parity tests below took 516 s
# (256-bit) and 407 s (512-bit) of CPU against 35 s on `max`. So the vector length is varied on `max`, and a64fx
# runs once, at 128 bits (60 s).
set(LITESR_ARM64_CPUS
    "neon|cortex-a72|neon|0"                             # Armv8.0 + crypto (Raspberry Pi 4 class, with AES)
    "sve-128|a64fx,sve128=on|sve neon|128"               # SVE without SVE2
    "sve2-128|max,sve128=on|sve2_128 sve2 sve neon|128"  # Armv9 phone cores (Cortex-X2/A710/A510): SVE2 at 128
    "sve2-256|max,sve256=on|sve_256 sve2 sve neon|256"
    "sve2-512|max|sve2 sve neon|512")
# The full suites run on the first CPU; the others run the kernel and executor parity tests (the tests that
# loop over "every ISA the CPU runs" and compare with the reference executor), not file I/O or metrics, which
# no kernel ISA reaches. Left out there: the sweeps that the first CPU runs in full on the same NEON code — the
# mixed-ops sweep of band heights and threads (21 s per CPU) and the kernels' exhaustive shape, width and
# threshold sweeps (22 s of the remaining 54 s per CPU); the fused executors still run every kernel on each CPU.
set(LITESR_ARM64_PARITY_FILTER
    "Kernel*:*BandExecutor*:MultiFrameSession.*:Int8Program.*:-*MixedOpsMatchReferenceAndAreBandInvariant*:*AllShapesWidthsIsas:*PathsMatchConv2dInt8BitForBit:*EveryThresholdOfEveryLevelMatchesRequantizeAccumulator")
# The ffmpeg interop check starts the build machine's x86-64 ffmpeg: nothing of AArch64 in it.
set(LITESR_ARM64_IO_FILTER "-PngLevels.FfmpegReadsEveryLevelAndLayout")
# EvalData.* reads the benchmark sets (../shared/data) and takes minutes under QEMU; one of them (MATLAB-exact
# resize of a real frame against the files made by MATLAB) stays.
set(LITESR_ARM64_EVAL_FILTER "-EvalData.*:EvalData.ResizeReproducesVid4CalendarWithSymmetricBorders")

set(first_cpu TRUE)
foreach(entry IN LISTS LITESR_ARM64_CPUS)
  string(REPLACE "|" ";" fields "${entry}")
  list(GET fields 0 cpu)
  list(GET fields 1 qemu_cpu)
  list(GET fields 2 cpu_isas)
  list(GET fields 3 sve_bits)
  # One variable only in ENVIRONMENT here: gtest_discover_tests passes PROPERTIES on as a flat list (CMake 3.25).
  set(props ENVIRONMENT "QEMU_CPU=${qemu_cpu}" LABELS arm64)
  if(first_cpu)
    gtest_discover_tests(litesr_runtime_tests TEST_PREFIX "${cpu}/" TEST_FILTER "-CpuIsa.*" PROPERTIES ${props}
                         DISCOVERY_MODE PRE_TEST DISCOVERY_TIMEOUT 120)
    gtest_discover_tests(litesr_models_tests TEST_PREFIX "${cpu}/" PROPERTIES ${props}
                         DISCOVERY_MODE PRE_TEST DISCOVERY_TIMEOUT 120)
    gtest_discover_tests(litesr_io_tests TEST_PREFIX "${cpu}/" TEST_FILTER "${LITESR_ARM64_IO_FILTER}"
                         PROPERTIES ${props} DISCOVERY_MODE PRE_TEST DISCOVERY_TIMEOUT 120)
    gtest_discover_tests(litesr_eval_tests TEST_PREFIX "${cpu}/" TEST_FILTER "${LITESR_ARM64_EVAL_FILTER}"
                         PROPERTIES ${props} DISCOVERY_MODE PRE_TEST DISCOVERY_TIMEOUT 120)
    gtest_discover_tests(litesr_capi_tests TEST_PREFIX "${cpu}/" PROPERTIES ${props}
                         DISCOVERY_MODE PRE_TEST DISCOVERY_TIMEOUT 120)
  else()
    gtest_discover_tests(litesr_runtime_tests TEST_PREFIX "${cpu}/" TEST_FILTER "${LITESR_ARM64_PARITY_FILTER}"
                         PROPERTIES ${props} DISCOVERY_MODE PRE_TEST DISCOVERY_TIMEOUT 120)
  endif()
  # The CPU check with its expectations (several variables: a plain add_test).
  add_test(NAME ${cpu}/CpuIsa.Expected COMMAND litesr_runtime_tests --gtest_filter=CpuIsa.*)
  set_tests_properties(${cpu}/CpuIsa.Expected PROPERTIES LABELS arm64
                       ENVIRONMENT "QEMU_CPU=${qemu_cpu};LITESR_EXPECT_KERNEL_ISA=neon;LITESR_EXPECT_CPU_ISAS=${cpu_isas};LITESR_EXPECT_SVE_BITS=${sve_bits}"
                       PASS_REGULAR_EXPRESSION "\\[  PASSED  \\] 1 test")
  set(first_cpu FALSE)
endforeach()

# The CLI on the first CPU, as a user runs it (with sam-sr-xlite-x4, the RGB SAM-SR the references were made with):
# `litesr upscale` under QEMU writes into arm64-cli/ (ctest fixtures:
# clean, then upscale), then litesr_arm64_tests compares the outputs with the x86-64 ones (arm64/cli_output_test.cpp).
list(GET LITESR_ARM64_CPUS 0 entry)
string(REPLACE "|" ";" fields "${entry}")
list(GET fields 0 cpu)
list(GET fields 1 qemu_cpu)
set(cli_dir "${PROJECT_BINARY_DIR}/arm64-cli")
add_test(NAME ${cpu}/Cli.CleanOutputs COMMAND ${CMAKE_COMMAND} -E rm -rf "${cli_dir}")
set_tests_properties(${cpu}/Cli.CleanOutputs PROPERTIES LABELS arm64 FIXTURES_SETUP arm64_cli_clean)
add_test(NAME ${cpu}/Cli.UpscaleSample
         COMMAND litesr upscale -i "${PROJECT_SOURCE_DIR}/samples/sample.png" -o "${cli_dir}/sample_x4.png"
                 -n sam-sr-xlite-x4 --progress none)
set(cli_tests ${cpu}/Cli.UpscaleSample)
set(set5_baby "${LITESR_DATA_DIR}/sr_benchmark/Set5/LR_bicubic/X4/babyx4.png")
if(EXISTS "${set5_baby}")  # the shared data (the check skips its case without it)
  add_test(NAME ${cpu}/Cli.UpscaleSet5Baby
           COMMAND litesr upscale -i "${set5_baby}" -o "${cli_dir}/baby_x4.png" -n sam-sr-xlite-x4 --progress none)
  list(APPEND cli_tests ${cpu}/Cli.UpscaleSet5Baby)
endif()
set_tests_properties(${cli_tests} PROPERTIES LABELS arm64 ENVIRONMENT "QEMU_CPU=${qemu_cpu}"
                     FIXTURES_REQUIRED arm64_cli_clean FIXTURES_SETUP arm64_cli)

add_executable(litesr_arm64_tests "${PROJECT_SOURCE_DIR}/tests/arm64/cli_output_test.cpp")
target_link_libraries(litesr_arm64_tests PRIVATE litesr_eval litesr_io GTest::gtest GTest::gtest_main)
target_compile_definitions(litesr_arm64_tests PRIVATE LITESR_ARM64_CLI_DIR="${cli_dir}"
                           LITESR_SOURCE_DIR="${PROJECT_SOURCE_DIR}" LITESR_DATA_DIR="${LITESR_DATA_DIR}")
add_test(NAME ${cpu}/Arm64Cli.OutputsMatchX86 COMMAND litesr_arm64_tests)
set_tests_properties(${cpu}/Arm64Cli.OutputsMatchX86 PROPERTIES LABELS arm64 ENVIRONMENT "QEMU_CPU=${qemu_cpu}"
                     FIXTURES_REQUIRED arm64_cli)
