// What the CPU is, for reports (`litesr --version`, `litesr bench`) and for the tests that check an emulated CPU
// is the one asked for (tests/arm64.cmake). The kernel ISAs themselves are runtime/kernel_dispatch.h's.
#pragma once

#include <string>
#include <string_view>

namespace litesr {

// The CPU's name from /proc/cpuinfo: x86 (and 32-bit Arm) "model name"; AArch64, which has no such line, the
// cores named from their MIDR fields "CPU implementer" / "CPU part" ("Arm Cortex-A76", on a big.LITTLE SoC
// "4x Arm Cortex-A55 + 4x Arm Cortex-A76"; unknown parts as "Arm part 0xd4f"). "unknown" when neither is there,
// and on AArch64 under a user-mode emulator (QEMU 7 shows the x86-64 host's /proc/cpuinfo).
std::string cpu_model_name();
// The same from the text of a /proc/cpuinfo (testable on any machine).
std::string cpu_model_from_cpuinfo(std::string_view cpuinfo);

// The SVE vector length of this process in bits (128..2048, Linux PR_SVE_GET_VL), 0 without SVE or off
// AArch64 Linux. For reports only: the kernels run NEON on SVE cores (runtime/kernel_targets.h).
int sve_vector_bits();

}  // namespace litesr
