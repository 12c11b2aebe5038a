// Int8 quantization parameters of TensorFlow Lite's full-integer scheme (the TFLite 8-bit quantization
// specification, tensorflow/lite/g3doc/performance/quantization_spec.md; docs/quantization.md):
//
//   real = scale · (q − zero_point)
//
//   activations  int8 asymmetric, one (scale, zero_point) per tensor, q ∈ [−128, 127], zero_point ∈ [−128, 127];
//                0.0 is exactly representable (q = zero_point), so "same" padding pads with the zero point
//   weights      int8 symmetric per output channel, q ∈ [−127, 127] (narrow range), zero_point 0
//   biases       int32, zero_point 0, scale = input scale · weight scale of the channel
//
// Rounding is TfLiteRound = std::round (half away from zero) everywhere; results saturate to the type's range.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace litesr {

inline constexpr int32_t kInt8Min = -128;
inline constexpr int32_t kInt8Max = 127;
inline constexpr int32_t kWeightInt8Max = 127;  // weights use [−127, 127] so that −q is always representable

struct QuantParams {
  float scale = 1.0f;      // real units per step, finite and > 0
  int32_t zero_point = 0;  // the q that represents real 0.0
  bool operator==(const QuantParams&) const = default;
};

// OK when scale is finite and > 0 and zero_point ∈ [−128, 127]; kInvalidArgument naming `what` otherwise (a model
// file's corrupted scale or zero point is caught here).
Status check_int8_params(QuantParams params, std::string_view what);

// Asymmetric int8 activation parameters for the float range [min, max], as TFLite's MLIR converter chooses them
// (mlir quantfork::fakeQuantAttrsToType / getNudgedScaleAndZeroPoint, after the calibrated range is extended to
// include 0):
//   min' = min(min, 0), max' = max(max, 0); scale = (max' − min') / 255 (double, stored as float);
//   zero point = 255-level affine solution from (min', −128) or (max', 127), whichever adds the smaller rounding
//   error, then rounded (half away from zero) and clamped to [−128, 127].
// A degenerate range (|max' − min'| < DBL_EPSILON, e.g. an all-zero tensor) gets scale 1, zero point −128 as in the
// converter (any scale represents the all-zero tensor; 1 keeps every derived multiplier finite).
// kInvalidArgument for non-finite bounds or min > max.
Result<QuantParams> activation_params_from_range(float min, float max);

// TFLite AffineQuantize (reference_ops::AffineQuantize): q = clamp(round(value / scale) + zero_point, −128, 127),
// the division in float. NaN quantizes to the zero point.
int8_t quantize_value(float value, QuantParams params);
// TFLite Dequantize: (float)((double)scale · (q − zero_point)).
float dequantize_value(int8_t q, QuantParams params);
// Element-wise forms; `out` must have the size of the input.
void quantize_values(std::span<const float> values, QuantParams params, std::span<int8_t> out);
void dequantize_values(std::span<const int8_t> values, QuantParams params, std::span<float> out);

// Per-output-channel symmetric int8 weights (TFLite tools/optimize SymmetricPerChannelQuantization):
//   scale[c] = max|w| over channel c / 127 (float); q = clamp(round(w · (127 / max|w|)), −127, 127).
// An all-zero channel gets scale 1 (TFLite stores 0 there, which makes its requantization multiplier 0 and
// drops the channel's bias; 1 keeps the bias — docs/quantization.md "Weights").
struct PerChannelWeights {
  std::vector<int8_t> values;  // same layout as the float weights: [channels][weights per channel]
  std::vector<float> scales;   // [channels]
};
// `weights` is [channels][n] with n = weights.size() / channels (PyTorch conv weights: output channel first).
// kInvalidArgument when channels < 1, the size is not a multiple of channels, or a weight is not finite.
Result<PerChannelWeights> quantize_weights_per_channel(std::span<const float> weights, int channels);

// int32 biases (TFLite tools/optimize SymmetricPerChannelBiasQuantize): bias scale[c] = input_scale ·
// weight_scales[c] (float product); q = clamp(round(bias[c] · (1 / bias scale)), −(2^31 − 1), 2^31 − 1).
// kInvalidArgument when sizes differ, input_scale is not finite and > 0, or a bias is not finite.
Result<std::vector<int32_t>> quantize_bias(std::span<const float> bias, float input_scale,
                                           std::span<const float> weight_scales);

}  // namespace litesr
