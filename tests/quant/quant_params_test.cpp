// quant/quant_params.h: the converter's range nudging, quantize/dequantize, per-channel weights, int32 biases.
#include "quant/quant_params.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

namespace litesr {
namespace {

QuantParams params_of(float min, float max) {
  const Result<QuantParams> p = activation_params_from_range(min, max);
  EXPECT_TRUE(p.ok()) << p.status().to_string();
  return p.ok() ? p.value() : QuantParams{};
}

TEST(QuantParams, RangeNudgingGoldenCases) {
  // [−1, 1]: scale 2/255; zero point −128 + 127.5 or 127 − 127.5 = −0.5 (from max: the smaller error) → −1.
  EXPECT_EQ(params_of(-1.0f, 1.0f), (QuantParams{static_cast<float>(2.0 / 255.0), -1}));
  // ReLU6 output: zero at the bottom of the range.
  EXPECT_EQ(params_of(0.0f, 6.0f), (QuantParams{static_cast<float>(6.0 / 255.0), -128}));
  // Ranges that exclude 0 are extended to include it.
  EXPECT_EQ(params_of(2.0f, 5.0f), (QuantParams{static_cast<float>(5.0 / 255.0), -128}));
  EXPECT_EQ(params_of(-3.0f, -1.0f), (QuantParams{static_cast<float>(3.0 / 255.0), 127}));
  // [−0.5, 1.5]: −128 + 0.5 · 127.5 = −64.25 → −64.
  EXPECT_EQ(params_of(-0.5f, 1.5f), (QuantParams{static_cast<float>(2.0 / 255.0), -64}));
  // Degenerate ranges: the converter's scale 1, zero point −128.
  EXPECT_EQ(params_of(0.0f, 0.0f), (QuantParams{1.0f, -128}));
  EXPECT_EQ(params_of(-1e-20f, 1e-20f), (QuantParams{1.0f, -128}));
}

TEST(QuantParams, ZeroIsExactAndTheRangeIsCovered) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> lo(-50.0f, 1.0f), width(1e-3f, 100.0f);
  for (int i = 0; i < 2000; ++i) {
    const float min = lo(rng), max = min + width(rng);
    const QuantParams p = params_of(min, max);
    ASSERT_TRUE(check_int8_params(p, "nudged").ok());
    ASSERT_EQ(dequantize_value(quantize_value(0.0f, p), p), 0.0f) << min << " " << max;
    // The nudged grid reaches within one step of both (0-extended) ends.
    ASSERT_LE(dequantize_value(-128, p), std::min(min, 0.0f) + p.scale);
    ASSERT_GE(dequantize_value(127, p), std::max(max, 0.0f) - p.scale);
  }
}

TEST(QuantParams, BadRangesAndParamsAreRejected) {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(activation_params_from_range(nan, 1.0f).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(activation_params_from_range(-inf, 1.0f).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(activation_params_from_range(2.0f, 1.0f).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(check_int8_params({0.1f, -128}, "x").ok());
  EXPECT_FALSE(check_int8_params({0.0f, 0}, "x").ok());
  EXPECT_FALSE(check_int8_params({-0.1f, 0}, "x").ok());
  EXPECT_FALSE(check_int8_params({nan, 0}, "x").ok());
  EXPECT_FALSE(check_int8_params({inf, 0}, "x").ok());
  const Status bad_zero_point = check_int8_params({0.1f, 128}, "conv1 output");
  EXPECT_EQ(bad_zero_point.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad_zero_point.message().find("conv1 output"), std::string::npos) << bad_zero_point.message();
}

TEST(QuantParams, QuantizeRoundsHalfAwayFromZeroAndSaturates) {
  const QuantParams p{0.5f, 0};
  EXPECT_EQ(quantize_value(0.25f, p), 1);  // 0.5 steps → 1
  EXPECT_EQ(quantize_value(-0.25f, p), -1);
  EXPECT_EQ(quantize_value(0.74f, p), 1);
  EXPECT_EQ(quantize_value(1000.0f, p), 127);
  EXPECT_EQ(quantize_value(-1000.0f, p), -128);
  EXPECT_EQ(quantize_value(std::numeric_limits<float>::infinity(), p), 127);
  EXPECT_EQ(quantize_value(std::numeric_limits<float>::quiet_NaN(), QuantParams{0.5f, 7}), 7);
  const QuantParams shifted{0.1f, 5};
  EXPECT_EQ(quantize_value(1.0f, shifted), 15);
  EXPECT_EQ(quantize_value(-20.0f, shifted), -128);  // −200 + 5 saturates
  EXPECT_EQ(dequantize_value(-128, shifted), static_cast<float>(static_cast<double>(0.1f) * -133));
  std::vector<float> values = {-1.0f, 0.0f, 0.3f, 2.0f};
  std::vector<int8_t> q(values.size());
  quantize_values(values, shifted, q);
  EXPECT_EQ(q, (std::vector<int8_t>{-5, 5, 8, 25}));
  std::vector<float> back(q.size());
  dequantize_values(q, shifted, back);
  for (std::size_t i = 0; i < values.size(); ++i) EXPECT_NEAR(back[i], values[i], 0.05f + 1e-6f);
}

TEST(QuantParams, PerChannelWeightsAreSymmetricWithNarrowRange) {
  // Channel 0: max|w| = 1.27 → scale 0.01, q = w · 100. Channel 1: all zero → scale 1 (documented safe scale).
  const std::vector<float> w = {0.5f, -1.27f, 0.254f, 0.0f, 0.0f, 0.0f};
  const Result<PerChannelWeights> q = quantize_weights_per_channel(w, 2);
  ASSERT_TRUE(q.ok()) << q.status().to_string();
  EXPECT_EQ(q->values, (std::vector<int8_t>{50, -127, 25, 0, 0, 0}));
  EXPECT_EQ(q->scales, (std::vector<float>{1.27f / 127.0f, 1.0f}));
  // Random weights: |q| <= 127, the extreme of each channel maps to ±127, round-trip error <= scale / 2.
  std::mt19937 rng(5);
  std::normal_distribution<float> normal(0.0f, 0.3f);
  std::vector<float> many(16 * 27);
  for (float& v : many) v = normal(rng);
  const Result<PerChannelWeights> r = quantize_weights_per_channel(many, 16);
  ASSERT_TRUE(r.ok());
  for (int c = 0; c < 16; ++c) {
    int max_abs_q = 0;
    for (int i = 0; i < 27; ++i) {
      const int qv = r->values[c * 27 + i];
      max_abs_q = std::max(max_abs_q, std::abs(qv));
      ASSERT_LE(std::fabs(qv * r->scales[c] - many[c * 27 + i]), r->scales[c] * 0.5f * (1.0f + 1e-5f));
    }
    EXPECT_EQ(max_abs_q, 127);
  }
  EXPECT_FALSE(quantize_weights_per_channel(w, 4).ok());  // 6 values do not split into 4 channels
  EXPECT_FALSE(quantize_weights_per_channel(w, 0).ok());
  const std::vector<float> nan_weight = {1.0f, std::numeric_limits<float>::quiet_NaN()};
  EXPECT_FALSE(quantize_weights_per_channel(nan_weight, 1).ok());
}

TEST(QuantParams, BiasUsesInputTimesWeightScaleAndSaturates) {
  const std::vector<float> bias = {0.5f, -0.25f};
  const std::vector<float> weight_scales = {0.01f, 0.001f};
  const Result<std::vector<int32_t>> q = quantize_bias(bias, 0.02f, weight_scales);
  ASSERT_TRUE(q.ok()) << q.status().to_string();
  EXPECT_EQ(q.value(), (std::vector<int32_t>{2500, -12500}));  // 0.5 / 2e-4, −0.25 / 2e-5
  const std::vector<float> huge = {1e10f, -1e10f};
  const Result<std::vector<int32_t>> saturated = quantize_bias(huge, 1e-3f, weight_scales);
  ASSERT_TRUE(saturated.ok());
  EXPECT_EQ(saturated.value(), (std::vector<int32_t>{2147483647, -2147483647}));
  EXPECT_FALSE(quantize_bias(bias, 0.0f, weight_scales).ok());
  EXPECT_FALSE(quantize_bias(bias, 0.02f, std::vector<float>{0.01f}).ok());
}

}  // namespace
}  // namespace litesr
