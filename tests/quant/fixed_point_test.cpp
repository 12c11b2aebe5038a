// quant/fixed_point.h against hand-computed values of TFLite's / gemmlowp's reference semantics.
#include "quant/fixed_point.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

namespace litesr {
namespace {

constexpr int32_t kMin32 = std::numeric_limits<int32_t>::min();
constexpr int32_t kMax32 = std::numeric_limits<int32_t>::max();
constexpr int32_t kHalfQ31 = 1 << 30;  // 0.5 as a Q31 mantissa

TEST(FixedPoint, SaturatingRoundingDoublingHighMulRoundsHalfTowardPlusInfinity) {
  // 2·a·b / 2^32: 3 · 2^30 → 1.5 → 2; −3 · 2^30 → −1.5 → −1 (ties go up, as ARM SQRDMULH).
  EXPECT_EQ(saturating_rounding_doubling_high_mul(3, kHalfQ31), 2);
  EXPECT_EQ(saturating_rounding_doubling_high_mul(-3, kHalfQ31), -1);
  EXPECT_EQ(saturating_rounding_doubling_high_mul(5, kHalfQ31), 3);    // 2.5 → 3
  EXPECT_EQ(saturating_rounding_doubling_high_mul(-5, kHalfQ31), -2);  // −2.5 → −2
  EXPECT_EQ(saturating_rounding_doubling_high_mul(1, kHalfQ31), 1);    // 0.5 → 1
  EXPECT_EQ(saturating_rounding_doubling_high_mul(-1, kHalfQ31), 0);   // −0.5 → 0
  // Not a tie: −7 · 3·2^28 · 2 / 2^32 = −2.625 → −3.
  EXPECT_EQ(saturating_rounding_doubling_high_mul(-7, 3 << 28), -3);
  EXPECT_EQ(saturating_rounding_doubling_high_mul(0, kMax32), 0);
  // (2^31 − 1)² · 2 / 2^32 = 2^31 − 2 + 2^−31 → 2^31 − 2.
  EXPECT_EQ(saturating_rounding_doubling_high_mul(kMax32, kMax32), kMax32 - 1);
  // −2^31 · (2^31 − 1) · 2 / 2^32 = −(2^31 − 1) exactly.
  EXPECT_EQ(saturating_rounding_doubling_high_mul(kMin32, kMax32), -kMax32);
  // The one product that does not fit: (−1) · (−1) in Q31 is +1, which saturates.
  EXPECT_EQ(saturating_rounding_doubling_high_mul(kMin32, kMin32), kMax32);
}

TEST(FixedPoint, Int16HighMulsRoundAndTruncate) {
  constexpr int16_t kMin16 = std::numeric_limits<int16_t>::min(), kMax16 = std::numeric_limits<int16_t>::max();
  // Rounding (gemmlowp int16 SRDHM): 2·3·2^14 / 2^16 = 1.5 → 2, −1.5 → −1.
  EXPECT_EQ(saturating_rounding_doubling_high_mul(int16_t{3}, int16_t{16384}), 2);
  EXPECT_EQ(saturating_rounding_doubling_high_mul(int16_t{-3}, int16_t{16384}), -1);
  EXPECT_EQ(saturating_rounding_doubling_high_mul(kMin16, kMin16), kMax16);
  // Truncating (TFLite SaturatingDoublingHighMul, SQDMULH): 1.5 → 1, −1.5 → −1, 32767²/32768 → 32766.
  EXPECT_EQ(saturating_doubling_high_mul(int16_t{3}, int16_t{16384}), 1);
  EXPECT_EQ(saturating_doubling_high_mul(int16_t{-3}, int16_t{16384}), -1);
  EXPECT_EQ(saturating_doubling_high_mul(kMax16, kMax16), 32766);
  EXPECT_EQ(saturating_doubling_high_mul(kMin16, kMin16), kMax16);
}

TEST(FixedPoint, RoundingDivideByPowerOfTwoRoundsHalfAwayFromZero) {
  EXPECT_EQ(rounding_divide_by_pot<int32_t>(5, 1), 3);    // 2.5 → 3
  EXPECT_EQ(rounding_divide_by_pot<int32_t>(-5, 1), -3);  // −2.5 → −3
  EXPECT_EQ(rounding_divide_by_pot<int32_t>(6, 2), 2);    // 1.5 → 2
  EXPECT_EQ(rounding_divide_by_pot<int32_t>(-6, 2), -2);  // −1.5 → −2
  EXPECT_EQ(rounding_divide_by_pot<int32_t>(-7, 2), -2);  // −1.75 → −2
  EXPECT_EQ(rounding_divide_by_pot<int32_t>(-5, 2), -1);  // −1.25 → −1
  EXPECT_EQ(rounding_divide_by_pot<int32_t>(0, 7), 0);
  EXPECT_EQ(rounding_divide_by_pot<int32_t>(-123, 0), -123);  // exponent 0 is the identity
  EXPECT_EQ(rounding_divide_by_pot<int32_t>(kMax32, 31), 1);  // 1 − 2^−31 → 1
  EXPECT_EQ(rounding_divide_by_pot<int32_t>(kMin32, 31), -1);
  EXPECT_EQ(rounding_divide_by_pot<int32_t>(kHalfQ31, 31), 1);      // 0.5 → 1
  EXPECT_EQ(rounding_divide_by_pot<int32_t>(-kHalfQ31, 31), -1);    // −0.5 → −1
  EXPECT_EQ(rounding_divide_by_pot<int32_t>(kHalfQ31 - 1, 31), 0);  // just below 0.5
  EXPECT_EQ(rounding_divide_by_pot<int16_t>(int16_t{-5}, 1), -3);
  EXPECT_EQ(rounding_divide_by_pot<int16_t>(std::numeric_limits<int16_t>::min(), 15), -1);
  EXPECT_EQ(rounding_divide_by_pot<int16_t>(std::numeric_limits<int16_t>::max(), 15), 1);
  // Against exact rounding (half away from zero) over a range of values and exponents.
  for (int exponent = 1; exponent <= 12; ++exponent) {
    for (int32_t x = -5000; x <= 5000; x += 7) {
      const double exact = std::round(std::ldexp(static_cast<double>(x), -exponent));
      ASSERT_EQ(rounding_divide_by_pot<int32_t>(x, exponent), static_cast<int32_t>(exact)) << x << " " << exponent;
    }
  }
}

TEST(FixedPoint, QuantizeMultiplierMatchesTfliteFrexpRounding) {
  EXPECT_EQ(quantize_multiplier(0.0), (QuantizedMultiplier{0, 0}));
  EXPECT_EQ(quantize_multiplier(0.5), (QuantizedMultiplier{kHalfQ31, 0}));
  EXPECT_EQ(quantize_multiplier(1.0), (QuantizedMultiplier{kHalfQ31, 1}));     // 0.5 · 2^1
  EXPECT_EQ(quantize_multiplier(0.75), (QuantizedMultiplier{1610612736, 0}));  // 0.75 · 2^31
  EXPECT_EQ(quantize_multiplier(3.0), (QuantizedMultiplier{1610612736, 2}));   // 0.75 · 2^2: a left shift
  EXPECT_EQ(quantize_multiplier(0.1), (QuantizedMultiplier{1717986918, -3}));  // 0.8 · 2^31 = 1717986918.4
  // A fraction that rounds up to 2^31 becomes 2^30 with the next exponent.
  EXPECT_EQ(quantize_multiplier(1.0 - std::ldexp(1.0, -40)), (QuantizedMultiplier{kHalfQ31, 1}));
  // 2^−32 = 0.5 · 2^−31 is the smallest kept; below it multipliers flush to zero.
  EXPECT_EQ(quantize_multiplier(std::ldexp(1.0, -32)), (QuantizedMultiplier{kHalfQ31, -31}));
  EXPECT_EQ(quantize_multiplier(std::ldexp(1.0, -33)), (QuantizedMultiplier{0, 0}));
  EXPECT_DOUBLE_EQ(multiplier_value(quantize_multiplier(3.0)), 3.0);
  // Relative precision 2^−31 over many magnitudes.
  for (double m = 1e-7; m < 1e6; m *= 1.37) {
    const QuantizedMultiplier q = quantize_multiplier(m);
    ASSERT_GE(q.mantissa, kHalfQ31);
    ASSERT_NEAR(multiplier_value(q) / m, 1.0, std::ldexp(1.0, -30)) << m;
  }
}

TEST(FixedPoint, MultiplyByQuantizedMultiplierGoldenValues) {
  const QuantizedMultiplier tenth = quantize_multiplier(0.1);
  EXPECT_EQ(multiply_by_quantized_multiplier(100, tenth), 10);  // SRDHM → 80, then 80 / 2^3
  EXPECT_EQ(multiply_by_quantized_multiplier(15, tenth), 2);    // 1.5 → 2
  EXPECT_EQ(multiply_by_quantized_multiplier(-15, tenth), -2);  // −1.5 → −2 (the final shift rounds away from 0)
  const QuantizedMultiplier three = quantize_multiplier(3.0);
  EXPECT_EQ(multiply_by_quantized_multiplier(3, three), 9);  // shift 2: a left shift before the high mul
  EXPECT_EQ(multiply_by_quantized_multiplier(-3, three), -9);
  // Double rounding: 6 · 0.375 = 2.25, but SRDHM(6, 0.75) rounds 4.5 up to 5 and the shift rounds 2.5 to 3.
  EXPECT_EQ(multiply_by_quantized_multiplier(6, quantize_multiplier(0.375)), 3);
  // M = 1 is exact.
  const QuantizedMultiplier one = quantize_multiplier(1.0);
  for (const int32_t x : {0, 1, -1, 127, -128, 123456789, -123456789, kMax32 / 2, kMin32 / 2}) {
    EXPECT_EQ(multiply_by_quantized_multiplier(x, one), x) << x;
  }
  // A left shift that would overflow int32 (undefined in TFLite) saturates: 2^30 · 4 → 2^31 − 1, then · 0.5.
  EXPECT_EQ(multiply_by_quantized_multiplier(kHalfQ31, QuantizedMultiplier{kHalfQ31, 2}), kHalfQ31);
  EXPECT_EQ(multiply_by_quantized_multiplier(-kHalfQ31, QuantizedMultiplier{kHalfQ31, 2}), -kHalfQ31);
  // A zero multiplier gives zero.
  EXPECT_EQ(multiply_by_quantized_multiplier(kMax32, QuantizedMultiplier{}), 0);
}

TEST(FixedPoint, MultiplyByQuantizedMultiplierIsWithinOneOfTheExactProduct) {
  std::mt19937 rng(17);
  std::uniform_int_distribution<int32_t> xs(-(1 << 24), 1 << 24);
  std::uniform_real_distribution<double> log_m(-20.0, 5.0);
  for (int i = 0; i < 20000; ++i) {
    const int32_t x = xs(rng);
    const QuantizedMultiplier m = quantize_multiplier(std::exp2(log_m(rng)));
    const double exact = static_cast<double>(x) * multiplier_value(m);
    if (std::fabs(exact) > 1e9) continue;
    // Two roundings (the high mul, then the shift) each at most half a unit of the final result.
    ASSERT_LT(std::fabs(multiply_by_quantized_multiplier(x, m) - exact), 1.0) << x << " " << multiplier_value(m);
  }
}

}  // namespace
}  // namespace litesr
