// CPU names from /proc/cpuinfo text (base/cpu_info.h): the x86 and the AArch64 layouts.
#include "base/cpu_info.h"

#include <gtest/gtest.h>

namespace litesr {
namespace {

TEST(CpuInfo, X86ModelName) {
  const char* text =
      "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) CPU @ 2.20GHz\nflags\t\t: fpu avx2\n\n"
      "processor\t: 1\nmodel name\t: Intel(R) Xeon(R) CPU @ 2.20GHz\n";
  EXPECT_EQ(cpu_model_from_cpuinfo(text), "Intel(R) Xeon(R) CPU @ 2.20GHz");
}

TEST(CpuInfo, Aarch64CoresFromMidr) {
  const char* one_core =
      "processor\t: 0\nBogoMIPS\t: 108.00\nFeatures\t: fp asimd aes\nCPU implementer\t: 0x41\n"
      "CPU architecture: 8\nCPU variant\t: 0x0\nCPU part\t: 0xd08\nCPU revision\t: 3\n";
  EXPECT_EQ(cpu_model_from_cpuinfo(one_core), "Arm Cortex-A72");
  std::string big_little;
  for (int i = 0; i < 6; ++i) big_little += "processor\t: 0\nCPU implementer\t: 0x41\nCPU part\t: 0xd05\n\n";
  for (int i = 0; i < 2; ++i) big_little += "processor\t: 0\nCPU implementer\t: 0x41\nCPU part\t: 0xd0b\n\n";
  EXPECT_EQ(cpu_model_from_cpuinfo(big_little), "6x Arm Cortex-A55 + 2x Arm Cortex-A76");
  EXPECT_EQ(cpu_model_from_cpuinfo("CPU implementer\t: 0x41\nCPU part\t: 0xfff\n"), "Arm part 0xfff");
  EXPECT_EQ(cpu_model_from_cpuinfo("CPU implementer\t: 0x51\nCPU part\t: 0x804\n"), "implementer 0x51 part 0x804");
  EXPECT_EQ(cpu_model_from_cpuinfo("CPU implementer\t: 0x46\nCPU part\t: 0x001\n"), "Fujitsu A64FX");
}

TEST(CpuInfo, NothingKnownIsUnknown) {
  EXPECT_EQ(cpu_model_from_cpuinfo(""), "unknown");
  EXPECT_EQ(cpu_model_from_cpuinfo("processor\t: 0\nCPU part\t: 0xd08\n"), "unknown");  // a part without implementer
  EXPECT_EQ(cpu_model_from_cpuinfo("CPU implementer\t: junk\nCPU part\t: 0xd08\n"), "implementer junk part 0xd08");
  EXPECT_FALSE(cpu_model_name().empty());
}

TEST(CpuInfo, SveVectorBitsIsZeroOrAPowerOfTwoLength) {
  const int bits = sve_vector_bits();
  EXPECT_TRUE(bits == 0 || (bits >= 128 && bits <= 2048 && bits % 128 == 0)) << bits;
}

}  // namespace
}  // namespace litesr
