#include "quant/float_requantization.h"

#include <cfenv>
#include <cmath>

namespace litesr {

std::optional<FloatRequant> float_requant_of(QuantizedMultiplier multiplier, int32_t output_zero_point,
                                             ActivationRange range) {
  if (multiplier.shift >= 0) return std::nullopt;
  const int r = -multiplier.shift;  // 1 .. 31
  const int64_t m = multiplier.mantissa;
  // The error bound assumes each float below rounded to nearest, whatever rounding mode the calling program set.
  const int saved_mode = std::fegetround();
  std::fesetround(FE_TONEAREST);
  // Every double below is exact (at most 8 + 1 + 32 significant bits); each float is one rounding to nearest.
  const double base = output_zero_point + 0.5 + std::ldexp(1.0, -(r + 1));
  FloatRequant f;
  f.scale = static_cast<float>(std::ldexp(static_cast<double>(m), -(31 + r)));
  f.offset = static_cast<float>(base + kFloatRequantBias);
  f.negative_offset = static_cast<float>(base - std::ldexp(1.0, -r) + kFloatRequantBias);
  std::fesetround(saved_mode);
  f.negative_below = m == (int64_t{1} << 30) ? -1 : 0;
  // The positive branch at the largest a of the negative one: where it already clamps to act_min, so does every
  // a below it under either branch (both are nondecreasing in a, the negative one below the positive one).
  const int64_t a = f.negative_below - 1;
  const int64_t positive = ((a * m + (int64_t{1} << 30) + (int64_t{1} << (30 + r))) >> (31 + r)) + output_zero_point;
  f.piecewise = m != 0 && positive > range.min;
  return f;
}

FloatRequantResult float_requantize(int32_t accumulator, const FloatRequant& f) {
  const float offset = f.piecewise && accumulator < f.negative_below ? f.negative_offset : f.offset;
  const float y = std::fma(static_cast<float>(accumulator), f.scale, offset);
  const float down = std::floor(y);
  return {static_cast<int32_t>(down), y - down >= kFloatRequantMargin};
}

}  // namespace litesr
