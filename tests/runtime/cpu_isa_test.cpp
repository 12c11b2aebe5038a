// The CPU the tests run on, checked against what the test runner asked for. tests/arm64.cmake runs the suites
// under QEMU once per emulated CPU and sets LITESR_EXPECT_*, so that a QEMU_CPU that did not take (or a Highway
// that detects another CPU) fails here instead of silently testing another target. Without them (native runs)
// the test prints what it found and skips.
//   LITESR_EXPECT_KERNEL_ISA  the ISA the kernels dispatch to, KernelIsa::best() (e.g. "neon")
//   LITESR_EXPECT_CPU_ISAS    every Highway target the CPU supports, best first, cpu_isas() (e.g. "sve2 sve neon")
//   LITESR_EXPECT_SVE_BITS    the process's SVE vector length, sve_vector_bits() ("0": no SVE)
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "base/cpu_info.h"
#include "runtime/kernel_dispatch.h"
#include "runtime/kernel_peak.h"

namespace litesr {
namespace {

std::string join(const std::vector<std::string>& names) {
  std::string s;
  for (const std::string& n : names) s += (s.empty() ? "" : " ") + n;
  return s;
}

TEST(CpuIsa, IsTheCpuTheRunnerAskedFor) {
  const std::string kernel = KernelIsa::best().name();
  const std::string cpu = join(cpu_isas());
  const int sve_bits = sve_vector_bits();
  std::printf("kernel isa: %s; cpu supports: %s; SVE vector: %d bits; cpu: %s\n", kernel.c_str(), cpu.c_str(),
              sve_bits, cpu_model_name().c_str());
  const char* want_kernel = std::getenv("LITESR_EXPECT_KERNEL_ISA");
  const char* want_cpu = std::getenv("LITESR_EXPECT_CPU_ISAS");
  const char* want_sve_bits = std::getenv("LITESR_EXPECT_SVE_BITS");
  if (want_kernel == nullptr && want_cpu == nullptr && want_sve_bits == nullptr) {
    GTEST_SKIP() << "no LITESR_EXPECT_* in the environment (tests/arm64.cmake sets them per emulated CPU)";
  }
  if (want_kernel != nullptr) {
    EXPECT_EQ(kernel, want_kernel);
    // The kernels really run it: the FMA probe reports the ISA it ran and its vector's lanes.
    const FmaPeak p = measure_fma_peak(1, 0.002);
    EXPECT_EQ(p.isa, want_kernel);
    if (kernel == "neon") {
      EXPECT_EQ(p.lanes, 4);
    }
  }
  if (want_cpu != nullptr) {
    EXPECT_EQ(cpu, want_cpu);
  }
  if (want_sve_bits != nullptr) {
    EXPECT_EQ(sve_bits, std::atoi(want_sve_bits));
  }
}

}  // namespace
}  // namespace litesr
