#include "quant/calibration.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "quant/quant_params.h"

namespace litesr {
namespace {

Status check_finite(std::span<const float> values) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      return invalid_argument("calibration: value " + std::to_string(i) + " of the batch is not finite (" +
                              std::to_string(values[i]) + ")");
    }
  }
  return {};
}

Status no_values() { return invalid_argument("calibration: no values observed"); }

// ∫_0^u (t − round(t))² dt: the squared rounding error to the nearest integer, integrated. Over each whole period
// it adds 1/12; within a period at fraction f it is f³/3 up to f = 1/2, then 1/12 + (f − 1)³/3.
double rounding_error_integral(double u) {
  const double whole = std::floor(u);
  const double f = u - whole;
  const double partial = f <= 0.5 ? f * f * f / 3.0 : 1.0 / 12.0 + (f - 1.0) * (f - 1.0) * (f - 1.0) / 3.0;
  return whole / 12.0 + partial;
}

// ∫_x1^x2 (x − c)² dx.
double squared_distance_integral(double x1, double x2, double c) {
  const double a = x1 - c, b = x2 - c;
  return (b * b * b - a * a * a) / 3.0;
}

// Squared error of quantizing the real x on the grid s·k, clipped to [lo, hi].
double point_error(double x, double s, double lo, double hi) {
  if (x < lo) return (x - lo) * (x - lo);
  if (x > hi) return (x - hi) * (x - hi);
  const double r = x / s - std::round(x / s);
  return s * s * r * r;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------------
// MinMaxObserver
// ---------------------------------------------------------------------------------------------------------------

Status MinMaxObserver::observe(std::span<const float> values) {
  LITESR_RETURN_IF_ERROR(check_finite(values));
  for (const float v : values) {
    if (count_ == 0) min_ = max_ = v;
    min_ = std::min(min_, v);
    max_ = std::max(max_, v);
    ++count_;
  }
  return {};
}

Result<CalibrationRange> MinMaxObserver::range() const {
  if (count_ == 0) return no_values();
  return CalibrationRange{min_, max_};
}

// ---------------------------------------------------------------------------------------------------------------
// HistogramObserver
// ---------------------------------------------------------------------------------------------------------------

HistogramObserver::HistogramObserver() : HistogramObserver(HistogramOptions{}) {}

HistogramObserver::HistogramObserver(const HistogramOptions& options) : options_(options) {
  positive_.counts.assign(options.bins_per_side, 0);
  negative_.counts.assign(options.bins_per_side, 0);
}

Result<HistogramObserver> HistogramObserver::create(const HistogramOptions& options) {
  const int bins = options.bins_per_side;
  if (bins < 2 || bins > (1 << 20) || (bins & (bins - 1)) != 0) {
    return invalid_argument("histogram: bins_per_side must be a power of two in [2, 2^20], got " +
                            std::to_string(bins));
  }
  if (options.mse_steps_per_octave < 1 || options.mse_steps_per_octave > 256) {
    return invalid_argument("histogram: mse_steps_per_octave must be in [1, 256]");
  }
  if (options.mse_octaves < 1 || options.mse_octaves > 30) {
    return invalid_argument("histogram: mse_octaves must be in [1, 30]");
  }
  return HistogramObserver(options);
}

void HistogramObserver::grow_to_cover(Half& half, double magnitude) {
  const std::size_t bins = half.counts.size();
  if (half.range == 0.0) {
    int exponent = 0;
    std::frexp(magnitude, &exponent);  // magnitude < 2^exponent
    half.range = std::ldexp(1.0, exponent);
  }
  while (magnitude >= half.range) {  // double the range: bins 2i and 2i + 1 become bin i
    for (std::size_t i = 0; i < bins / 2; ++i) half.counts[i] = half.counts[2 * i] + half.counts[2 * i + 1];
    std::fill(half.counts.begin() + bins / 2, half.counts.end(), 0);
    half.range *= 2.0;
  }
}

// The batch's extremes first, each half's range grown once to cover them, then every value counted at that range.
// The counts are those of adding the values one at a time: bins / range is a power of two, so a value's bin
// position is exact and doubling the range (bins 2i and 2i + 1 become bin i) equals binning at the wider range.
Status HistogramObserver::observe(std::span<const float> values) {
  LITESR_RETURN_IF_ERROR(check_finite(values));
  if (values.empty()) return {};
  float lo = values[0], hi = values[0];
  for (const float v : values) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  min_ = count_ == 0 ? lo : std::min(min_, lo);
  max_ = count_ == 0 ? hi : std::max(max_, hi);
  count_ += static_cast<int64_t>(values.size());
  if (hi > 0.0f) grow_to_cover(positive_, hi);
  if (lo < 0.0f) grow_to_cover(negative_, -static_cast<double>(lo));
  const std::size_t bins = positive_.counts.size();
  auto bins_per_unit = [bins](const Half& half) {
    return half.range > 0.0 ? static_cast<double>(bins) / half.range : 0.0;
  };
  // Branch-free (the sign of activations is unpredictable): a zero lands in bin 0 of the positive side, adding 0.
  int64_t* const sides[2] = {positive_.counts.data(), negative_.counts.data()};
  const double scales[2] = {bins_per_unit(positive_), bins_per_unit(negative_)};
  int64_t zeros = 0;
  for (const float v : values) {
    const bool negative = v < 0.0f;
    const double magnitude = std::fabs(static_cast<double>(v));
    const std::size_t bin = std::min(static_cast<std::size_t>(magnitude * scales[negative]), bins - 1);
    sides[negative][bin] += v != 0.0f;
    zeros += v == 0.0f;
  }
  zeros_ += zeros;
  return {};
}

std::vector<HistogramObserver::Bin> HistogramObserver::bins_in_order() const {
  std::vector<Bin> bins;
  const int n = options_.bins_per_side;
  if (negative_.range > 0.0) {
    const double width = negative_.range / n;
    for (int i = n - 1; i >= 0; --i) {
      if (negative_.counts[i] != 0) bins.push_back({-(i + 1) * width, -i * width, negative_.counts[i]});
    }
    bins.front().lo = min_;  // the most negative bin ends at the observed minimum
  }
  if (zeros_ != 0) bins.push_back({0.0, 0.0, zeros_});
  if (positive_.range > 0.0) {
    const double width = positive_.range / n;
    for (int i = 0; i < n; ++i) {
      if (positive_.counts[i] != 0) bins.push_back({i * width, (i + 1) * width, positive_.counts[i]});
    }
    bins.back().hi = max_;  // the most positive bin ends at the observed maximum
  }
  return bins;
}

Result<CalibrationRange> HistogramObserver::min_max_range() const {
  if (count_ == 0) return no_values();
  return CalibrationRange{min_, max_};
}

Result<CalibrationRange> HistogramObserver::percentile_range(double percentile) const {
  if (count_ == 0) return no_values();
  if (!(percentile > 50.0 && percentile <= 100.0)) {
    return invalid_argument("histogram: percentile must be in (50, 100], got " + std::to_string(percentile));
  }
  const std::vector<Bin> bins = bins_in_order();
  // The value below which `fraction` of the observations lie, interpolated within its bin.
  const auto quantile = [&](double fraction) {
    const double target = fraction * static_cast<double>(count_);
    double before = 0.0;
    for (const Bin& b : bins) {
      const double after = before + static_cast<double>(b.count);
      if (after >= target) {
        const double value = b.lo + (b.hi - b.lo) * std::clamp((target - before) / b.count, 0.0, 1.0);
        return std::clamp(static_cast<float>(value), min_, max_);
      }
      before = after;
    }
    return max_;
  };
  return CalibrationRange{quantile(1.0 - percentile / 100.0), quantile(percentile / 100.0)};
}

double HistogramObserver::error_of(const std::vector<Bin>& bins, int64_t count, CalibrationRange range) {
  const Result<QuantParams> params = activation_params_from_range(range.min, range.max);
  const double s = params.value().scale;
  const double lo = s * (kInt8Min - params.value().zero_point);  // smallest representable real
  const double hi = s * (kInt8Max - params.value().zero_point);  // largest representable real
  double total = 0.0;
  for (const Bin& b : bins) {
    if (!(b.hi > b.lo)) {
      total += static_cast<double>(b.count) * point_error(b.lo, s, lo, hi);
      continue;
    }
    double integral = 0.0;
    if (b.lo < lo) integral += squared_distance_integral(b.lo, std::min(b.hi, lo), lo);
    if (b.hi > hi) integral += squared_distance_integral(std::max(b.lo, hi), b.hi, hi);
    const double x1 = std::max(b.lo, lo), x2 = std::min(b.hi, hi);
    if (x2 > x1) integral += s * s * s * (rounding_error_integral(x2 / s) - rounding_error_integral(x1 / s));
    total += static_cast<double>(b.count) * integral / (b.hi - b.lo);
  }
  return total / static_cast<double>(count);
}

Result<double> HistogramObserver::expected_squared_error(CalibrationRange range) const {
  if (count_ == 0) return no_values();
  LITESR_RETURN_IF_ERROR(activation_params_from_range(range.min, range.max).status());
  return error_of(bins_in_order(), count_, range);
}

Result<CalibrationRange> HistogramObserver::mse_range() const {
  if (count_ == 0) return no_values();
  const int steps = options_.mse_steps_per_octave * options_.mse_octaves;
  // Candidate clip points per side, widest first: the extreme · 2^(−i / steps_per_octave). A side without values
  // of its sign is 0 (every range holds 0), so that clipping the other side never crosses it (min > max).
  const auto candidates = [&](float extreme, bool has_values) {
    std::vector<float> out;
    if (!has_values) return std::vector<float>{0.0f};
    for (int i = 0; i <= steps; ++i) {
      out.push_back(static_cast<float>(extreme * std::exp2(-static_cast<double>(i) / options_.mse_steps_per_octave)));
    }
    return out;
  };
  const std::vector<float> lows = candidates(min_, min_ < 0.0f);
  const std::vector<float> highs = candidates(max_, max_ > 0.0f);
  const std::vector<Bin> bins = bins_in_order();
  const auto error = [&](std::size_t i, std::size_t j) { return error_of(bins, count_, {lows[i], highs[j]}); };

  std::size_t best_low = 0, best_high = 0;
  double best = error(0, 0);
  for (std::size_t k = 1; k < std::max(lows.size(), highs.size()); ++k) {  // both sides clipped alike
    const std::size_t i = std::min(k, lows.size() - 1), j = std::min(k, highs.size() - 1);
    const double e = error(i, j);
    if (e < best) best = e, best_low = i, best_high = j;
  }
  constexpr int kMaxRounds = 16;
  for (int round = 0; round < kMaxRounds; ++round) {  // coordinate descent, strict improvements only
    bool improved = false;
    for (std::size_t i = 0; i < lows.size(); ++i) {
      const double e = error(i, best_high);
      if (e < best) best = e, best_low = i, improved = true;
    }
    for (std::size_t j = 0; j < highs.size(); ++j) {
      const double e = error(best_low, j);
      if (e < best) best = e, best_high = j, improved = true;
    }
    if (!improved) break;
  }
  return CalibrationRange{lows[best_low], highs[best_high]};
}

}  // namespace litesr
