// The requantization epilogue (quant/requantization.h) in single-precision floating point, exact where it says so:
// the SIMD int8 kernels compute it in ~6 vector ops per 16 lanes instead of the ~13 of TFLite's 64-bit fixed-point
// arithmetic, and redo the rare lanes it cannot vouch for exactly (runtime/kernel_conv3x3_int8.cpp).
//
// WHY IT CAN BE EXACT. For a multiplier with shift = −r, r >= 1, MultiplyByQuantizedMultiplier's two roundings
// (SaturatingRoundingDoublingHighMul, then RoundingDivideByPOT with its rounding of negatives) are one floor:
//   zp + MBQM(a) = floor(y*),  y* = a·S + zp + 1/2 + 2^−(r+1) − [a·m < −2^30]·2^−r,  S = m · 2^−(31+r)
// (m = the mantissa; the bracket is 1 for a < 0, or for a < −1 when m = 2^30). The float form computes
//   y = fl(fl(a)·fl(S) + fl(zp + 1/2 + 2^−(r+1) − [..]·2^−r + E))        (one fused multiply-add, round to nearest)
// with E = 2^−12 (kFloatRequantBias). Where |y*| <= 512 (everywhere the clamped result can depend on rounding: beyond
// it both saturate) the float error is below 2^−13 + 2^−14 + 2^−17 < E (fl(a) and fl(S) 2^−24 each relative to
// |a·S| < 2^10, the FMA's rounding at |y| < 2^11, the offset's at < 2^8), so y lies in (y*, y* + 2·E). Hence
// floor(y) = floor(y*) whenever y − floor(y) >= 2·E (kFloatRequantMargin); lanes with a smaller fraction ("unsure",
// a 2^−10 share of uniformly spread values) are recomputed with the integer arithmetic. With r >= 1, |a·S| < 2^30,
// so y always converts to int32. Multipliers with shift >= 0 (|S| >= 1/2, never met in practice) have no float form.
//
// Where the negative-a branch cannot change the clamped result (a < 0 already clamps to act_min with the positive
// branch's offset: ReLU-fused convs, an output zero point of −128), the offset is the same for every lane
// (FloatRequant::piecewise = false) and the kernels skip the per-lane select.
#pragma once

#include <cstdint>
#include <optional>

#include "quant/fixed_point.h"
#include "quant/requantization.h"

namespace litesr {

inline constexpr float kFloatRequantBias = 1.0f / 4096.0f;    // E = 2^−12, added to the offset
inline constexpr float kFloatRequantMargin = 1.0f / 2048.0f;  // 2·E: a fraction below it is "unsure"

// One output channel's float form: y = fma(float(a), scale, a < negative_below ? negative_offset : offset).
struct FloatRequant {
  float scale = 0;             // fl(m · 2^−(31+r))
  float offset = 0;            // fl(zp + 1/2 + 2^−(r+1) + E)
  float negative_offset = 0;   // fl(zp + 1/2 + 2^−(r+1) − 2^−r + E)
  int32_t negative_below = 0;  // a < negative_below ⇔ a·m < −2^30 (0, or −1 when m = 2^30)
  bool piecewise = true;       // false: every lane may take `offset` (see above)
};

// The float form of requantize_accumulator(·, multiplier, output_zero_point, range), or nullopt where there is none
// (shift >= 0). Its floats are rounded to nearest whatever the calling thread's rounding mode; the kernels must
// compute with round-to-nearest too (AVX-512: in the instructions; AVX2: only where MXCSR says so). Preconditions as
// MultiplyByQuantizedMultiplier's (mantissa 0 or in [2^30, 2^31), −31 <= shift).
std::optional<FloatRequant> float_requant_of(QuantizedMultiplier multiplier, int32_t output_zero_point,
                                             ActivationRange range);

// The float form on one accumulator, as the SIMD kernels compute it lane by lane: floor(y), unclamped, and whether the
// lane is sure (then clamp(floor(y)) == requantize_accumulator(a, ...), the property the tests check).
struct FloatRequantResult {
  int32_t floor = 0;
  bool sure = false;
};
FloatRequantResult float_requantize(int32_t accumulator, const FloatRequant& f);

}  // namespace litesr
