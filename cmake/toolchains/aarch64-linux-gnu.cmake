# Cross-compiling LiteSR for 64-bit Arm Linux (AArch64) on an x86-64 Debian 12 machine (docs/arm.md):
#   compilers   aarch64-linux-gnu-gcc/g++ (crossbuild-essential-arm64)
#   libraries   the arm64 multiarch -dev packages in /usr/lib/aarch64-linux-gnu (dpkg --add-architecture arm64);
#               headers of Architecture: all packages (nlohmann-json, CLI11) come from /usr/include as usual
#   running     qemu-aarch64-static (qemu-user-static) as CMAKE_CROSSCOMPILING_EMULATOR: gtest_discover_tests
#               and ctest run the test binaries through it; QEMU_CPU (tests/arm64.cmake) picks the emulated CPU
# scripts/install-deps.sh --arm64 installs all of it. The `arm64` presets (CMakePresets.json) use this file.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(LITESR_CROSS_TRIPLE aarch64-linux-gnu)
set(CMAKE_C_COMPILER ${LITESR_CROSS_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${LITESR_CROSS_TRIPLE}-g++)
# Debian multiarch: find_library / find_package / pkg-config look in /usr/lib/aarch64-linux-gnu, never in the
# build machine's /usr/lib/x86_64-linux-gnu.
set(CMAKE_LIBRARY_ARCHITECTURE ${LITESR_CROSS_TRIPLE})
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/${LITESR_CROSS_TRIPLE}/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")

# The programs run on the arm64 multiarch libc6:arm64 (/lib/ld-linux-aarch64.so.1, pulled in by the -dev packages)
# with the other multiarch libraries, so QEMU needs no -L / QEMU_LD_PREFIX. Do NOT point it at /usr/aarch64-linux-gnu:
# that is the cross toolchain's (older) glibc build, and its ld.so with the multiarch libc.so.6 hangs in the first
# pthread_create (measured: Debian 12, libc6-arm64-cross 2.36-8cross1 with libc6:arm64 2.36-9+deb12u14).
if(NOT CMAKE_CROSSCOMPILING_EMULATOR)
  find_program(LITESR_QEMU_AARCH64 qemu-aarch64-static)
  if(LITESR_QEMU_AARCH64)
    set(CMAKE_CROSSCOMPILING_EMULATOR "${LITESR_QEMU_AARCH64}")
  endif()
endif()
