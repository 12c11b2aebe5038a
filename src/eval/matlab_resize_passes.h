// The two 1-D passes of the MATLAB-exact resize (eval/matlab_resize.h), one row at a time, shared by the
// whole-image resize and the row-streaming one (eval/matlab_row_resizer.h) so both compute the same samples:
// double accumulation in tap order, then MATLAB's conversion to the storage type.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "base/resample_weights.h"

namespace litesr::matlab_resize_detail {

// MATLAB's conversion of a double to the storage type: round half away from zero and saturate for
// integers; plain narrowing for float.
template <typename T>
inline T store_sample(double v) {
  if constexpr (std::is_same_v<T, float>) {
    return static_cast<T>(v);
  } else {
    constexpr double kMax = std::is_same_v<T, uint8_t> ? 255.0 : 65535.0;
    if (!(v > 0.0)) return 0;
    if (v >= kMax) return static_cast<T>(kMax);
    return static_cast<T>(std::floor(v + 0.5));
  }
}

// One output row of the pass along the height: dst[i] = Σ_t w[t] · tap_rows[t][i] for the n samples of a
// row (width x channels). `acc` is scratch of n doubles.
template <typename T>
void resample_one_row(const T* const* tap_rows, const double* w, int taps, int n, double* acc, T* dst) {
  std::fill(acc, acc + n, 0.0);
  for (int t = 0; t < taps; ++t) {
    const T* s = tap_rows[t];
    const double wt = w[t];
    for (int i = 0; i < n; ++i) acc[i] += wt * static_cast<double>(s[i]);
  }
  for (int i = 0; i < n; ++i) dst[i] = store_sample<T>(acc[i]);
}

// The pass along the width on one row: dst (o, c) = Σ_t w(o,t) · src (idx(o,t), c) for o < table.out_len.
template <typename T>
void resample_row_columns(const T* src, T* dst, int channels, const ResampleWeights& table) {
  for (int o = 0; o < table.out_len; ++o) {
    const int32_t* idx = table.indices(o);
    const double* w = table.weights(o);
    for (int c = 0; c < channels; ++c) {
      double acc = 0.0;
      for (int t = 0; t < table.taps; ++t) acc += w[t] * static_cast<double>(src[idx[t] * channels + c]);
      dst[o * channels + c] = store_sample<T>(acc);
    }
  }
}

}  // namespace litesr::matlab_resize_detail
