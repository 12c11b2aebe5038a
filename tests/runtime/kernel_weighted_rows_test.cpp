// weighted_rows_f32 (kernel_weighted_rows.h) against the plain loop bit for bit on every ISA this CPU runs: the band
// executor's bicubic skip must equal the reference executor's whatever the kernel ISA.
#include "runtime/kernel_weighted_rows.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "runtime/kernel_dispatch.h"
#include "testing/binade_rows.h"

namespace litesr {
namespace {

TEST(WeightedRowsF32, EqualThePlainLoopBitForBitOnEveryIsa) {
  std::mt19937 rng(5);
  constexpr int kMaxTaps = 6, kMaxWidth = 70;
  const testing::BinadeRows binade(kMaxTaps, kMaxWidth, 20, rng);
  const std::vector<const float*>& rows = binade.ptrs;
  std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
  std::vector<float> weights(kMaxTaps);
  for (float& w : weights) w = unit(rng);
  int checked = 0;
  for (const std::string& isa : available_isas()) {
    const ThreadIsaScope scope(KernelIsa::named(isa).value());
    for (int taps = 1; taps <= kMaxTaps; ++taps) {
      for (int width : {1, 3, 4, 8, 15, 16, 17, 31, 32, 33, 64, 69}) {
        std::vector<float> got(width + 1, -7.0f), want(width);
        weighted_rows_f32(rows.data(), weights.data(), taps, width, got.data());
        weighted_rows_f32_ref(rows.data(), weights.data(), taps, width, want.data());
        EXPECT_EQ(std::memcmp(got.data(), want.data(), width * sizeof(float)), 0)
            << isa << " taps " << taps << " width " << width;
        EXPECT_EQ(got[width], -7.0f) << "written past `width`";
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 70);
}

}  // namespace
}  // namespace litesr
