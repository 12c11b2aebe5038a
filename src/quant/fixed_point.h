// Fixed-point arithmetic of TensorFlow Lite's integer kernels, bit-exact with the TFLite reference
// (tensorflow/lite/kernels/internal/common.h and quantization_util.cc, which take SaturatingRoundingDoublingHighMul
// and RoundingDivideByPOT from gemmlowp's fixedpoint/fixedpoint.h). TFLite's default "double rounding" variant
// (TFLITE_SINGLE_ROUNDING undefined) is the one implemented; docs/quantization.md explains every function.
//
// A real multiplier M > 0 is represented as a Q31 mantissa m ∈ [2^30, 2^31) (the fraction m / 2^31 ∈ [0.5, 1))
// and a power-of-two exponent e: M ≈ (m / 2^31) · 2^e. Rescaling an int32 x by M is
//   RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x · 2^max(e, 0), m), max(−e, 0))
// i.e. two roundings: the high product rounds half toward +∞ (ARM SQRDMULH), the shift rounds half away from zero.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

namespace litesr {

// M ≈ (mantissa / 2^31) · 2^shift; mantissa 0 represents M = 0 (and multipliers below ~2^−32, flushed to 0).
struct QuantizedMultiplier {
  int32_t mantissa = 0;  // Q31 fraction in [2^30, 2^31), or 0
  int shift = 0;         // exponent: > 0 shifts left before the high multiply, < 0 rounds right after it
  bool operator==(const QuantizedMultiplier&) const = default;
};

// TFLite QuantizeMultiplier(double, int32_t*, int*): frexp splits M = q · 2^shift with q ∈ [0.5, 1);
// mantissa = round(q · 2^31) (std::round, half away from zero); a mantissa that rounds up to 2^31 becomes 2^30
// with shift + 1; shift < −31 (M < ~2^−32) flushes to {0, 0}.
// Precondition: M finite and >= 0 (callers validate scales first; quant/requantization.h checked_multiplier).
inline QuantizedMultiplier quantize_multiplier(double real_multiplier) {
  if (real_multiplier == 0.0) return {};
  int shift = 0;
  const double fraction = std::frexp(real_multiplier, &shift);
  int64_t mantissa = static_cast<int64_t>(std::round(fraction * 2147483648.0));  // · 2^31
  if (mantissa == (int64_t{1} << 31)) {
    mantissa /= 2;
    ++shift;
  }
  if (shift < -31) return {};
  return {static_cast<int32_t>(mantissa), shift};
}

// The real value a multiplier represents: mantissa · 2^(shift − 31).
inline double multiplier_value(QuantizedMultiplier m) {
  return std::ldexp(static_cast<double>(m.mantissa), m.shift - 31);
}

// gemmlowp SaturatingRoundingDoublingHighMul (int32): the high 32 bits of 2·a·b, rounded to nearest with ties
// toward +∞ (nudge 2^30 for a non-negative product, 1 − 2^30 for a negative one, then division truncating toward
// zero). The one product that does not fit, INT32_MIN · INT32_MIN, saturates to INT32_MAX.
inline int32_t saturating_rounding_doubling_high_mul(int32_t a, int32_t b) {
  if (a == b && a == std::numeric_limits<int32_t>::min()) return std::numeric_limits<int32_t>::max();
  const int64_t product = static_cast<int64_t>(a) * static_cast<int64_t>(b);
  const int64_t nudge = product >= 0 ? (int64_t{1} << 30) : (1 - (int64_t{1} << 30));
  return static_cast<int32_t>((product + nudge) / (int64_t{1} << 31));
}

// The int16 specialisation (gemmlowp fixedpoint.h): high 16 bits of 2·a·b, nudges 2^14 / 1 − 2^14,
// INT16_MIN · INT16_MIN saturates to INT16_MAX. Used by TFLite's int8 HARD_SWISH.
inline int16_t saturating_rounding_doubling_high_mul(int16_t a, int16_t b) {
  if (a == b && a == std::numeric_limits<int16_t>::min()) return std::numeric_limits<int16_t>::max();
  const int32_t product = static_cast<int32_t>(a) * static_cast<int32_t>(b);
  const int32_t nudge = product >= 0 ? (1 << 14) : (1 - (1 << 14));
  return static_cast<int16_t>((product + nudge) / (1 << 15));
}

// TFLite reference_ops::SaturatingDoublingHighMul (hard_swish.h; ARM SQDMULH): the high 16 bits of 2·a·b
// truncated toward zero, INT16_MIN · INT16_MIN saturating to INT16_MAX.
inline int16_t saturating_doubling_high_mul(int16_t a, int16_t b) {
  if (a == b && a == std::numeric_limits<int16_t>::min()) return std::numeric_limits<int16_t>::max();
  const int32_t product = static_cast<int32_t>(a) * static_cast<int32_t>(b);
  return static_cast<int16_t>(product / (1 << 15));
}

// gemmlowp RoundingDivideByPOT: x / 2^exponent rounded to nearest, ties away from zero (an arithmetic shift plus
// one when the discarded remainder exceeds half, or reaches half for a negative x).
// Int = int32_t (exponent 0..31) or int16_t (exponent 0..15).
template <typename Int>
inline Int rounding_divide_by_pot(Int x, int exponent) {
  const Int mask = static_cast<Int>((int64_t{1} << exponent) - 1);
  const Int remainder = static_cast<Int>(x & mask);
  const Int threshold = static_cast<Int>((mask >> 1) + (x < 0 ? 1 : 0));
  return static_cast<Int>((x >> exponent) + (remainder > threshold ? 1 : 0));
}

// TFLite MultiplyByQuantizedMultiplier(int32_t x, int32_t quantized_multiplier, int shift) (double rounding):
//   RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x · 2^left, mantissa), right)
// with left = max(shift, 0), right = max(−shift, 0). For shift <= 0 this is also TFLite's
// MultiplyByQuantizedMultiplierSmallerThanOneExp (ADD's rescaling).
// Preconditions: shift <= 30 and −31 <= shift (quantize_multiplier and checked_multiplier guarantee them).
// TFLite forms x · 2^left in int32, where overflow is undefined behaviour; here it saturates to int32 instead,
// so results agree whenever TFLite's are defined.
inline int32_t multiply_by_quantized_multiplier(int32_t x, int32_t mantissa, int shift) {
  const int left_shift = shift > 0 ? shift : 0;
  const int right_shift = shift > 0 ? 0 : -shift;
  int64_t shifted = static_cast<int64_t>(x) * (int64_t{1} << left_shift);
  if (shifted > std::numeric_limits<int32_t>::max()) shifted = std::numeric_limits<int32_t>::max();
  if (shifted < std::numeric_limits<int32_t>::min()) shifted = std::numeric_limits<int32_t>::min();
  return rounding_divide_by_pot<int32_t>(saturating_rounding_doubling_high_mul(static_cast<int32_t>(shifted), mantissa),
                                         right_shift);
}

inline int32_t multiply_by_quantized_multiplier(int32_t x, QuantizedMultiplier m) {
  return multiply_by_quantized_multiplier(x, m.mantissa, m.shift);
}

}  // namespace litesr
