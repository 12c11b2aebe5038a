#include "quant/quant_params.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <string>

namespace litesr {

Status check_int8_params(QuantParams params, std::string_view what) {
  if (!std::isfinite(params.scale) || !(params.scale > 0.0f)) {
    return invalid_argument(std::string(what) + ": int8 scale must be finite and > 0, got " +
                            std::to_string(params.scale));
  }
  if (params.zero_point < kInt8Min || params.zero_point > kInt8Max) {
    return invalid_argument(std::string(what) + ": int8 zero point must be in [-128, 127], got " +
                            std::to_string(params.zero_point));
  }
  return {};
}

Result<QuantParams> activation_params_from_range(float min, float max) {
  if (!std::isfinite(min) || !std::isfinite(max)) {
    return invalid_argument("quantization range must be finite, got [" + std::to_string(min) + ", " +
                            std::to_string(max) + "]");
  }
  if (min > max) {
    return invalid_argument("quantization range has min > max: [" + std::to_string(min) + ", " + std::to_string(max) +
                            "]");
  }
  const double rmin = std::min(static_cast<double>(min), 0.0);
  const double rmax = std::max(static_cast<double>(max), 0.0);
  constexpr double kQmin = kInt8Min, kQmax = kInt8Max;
  if (std::fabs(rmax - rmin) < DBL_EPSILON) return QuantParams{1.0f, kInt8Min};

  const double scale = (rmax - rmin) / (kQmax - kQmin);
  // Solve q = zero_point + real / scale at either end; keep the solution with the smaller rounding error.
  const double zero_point_from_min = kQmin - rmin / scale;
  const double zero_point_from_max = kQmax - rmax / scale;
  const double error_from_min = std::fabs(kQmin) + std::fabs(rmin / scale);
  const double error_from_max = std::fabs(kQmax) + std::fabs(rmax / scale);
  const double zero_point = error_from_min < error_from_max ? zero_point_from_min : zero_point_from_max;
  int32_t nudged = 0;
  if (zero_point < kQmin) {
    nudged = kInt8Min;
  } else if (zero_point > kQmax) {
    nudged = kInt8Max;
  } else {
    nudged = static_cast<int32_t>(std::round(zero_point));
  }
  return QuantParams{static_cast<float>(scale), nudged};
}

int8_t quantize_value(float value, QuantParams params) {
  const float steps = std::round(value / params.scale);
  if (std::isnan(steps)) return static_cast<int8_t>(params.zero_point);
  // Clamping the step count first keeps the int conversion defined; it cannot change the saturated result.
  const int32_t q = static_cast<int32_t>(std::clamp(steps, -512.0f, 512.0f)) + params.zero_point;
  return static_cast<int8_t>(std::clamp(q, kInt8Min, kInt8Max));
}

float dequantize_value(int8_t q, QuantParams params) {
  return static_cast<float>(static_cast<double>(params.scale) * (static_cast<int32_t>(q) - params.zero_point));
}

void quantize_values(std::span<const float> values, QuantParams params, std::span<int8_t> out) {
  for (std::size_t i = 0; i < values.size(); ++i) out[i] = quantize_value(values[i], params);
}

void dequantize_values(std::span<const int8_t> values, QuantParams params, std::span<float> out) {
  for (std::size_t i = 0; i < values.size(); ++i) out[i] = dequantize_value(values[i], params);
}

Result<PerChannelWeights> quantize_weights_per_channel(std::span<const float> weights, int channels) {
  if (channels < 1 || weights.size() % static_cast<std::size_t>(channels) != 0) {
    return invalid_argument("per-channel weights: " + std::to_string(weights.size()) + " values do not split into " +
                            std::to_string(channels) + " channels");
  }
  const std::size_t per_channel = weights.size() / channels;
  PerChannelWeights out;
  out.values.resize(weights.size());
  out.scales.resize(channels);
  constexpr float kHalfLevels = kWeightInt8Max;
  for (int c = 0; c < channels; ++c) {
    const std::span<const float> w = weights.subspan(c * per_channel, per_channel);
    float max_abs = 0.0f;
    for (const float v : w) {
      if (!std::isfinite(v))
        return invalid_argument("per-channel weights: channel " + std::to_string(c) + " has a non-finite weight");
      max_abs = std::max(max_abs, std::fabs(v));
    }
    if (max_abs == 0.0f) {
      out.scales[c] = 1.0f;  // all-zero channel: every q is 0 whatever the scale (see the header)
      std::fill_n(out.values.begin() + c * per_channel, per_channel, int8_t{0});
      continue;
    }
    out.scales[c] = max_abs / kHalfLevels;
    const float inverse_scale = kHalfLevels / max_abs;
    for (std::size_t i = 0; i < per_channel; ++i) {
      const float q = std::round(w[i] * inverse_scale);
      out.values[c * per_channel + i] =
          static_cast<int8_t>(std::clamp(q, -kHalfLevels, kHalfLevels));  // |q| <= 127.5 → at most 128 before clamp
    }
  }
  return out;
}

Result<std::vector<int32_t>> quantize_bias(std::span<const float> bias, float input_scale,
                                           std::span<const float> weight_scales) {
  if (bias.size() != weight_scales.size()) {
    return invalid_argument("bias has " + std::to_string(bias.size()) + " values for " +
                            std::to_string(weight_scales.size()) + " weight scales");
  }
  if (!std::isfinite(input_scale) || !(input_scale > 0.0f)) {
    return invalid_argument("bias quantization: input scale must be finite and > 0");
  }
  constexpr float kTwoPow31 = 2147483648.0f;  // floats at or beyond ±2^31 do not convert to int32
  std::vector<int32_t> out(bias.size());
  for (std::size_t c = 0; c < bias.size(); ++c) {
    if (!std::isfinite(bias[c])) return invalid_argument("bias " + std::to_string(c) + " is not finite");
    const float bias_scale = input_scale * weight_scales[c];
    if (!std::isfinite(bias_scale) || !(bias_scale > 0.0f)) {
      return invalid_argument("bias " + std::to_string(c) + ": scale input_scale * weight_scale must be > 0");
    }
    const float inverse = static_cast<float>(1.0 / bias_scale);  // TFLite: float inv = 1.0 / scaling_factor
    const float q = std::round(bias[c] * inverse);
    if (q >= kTwoPow31) {
      out[c] = 2147483647;
    } else if (q <= -kTwoPow31) {
      out[c] = -2147483647;  // TFLite clamps to ±(2^31 − 1), symmetric
    } else {
      out[c] = static_cast<int32_t>(q);
    }
  }
  return out;
}

}  // namespace litesr
