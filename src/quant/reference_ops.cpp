#include "quant/reference_ops.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace litesr {
namespace {

constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();

std::string shape_string(const QuantizedMap& m) {
  return std::to_string(m.channels) + "x" + std::to_string(m.height) + "x" + std::to_string(m.width);
}

Status check_map(const QuantizedMap& map, std::string_view what) {
  if (map.channels < 1 || map.height < 1 || map.width < 1) {
    return invalid_argument(std::string(what) + ": map must have at least 1x1x1 values, got " + shape_string(map));
  }
  if (map.data.size() != map.size()) {
    return invalid_argument(std::string(what) + ": map " + shape_string(map) + " holds " +
                            std::to_string(map.data.size()) + " values");
  }
  return check_int8_params(map.params, what);
}

// The largest |q − zero_point| an int8 value can have.
int64_t max_abs_offset(int32_t zero_point) { return std::max<int64_t>(kInt8Max - zero_point, zero_point - kInt8Min); }

int8_t clamp_int8(int32_t v) { return static_cast<int8_t>(std::clamp(v, kInt8Min, kInt8Max)); }

// TFLite DownScaleInt32ToInt16Multiplier (activations.cc): a Q31 mantissa rounded to Q15, saturating.
int16_t downscale_multiplier_to_int16(int32_t mantissa) {
  constexpr int32_t kRoundingOffset = 1 << 15;
  if (mantissa >= std::numeric_limits<int32_t>::max() - kRoundingOffset) return std::numeric_limits<int16_t>::max();
  return static_cast<int16_t>((mantissa + kRoundingOffset) >> 16);
}

// TFLite reference_ops::SaturatingLeftShift (hard_swish.h): value · 2^amount saturated to int16.
int16_t saturating_left_shift(int16_t value, int amount) {
  const int64_t shifted = static_cast<int64_t>(value) * (int64_t{1} << amount);
  return static_cast<int16_t>(
      std::clamp<int64_t>(shifted, std::numeric_limits<int16_t>::min(), std::numeric_limits<int16_t>::max()));
}

Status check_conv(const QuantizedConv2d& conv) {
  const std::string dims = std::to_string(conv.out_channels) + "x" + std::to_string(conv.in_channels) + " k" +
                           std::to_string(conv.kernel) + " groups " + std::to_string(conv.groups);
  if (conv.in_channels < 1 || conv.out_channels < 1 || conv.kernel < 1 || conv.kernel % 2 == 0 || conv.groups < 1 ||
      conv.in_channels % conv.groups != 0 || conv.out_channels % conv.groups != 0) {
    return invalid_argument("int8 conv2d: bad shape " + dims + " (kernel odd, channels >= 1 and divisible by groups)");
  }
  const std::size_t taps = static_cast<std::size_t>(conv.in_channels / conv.groups) * conv.kernel * conv.kernel;
  if (conv.weight.size() != conv.out_channels * taps) {
    return invalid_argument("int8 conv2d " + dims + ": weight has " + std::to_string(conv.weight.size()) +
                            " values, expected " + std::to_string(conv.out_channels * taps));
  }
  if (conv.weight_scales.size() != static_cast<std::size_t>(conv.out_channels)) {
    return invalid_argument("int8 conv2d " + dims + ": expected one weight scale per output channel");
  }
  for (const float s : conv.weight_scales) {
    if (!std::isfinite(s) || !(s > 0.0f)) return invalid_argument("int8 conv2d " + dims + ": weight scale <= 0");
  }
  if (!conv.bias.empty() && conv.bias.size() != static_cast<std::size_t>(conv.out_channels)) {
    return invalid_argument("int8 conv2d " + dims + ": expected one bias per output channel");
  }
  return {};
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------------
// conv2d
// ---------------------------------------------------------------------------------------------------------------

Result<QuantizedConv2d> quantize_conv2d(std::span<const float> weight, std::span<const float> bias, int in_channels,
                                        int out_channels, int kernel, int groups, float input_scale) {
  QuantizedConv2d conv;
  conv.in_channels = in_channels;
  conv.out_channels = out_channels;
  conv.kernel = kernel;
  conv.groups = groups;
  if (!std::isfinite(input_scale) || !(input_scale > 0.0f)) {
    return invalid_argument("int8 conv2d: input scale must be finite and > 0");
  }
  conv.bias_input_scale = input_scale;
  // Shape check before quantizing (check_conv needs the sizes the quantized tensors will have).
  conv.weight.resize(weight.size());
  conv.weight_scales.assign(std::max(out_channels, 0), 1.0f);
  if (!bias.empty()) conv.bias.resize(bias.size());
  LITESR_RETURN_IF_ERROR(check_conv(conv));

  LITESR_ASSIGN_OR_RETURN(PerChannelWeights quantized, quantize_weights_per_channel(weight, out_channels));
  conv.weight = std::move(quantized.values);
  conv.weight_scales = std::move(quantized.scales);
  if (!bias.empty()) {
    LITESR_ASSIGN_OR_RETURN(conv.bias, quantize_bias(bias, input_scale, conv.weight_scales));
  }
  return conv;
}

Result<std::vector<QuantizedMultiplier>> conv2d_output_multipliers(float input_scale,
                                                                   std::span<const float> weight_scales,
                                                                   float output_scale) {
  std::vector<QuantizedMultiplier> multipliers(weight_scales.size());
  for (std::size_t o = 0; o < weight_scales.size(); ++o) {
    const double real =
        static_cast<double>(input_scale) * static_cast<double>(weight_scales[o]) / static_cast<double>(output_scale);
    LITESR_ASSIGN_OR_RETURN(multipliers[o],
                            checked_multiplier(real, "int8 conv2d output channel " + std::to_string(o)));
  }
  return multipliers;
}

Result<QuantizedMap> conv2d_int8(const QuantizedMap& input, const QuantizedConv2d& conv, QuantParams output,
                                 FusedActivation activation) {
  LITESR_RETURN_IF_ERROR(check_map(input, "int8 conv2d input"));
  LITESR_RETURN_IF_ERROR(check_conv(conv));
  LITESR_RETURN_IF_ERROR(check_int8_params(output, "int8 conv2d output"));
  if (input.channels != conv.in_channels) {
    return invalid_argument("int8 conv2d: input has " + std::to_string(input.channels) + " channels, the conv takes " +
                            std::to_string(conv.in_channels));
  }
  if (!conv.bias.empty() && conv.bias_input_scale != input.params.scale) {
    return invalid_argument("int8 conv2d: bias was quantized for input scale " + std::to_string(conv.bias_input_scale) +
                            ", the input has scale " + std::to_string(input.params.scale));
  }
  LITESR_ASSIGN_OR_RETURN(const ActivationRange range, activation_range(activation, output));
  LITESR_ASSIGN_OR_RETURN(const std::vector<QuantizedMultiplier> multipliers,
                          conv2d_output_multipliers(input.params.scale, conv.weight_scales, output.scale));

  const int k = conv.kernel, pad = (k - 1) / 2;
  const int cin_g = conv.in_channels / conv.groups, cout_g = conv.out_channels / conv.groups;
  const std::size_t taps = static_cast<std::size_t>(cin_g) * k * k;
  // int32 accumulator bound: Σ|w| · max|q − zp_in| + |bias| must stay below 2^31 for every possible input.
  const int64_t input_extent = max_abs_offset(input.params.zero_point);
  for (int o = 0; o < conv.out_channels; ++o) {
    int64_t bound = conv.bias.empty() ? 0 : std::llabs(static_cast<int64_t>(conv.bias[o]));
    for (std::size_t t = 0; t < taps; ++t) bound += std::abs(conv.weight[o * taps + t]) * input_extent;
    if (bound > kInt32Max) {
      return unsupported("int8 conv2d output channel " + std::to_string(o) +
                         ": the int32 accumulator could overflow (|weights| · 255 + |bias| >= 2^31)");
    }
  }

  QuantizedMap out = QuantizedMap::zeros(conv.out_channels, input.height, input.width, output);
  const int32_t input_offset = -input.params.zero_point;
  // A row of outputs at a time: each in-image tap's products added to the whole row (exact int32 sums, so the
  // order is free; padded taps add nothing: q = zp_in, term 0).
  std::vector<int32_t> acc(static_cast<std::size_t>(input.width));
  for (int o = 0; o < conv.out_channels; ++o) {
    const int group = o / cout_g;
    const int8_t* w = conv.weight.data() + o * taps;  // [cin_g][k][k]
    for (int y = 0; y < input.height; ++y) {
      std::fill(acc.begin(), acc.end(), conv.bias.empty() ? 0 : conv.bias[o]);
      for (int ci = 0; ci < cin_g; ++ci) {
        for (int ky = 0; ky < k; ++ky) {
          const int iy = y + ky - pad;
          if (iy < 0 || iy >= input.height) continue;
          const int8_t* row = input.plane(group * cin_g + ci) + static_cast<std::size_t>(iy) * input.width;
          for (int kx = 0; kx < k; ++kx) {
            const int32_t wv = w[(ci * k + ky) * k + kx];
            const int x0 = std::max(0, pad - kx), x1 = std::min(input.width, input.width + pad - kx);
            for (int x = x0; x < x1; ++x) acc[x] += wv * (static_cast<int32_t>(row[x + kx - pad]) + input_offset);
          }
        }
      }
      for (int x = 0; x < input.width; ++x) {
        out.at(o, y, x) = requantize_accumulator(acc[x], multipliers[o], output.zero_point, range);
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// add
// ---------------------------------------------------------------------------------------------------------------

Result<AddParams> make_add_params(QuantParams input1, QuantParams input2, QuantParams output,
                                  FusedActivation activation) {
  LITESR_RETURN_IF_ERROR(check_int8_params(input1, "int8 add input 1"));
  LITESR_RETURN_IF_ERROR(check_int8_params(input2, "int8 add input 2"));
  LITESR_RETURN_IF_ERROR(check_int8_params(output, "int8 add output"));
  AddParams p;
  p.input1_offset = -input1.zero_point;
  p.input2_offset = -input2.zero_point;
  p.output_offset = output.zero_point;
  p.left_shift = 20;
  // add.cc: twice_max_input_scale = 2 · max(float, float) (exact), the quotients in double.
  const double twice_max_input_scale = 2 * std::max(input1.scale, input2.scale);
  const double real_input1 = input1.scale / twice_max_input_scale;
  const double real_input2 = input2.scale / twice_max_input_scale;
  const double real_output = twice_max_input_scale / static_cast<double>((1 << p.left_shift) * output.scale);
  if (!(real_output < 1.0)) {
    return unsupported("int8 add: output scale " + std::to_string(output.scale) +
                       " is too small for TFLite's ADD (2·max input scale / (2^20 · output scale) must be < 1)");
  }
  LITESR_ASSIGN_OR_RETURN(p.input1_multiplier, checked_multiplier(real_input1, "int8 add input 1"));
  LITESR_ASSIGN_OR_RETURN(p.input2_multiplier, checked_multiplier(real_input2, "int8 add input 2"));
  LITESR_ASSIGN_OR_RETURN(p.output_multiplier, checked_multiplier(real_output, "int8 add output"));
  LITESR_ASSIGN_OR_RETURN(p.range, activation_range(activation, output));
  return p;
}

int8_t add_int8_element(int8_t a, int8_t b, const AddParams& p) {
  const int32_t shifted_a = (p.input1_offset + a) * (1 << p.left_shift);  // |.| <= 255 · 2^20: fits int32
  const int32_t shifted_b = (p.input2_offset + b) * (1 << p.left_shift);
  const int32_t scaled_a = multiply_by_quantized_multiplier(shifted_a, p.input1_multiplier);
  const int32_t scaled_b = multiply_by_quantized_multiplier(shifted_b, p.input2_multiplier);
  const int32_t raw = p.output_offset + multiply_by_quantized_multiplier(scaled_a + scaled_b, p.output_multiplier);
  return static_cast<int8_t>(std::clamp(raw, p.range.min, p.range.max));
}

Result<QuantizedMap> add_int8(const QuantizedMap& a, const QuantizedMap& b, QuantParams output,
                              FusedActivation activation) {
  LITESR_RETURN_IF_ERROR(check_map(a, "int8 add input 1"));
  LITESR_RETURN_IF_ERROR(check_map(b, "int8 add input 2"));
  if (a.channels != b.channels || a.height != b.height || a.width != b.width) {
    return invalid_argument("int8 add: shapes differ, " + shape_string(a) + " and " + shape_string(b));
  }
  LITESR_ASSIGN_OR_RETURN(const AddParams p, make_add_params(a.params, b.params, output, activation));
  QuantizedMap out = QuantizedMap::zeros(a.channels, a.height, a.width, output);
  for (std::size_t i = 0; i < out.data.size(); ++i) out.data[i] = add_int8_element(a.data[i], b.data[i], p);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// mul
// ---------------------------------------------------------------------------------------------------------------

Result<MulParams> make_mul_params(QuantParams input1, QuantParams input2, QuantParams output,
                                  FusedActivation activation) {
  LITESR_RETURN_IF_ERROR(check_int8_params(input1, "int8 mul input 1"));
  LITESR_RETURN_IF_ERROR(check_int8_params(input2, "int8 mul input 2"));
  LITESR_RETURN_IF_ERROR(check_int8_params(output, "int8 mul output"));
  MulParams p;
  p.input1_offset = -input1.zero_point;
  p.input2_offset = -input2.zero_point;
  p.output_offset = output.zero_point;
  const float real = input1.scale * input2.scale / output.scale;  // float, as mul.cc
  LITESR_ASSIGN_OR_RETURN(p.output_multiplier, checked_multiplier(real, "int8 mul"));
  LITESR_ASSIGN_OR_RETURN(p.range, activation_range(activation, output));
  return p;
}

int8_t mul_int8_element(int8_t a, int8_t b, const MulParams& p) {
  const int32_t product = (p.input1_offset + a) * (p.input2_offset + b);  // |.| <= 255²
  const int32_t raw = p.output_offset + multiply_by_quantized_multiplier(product, p.output_multiplier);
  return static_cast<int8_t>(std::clamp(raw, p.range.min, p.range.max));
}

Result<QuantizedMap> mul_int8(const QuantizedMap& a, const QuantizedMap& b, QuantParams output,
                              FusedActivation activation) {
  LITESR_RETURN_IF_ERROR(check_map(a, "int8 mul input 1"));
  LITESR_RETURN_IF_ERROR(check_map(b, "int8 mul input 2"));
  const auto fits = [](int b_dim, int a_dim) { return b_dim == a_dim || b_dim == 1; };
  if (!fits(b.channels, a.channels) || !fits(b.height, a.height) || !fits(b.width, a.width)) {
    return invalid_argument("int8 mul: input 2 " + shape_string(b) + " does not broadcast to " + shape_string(a));
  }
  LITESR_ASSIGN_OR_RETURN(const MulParams p, make_mul_params(a.params, b.params, output, activation));
  QuantizedMap out = QuantizedMap::zeros(a.channels, a.height, a.width, output);
  for (int c = 0; c < a.channels; ++c) {
    for (int y = 0; y < a.height; ++y) {
      for (int x = 0; x < a.width; ++x) {
        const int8_t gate = b.at(b.channels == 1 ? 0 : c, b.height == 1 ? 0 : y, b.width == 1 ? 0 : x);
        out.at(c, y, x) = mul_int8_element(a.at(c, y, x), gate, p);
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// PReLU, LeakyReLU
// ---------------------------------------------------------------------------------------------------------------

Result<PreluParams> make_prelu_params(QuantParams input, QuantParams alpha, QuantParams output) {
  LITESR_RETURN_IF_ERROR(check_int8_params(input, "int8 prelu input"));
  LITESR_RETURN_IF_ERROR(check_int8_params(alpha, "int8 prelu alpha"));
  LITESR_RETURN_IF_ERROR(check_int8_params(output, "int8 prelu output"));
  PreluParams p;
  p.input_offset = -input.zero_point;
  p.alpha_offset = -alpha.zero_point;
  p.output_offset = output.zero_point;
  const float real_identity = input.scale / output.scale;              // float, as TFLite's PreluPrepare
  const float real_alpha = input.scale * alpha.scale / output.scale;  // (activations.cc), then widened
  LITESR_ASSIGN_OR_RETURN(p.identity_multiplier, checked_multiplier(real_identity, "int8 prelu"));
  LITESR_ASSIGN_OR_RETURN(p.alpha_multiplier, checked_multiplier(real_alpha, "int8 prelu alpha"));
  return p;
}

int8_t prelu_int8_element(int8_t q, int8_t alpha, const PreluParams& p) {
  const int32_t x = p.input_offset + q;
  const int32_t scaled = x >= 0 ? multiply_by_quantized_multiplier(x, p.identity_multiplier)
                                : multiply_by_quantized_multiplier(x * (p.alpha_offset + alpha), p.alpha_multiplier);
  return clamp_int8(p.output_offset + scaled);
}

Result<QuantizedMap> prelu_int8(const QuantizedMap& input, std::span<const int8_t> alpha, QuantParams alpha_params,
                                QuantParams output) {
  LITESR_RETURN_IF_ERROR(check_map(input, "int8 prelu input"));
  if (alpha.size() != 1 && alpha.size() != static_cast<std::size_t>(input.channels)) {
    return invalid_argument("int8 prelu: " + std::to_string(alpha.size()) + " slopes for " +
                            std::to_string(input.channels) + " channels (expected 1 or one per channel)");
  }
  LITESR_ASSIGN_OR_RETURN(const PreluParams p, make_prelu_params(input.params, alpha_params, output));
  QuantizedMap out = QuantizedMap::zeros(input.channels, input.height, input.width, output);
  for (int c = 0; c < input.channels; ++c) {
    const int8_t slope = alpha[alpha.size() == 1 ? 0 : c];
    const int8_t* src = input.plane(c);
    int8_t* dst = out.plane(c);
    for (std::size_t i = 0; i < input.plane_size(); ++i) dst[i] = prelu_int8_element(src[i], slope, p);
  }
  return out;
}

Result<LeakyReluParams> make_leaky_relu_params(QuantParams input, float alpha, QuantParams output) {
  LITESR_RETURN_IF_ERROR(check_int8_params(input, "int8 leaky_relu input"));
  LITESR_RETURN_IF_ERROR(check_int8_params(output, "int8 leaky_relu output"));
  if (!std::isfinite(alpha) || alpha < 0.0f) {
    return unsupported("int8 leaky_relu: slope must be finite and >= 0 (a negative slope is a PReLU), got " +
                       std::to_string(alpha));
  }
  LeakyReluParams p;
  p.input_zero_point = input.zero_point;
  p.output_zero_point = output.zero_point;
  const float real_identity = input.scale / output.scale;       // float, as LeakyReluPrepare
  const float real_alpha = input.scale * alpha / output.scale;  // float, as LeakyReluPrepare
  LITESR_ASSIGN_OR_RETURN(p.identity_multiplier, checked_multiplier(real_identity, "int8 leaky_relu"));
  LITESR_ASSIGN_OR_RETURN(p.alpha_multiplier, checked_multiplier(real_alpha, "int8 leaky_relu slope"));
  return p;
}

int8_t leaky_relu_int8_element(int8_t q, const LeakyReluParams& p) {
  const int32_t x = q - p.input_zero_point;
  return clamp_int8(p.output_zero_point +
                    multiply_by_quantized_multiplier(x, x >= 0 ? p.identity_multiplier : p.alpha_multiplier));
}

Result<QuantizedMap> leaky_relu_int8(const QuantizedMap& input, float alpha, QuantParams output) {
  LITESR_RETURN_IF_ERROR(check_map(input, "int8 leaky_relu input"));
  LITESR_ASSIGN_OR_RETURN(const LeakyReluParams p, make_leaky_relu_params(input.params, alpha, output));
  QuantizedMap out = QuantizedMap::zeros(input.channels, input.height, input.width, output);
  for (std::size_t i = 0; i < out.data.size(); ++i) out.data[i] = leaky_relu_int8_element(input.data[i], p);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// hard-swish
// ---------------------------------------------------------------------------------------------------------------

Result<HardSwishParams> make_hard_swish_params(QuantParams input, QuantParams output) {
  LITESR_RETURN_IF_ERROR(check_int8_params(input, "int8 hard_swish input"));
  LITESR_RETURN_IF_ERROR(check_int8_params(output, "int8 hard_swish output"));
  HardSwishParams p;
  p.input_zero_point = input.zero_point;
  p.output_zero_point = output.zero_point;
  // HardSwishPrepare, in float: the input on a 2^7 finer scale, and 3.0 represented as 2^15.
  const float hires_input_scale = (1.0f / 128.0f) * input.scale;
  const float reluish_scale = 3.0f / 32768.0f;
  const float output_multiplier = hires_input_scale / output.scale;
  const float reluish_multiplier = hires_input_scale / reluish_scale;
  const QuantizedMultiplier out_q31 = quantize_multiplier(output_multiplier);
  const QuantizedMultiplier reluish_q31 = quantize_multiplier(reluish_multiplier);
  p.output_multiplier = downscale_multiplier_to_int16(out_q31.mantissa);
  p.output_exponent = out_q31.shift;
  p.reluish_multiplier = downscale_multiplier_to_int16(reluish_q31.mantissa);
  p.reluish_exponent = reluish_q31.shift;
  if (p.output_exponent > 0) {
    return unsupported("int8 hard_swish: output scale " + std::to_string(output.scale) +
                       " is at or below input scale / 128, which TFLite's HARD_SWISH rejects");
  }
  if (p.output_exponent < -15 || p.reluish_exponent < -15 || p.reluish_exponent > 30) {
    return unsupported("int8 hard_swish: scales outside the int16 fixed-point range (input " +
                       std::to_string(input.scale) + ", output " + std::to_string(output.scale) + ")");
  }
  return p;
}

int8_t hard_swish_int8_element(int8_t q, const HardSwishParams& p) {
  const int16_t input_value = static_cast<int16_t>(q - p.input_zero_point);  // [−255, 255]
  const int16_t hires_value = static_cast<int16_t>(input_value * (1 << 7));  // |.| <= 32640
  const int16_t preshift_output = saturating_rounding_doubling_high_mul(hires_value, p.output_multiplier);
  // x / 3 in Q15, saturating at ±1: a MultiplyByQuantizedMultiplier whose left shift saturates carefully.
  int16_t reluish = hires_value;
  if (p.reluish_exponent > 0) reluish = saturating_left_shift(reluish, p.reluish_exponent - 1);
  reluish = saturating_rounding_doubling_high_mul(reluish, p.reluish_multiplier);
  if (p.reluish_exponent > 0) reluish = saturating_left_shift(reluish, 1);
  if (p.reluish_exponent < 0) reluish = rounding_divide_by_pot<int16_t>(reluish, -p.reluish_exponent);
  reluish = static_cast<int16_t>((reluish + (1 << 15)) >> 1);  // [−1, 1] → [0, 1]: relu6(v + 3) / 6
  const int16_t preshift_value = saturating_doubling_high_mul(reluish, preshift_output);
  const int16_t shifted = rounding_divide_by_pot<int16_t>(preshift_value, -p.output_exponent);
  const int16_t output_value = static_cast<int16_t>(shifted + p.output_zero_point);  // int16, as TFLite
  return static_cast<int8_t>(std::clamp<int16_t>(output_value, kInt8Min, kInt8Max));
}

Result<QuantizedMap> hard_swish_int8(const QuantizedMap& input, QuantParams output) {
  LITESR_RETURN_IF_ERROR(check_map(input, "int8 hard_swish input"));
  LITESR_ASSIGN_OR_RETURN(const HardSwishParams p, make_hard_swish_params(input.params, output));
  QuantizedMap out = QuantizedMap::zeros(input.channels, input.height, input.width, output);
  for (std::size_t i = 0; i < out.data.size(); ++i) out.data[i] = hard_swish_int8_element(input.data[i], p);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// lookup tables: sigmoid, tanh, any element function
// ---------------------------------------------------------------------------------------------------------------

Result<LookupTable> make_lookup_table(QuantParams input, QuantParams output, float (*function)(float)) {
  LITESR_RETURN_IF_ERROR(check_int8_params(input, "int8 lookup table input"));
  LITESR_RETURN_IF_ERROR(check_int8_params(output, "int8 lookup table output"));
  LookupTable table{};
  const float inverse_scale = 1 / output.scale;
  for (int32_t q = kInt8Min; q <= kInt8Max; ++q) {
    const float dequantized = input.scale * static_cast<float>(q - input.zero_point);
    const float transformed = function(dequantized);
    if (std::isnan(transformed)) {
      return invalid_argument("int8 lookup table: the function is NaN at " + std::to_string(dequantized));
    }
    // Clamping before the int conversion keeps it defined; it cannot change the saturated entry.
    const float rescaled = std::clamp(std::round(transformed * inverse_scale), -1024.0f, 1024.0f);
    const int32_t quantized = static_cast<int32_t>(rescaled + static_cast<float>(output.zero_point));
    table[static_cast<uint8_t>(static_cast<int8_t>(q))] = clamp_int8(quantized);
  }
  return table;
}

QuantizedMap apply_lookup_table(const QuantizedMap& input, const LookupTable& table, QuantParams output) {
  QuantizedMap out = QuantizedMap::zeros(input.channels, input.height, input.width, output);
  for (std::size_t i = 0; i < out.data.size(); ++i) out.data[i] = lookup(table, input.data[i]);
  return out;
}

float sigmoid_float(float v) { return 1.0f / (1.0f + std::exp(-v)); }

Result<QuantizedMap> sigmoid_int8(const QuantizedMap& input) {
  LITESR_RETURN_IF_ERROR(check_map(input, "int8 sigmoid input"));
  LITESR_ASSIGN_OR_RETURN(const LookupTable table,
                          make_lookup_table(input.params, kSigmoidOutputParams, sigmoid_float));
  return apply_lookup_table(input, table, kSigmoidOutputParams);
}

// ---------------------------------------------------------------------------------------------------------------
// global mean
// ---------------------------------------------------------------------------------------------------------------

Result<MeanParams> make_mean_params(QuantParams input, QuantParams output) {
  LITESR_RETURN_IF_ERROR(check_int8_params(input, "int8 mean input"));
  LITESR_RETURN_IF_ERROR(check_int8_params(output, "int8 mean output"));
  MeanParams p;
  p.input_zero_point = input.zero_point;
  p.output_zero_point = output.zero_point;
  const double real = static_cast<double>(input.scale) / static_cast<double>(output.scale);
  LITESR_ASSIGN_OR_RETURN(p.multiplier, checked_multiplier(real, "int8 mean"));
  return p;
}

Status check_mean_count(int64_t count, const MeanParams& p) {
  const int left_shift = std::max(p.multiplier.shift, 0);
  const int64_t sum_bound = max_abs_offset(p.input_zero_point) * count;
  if (count < 1 || left_shift > 30 || sum_bound > (kInt32Max >> left_shift)) {
    return unsupported("int8 mean: a plane of " + std::to_string(count) +
                       " samples could overflow TFLite MEAN's int32 sum (scaled by 2^" + std::to_string(left_shift) +
                       ")");
  }
  return {};
}

int8_t mean_int8_from_sum(int32_t sum, int64_t count, const MeanParams& p) {
  // In int64: t ± n/2 can pass 2^31 where TFLite's int32 arithmetic would be undefined; equal otherwise.
  const int64_t scaled = multiply_by_quantized_multiplier(sum, p.multiplier);
  const int64_t mean = scaled > 0 ? (scaled + count / 2) / count : (scaled - count / 2) / count;
  return static_cast<int8_t>(std::clamp<int64_t>(mean + p.output_zero_point, kInt8Min, kInt8Max));
}

Result<QuantizedMap> global_mean_int8(const QuantizedMap& input, QuantParams output) {
  LITESR_RETURN_IF_ERROR(check_map(input, "int8 mean input"));
  LITESR_ASSIGN_OR_RETURN(const MeanParams p, make_mean_params(input.params, output));
  const int64_t count = static_cast<int64_t>(input.plane_size());
  LITESR_RETURN_IF_ERROR(
      check_mean_count(count, p).with_context(std::to_string(input.height) + "x" + std::to_string(input.width)));
  QuantizedMap out = QuantizedMap::zeros(input.channels, 1, 1, output);
  for (int c = 0; c < input.channels; ++c) {
    const int8_t* src = input.plane(c);
    int32_t sum = 0;
    for (std::size_t i = 0; i < input.plane_size(); ++i) sum += src[i] - p.input_zero_point;
    out.at(c, 0, 0) = mean_int8_from_sum(sum, count, p);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// pixel shuffle
// ---------------------------------------------------------------------------------------------------------------

Result<QuantizedMap> pixel_shuffle_int8(const QuantizedMap& input, int scale) {
  LITESR_RETURN_IF_ERROR(check_map(input, "int8 pixel_shuffle input"));
  if (scale < 1 || input.channels % (scale * scale) != 0) {
    return invalid_argument("int8 pixel_shuffle: " + std::to_string(input.channels) +
                            " channels do not split into groups of scale² = " + std::to_string(scale * scale));
  }
  const int r = scale;
  QuantizedMap out = QuantizedMap::zeros(input.channels / (r * r), input.height * r, input.width * r, input.params);
  for (int c = 0; c < out.channels; ++c)
    for (int i = 0; i < r; ++i)
      for (int j = 0; j < r; ++j)
        for (int h = 0; h < input.height; ++h)
          for (int w = 0; w < input.width; ++w) out.at(c, h * r + i, w * r + j) = input.at(c * r * r + i * r + j, h, w);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// requantize, concat
// ---------------------------------------------------------------------------------------------------------------

Result<RequantizeParams> make_requantize_params(QuantParams input, QuantParams output) {
  LITESR_RETURN_IF_ERROR(check_int8_params(input, "int8 requantize input"));
  LITESR_RETURN_IF_ERROR(check_int8_params(output, "int8 requantize output"));
  RequantizeParams p;
  p.input_zero_point = input.zero_point;
  p.output_zero_point = output.zero_point;
  const double real = static_cast<double>(input.scale) / static_cast<double>(output.scale);
  LITESR_ASSIGN_OR_RETURN(p.multiplier, checked_multiplier(real, "int8 requantize"));
  return p;
}

Result<RequantizeParams> make_relu_params(QuantParams input, QuantParams output) {
  LITESR_RETURN_IF_ERROR(check_int8_params(input, "int8 relu input"));
  LITESR_RETURN_IF_ERROR(check_int8_params(output, "int8 relu output"));
  RequantizeParams p;
  p.input_zero_point = input.zero_point;
  p.output_zero_point = output.zero_point;
  const float real = input.scale / output.scale;  // float, as TFLite's ReluPrepare (activations.cc), then widened
  LITESR_ASSIGN_OR_RETURN(p.multiplier, checked_multiplier(real, "int8 relu"));
  return p;
}

int8_t relu_int8_element(int8_t q, const RequantizeParams& p) {
  return requantize_int8_element(std::max(q, static_cast<int8_t>(p.input_zero_point)), p);
}

int8_t requantize_int8_element(int8_t q, const RequantizeParams& p) {
  return clamp_int8(p.output_zero_point + multiply_by_quantized_multiplier(q - p.input_zero_point, p.multiplier));
}

Result<QuantizedMap> requantize_int8(const QuantizedMap& input, QuantParams output) {
  LITESR_RETURN_IF_ERROR(check_map(input, "int8 requantize input"));
  LITESR_ASSIGN_OR_RETURN(const RequantizeParams p, make_requantize_params(input.params, output));
  QuantizedMap out = QuantizedMap::zeros(input.channels, input.height, input.width, output);
  for (std::size_t i = 0; i < out.data.size(); ++i) out.data[i] = requantize_int8_element(input.data[i], p);
  return out;
}

Result<QuantizedMap> concat_int8(const std::vector<const QuantizedMap*>& inputs, QuantParams output) {
  if (inputs.empty()) return invalid_argument("int8 concat: no inputs");
  LITESR_RETURN_IF_ERROR(check_int8_params(output, "int8 concat output"));
  int channels = 0;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const std::string what = "int8 concat input " + std::to_string(i);
    if (inputs[i] == nullptr) return invalid_argument(what + " is null");
    LITESR_RETURN_IF_ERROR(check_map(*inputs[i], what));
    if (inputs[i]->height != inputs[0]->height || inputs[i]->width != inputs[0]->width) {
      return invalid_argument(what + " is " + shape_string(*inputs[i]) + ", input 0 is " + shape_string(*inputs[0]));
    }
    channels += inputs[i]->channels;
  }
  QuantizedMap out = QuantizedMap::zeros(channels, inputs[0]->height, inputs[0]->width, output);
  int8_t* dst = out.data.data();
  for (const QuantizedMap* in : inputs) {
    if (in->params == output) {
      dst = std::copy(in->data.begin(), in->data.end(), dst);
      continue;
    }
    LITESR_ASSIGN_OR_RETURN(const RequantizeParams p, make_requantize_params(in->params, output));
    for (const int8_t q : in->data) *dst++ = requantize_int8_element(q, p);
  }
  return out;
}

}  // namespace litesr
