// The two 1-D passes of the MATLAB-exact resize (eval/matlab_resize.h), one row at a time, shared by the
// whole-image resize and the row-streaming one (eval/matlab_row_resizer.h) so both compute the same samples:
// double accumulation in tap order, then MATLAB's conversion to the storage type.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <type_traits>
#include <vector>

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

// An integer upscale's width pass in phases: output o = x·s + p (interior x in [lo, hi)) reads inputs
// x + base[p] + t with weights w[p][t] that depend on the phase only, so each phase is a contiguous loop over
// (x, channel) with no index table — the same products summed in the same order as resample_row_columns, so the
// same samples. Outputs outside [lo·s, hi·s) go through the table.
struct PhasedColumns {
  int scale = 0;                // s; 0: the table has no phase structure (use resample_row_columns)
  int lo = 0, hi = 0;           // interior input columns
  std::vector<int> base;        // [s]
  std::vector<double> weights;  // [s][taps]
};

// Finds the phase structure of `table` for integer `scale` (largest interior where it holds), or scale = 0.
inline PhasedColumns phase_columns(const ResampleWeights& table, int scale) {
  PhasedColumns pc;
  const int taps = table.taps, in_len = table.in_len;
  if (scale < 1 || table.out_len != in_len * scale || taps < 1) return pc;
  const auto fits = [&](int x, int p, int base, const double* w) {
    const int o = x * scale + p;
    for (int t = 0; t < taps; ++t) {
      if (table.indices(o)[t] != x + base + t || table.weights(o)[t] != w[t]) return false;
    }
    return true;
  };
  const int mid = in_len / 2;
  std::vector<int> base(scale);
  std::vector<double> weights(static_cast<std::size_t>(scale) * taps);
  for (int p = 0; p < scale; ++p) {
    const int o = mid * scale + p;
    base[p] = table.indices(o)[0] - mid;
    std::copy(table.weights(o), table.weights(o) + taps, weights.begin() + static_cast<std::ptrdiff_t>(p) * taps);
  }
  const auto column_fits = [&](int x) {
    for (int p = 0; p < scale; ++p) {
      if (!fits(x, p, base[p], weights.data() + static_cast<std::ptrdiff_t>(p) * taps)) return false;
    }
    return true;
  };
  if (!column_fits(mid)) return pc;
  int lo = mid, hi = mid + 1;
  while (lo > 0 && column_fits(lo - 1)) --lo;
  while (hi < in_len && column_fits(hi)) ++hi;
  pc.scale = scale;
  pc.lo = lo;
  pc.hi = hi;
  pc.base = std::move(base);
  pc.weights = std::move(weights);
  return pc;
}

// resample_row_columns of float samples into planar outputs: dst[c][o] for o < table.out_len, through `phased`
// where it has a structure. `acc` is scratch of in_len · channels doubles.
inline void resample_row_columns_planar(const float* src, float* const* dst, int channels,
                                        const ResampleWeights& table, const PhasedColumns& phased, double* acc) {
  const auto by_table = [&](int from, int to) {
    for (int o = from; o < to; ++o) {
      const int32_t* idx = table.indices(o);
      const double* w = table.weights(o);
      for (int c = 0; c < channels; ++c) {
        double a = 0.0;
        for (int t = 0; t < table.taps; ++t) a += w[t] * static_cast<double>(src[idx[t] * channels + c]);
        dst[c][o] = static_cast<float>(a);
      }
    }
  };
  if (phased.scale == 0) {
    by_table(0, table.out_len);
    return;
  }
  const int s = phased.scale, taps = table.taps;
  const int n = (phased.hi - phased.lo) * channels;  // interior samples, (x, c) interleaved
  for (int p = 0; p < s; ++p) {
    const double* w = phased.weights.data() + static_cast<std::ptrdiff_t>(p) * taps;
    const float* first = src + static_cast<std::ptrdiff_t>(phased.lo + phased.base[p]) * channels;
    std::fill(acc, acc + n, 0.0);
    for (int t = 0; t < taps; ++t) {  // acc = ((0 + w0·v0) + w1·v1) + ..., as the table's loop
      const float* v = first + static_cast<std::ptrdiff_t>(t) * channels;
      const double wt = w[t];
      for (int j = 0; j < n; ++j) acc[j] += wt * static_cast<double>(v[j]);
    }
    for (int c = 0; c < channels; ++c) {
      float* d = dst[c] + static_cast<std::ptrdiff_t>(phased.lo) * s + p;
      for (int x = 0; x < phased.hi - phased.lo; ++x) {
        d[static_cast<std::ptrdiff_t>(x) * s] = static_cast<float>(acc[x * channels + c]);
      }
    }
  }
  by_table(0, phased.lo * s);
  by_table(phased.hi * s, table.out_len);
}

}  // namespace litesr::matlab_resize_detail
