// Scalar reference int8 ops with TensorFlow Lite's integer semantics, over int8 NCHW maps with N = 1
// (quant/quantized_map.h; the float runtime's layout). They are the oracle every later int8 kernel (band executor,
// SIMD/VNNI) is tested against, bit for bit, and what an exported INT8 TFLite file computes (ONNX QDQ rounds
// differently: docs/quantization.md "Agreement with the peers"). Each op cites the TFLite reference kernel it
// follows and states its integer formula; docs/quantization.md has the scheme.
//
// Notation: q = int8 value, zp = zero point, s = scale, MBQM(x, M) = multiply_by_quantized_multiplier
// (quant/fixed_point.h), RDBP = rounding_divide_by_pot, clamp8 = clamp to [−128, 127], round = std::round (half
// away from zero). Everything between the int8 input and the int8 output is int32 (int16 inside hard-swish);
// multipliers are derived from the float scales once, in double unless stated otherwise (TFLite computes a few
// in float; matching it needs the same arithmetic).
//
// Each op validates shapes and quantization parameters and returns kInvalidArgument (bad shapes, scales, zero
// points) or kUnsupported (parameters TFLite's kernel rejects, or that could overflow its int32 arithmetic)
// instead of computing anything.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "base/status.h"
#include "quant/fixed_point.h"
#include "quant/quant_params.h"
#include "quant/quantized_map.h"
#include "quant/requantization.h"

namespace litesr {

// ---------------------------------------------------------------------------------------------------------------
// conv2d / grouped / depthwise (TFLite CONV_2D and DEPTHWISE_CONV_2D, reference_integer_ops::ConvPerChannel and
// DepthwiseConvPerChannel; multipliers from kernel_util.cc PopulateConvolutionQuantizationParams)
//
//   acc[o, y, x] = bias[o] + Σ_{i, ky, kx} w[o, i, ky, kx] · (q_in[g·C/G + i, y + ky − p, x + kx − p] − zp_in)
//   q_out        = clamp(zp_out + MBQM(acc, M[o]), act_min, act_max)       (requantize_accumulator)
//   M[o]         = (double)s_in · (double)s_w[o] / (double)s_out
//
// k odd, stride 1, "same" padding p = (k − 1) / 2; a padded sample is the input zero point (its term is 0, which is
// how TFLite skips taps outside the image). g = o / (O / G) is the group of output channel o (G = groups;
// depthwise: G = C = O). acc is int32 throughout; conv2d_int8 rejects weights whose worst-case |acc| could
// overflow int32.
// ---------------------------------------------------------------------------------------------------------------
struct QuantizedConv2d {
  int in_channels = 0;               // C
  int out_channels = 0;              // O
  int kernel = 1;                    // k, odd
  int groups = 1;                    // G: C and O divisible by G
  std::vector<int8_t> weight;        // [O][C / G][k][k], symmetric int8 (zero point 0): real = weight_scales[o] · q
  std::vector<float> weight_scales;  // [O]
  std::vector<int32_t> bias;         // [O], real = bias_input_scale · weight_scales[o] · q; empty: no bias
  float bias_input_scale = 0.0f;     // the input scale the bias was quantized for (must equal the input map's)
};

// Quantizes a float conv (PyTorch layout: weight [O][C/G][k][k], bias [O] or empty) for inputs of scale
// `input_scale`: weights per output channel (quantize_weights_per_channel), bias with scale input_scale · s_w[o]
// (quantize_bias).
Result<QuantizedConv2d> quantize_conv2d(std::span<const float> weight, std::span<const float> bias, int in_channels,
                                        int out_channels, int kernel, int groups, float input_scale);

// M[o] for every output channel (checked_multiplier).
Result<std::vector<QuantizedMultiplier>> conv2d_output_multipliers(float input_scale,
                                                                   std::span<const float> weight_scales,
                                                                   float output_scale);

// O x H x W output quantized with `output`.
Result<QuantizedMap> conv2d_int8(const QuantizedMap& input, const QuantizedConv2d& conv, QuantParams output,
                                 FusedActivation activation = FusedActivation::kNone);

// ---------------------------------------------------------------------------------------------------------------
// Residual add (TFLite ADD int8: reference_integer_ops::AddElementwise / AddFunc; parameters from add.cc Prepare)
//
//   a' = (q_a − zp_a) · 2^20,  b' = (q_b − zp_b) · 2^20                    (left_shift = 20)
//   a″ = MBQM(a', M_a),  b″ = MBQM(b', M_b)                               (RDBP(SRDHM(·, m), −shift), shift <= 0)
//   q_out = clamp(zp_out + MBQM(a″ + b″, M_out), act_min, act_max)
//   M_a = s_a / (2·max(s_a, s_b)),  M_b = s_b / (2·max(s_a, s_b)),  M_out = 2·max(s_a, s_b) / (2^20 · s_out)
// M_a, M_b <= 1/2; M_out must be < 1 (TFLite QuantizeMultiplierSmallerThanOneExp), else kUnsupported.
// ---------------------------------------------------------------------------------------------------------------
struct AddParams {
  int32_t input1_offset = 0;  // −zp_a
  int32_t input2_offset = 0;  // −zp_b
  int32_t output_offset = 0;  // zp_out
  int left_shift = 20;
  QuantizedMultiplier input1_multiplier, input2_multiplier, output_multiplier;
  ActivationRange range;
};
Result<AddParams> make_add_params(QuantParams input1, QuantParams input2, QuantParams output,
                                  FusedActivation activation = FusedActivation::kNone);
int8_t add_int8_element(int8_t a, int8_t b, const AddParams& params);
// Same shapes; output quantized with `output`.
Result<QuantizedMap> add_int8(const QuantizedMap& a, const QuantizedMap& b, QuantParams output,
                              FusedActivation activation = FusedActivation::kNone);

// ---------------------------------------------------------------------------------------------------------------
// Multiply (TFLite MUL int8: reference_integer_ops::MulElementwise; mul.cc Prepare). Squeeze-excite gating is
// x[c, y, x] · gate[c]: b is broadcast (each of b's dimensions equals a's or is 1).
//
//   q_out = clamp(zp_out + MBQM((q_a − zp_a) · (q_b − zp_b), M), act_min, act_max)
//   M     = s_a · s_b / s_out, computed in float (as mul.cc does) and then widened to double
// ---------------------------------------------------------------------------------------------------------------
struct MulParams {
  int32_t input1_offset = 0;  // −zp_a
  int32_t input2_offset = 0;  // −zp_b
  int32_t output_offset = 0;  // zp_out
  QuantizedMultiplier output_multiplier;
  ActivationRange range;
};
Result<MulParams> make_mul_params(QuantParams input1, QuantParams input2, QuantParams output,
                                  FusedActivation activation = FusedActivation::kNone);
int8_t mul_int8_element(int8_t a, int8_t b, const MulParams& params);
Result<QuantizedMap> mul_int8(const QuantizedMap& a, const QuantizedMap& b, QuantParams output,
                              FusedActivation activation = FusedActivation::kNone);

// ---------------------------------------------------------------------------------------------------------------
// PReLU (TFLite PRELU int8: reference_ops::BroadcastPrelu4DSlow; multipliers as TFLite's PreluPrepare in
// activations.cc: computed in float, then widened — TFLite Micro's CalculatePreluParams uses double and can differ
// in the last bit of a multiplier). α is a constant int8 tensor, one slope per channel or one for all, quantized per tensor
// with its own (s_α, zp_α) (asymmetric, as the converter quantizes PRELU's alpha).
//
//   x = q_in − zp_in
//   q_out = clamp8(zp_out + (x >= 0 ? MBQM(x, M_1) : MBQM(x · (q_α[c] − zp_α), M_2)))
//   M_1 = s_in / s_out,  M_2 = s_in · s_α / s_out                                   (float)
// ---------------------------------------------------------------------------------------------------------------
struct PreluParams {
  int32_t input_offset = 0;                 // −zp_in
  int32_t alpha_offset = 0;                 // −zp_α
  int32_t output_offset = 0;                // zp_out
  QuantizedMultiplier identity_multiplier;  // M_1
  QuantizedMultiplier alpha_multiplier;     // M_2
};
Result<PreluParams> make_prelu_params(QuantParams input, QuantParams alpha, QuantParams output);
int8_t prelu_int8_element(int8_t q, int8_t alpha, const PreluParams& params);
// alpha: [C] or [1] (broadcast), quantized with alpha_params.
Result<QuantizedMap> prelu_int8(const QuantizedMap& input, std::span<const int8_t> alpha, QuantParams alpha_params,
                                QuantParams output);

// ---------------------------------------------------------------------------------------------------------------
// LeakyReLU with a constant slope α >= 0 (TFLite LEAKY_RELU int8: reference_ops::QuantizeLeakyRelu;
// activations.cc LeakyReluPrepare). SAM-SR uses α = 0.2.
//
//   x = q_in − zp_in
//   q_out = clamp8(zp_out + MBQM(x, x >= 0 ? M_identity : M_alpha))
//   M_identity = s_in / s_out,  M_alpha = s_in · α / s_out, both computed in float (as LeakyReluPrepare does),
//   then widened to double
// ---------------------------------------------------------------------------------------------------------------
struct LeakyReluParams {
  int32_t input_zero_point = 0;
  int32_t output_zero_point = 0;
  QuantizedMultiplier identity_multiplier, alpha_multiplier;
};
Result<LeakyReluParams> make_leaky_relu_params(QuantParams input, float alpha, QuantParams output);
int8_t leaky_relu_int8_element(int8_t q, const LeakyReluParams& params);
Result<QuantizedMap> leaky_relu_int8(const QuantizedMap& input, float alpha, QuantParams output);

// ---------------------------------------------------------------------------------------------------------------
// Hard-swish h(v) = v · relu6(v + 3) / 6 (TFLite HARD_SWISH int8: reference_ops::HardSwish; activations.cc
// HardSwishPrepare). All int16 fixed point:
//   x      = (q_in − zp_in) · 2^7                                               (int16, "hires" input scale s_in/128)
//   x_out  = SRDHM16(x, m_out)                                                 (x on the output scale, pre-shift)
//   r      = x, then if e_r > 0: SatLeftShift16(r, e_r − 1), SRDHM16(r, m_r), SatLeftShift16(r, 1);
//            else SRDHM16(r, m_r), RDBP16(r, −e_r)                              (x / 3 in Q15, saturated to ±1)
//   r      = (r + 2^15) >> 1                                                    (relu6(v + 3) / 6 in Q15, [0, 1])
//   q_out  = clamp8(zp_out + RDBP16(SDHM16(r, x_out), −e_out))                  (SDHM: truncating high mul)
//   (m_out, e_out) = QuantizeMultiplier((s_in / 128) / s_out), (m_r, e_r) = QuantizeMultiplier((s_in / 128) /
//   (3 / 32768)), both computed in float and their Q31 mantissas rounded to Q15 (DownScaleInt32ToInt16Multiplier).
// kUnsupported when e_out > 0 (TFLite's check; (s_in / 128) / s_out >= 1) or a right shift exceeds 15 bits.
// ---------------------------------------------------------------------------------------------------------------
struct HardSwishParams {
  int32_t input_zero_point = 0;
  int32_t output_zero_point = 0;
  int16_t output_multiplier = 0;   // m_out, Q15
  int output_exponent = 0;         // e_out <= 0
  int16_t reluish_multiplier = 0;  // m_r, Q15
  int reluish_exponent = 0;        // e_r
};
Result<HardSwishParams> make_hard_swish_params(QuantParams input, QuantParams output);
int8_t hard_swish_int8_element(int8_t q, const HardSwishParams& params);
Result<QuantizedMap> hard_swish_int8(const QuantizedMap& input, QuantParams output);

// ---------------------------------------------------------------------------------------------------------------
// 256-entry lookup tables for int8 element-wise functions (TFLite's int8 LOGISTIC and TANH in the reference and
// generic kernels: activations.cc PopulateLookupTable / common.h LUTPopulateInt8). Built in float:
//   table[(uint8)q] = clamp8((int32)(round(f(s_in · (q − zp_in)) · (1 / s_out)) + zp_out))
// An int8 value indexes the table by its bit pattern (static_cast<uint8_t>(q)).
// ---------------------------------------------------------------------------------------------------------------
using LookupTable = std::array<int8_t, 256>;
Result<LookupTable> make_lookup_table(QuantParams input, QuantParams output, float (*function)(float));
inline int8_t lookup(const LookupTable& table, int8_t q) { return table[static_cast<uint8_t>(q)]; }
// Applies `table` element-wise; the result carries `output` (the params the table was built for).
QuantizedMap apply_lookup_table(const QuantizedMap& input, const LookupTable& table, QuantParams output);

// The float function, as TFLite's LUT builder evaluates it: sigmoid 1 / (1 + exp(−v)) (float exp). (The
// squeeze-excite's hard-sigmoid gate needs no table: its INT8 form folds it into the fc2 conv, int8_program.h.)
float sigmoid_float(float v);
// TFLite requires LOGISTIC's int8 output to be quantized with scale 1/256, zero point −128 ([0, 255/256]).
inline constexpr QuantParams kSigmoidOutputParams{1.0f / 256.0f, -128};
// Output params kSigmoidOutputParams.
Result<QuantizedMap> sigmoid_int8(const QuantizedMap& input);

// ---------------------------------------------------------------------------------------------------------------
// Global mean over H x W per channel (TFLite MEAN int8, axes {1, 2}, keep_dims: reference_integer_ops::Mean;
// reduce.cc PrepareMeanOrSum). Squeeze-excite's pooling.
//
//   sum   = Σ_{y,x} (q_in[c, y, x] − zp_in)                                     (int32)
//   t     = MBQM(sum, M),  M = (double)s_in / (double)s_out
//   mean  = t > 0 ? (t + n/2) / n : (t − n/2) / n      (n = H·W, C++ division truncating toward zero)
//   q_out = clamp8(mean + zp_out)
// Overflow guard (TFLite has none): kUnsupported unless max|q − zp| · n · 2^max(shift, 0) < 2^31, i.e. the sum and
// its left shift fit int32 for every possible input (about 8.4 M pixels per plane at shift 0).
// ---------------------------------------------------------------------------------------------------------------
struct MeanParams {
  int32_t input_zero_point = 0;
  int32_t output_zero_point = 0;
  QuantizedMultiplier multiplier;
};
Result<MeanParams> make_mean_params(QuantParams input, QuantParams output);
// The overflow guard above for planes of `count` samples (kUnsupported).
Status check_mean_count(int64_t count, const MeanParams& p);
// q_out of one plane from its sum Σ(q − zp_in) over `count` samples (a band executor adds row sums in any order:
// integer sums are exact). Precondition: check_mean_count(count, p).ok().
int8_t mean_int8_from_sum(int32_t sum, int64_t count, const MeanParams& p);
// C x 1 x 1 output quantized with `output`.
Result<QuantizedMap> global_mean_int8(const QuantizedMap& input, QuantParams output);

// ---------------------------------------------------------------------------------------------------------------
// Pixel shuffle (PyTorch PixelShuffle; TFLite DEPTH_TO_SPACE with the exporter's channel order): a pure
// rearrangement, so the output keeps the input's params and every q:
//   out[c, h·r + i, w·r + j] = in[c·r² + i·r + j, h, w]
// ---------------------------------------------------------------------------------------------------------------
Result<QuantizedMap> pixel_shuffle_int8(const QuantizedMap& input, int scale);

// ---------------------------------------------------------------------------------------------------------------
// Requantize int8 → int8 (TFLite QUANTIZE with an int8 input: reference_ops::Requantize; quantize.cc Prepare):
//   q_out = clamp8(zp_out + MBQM(q_in − zp_in, M)),  M = (double)s_in / (double)s_out
// Equal params give M = 1 = {2^30, shift 1}, which returns every q unchanged.
// ---------------------------------------------------------------------------------------------------------------
struct RequantizeParams {
  int32_t input_zero_point = 0;
  int32_t output_zero_point = 0;
  QuantizedMultiplier multiplier;
};
Result<RequantizeParams> make_requantize_params(QuantParams input, QuantParams output);
// ReLU (TFLite RELU int8: ReluX with act_min = the output zero point): q_out = requantize(max(q, zp_in)), with M =
// s_in / s_out computed in FLOAT as ReluPrepare does (activations.cc), not in double as QUANTIZE does.
Result<RequantizeParams> make_relu_params(QuantParams input, QuantParams output);
int8_t relu_int8_element(int8_t q, const RequantizeParams& params);
int8_t requantize_int8_element(int8_t q, const RequantizeParams& params);
Result<QuantizedMap> requantize_int8(const QuantizedMap& input, QuantParams output);

// ---------------------------------------------------------------------------------------------------------------
// Channel concat (TFLite CONCATENATION int8 requires every input to carry the output's params; the converter
// inserts a QUANTIZE (requantize) before each input whose params differ). Inputs with the output's params are
// copied; the others are requantized as above. All inputs share H x W.
// ---------------------------------------------------------------------------------------------------------------
Result<QuantizedMap> concat_int8(const std::vector<const QuantizedMap*>& inputs, QuantParams output);

}  // namespace litesr
