// quant/calibration.h: range observers on known distributions.
#include "quant/calibration.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "quant/quant_params.h"

namespace litesr {
namespace {

// Mean squared error of quantizing `values` with the params of `range` (what calibration tries to minimise).
double empirical_mse(const std::vector<float>& values, CalibrationRange range) {
  const QuantParams p = activation_params_from_range(range.min, range.max).value();
  double sum = 0.0;
  for (const float v : values) {
    const double e = dequantize_value(quantize_value(v, p), p) - static_cast<double>(v);
    sum += e * e;
  }
  return sum / values.size();
}

HistogramObserver observed(const std::vector<float>& values) {
  HistogramObserver h;
  EXPECT_TRUE(h.observe(values).ok());
  return h;
}

std::vector<float> gaussian_with_outliers(unsigned seed) {
  // 200,000 draws of N(0, 1) plus a 0.1 % contamination from N(0, 8²): a few values far out in the tails.
  std::mt19937 rng(seed);
  std::normal_distribution<float> core(0.0f, 1.0f), outliers(0.0f, 8.0f);
  std::vector<float> v(200000);
  for (float& x : v) x = core(rng);
  for (int i = 0; i < 200; ++i) v[i * 997] = outliers(rng);
  return v;
}

TEST(MinMaxObserver, TracksTheRunningRangeAndRejectsNonFinite) {
  MinMaxObserver m;
  EXPECT_EQ(m.range().status().code(), StatusCode::kInvalidArgument);  // nothing observed yet
  const std::vector<float> a = {0.5f, 2.0f, -1.0f}, b = {3.5f, 0.0f};
  ASSERT_TRUE(m.observe(a).ok());
  ASSERT_TRUE(m.observe(b).ok());
  EXPECT_EQ(m.count(), 5);
  EXPECT_EQ(m.range().value(), (CalibrationRange{-1.0f, 3.5f}));
  const std::vector<float> bad = {100.0f, std::numeric_limits<float>::quiet_NaN()};
  EXPECT_EQ(m.observe(bad).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(m.range().value(), (CalibrationRange{-1.0f, 3.5f}));  // nothing of the bad batch was folded in
  EXPECT_EQ(m.count(), 5);
}

TEST(HistogramObserver, UniformDataKeepsNearlyTheWholeRange) {
  std::mt19937 rng(41);
  std::uniform_real_distribution<float> uniform(-1.0f, 3.0f);
  std::vector<float> v(100000);
  for (float& x : v) x = uniform(rng);
  const HistogramObserver h = observed(v);
  const CalibrationRange minmax = h.min_max_range().value();
  EXPECT_EQ(minmax.min, *std::min_element(v.begin(), v.end()));
  EXPECT_EQ(minmax.max, *std::max_element(v.begin(), v.end()));
  const CalibrationRange p = h.percentile_range(99.99).value();
  EXPECT_NEAR(p.min, -1.0f + 4e-4f, 2e-3f);  // the 0.01 % quantiles of U(−1, 3)
  EXPECT_NEAR(p.max, 3.0f - 4e-4f, 2e-3f);
  EXPECT_EQ(h.percentile_range(100.0).value(), minmax);
  // No tails to clip: the MSE range stays within one search step (≈ 9 %) of min/max, and its error is no worse.
  const CalibrationRange mse = h.mse_range().value();
  EXPECT_GT(mse.max, 0.9f * minmax.max);
  EXPECT_LT(mse.min, 0.9f * minmax.min);
  EXPECT_LE(empirical_mse(v, mse), empirical_mse(v, minmax) * (1.0 + 1e-3));
}

TEST(HistogramObserver, GaussianWithOutliersClipsTheTails) {
  const std::vector<float> v = gaussian_with_outliers(42);
  const HistogramObserver h = observed(v);
  const CalibrationRange minmax = h.min_max_range().value();
  const CalibrationRange p = h.percentile_range(99.99).value();
  const CalibrationRange mse = h.mse_range().value();
  // Percentile and MSE ranges are tighter than min/max on both sides.
  EXPECT_GT(p.min, minmax.min);
  EXPECT_LT(p.max, minmax.max);
  EXPECT_GT(mse.min, minmax.min);
  EXPECT_LT(mse.max, minmax.max);
  // And the MSE range quantizes the data with less error than min/max and than the percentile range.
  const double e_minmax = empirical_mse(v, minmax), e_percentile = empirical_mse(v, p), e_mse = empirical_mse(v, mse);
  EXPECT_LT(e_mse, e_minmax);
  EXPECT_LE(e_mse, e_percentile);
  // The error model (values uniform within bins) predicts the measured error.
  EXPECT_NEAR(h.expected_squared_error(minmax).value() / e_minmax, 1.0, 0.05);
  EXPECT_NEAR(h.expected_squared_error(mse).value() / e_mse, 1.0, 0.05);
}

TEST(HistogramObserver, OneSidedDataKeepsZeroAsTheLowerBound) {
  // A ReLU output: half zeros, half |N(0, 1)|.
  std::mt19937 rng(43);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> v(50000);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = i % 2 ? std::fabs(normal(rng)) : 0.0f;
  const HistogramObserver h = observed(v);
  EXPECT_EQ(h.min_max_range()->min, 0.0f);
  EXPECT_EQ(h.percentile_range(99.9)->min, 0.0f);
  const CalibrationRange mse = h.mse_range().value();
  EXPECT_EQ(mse.min, 0.0f);
  EXPECT_GT(mse.max, 0.0f);
  EXPECT_LE(mse.max, h.min_max_range()->max);
  EXPECT_LE(empirical_mse(v, mse), empirical_mse(v, h.min_max_range().value()));
}

TEST(HistogramObserver, StrictlyPositiveOrNegativeDataGetsAValidMseRange) {
  // No zeros at all (e.g. a sigmoid output, or a map shifted by its bias): clipping the one side that has values
  // must never cross the other bound, which is 0.
  std::mt19937 rng(45);
  std::uniform_real_distribution<float> uniform(0.5f, 2.0f);
  std::vector<float> positive(20000), negative(20000);
  for (std::size_t i = 0; i < positive.size(); ++i) {
    positive[i] = uniform(rng);
    negative[i] = -positive[i];
  }
  const CalibrationRange up = observed(positive).mse_range().value();
  EXPECT_EQ(up.min, 0.0f);
  EXPECT_GT(up.max, 1.5f);
  const CalibrationRange down = observed(negative).mse_range().value();
  EXPECT_EQ(down.max, 0.0f);
  EXPECT_LT(down.min, -1.5f);
}

TEST(HistogramObserver, RangesDependOnlyOnTheValuesNotTheirOrderOrBatches) {
  std::vector<float> v = gaussian_with_outliers(44);
  for (std::size_t i = 0; i < v.size(); i += 3) v[i] *= 1e-3f;  // also tiny magnitudes, binned before the range grows
  const HistogramObserver whole = observed(v);
  // Ascending magnitudes (the range grows many times), in uneven batches.
  std::vector<float> sorted = v;
  std::sort(sorted.begin(), sorted.end(), [](float a, float b) { return std::fabs(a) < std::fabs(b); });
  HistogramObserver batched;
  for (std::size_t begin = 0; begin < sorted.size(); begin += 7919) {
    ASSERT_TRUE(
        batched.observe(std::span(sorted).subspan(begin, std::min<std::size_t>(7919, sorted.size() - begin))).ok());
  }
  // One value per call, in the original order: each binned at the range of the values before it.
  HistogramObserver one_by_one;
  for (const float& value : v) ASSERT_TRUE(one_by_one.observe(std::span(&value, 1)).ok());
  const CalibrationRange r{-2.0f, 3.0f};
  for (const HistogramObserver* other : {&batched, &one_by_one}) {
    EXPECT_EQ(other->count(), whole.count());
    EXPECT_EQ(other->min_max_range().value(), whole.min_max_range().value());
    EXPECT_EQ(other->percentile_range(99.99).value(), whole.percentile_range(99.99).value());
    EXPECT_EQ(other->percentile_range(99.0).value(), whole.percentile_range(99.0).value());
    EXPECT_EQ(other->mse_range().value(), whole.mse_range().value());
    EXPECT_EQ(other->expected_squared_error(r).value(), whole.expected_squared_error(r).value());
  }
}

TEST(HistogramObserver, OptionsAndEmptyObserversAreChecked) {
  EXPECT_FALSE(HistogramObserver::create({.bins_per_side = 1000}).ok());  // not a power of two
  EXPECT_FALSE(HistogramObserver::create({.bins_per_side = 1}).ok());
  EXPECT_FALSE(HistogramObserver::create({.mse_steps_per_octave = 0}).ok());
  EXPECT_FALSE(HistogramObserver::create({.mse_octaves = 40}).ok());
  Result<HistogramObserver> small = HistogramObserver::create({.bins_per_side = 256});
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(small->mse_range().status().code(), StatusCode::kInvalidArgument);  // nothing observed
  EXPECT_EQ(small->percentile_range(99.0).status().code(), StatusCode::kInvalidArgument);
  const std::vector<float> values = {1.0f, -2.0f, std::numeric_limits<float>::infinity()};
  EXPECT_EQ(small->observe(values).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(small->count(), 0);
  const std::vector<float> zeros(10, 0.0f);
  ASSERT_TRUE(small->observe(zeros).ok());
  EXPECT_EQ(small->mse_range().value(), (CalibrationRange{0.0f, 0.0f}));  // all zero: params {1, −128}
  EXPECT_EQ(small->expected_squared_error({0.0f, 0.0f}).value(), 0.0);
  EXPECT_EQ(small->percentile_range(50.0).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace litesr
