#include "quant/requantization.h"

#include <cmath>
#include <string>

namespace litesr {
namespace {

// TFLite kernel_util.cc Quantize(scale, zero_point, f): zero_point + (int32)TfLiteRound(f / scale), float math.
int32_t quantize_bound(float real, QuantParams output) {
  return output.zero_point + static_cast<int32_t>(std::round(real / output.scale));
}

}  // namespace

Result<ActivationRange> activation_range(FusedActivation activation, QuantParams output) {
  LITESR_RETURN_IF_ERROR(check_int8_params(output, "activation output"));
  ActivationRange range;
  switch (activation) {
    case FusedActivation::kNone:
      break;
    case FusedActivation::kRelu:
      range.min = std::max(kInt8Min, quantize_bound(0.0f, output));
      break;
    case FusedActivation::kRelu6: {
      range.min = std::max(kInt8Min, quantize_bound(0.0f, output));
      // 6 / scale can exceed int32 for tiny scales; any bound beyond 127 clamps to 127 anyway.
      const float steps = std::round(6.0f / output.scale);
      range.max = steps >= 512.0f ? kInt8Max : std::min(kInt8Max, output.zero_point + static_cast<int32_t>(steps));
      break;
    }
  }
  return range;
}

Result<QuantizedMultiplier> checked_multiplier(double real, std::string_view what) {
  if (std::isfinite(real) && real >= 0.0) {
    const QuantizedMultiplier m = quantize_multiplier(real);
    if (m.shift <= 30) return m;
  }
  return invalid_argument(std::string(what) + ": requantization multiplier " + std::to_string(real) +
                          " is not finite or outside [0, 2^30)");
}

}  // namespace litesr
