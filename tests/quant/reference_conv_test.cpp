// quant/reference_ops.h conv2d (dense, grouped, depthwise) and the requantization epilogue: hand-computed golden
// cases and random layers against the float conv of the dequantized input, weights and bias.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "quant/reference_ops.h"
#include "quant_test_util.h"

namespace litesr {
namespace {

using quant_test::ErrorStats;
using quant_test::lsb_error;
using quant_test::random_map;
using quant_test::real_of;

QuantizedConv2d quantized(const std::vector<float>& weight, const std::vector<float>& bias, int in, int out, int k,
                          int groups, float input_scale) {
  Result<QuantizedConv2d> conv = quantize_conv2d(weight, bias, in, out, k, groups, input_scale);
  EXPECT_TRUE(conv.ok()) << conv.status().to_string();
  return conv.ok() ? std::move(conv).value() : QuantizedConv2d{};
}

TEST(Int8Epilogue, ActivationRangesClampAtTheZeroPointAndAtSix) {
  EXPECT_EQ(activation_range(FusedActivation::kNone, {0.5f, -20}).value(), (ActivationRange{-128, 127}));
  EXPECT_EQ(activation_range(FusedActivation::kRelu, {0.5f, -20}).value(), (ActivationRange{-20, 127}));
  EXPECT_EQ(activation_range(FusedActivation::kRelu6, {0.5f, -20}).value(), (ActivationRange{-20, -8}));  // 6/0.5
  EXPECT_EQ(activation_range(FusedActivation::kRelu6, {0.01f, 0}).value(), (ActivationRange{0, 127}));    // 600 > 127
  EXPECT_EQ(activation_range(FusedActivation::kRelu, {0.5f, -128}).value(), (ActivationRange{-128, 127}));
  EXPECT_FALSE(activation_range(FusedActivation::kRelu, {0.0f, 0}).ok());
  // The epilogue: zp + MBQM(acc, M), then the clamp.
  const QuantizedMultiplier m = quantize_multiplier(0.01);
  EXPECT_EQ(requantize_accumulator(2540, m, 3, {-128, 127}), 28);  // 25.4 → 25, + 3
  EXPECT_EQ(requantize_accumulator(-2540, m, 3, {0, 127}), 0);     // −22 clamped at the ReLU bound
  EXPECT_EQ(requantize_accumulator(1 << 20, m, 0, {-128, 127}), 127);
}

TEST(Int8Conv2d, GoldenOneByOne) {
  // real in = 0.5 · (0 − (−10)) = 5; w = 0.25 → q 127, scale 0.25/127; out = 1.25 → 5 steps of 0.25 above zp 3.
  const QuantizedConv2d conv = quantized({0.25f}, {}, 1, 1, 1, 1, 0.5f);
  ASSERT_EQ(conv.weight, (std::vector<int8_t>{127}));
  const QuantizedMap in = QuantizedMap::zeros(1, 1, 1, {0.5f, -10});
  QuantizedMap input = in;
  input.data = {0};
  const Result<QuantizedMap> out = conv2d_int8(input, conv, {0.25f, 3});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(out->data, (std::vector<int8_t>{8}));
}

TEST(Int8Conv2d, GoldenPaddingIsTheInputZeroPoint) {
  // 2x2 input, zero point −10: only (0, 0) is non-zero (q 10, real 10). A 3x3 kernel of 1.27 (q 127, scale 0.01)
  // sees it from all four outputs: acc = 127 · 20 = 2540, M = 0.5 · 0.01 / 0.5 → 25.4 → 25. Padded taps add
  // 127 · (zp − zp) = 0; padding with q = 0 instead would add 127 · 10 per padded tap.
  const std::vector<float> weight(9, 1.27f);
  QuantizedMap input = QuantizedMap::zeros(1, 2, 2, {0.5f, -10});
  input.data = {10, -10, -10, -10};
  const QuantizedConv2d no_bias = quantized(weight, {}, 1, 1, 3, 1, 0.5f);
  const Result<QuantizedMap> out = conv2d_int8(input, no_bias, {0.5f, 0});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(out->data, (std::vector<int8_t>{25, 25, 25, 25}));
  // Bias 1.0 → q = 1 / (0.5 · 0.01) = 200: acc 2740 → 27.4 → 27.
  const QuantizedConv2d with_bias = quantized(weight, {1.0f}, 1, 1, 3, 1, 0.5f);
  ASSERT_EQ(with_bias.bias, (std::vector<int32_t>{200}));
  EXPECT_EQ(conv2d_int8(input, with_bias, {0.5f, 0})->data, (std::vector<int8_t>{27, 27, 27, 27}));
  // ReLU6 at output zero point −20, scale 0.5: the bound is −20 + 12 = −8, so 27 − 20 = 7 clamps to −8.
  EXPECT_EQ(conv2d_int8(input, with_bias, {0.5f, -20}, FusedActivation::kRelu6)->data,
            (std::vector<int8_t>{-8, -8, -8, -8}));
}

TEST(Int8Conv2d, GoldenDepthwise) {
  // Channel 0: w 1.27 (q 127, scale 0.01), x = 4 → 5.08 → 5. Channel 1: w −0.5 (q −127, scale 0.5/127), x = −6 → 3.
  const QuantizedConv2d conv = quantized({1.27f, -0.5f}, {}, 2, 2, 1, 2, 1.0f);
  QuantizedMap input = QuantizedMap::zeros(2, 1, 1, {1.0f, 0});
  input.data = {4, -6};
  EXPECT_EQ(conv2d_int8(input, conv, {1.0f, 0})->data, (std::vector<int8_t>{5, 3}));
}

// Float reference: the conv of the dequantized input (zero padding) with the dequantized weights and bias.
std::vector<double> float_conv(const QuantizedMap& in, const QuantizedConv2d& conv) {
  const int k = conv.kernel, pad = (k - 1) / 2, cin_g = conv.in_channels / conv.groups;
  const int cout_g = conv.out_channels / conv.groups;
  std::vector<double> out(static_cast<std::size_t>(conv.out_channels) * in.height * in.width);
  for (int o = 0; o < conv.out_channels; ++o) {
    const double ws = conv.weight_scales[o];
    for (int y = 0; y < in.height; ++y) {
      for (int x = 0; x < in.width; ++x) {
        double acc = conv.bias.empty() ? 0.0 : conv.bias[o] * static_cast<double>(in.params.scale) * ws;
        for (int ci = 0; ci < cin_g; ++ci)
          for (int ky = 0; ky < k; ++ky)
            for (int kx = 0; kx < k; ++kx) {
              const int iy = y + ky - pad, ix = x + kx - pad;
              if (iy < 0 || iy >= in.height || ix < 0 || ix >= in.width) continue;
              const double w = conv.weight[((static_cast<std::size_t>(o) * cin_g + ci) * k + ky) * k + kx] * ws;
              acc += w * real_of(in.at((o / cout_g) * cin_g + ci, iy, ix), in.params);
            }
        out[(static_cast<std::size_t>(o) * in.height + y) * in.width + x] = acc;
      }
    }
  }
  return out;
}

struct ConvCase {
  int in, out, k, groups;
  bool bias;
  FusedActivation activation;
};

TEST(Int8Conv2d, RandomLayersWithinOneLsbOfTheFloatConv) {
  const ConvCase cases[] = {
      {3, 6, 3, 1, true, FusedActivation::kNone},   {6, 6, 3, 1, false, FusedActivation::kRelu},
      {6, 48, 3, 1, true, FusedActivation::kNone},  {8, 8, 1, 1, true, FusedActivation::kRelu6},
      {8, 8, 3, 8, true, FusedActivation::kNone},   {16, 16, 3, 16, false, FusedActivation::kRelu},
      {8, 12, 5, 4, true, FusedActivation::kNone},  {4, 4, 7, 2, true, FusedActivation::kRelu},
      {32, 16, 1, 1, true, FusedActivation::kNone}, {5, 3, 3, 1, true, FusedActivation::kRelu6},
  };
  std::mt19937 rng(11);
  for (const ConvCase& c : cases) {
    SCOPED_TRACE(testing::Message() << c.in << "->" << c.out << " k" << c.k << " g" << c.groups);
    const QuantParams in_params = quant_test::random_params(rng, 0.005f, 0.05f, -60, 60);
    const QuantizedMap input = random_map(c.in, 7, 5, in_params, rng);
    std::normal_distribution<float> normal(0.0f, 0.3f);
    std::vector<float> weight(static_cast<std::size_t>(c.out) * (c.in / c.groups) * c.k * c.k), bias;
    for (float& w : weight) w = normal(rng);
    if (c.bias) {
      bias.resize(c.out);
      for (float& b : bias) b = normal(rng);
    }
    const QuantizedConv2d conv = quantized(weight, bias, c.in, c.out, c.k, c.groups, in_params.scale);
    const std::vector<double> want = float_conv(input, conv);
    double lo = 0.0, hi = 0.0;
    for (const double v : want) lo = std::min(lo, v), hi = std::max(hi, v);
    const QuantParams out_params = quant_test::params_covering(0.8 * lo, 0.8 * hi);  // some outputs saturate
    const Result<QuantizedMap> got = conv2d_int8(input, conv, out_params, c.activation);
    ASSERT_TRUE(got.ok()) << got.status().to_string();
    ASSERT_EQ(got->channels, c.out);
    ASSERT_EQ(got->params, out_params);
    const ActivationRange range = activation_range(c.activation, out_params).value();
    ErrorStats stats;
    for (std::size_t i = 0; i < want.size(); ++i)
      stats.add(lsb_error(got->data[i], want[i], out_params, range.min, range.max));
    EXPECT_LE(stats.max_abs, 1.0);
    EXPECT_LT(std::fabs(stats.mean()), 0.1);
  }
}

TEST(Int8Conv2d, BadShapesAndParamsAreRejected) {
  std::mt19937 rng(1);
  const QuantizedMap input = random_map(4, 3, 3, {0.1f, 0}, rng);
  const QuantizedConv2d conv = quantized(std::vector<float>(4 * 4 * 9, 0.1f), {}, 4, 4, 3, 1, 0.1f);
  EXPECT_TRUE(conv2d_int8(input, conv, {0.1f, 0}).ok());
  EXPECT_FALSE(quantize_conv2d(std::vector<float>(16, 0.1f), {}, 4, 4, 2, 1, 0.1f).ok());  // even kernel
  EXPECT_FALSE(quantize_conv2d(std::vector<float>(10, 0.1f), {}, 4, 4, 1, 1, 0.1f).ok());  // wrong weight count
  EXPECT_FALSE(quantize_conv2d(std::vector<float>(12, 0.1f), {}, 4, 6, 1, 4, 0.1f).ok());  // 6 % 4 != 0
  EXPECT_FALSE(quantize_conv2d(std::vector<float>(16, 0.1f), std::vector<float>(3, 0.0f), 4, 4, 1, 1, 0.1f).ok());
  const QuantizedMap three_channels = random_map(3, 3, 3, {0.1f, 0}, rng);
  EXPECT_EQ(conv2d_int8(three_channels, conv, {0.1f, 0}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(conv2d_int8(input, conv, {0.1f, 200}).status().code(), StatusCode::kInvalidArgument);
  QuantizedMap corrupt = input;
  corrupt.params.scale = -1.0f;
  EXPECT_EQ(conv2d_int8(corrupt, conv, {0.1f, 0}).status().code(), StatusCode::kInvalidArgument);
  corrupt = input;
  corrupt.data.pop_back();
  EXPECT_EQ(conv2d_int8(corrupt, conv, {0.1f, 0}).status().code(), StatusCode::kInvalidArgument);
  // A bias quantized for another input scale would be silently wrong: refused.
  const QuantizedConv2d biased =
      quantized(std::vector<float>(4 * 4 * 9, 0.1f), std::vector<float>(4, 0.5f), 4, 4, 3, 1, 0.2f);
  EXPECT_EQ(conv2d_int8(input, biased, {0.1f, 0}).status().code(), StatusCode::kInvalidArgument);
  // 66,400 input channels of weight 127 could overflow the int32 accumulator when |q − zp_in| reaches 255
  // (zp_in = −128): 127 · 255 · 66400 > 2^31. With zp_in = 0 (|q − zp| <= 128) the same weights fit.
  const int wide = 66400;
  const QuantizedConv2d huge = quantized(std::vector<float>(wide, 1.0f), {}, wide, 1, 1, 1, 0.1f);
  EXPECT_EQ(conv2d_int8(QuantizedMap::zeros(wide, 1, 1, {0.1f, -128}), huge, {0.1f, 0}).status().code(),
            StatusCode::kUnsupported);
  EXPECT_TRUE(conv2d_int8(QuantizedMap::zeros(wide, 1, 1, {0.1f, 0}), huge, {0.1f, 0}).ok());
}

}  // namespace
}  // namespace litesr
