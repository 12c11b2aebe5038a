// row_sums_f64 (squeeze_excite.h, kernel_row_sums.cpp) against row_sum_f64 bit for bit on every ISA this CPU runs:
// the squeeze-excite means of the band executor must not depend on the kernel ISA, band height or thread count.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "runtime/kernel_dispatch.h"
#include "runtime/squeeze_excite.h"
#include "testing/binade_rows.h"

namespace litesr {
namespace {

TEST(RowSumsF64, EqualRowSumF64BitForBitOnEveryIsa) {
  std::mt19937 rng(17);
  constexpr int kMaxRows = 11, kMaxWidth = 75;
  const testing::BinadeRows binade(kMaxRows, kMaxWidth, 30, rng);
  const std::vector<const float*>& rows = binade.ptrs;
  int checked = 0;
  for (const std::string& isa : available_isas()) {
    const ThreadIsaScope scope(KernelIsa::named(isa).value());
    for (int count = 1; count <= kMaxRows; ++count) {
      for (int width : {0, 1, 7, 8, 9, 16, 17, 31, 64, 75}) {
        std::vector<double> got(count + 1, -1.0);
        row_sums_f64(rows.data(), count, width, got.data());
        for (int r = 0; r < count; ++r) {
          const double want = row_sum_f64(rows[r], width);
          EXPECT_EQ(std::memcmp(&got[r], &want, sizeof(double)), 0)
              << isa << " count " << count << " width " << width << " row " << r << ": " << got[r] << " vs " << want;
          ++checked;
        }
        EXPECT_EQ(got[count], -1.0) << "written past `count`";
      }
    }
  }
  EXPECT_GT(checked, 600);
}

}  // namespace
}  // namespace litesr
