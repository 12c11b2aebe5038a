// Rows of floats spanning many binades (mantissa in [-1, 1) times 2^e, e uniform in [-max_exponent,
// max_exponent]): any change in the order of a kernel's additions, or a fused multiply-add, changes the rounding
// of sums over them, so bit-for-bit tests of SIMD kernels against their plain loops can fail.
//   BinadeRows r(count, width, max_exponent, rng);   r.ptrs[i] = row i (width floats)
#pragma once

#include <cmath>
#include <random>
#include <vector>

namespace litesr::testing {

struct BinadeRows {
  BinadeRows(int count, int width, int max_exponent, std::mt19937& rng) : data(count, std::vector<float>(width)) {
    std::uniform_real_distribution<float> mantissa(-1.0f, 1.0f);
    std::uniform_int_distribution<int> exponent(-max_exponent, max_exponent);
    for (auto& row : data) {
      for (float& v : row) v = std::ldexp(mantissa(rng), exponent(rng));
    }
    for (const auto& row : data) ptrs.push_back(row.data());
  }
  std::vector<std::vector<float>> data;
  std::vector<const float*> ptrs;
};

}  // namespace litesr::testing
