// Helpers shared by the int8 reference-op tests: random maps and parameters, and the error of an int8 result in
// LSBs of its output scale against the float op applied to dequantized inputs.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>

#include "quant/quant_params.h"
#include "quant/quantized_map.h"

namespace litesr::quant_test {

// A scale log-uniform in [min_scale, max_scale] and a zero point uniform in [zp_lo, zp_hi].
inline QuantParams random_params(std::mt19937& rng, float min_scale, float max_scale, int zp_lo, int zp_hi) {
  std::uniform_real_distribution<double> log_scale(std::log(min_scale), std::log(max_scale));
  std::uniform_int_distribution<int> zp(zp_lo, zp_hi);
  return {static_cast<float>(std::exp(log_scale(rng))), zp(rng)};
}

// Every q uniform in [−128, 127].
inline QuantizedMap random_map(int c, int h, int w, QuantParams params, std::mt19937& rng) {
  QuantizedMap map = QuantizedMap::zeros(c, h, w, params);
  std::uniform_int_distribution<int> q(-128, 127);
  for (int8_t& v : map.data) v = static_cast<int8_t>(q(rng));
  return map;
}

inline double real_of(int8_t q, QuantParams p) { return static_cast<double>(p.scale) * (q - p.zero_point); }

// Signed error in output LSBs of `q` against the exact real result, both clamped to the int8 bounds [lo, hi].
inline double lsb_error(int8_t q, double real, QuantParams out, int32_t lo = kInt8Min, int32_t hi = kInt8Max) {
  const double ideal = std::clamp(real / out.scale + out.zero_point, static_cast<double>(lo), static_cast<double>(hi));
  return q - ideal;
}

// Max |error| and mean signed error (a biased rounding shows in the mean).
struct ErrorStats {
  double max_abs = 0.0;
  double sum = 0.0;
  int64_t count = 0;
  void add(double e) {
    max_abs = std::max(max_abs, std::fabs(e));
    sum += e;
    ++count;
  }
  double mean() const { return count == 0 ? 0.0 : sum / count; }
};

// Output params that cover [lo, hi] (the float result's range) as calibration would choose them.
inline QuantParams params_covering(double lo, double hi) {
  return activation_params_from_range(static_cast<float>(lo), static_cast<float>(hi)).value();
}

}  // namespace litesr::quant_test
