// The requantization epilogue shared by every int8 op that accumulates in int32 (conv, depthwise conv, and the
// later SIMD kernels tested against quant/reference_ops.h), and the activation clamps TFLite fuses into it
// (tensorflow/lite/kernels/kernel_util.cc CalculateActivationRangeQuantized):
//
//   q_out = clamp(output_zero_point + MultiplyByQuantizedMultiplier(acc, M), act_min, act_max)
//
//   act = none   [−128, 127]
//         ReLU   [max(−128, zp + round(0 / s)), 127] = [zp, 127]: ReLU is a clamp at the output zero point
//         ReLU6  [zp, min(127, zp + round(6 / s))]
// round = TfLiteRound on float (half away from zero), s = output scale, zp = output zero point.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string_view>

#include "base/status.h"
#include "quant/fixed_point.h"
#include "quant/quant_params.h"

namespace litesr {

enum class FusedActivation : uint8_t { kNone, kRelu, kRelu6 };

// Inclusive int8 output bounds after the fused activation.
struct ActivationRange {
  int32_t min = kInt8Min;
  int32_t max = kInt8Max;
  bool operator==(const ActivationRange&) const = default;
};

// The clamp bounds of `activation` for an output quantized with `output` (checked with check_int8_params).
Result<ActivationRange> activation_range(FusedActivation activation, QuantParams output);

// quantize_multiplier(real) for a finite real >= 0 whose exponent is at most 30 (real < 2^30 after rounding), the
// range MultiplyByQuantizedMultiplier's left shift allows; kInvalidArgument naming `what` otherwise.
Result<QuantizedMultiplier> checked_multiplier(double real, std::string_view what);

// The epilogue above, for one int32 accumulator (bias already added).
inline int8_t requantize_accumulator(int32_t accumulator, QuantizedMultiplier multiplier, int32_t output_zero_point,
                                     ActivationRange range) {
  const int32_t q = output_zero_point + multiply_by_quantized_multiplier(accumulator, multiplier);
  return static_cast<int8_t>(std::clamp(q, range.min, range.max));
}

}  // namespace litesr
