// quant/reference_ops.h element-wise ops (add, mul, PReLU, LeakyReLU, hard-swish, lookup tables, requantize):
// hand-computed golden cases, then every int8 input (pairs, for binary ops) against the float op on dequantized
// values, for several parameter sets.
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
using quant_test::real_of;

QuantizedMap map_of(std::vector<int8_t> values, QuantParams params, int channels = 1) {
  const int width = static_cast<int>(values.size()) / channels;
  QuantizedMap m = QuantizedMap::zeros(channels, 1, width, params);
  m.data = std::move(values);
  return m;
}

// Random (input 1, input 2, output) params for a binary op; the output covers `combine` of the input ranges.
template <typename Combine>
std::vector<std::array<QuantParams, 3>> binary_param_sets(Combine combine, int count, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<std::array<QuantParams, 3>> sets;
  for (int i = 0; i < count; ++i) {
    const QuantParams a = quant_test::random_params(rng, 0.002f, 0.2f, -100, 100);
    const QuantParams b = quant_test::random_params(rng, 0.002f, 0.2f, -100, 100);
    const auto [lo, hi] = combine(a, b);
    sets.push_back({a, b, quant_test::params_covering(lo, hi)});
  }
  return sets;
}

double lo_of(QuantParams p) { return real_of(-128, p); }
double hi_of(QuantParams p) { return real_of(127, p); }

// ---- add ----

TEST(Int8Add, GoldenThroughTheTwentyBitShift) {
  // s_a = 0.5, s_b = 0.25, s_out = 1: M_a = 0.5, M_b = 0.25, M_out = 2^−20.
  const QuantParams a{0.5f, 0}, b{0.25f, 0}, out{1.0f, 0};
  const AddParams p = make_add_params(a, b, out).value();
  EXPECT_EQ(p.left_shift, 20);
  EXPECT_EQ(p.input1_multiplier, (QuantizedMultiplier{1 << 30, 0}));
  EXPECT_EQ(p.input2_multiplier, (QuantizedMultiplier{1 << 30, -1}));
  EXPECT_EQ(p.output_multiplier, (QuantizedMultiplier{1 << 30, -19}));
  EXPECT_EQ(add_int8_element(3, 2, p), 2);    // 1.5 + 0.5
  EXPECT_EQ(add_int8_element(1, 0, p), 1);    // 0.5 → 1 (half away from zero)
  EXPECT_EQ(add_int8_element(-1, 0, p), -1);  // −0.5 → −1
  EXPECT_EQ(add_int8_element(-3, 0, p), -2);  // −1.5 → −2
  const AddParams relu = make_add_params(a, b, out, FusedActivation::kRelu).value();
  EXPECT_EQ(add_int8_element(-3, 0, relu), 0);
  const Result<QuantizedMap> sum = add_int8(map_of({3, 1, -1}, a), map_of({2, 0, 0}, b), out);
  ASSERT_TRUE(sum.ok()) << sum.status().to_string();
  EXPECT_EQ(sum->data, (std::vector<int8_t>{2, 1, -1}));
}

TEST(Int8Add, EveryPairWithinOneLsb) {
  const auto sets = binary_param_sets(
      [](QuantParams a, QuantParams b) {
        return std::pair{lo_of(a) + lo_of(b), hi_of(a) + hi_of(b)};
      },
      6, 21);
  for (const auto& [pa, pb, po] : sets) {
    const AddParams p = make_add_params(pa, pb, po).value();
    ErrorStats stats;
    for (int a = -128; a <= 127; ++a)
      for (int b = -128; b <= 127; ++b)
        stats.add(lsb_error(add_int8_element(a, b, p), real_of(a, pa) + real_of(b, pb), po));
    EXPECT_LE(stats.max_abs, 1.0) << pa.scale << " " << pb.scale << " " << po.scale;
    EXPECT_LT(std::fabs(stats.mean()), 0.05);
  }
}

TEST(Int8Add, RejectsWhatTfliteRejects) {
  // 2 · max input scale / (2^20 · output scale) must be < 1.
  EXPECT_EQ(make_add_params({1.0f, 0}, {1.0f, 0}, {1e-7f, 0}).status().code(), StatusCode::kUnsupported);
  EXPECT_EQ(add_int8(map_of({1, 2}, {0.1f, 0}), map_of({1}, {0.1f, 0}), {0.1f, 0}).status().code(),
            StatusCode::kInvalidArgument);
}

// ---- mul ----

TEST(Int8Mul, GoldenAndChannelBroadcast) {
  // (5 − 1) · 0.5 = 2 times (1 + 1) · 0.5 = 1 → 2 = 8 steps of 0.25.
  const MulParams p = make_mul_params({0.5f, 1}, {0.5f, -1}, {0.25f, 0}).value();
  EXPECT_EQ(mul_int8_element(5, 1, p), 8);
  // Squeeze-excite gating: a 2-channel map times a per-channel gate (2x1x1).
  QuantizedMap x = QuantizedMap::zeros(2, 1, 2, {0.5f, 0});
  x.data = {2, 4, 6, -8};  // channel 0: 1, 2; channel 1: 3, −4
  QuantizedMap gate = QuantizedMap::zeros(2, 1, 1, {1.0f / 256.0f, -128});
  gate.data = {0, -64};  // 0.5, 0.25
  const Result<QuantizedMap> y = mul_int8(x, gate, {0.125f, 0});
  ASSERT_TRUE(y.ok()) << y.status().to_string();
  EXPECT_EQ(y->data, (std::vector<int8_t>{4, 8, 6, -8}));  // 0.5, 1, 0.75, −1 in steps of 0.125
  const QuantizedMap wrong = QuantizedMap::zeros(3, 1, 1, {1.0f, 0});
  EXPECT_EQ(mul_int8(x, wrong, {0.1f, 0}).status().code(), StatusCode::kInvalidArgument);
}

TEST(Int8Mul, EveryPairWithinOneLsb) {
  const auto sets = binary_param_sets(
      [](QuantParams a, QuantParams b) {
        const double c[] = {lo_of(a) * lo_of(b), lo_of(a) * hi_of(b), hi_of(a) * lo_of(b), hi_of(a) * hi_of(b)};
        return std::pair{*std::min_element(c, c + 4), *std::max_element(c, c + 4)};
      },
      6, 22);
  for (const auto& [pa, pb, po] : sets) {
    for (const FusedActivation act : {FusedActivation::kNone, FusedActivation::kRelu}) {
      const MulParams p = make_mul_params(pa, pb, po, act).value();
      ErrorStats stats;
      for (int a = -128; a <= 127; ++a)
        for (int b = -128; b <= 127; ++b)
          stats.add(
              lsb_error(mul_int8_element(a, b, p), real_of(a, pa) * real_of(b, pb), po, p.range.min, p.range.max));
      EXPECT_LE(stats.max_abs, 1.0) << pa.scale << " " << pb.scale << " " << po.scale;
      EXPECT_LT(std::fabs(stats.mean()), 0.05);
    }
  }
}

// ---- PReLU, LeakyReLU ----

TEST(Int8Prelu, GoldenSeparateMultipliers) {
  // M_1 = 0.1 / 0.05 = 2; M_2 = 0.1 · 0.01 / 0.05 = 0.02. α = 25 · 0.01 = 0.25.
  const PreluParams p = make_prelu_params({0.1f, 0}, {0.01f, 0}, {0.05f, 0}).value();
  EXPECT_EQ(prelu_int8_element(7, 25, p), 14);   // 0.7
  EXPECT_EQ(prelu_int8_element(-8, 25, p), -4);  // −0.8 · 0.25 = −0.2
  const std::vector<int8_t> alpha = {25, -50};   // channel 1 slope −0.5
  const Result<QuantizedMap> y = prelu_int8(map_of({-8, 7, -8, 7}, {0.1f, 0}, 2), alpha, {0.01f, 0}, {0.05f, 0});
  ASSERT_TRUE(y.ok()) << y.status().to_string();
  EXPECT_EQ(y->data, (std::vector<int8_t>{-4, 14, 8, 14}));  // channel 1: −0.8 · −0.5 = 0.4
  EXPECT_EQ(prelu_int8(map_of({1, 2, 3}, {0.1f, 0}, 3), alpha, {0.01f, 0}, {0.05f, 0}).status().code(),
            StatusCode::kInvalidArgument);  // 2 slopes for 3 channels
}

TEST(Int8Prelu, EveryInputAndSlopeWithinOneLsb) {
  std::mt19937 rng(23);
  for (int set = 0; set < 6; ++set) {
    const QuantParams in = quant_test::random_params(rng, 0.005f, 0.2f, -100, 100);
    // Slopes in [−0.3, 0.6], quantized per tensor as the converter does.
    const QuantParams alpha_params = quant_test::params_covering(-0.3, 0.6);
    const double lo = std::min(lo_of(in) * 0.6, hi_of(in) * -0.3), hi = std::max(hi_of(in), lo_of(in) * -0.3);
    const QuantParams out = quant_test::params_covering(lo, hi);
    const PreluParams p = make_prelu_params(in, alpha_params, out).value();
    ErrorStats stats;
    for (int a = -128; a <= 127; ++a)
      for (int q = -128; q <= 127; ++q) {
        const double x = real_of(q, in), slope = real_of(a, alpha_params);
        if (slope < -0.3 || slope > 0.6) continue;
        stats.add(lsb_error(prelu_int8_element(q, a, p), x >= 0 ? x : x * slope, out));
      }
    EXPECT_LE(stats.max_abs, 1.0) << in.scale << " " << out.scale;
    EXPECT_LT(std::fabs(stats.mean()), 0.05);
  }
}

TEST(Int8LeakyRelu, GoldenAndEveryInputWithinOneLsb) {
  const LeakyReluParams p = make_leaky_relu_params({0.1f, 0}, 0.2f, {0.1f, 0}).value();
  EXPECT_EQ(leaky_relu_int8_element(10, p), 10);
  EXPECT_EQ(leaky_relu_int8_element(-10, p), -2);
  EXPECT_EQ(leaky_relu_int8_element(-3, p), -1);  // −0.6 steps → −1
  EXPECT_EQ(leaky_relu_int8_element(-5, p), -1);  // −1.0
  EXPECT_EQ(make_leaky_relu_params({0.1f, 0}, -0.2f, {0.1f, 0}).status().code(), StatusCode::kUnsupported);
  std::mt19937 rng(24);
  for (int set = 0; set < 8; ++set) {
    const QuantParams in = quant_test::random_params(rng, 0.005f, 0.2f, -100, 100);
    const QuantParams out = quant_test::params_covering(lo_of(in) * 0.2, hi_of(in));
    const Result<QuantizedMap> y = leaky_relu_int8(
        [&] {
          QuantizedMap m = QuantizedMap::zeros(1, 1, 256, in);
          for (int q = -128; q <= 127; ++q) m.data[q + 128] = static_cast<int8_t>(q);
          return m;
        }(),
        0.2f, out);
    ASSERT_TRUE(y.ok()) << y.status().to_string();
    ErrorStats stats;
    for (int q = -128; q <= 127; ++q) {
      const double x = real_of(q, in);
      stats.add(lsb_error(y->data[q + 128], x >= 0 ? x : 0.2 * x, out));
    }
    EXPECT_LE(stats.max_abs, 1.0);
  }
}

// ---- hard-swish ----

double hard_swish(double x) { return x * std::clamp(x + 3.0, 0.0, 6.0) / 6.0; }

TEST(Int8HardSwish, GoldenFixedPointSteps) {
  // s_in = s_out = 0.1: m_out = 2^−7 → Q15 16384, e_out = −6; m_r = 0.1·256/3 → Q15 17476, e_r = 4.
  const HardSwishParams p = make_hard_swish_params({0.1f, 0}, {0.1f, 0}).value();
  EXPECT_EQ(p.output_multiplier, 16384);
  EXPECT_EQ(p.output_exponent, -6);
  EXPECT_EQ(p.reluish_multiplier, 17476);
  EXPECT_EQ(p.reluish_exponent, 4);
  // q 10 (v = 1): hires 1280; x_out = 640; r = 10240 → 5461 → 10922 → (10922 + 2^15) >> 1 = 21845;
  // SDHM(21845, 640) = 426; 426 / 2^6 = 6.66 → 7. Exact: 1 · 4 / 6 = 0.667 → 6.67 steps.
  EXPECT_EQ(hard_swish_int8_element(10, p), 7);
  EXPECT_EQ(hard_swish_int8_element(40, p), 40);  // v = 4 >= 3: the identity
  EXPECT_EQ(hard_swish_int8_element(0, p), 0);
  EXPECT_EQ(hard_swish_int8_element(-40, p), 0);  // v = −4 <= −3: zero
  // TFLite rejects an output scale at or below input scale / 128 (the output multiplier would need a left shift).
  EXPECT_EQ(make_hard_swish_params({0.1f, 0}, {0.0001f, 0}).status().code(), StatusCode::kUnsupported);
}

TEST(Int8HardSwish, EveryInputWithinOneAndAHalfLsb) {
  // The int16 pipeline works with Q15 multipliers and a 7-bit-finer input, and truncates once (SDHM): over 10^5
  // random (input, output) parameter pairs the worst error measured was 1.24 LSB (typically <= 0.55, the extremes
  // at input zero points near 127 with tiny output scales), hence the stated bound of 1.5 LSB.
  std::mt19937 rng(25);
  for (int set = 0; set < 40; ++set) {
    const QuantParams in = quant_test::random_params(rng, 0.01f, 0.2f, -100, 100);
    const QuantParams out = quant_test::params_covering(-0.375, hard_swish(hi_of(in)));
    const Result<QuantizedMap> y = hard_swish_int8(
        [&] {
          QuantizedMap m = QuantizedMap::zeros(1, 1, 256, in);
          for (int q = -128; q <= 127; ++q) m.data[q + 128] = static_cast<int8_t>(q);
          return m;
        }(),
        out);
    ASSERT_TRUE(y.ok()) << y.status().to_string();
    ErrorStats stats;
    for (int q = -128; q <= 127; ++q) stats.add(lsb_error(y->data[q + 128], hard_swish(real_of(q, in)), out));
    EXPECT_LE(stats.max_abs, 1.5) << in.scale << " " << in.zero_point << " -> " << out.scale << " " << out.zero_point;
    EXPECT_LT(std::fabs(stats.mean()), 0.25);
  }
}

// ---- lookup tables ----

QuantizedMap every_int8(QuantParams p) {
  QuantizedMap m = QuantizedMap::zeros(1, 1, 256, p);
  for (int q = -128; q <= 127; ++q) m.data[q + 128] = static_cast<int8_t>(q);
  return m;
}

TEST(Int8LookupTable, SigmoidGoldenAndWithinOneLsb) {
  const Result<QuantizedMap> y = sigmoid_int8(every_int8({0.1f, 0}));
  ASSERT_TRUE(y.ok()) << y.status().to_string();
  EXPECT_EQ(y->params, kSigmoidOutputParams);
  EXPECT_EQ(y->data[0 + 128], 0);      // sigmoid(0) = 0.5 = 128/256 → 128 − 128
  EXPECT_EQ(y->data[10 + 128], 59);    // sigmoid(1) = 0.7311 → 187.2 → 187 − 128
  EXPECT_EQ(y->data[127 + 128], 127);  // → 256, saturated
  EXPECT_EQ(y->data[-128 + 128], -128);
  std::mt19937 rng(26);
  for (int set = 0; set < 10; ++set) {
    const QuantParams in = quant_test::random_params(rng, 0.01f, 0.3f, -128, 127);
    const Result<QuantizedMap> s = sigmoid_int8(every_int8(in));
    ASSERT_TRUE(s.ok());
    ErrorStats stats;
    for (int q = -128; q <= 127; ++q) {
      stats.add(lsb_error(s->data[q + 128], 1.0 / (1.0 + std::exp(-real_of(q, in))), kSigmoidOutputParams));
    }
    // Table entries are rounded (0.5 LSB) and the float function is 1e-7 relative off.
    EXPECT_LE(stats.max_abs, 0.5 + 1e-3);
  }
}

TEST(Int8LookupTable, AnyFunctionAndOutputParams) {
  const QuantParams in{0.1f, 0};
  auto hard_sigmoid = [](float v) { return std::clamp(v + 3.0f, 0.0f, 6.0f) / 6.0f; };
  const LookupTable fixed = make_lookup_table(in, kSigmoidOutputParams, +hard_sigmoid).value();
  const QuantizedMap y = apply_lookup_table(every_int8(in), fixed, kSigmoidOutputParams);
  EXPECT_EQ(y.data[0 + 128], 0);     // 0.5
  EXPECT_EQ(y.data[15 + 128], 64);   // v = 1.5: 0.75 → 192 − 128
  EXPECT_EQ(y.data[30 + 128], 127);  // 1.0 → 256 − 128, saturated: the one entry 1 LSB off
  EXPECT_EQ(y.data[-30 + 128], -128);
  const QuantParams out{1.0f / 255.0f, -128};  // [0, 1] exactly representable
  const LookupTable table = make_lookup_table(in, out, +hard_sigmoid).value();
  ErrorStats stats;
  for (int q = -128; q <= 127; ++q) {
    stats.add(lsb_error(lookup(table, static_cast<int8_t>(q)), std::clamp(real_of(q, in) + 3.0, 0.0, 6.0) / 6.0, out));
  }
  EXPECT_LE(stats.max_abs, 0.5 + 1e-3);
  EXPECT_EQ(lookup(table, 30), 127);
  EXPECT_EQ(make_lookup_table(in, out, [](float) { return std::nanf(""); }).status().code(),
            StatusCode::kInvalidArgument);
}

// ---- requantize ----

TEST(Int8Requantize, GoldenAndWithinOneLsb) {
  const RequantizeParams half_to_quarter = make_requantize_params({0.5f, 0}, {0.25f, 0}).value();
  EXPECT_EQ(requantize_int8_element(3, half_to_quarter), 6);
  EXPECT_EQ(requantize_int8_element(63, half_to_quarter), 126);
  EXPECT_EQ(requantize_int8_element(64, half_to_quarter), 127);    // 128 saturates
  EXPECT_EQ(requantize_int8_element(-65, half_to_quarter), -128);  // −130 saturates
  EXPECT_EQ(requantize_int8_element(10, make_requantize_params({0.5f, 10}, {0.5f, 0}).value()), 0);
  // Equal params: M = 1 returns every value unchanged.
  const RequantizeParams same = make_requantize_params({0.37f, -3}, {0.37f, -3}).value();
  EXPECT_EQ(same.multiplier, (QuantizedMultiplier{1 << 30, 1}));
  for (int q = -128; q <= 127; ++q) ASSERT_EQ(requantize_int8_element(q, same), q);
  std::mt19937 rng(27);
  for (int set = 0; set < 20; ++set) {
    const QuantParams in = quant_test::random_params(rng, 0.001f, 1.0f, -128, 127);
    const QuantParams out = quant_test::random_params(rng, 0.001f, 1.0f, -128, 127);
    const Result<QuantizedMap> y = requantize_int8(every_int8(in), out);
    ASSERT_TRUE(y.ok());
    ErrorStats stats;
    for (int q = -128; q <= 127; ++q) stats.add(lsb_error(y->data[q + 128], real_of(q, in), out));
    EXPECT_LE(stats.max_abs, 1.0);
  }
}

}  // namespace
}  // namespace litesr
