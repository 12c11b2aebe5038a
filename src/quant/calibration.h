// Range observers for post-training calibration of int8 activations (docs/quantization.md "Calibration").
// An observer sees every float value a tensor takes over the calibration images and proposes the float range
// [min, max] whose activation_params_from_range (quant/quant_params.h) quantizes the tensor:
//
//   MinMaxObserver        running min / max (TFLite's default calibrator)
//   HistogramObserver     min / max, percentile (clip the rarest tails), and MSE-optimal (clip where the expected
//                         int8 rounding + clipping error is smallest)
//
// Histogram: two one-sided halves, one for v > 0 and one for |v| of v < 0 (zeros are counted apart), each with
// `bins_per_side` bins (a power of two, default 2048) of equal width over [0, R), R = the smallest power of two
// above the half's largest |v|. A value lands in bin ⌊|v| · bins / R⌋ — exact in double, since bins / R is a power
// of two — and when a larger value doubles R, bins merge pairwise exactly. So the histogram, and every range
// derived from it, depends only on the multiset of observed values: not on their order, nor on how they were
// split into observe() calls. Each half keeps at least bins/2 bins across its data, whatever the other half's
// magnitude (a ReLU output's empty negative half costs nothing).
//
// Expected squared error of a candidate range (the MSE model): values are spread uniformly within each bin (the
// last bin of each half ends at the observed extreme); the int8 grid is the one activation_params_from_range gives
// (scale s, zero point zp: representable reals s·(q − zp), q ∈ [−128, 127], from A = s·(−128 − zp) to
// B = s·(127 − zp)); inside [A, B] a value's error is its distance to the nearest grid point, outside it the
// distance to A or B (clipping). The per-bin integrals are exact (rounding error integrates piecewise as a cubic).
//
// MSE-optimal search (deterministic): candidate clip points for each side are the observed extreme times
// 2^(−i / steps_per_octave), i = 0 .. steps_per_octave · octaves (defaults 8 and 12: clips down to 1/4096 of the
// extreme, in ≈ 9 % steps); a side without values of its sign keeps its observed bound (e.g. min = 0 after a
// ReLU). First the same i for both sides (keeps the ratio of
// the extremes), then coordinate descent — scan all lower clips with the upper fixed, then all upper clips with
// the lower fixed — while the error strictly decreases (at most 16 rounds). Ties keep the wider range. min/max is
// the first candidate, so the chosen range's modelled error never exceeds min/max's.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/status.h"

namespace litesr {

// A float range to quantize; min <= max (not necessarily containing 0: activation_params_from_range extends it).
struct CalibrationRange {
  float min = 0.0f;
  float max = 0.0f;
  bool operator==(const CalibrationRange&) const = default;
};

class MinMaxObserver {
 public:
  // Folds `values` into the running min / max. kInvalidArgument (and nothing folded) if a value is NaN or ±inf.
  Status observe(std::span<const float> values);
  int64_t count() const { return count_; }
  // The observed [min, max]; kInvalidArgument before any value.
  Result<CalibrationRange> range() const;

 private:
  int64_t count_ = 0;
  float min_ = 0.0f, max_ = 0.0f;
};

struct HistogramOptions {
  int bins_per_side = 2048;      // power of two in [2, 2^20]
  int mse_steps_per_octave = 8;  // MSE search: candidate clips per halving of the clip point, >= 1
  int mse_octaves = 12;          // MSE search: the smallest clip is the extreme / 2^octaves, in [1, 30]
  bool operator==(const HistogramOptions&) const = default;
};

class HistogramObserver {
 public:
  HistogramObserver();  // the default HistogramOptions
  // kInvalidArgument for options outside the documented ranges.
  static Result<HistogramObserver> create(const HistogramOptions& options);

  // Adds `values` to the histogram. kInvalidArgument (and nothing added) if a value is NaN or ±inf.
  Status observe(std::span<const float> values);
  int64_t count() const { return count_; }

  // The observed [min, max] (exact). kInvalidArgument before any value (likewise every range below).
  Result<CalibrationRange> min_max_range() const;
  // [quantile(1 − p/100), quantile(p/100)] for percentile p ∈ (50, 100], quantiles linearly interpolated within
  // their bin (within [min, max]); p = 100 gives min/max. TensorRT-style percentile calibration uses p = 99.99.
  Result<CalibrationRange> percentile_range(double percentile) const;
  // The candidate range of least expected squared error (header comment: model and search).
  Result<CalibrationRange> mse_range() const;
  // The modelled mean squared quantization error (real units²) of quantizing the observed values with
  // activation_params_from_range(range.min, range.max).
  Result<double> expected_squared_error(CalibrationRange range) const;

 private:
  explicit HistogramObserver(const HistogramOptions& options);

  // One half of the histogram: counts of |v| over [0, range) in equal bins; range == 0 until a value arrives.
  struct Half {
    double range = 0.0;
    std::vector<int64_t> counts;
  };
  // A bin as a real interval [lo, hi] (hi == lo: a point mass) holding `count` values.
  struct Bin {
    double lo, hi;
    int64_t count;
  };

  // Doubles half.range (merging bins) until it exceeds `magnitude`; sets it on the first value.
  static void grow_to_cover(Half& half, double magnitude);
  std::vector<Bin> bins_in_order() const;  // ascending real values, empty bins left out
  static double error_of(const std::vector<Bin>& bins, int64_t count, CalibrationRange range);

  HistogramOptions options_;
  Half positive_, negative_;
  int64_t zeros_ = 0;
  int64_t count_ = 0;
  float min_ = 0.0f, max_ = 0.0f;
};

}  // namespace litesr
