#include "runtime/int8_program.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <set>
#include <type_traits>

#include "base/image_ops.h"
#include "base/resample_weights.h"
#include "runtime/phase_filter.h"

namespace litesr {

namespace {

float tanh_float(float v) { return std::tanh(v); }

// ReLU (TFLite RELU int8, make_relu_params): q_out = clamp8(zp_out + MBQM(max(q_in − zp_in, 0), M)), M = s_in / s_out
// (in float); the identity on q when the parameters are equal (M = 1).
Result<QuantizedMap> relu_int8(const QuantizedMap& in, QuantParams output) {
  LITESR_ASSIGN_OR_RETURN(const RequantizeParams p, make_relu_params(in.params, output));
  QuantizedMap out = QuantizedMap::zeros(in.channels, in.height, in.width, output);
  for (std::size_t i = 0; i < in.size(); ++i) out.data[i] = relu_int8_element(in.data[i], p);
  return out;
}

// Channels [begin, end) (TFLite STRIDED_SLICE keeps the parameters; a requantize follows where they differ).
Result<QuantizedMap> slice_int8(const QuantizedMap& in, int begin, int end, QuantParams output) {
  QuantizedMap part = QuantizedMap::zeros(end - begin, in.height, in.width, in.params);
  std::copy(in.plane(begin), in.plane(begin) + part.size(), part.data.begin());
  if (part.params == output) return part;
  return requantize_int8(part, output);
}

// The input padded by `r` samples on every side: mirror x[−k] = x[k − 1] (MATLAB's symmetric border), else x[−k] =
// x[0] (replicated). r < height and width.
QuantizedMap pad_borders(const QuantizedMap& in, int r, bool mirror) {
  const BorderMode border = mirror ? BorderMode::kSymmetric : BorderMode::kReplicate;
  auto source = [&](int i, int n) { return map_border_index(i, n, border); };
  QuantizedMap out = QuantizedMap::zeros(in.channels, in.height + 2 * r, in.width + 2 * r, in.params);
  for (int c = 0; c < in.channels; ++c) {
    for (int y = 0; y < out.height; ++y) {
      for (int x = 0; x < out.width; ++x) out.at(c, y, x) = in.at(c, source(y - r, in.height), source(x - r, in.width));
    }
  }
  return out;
}

// bicubic_upsample (int8_program.h): mirror / replicate padding, the phase filters' depthwise conv without padding
// (the interior of a "same" conv of the padded map), pixel shuffle.
Result<QuantizedMap> bicubic_upsample_int8(const QuantizedMap& in, const Int8Step& s) {
  const int r = s.radius;
  if (in.height <= r || in.width <= r) {
    return invalid_argument("bicubic_upsample: the input is smaller than the filter radius " + std::to_string(r));
  }
  LITESR_ASSIGN_OR_RETURN(const QuantizedMap phases, conv2d_int8(pad_borders(in, r, s.mirror), s.conv, s.output));
  QuantizedMap interior = QuantizedMap::zeros(phases.channels, in.height, in.width, s.output);
  for (int c = 0; c < phases.channels; ++c) {
    for (int y = 0; y < in.height; ++y) {
      std::copy_n(phases.plane(c) + static_cast<std::size_t>(y + r) * phases.width + r, in.width,
                  &interior.at(c, y, 0));
    }
  }
  return pixel_shuffle_int8(interior, s.scale);
}

// squeeze_excite (int8_program.h): MEAN, 1x1 conv + ReLU, 1x1 conv into the [0, 1] gate, MUL.
Result<QuantizedMap> squeeze_excite_int8(const QuantizedMap& in, const Int8Step& s) {
  std::vector<int32_t> sums(in.channels, 0);
  for (int c = 0; c < in.channels; ++c) {
    const int8_t* src = in.plane(c);
    for (std::size_t i = 0; i < in.plane_size(); ++i) sums[c] += src[i] - in.params.zero_point;
  }
  LITESR_ASSIGN_OR_RETURN(const std::vector<int8_t> gates,
                          squeeze_excite_gates_int8(s, in.params, sums, static_cast<int64_t>(in.plane_size())));
  QuantizedMap gate = QuantizedMap::zeros(in.channels, 1, 1, image_quant_params());
  gate.data = gates;
  return mul_int8(in, gate, s.output);
}

Result<Int8Step> compile_step(const Program& program, int id, const std::vector<Int8Step>& done,
                              const ModelQuantization& quantization) {
  const Step& step = program.steps[id];
  const Node& node = step.node;
  Int8Step s;
  s.op = node.op;
  s.name = node.name;
  s.inputs = node.inputs;
  s.channels = step.shape.channels;
  const auto found = quantization.activations.find(node.name);
  if (found == quantization.activations.end()) {
    return corrupt_data(std::string(kMetaQuantization) + " has no parameters for step '" + node.name + "'");
  }
  s.output = found->second;
  LITESR_RETURN_IF_ERROR(check_int8_params(s.output, node.name));
  auto internal = [&](const std::string& key) -> Result<QuantParams> {
    const auto it = quantization.activations.find(key);
    if (it == quantization.activations.end()) {
      return corrupt_data(std::string(kMetaQuantization) + " has no parameters for '" + key + "'");
    }
    LITESR_RETURN_IF_ERROR(check_int8_params(it->second, key));
    return it->second;
  };
  const QuantParams in = node.inputs.empty() ? s.output : done[node.inputs[0]].output;
  if (!has_int8_form(node.op)) {
    return unsupported("step '" + node.name + "': op " + std::string(op_kind_name(node.op)) +
                       " has no INT8 kernel (INT8 models take conv2d, relu, leaky_relu, prelu, tanh, sigmoid, add, "
                       "concat, slice, pixel_shuffle, squeeze_excite, bicubic_upsample)");
  }
  switch (node.op) {
    case OpKind::kInput:
    case OpKind::kRelu:
    case OpKind::kAdd:
    case OpKind::kConcat:
      break;
    case OpKind::kConv2d: {
      if (node.stride != 1 || node.padding != (node.kernel - 1) / 2 || node.kernel % 2 == 0) {
        return unsupported("step '" + node.name + "': INT8 convs are stride 1 with \"same\" padding");
      }
      LITESR_ASSIGN_OR_RETURN(s.conv, quantize_conv2d(step.weight, step.bias, step.in_channels, node.out_channels,
                                                       node.kernel, node.groups, in.scale));
      break;
    }
    case OpKind::kPrelu: {
      // The slopes are a constant int8 tensor quantized per tensor over their own range (as the converter does).
      const auto [lo, hi] = std::minmax_element(step.weight.begin(), step.weight.end());
      LITESR_ASSIGN_OR_RETURN(s.alpha_params, activation_params_from_range(*lo, *hi));
      s.alpha.resize(step.weight.size());
      quantize_values(step.weight, s.alpha_params, s.alpha);
      break;
    }
    case OpKind::kLeakyRelu:
      s.leaky_alpha = node.alpha;
      break;
    case OpKind::kTanh: {
      LITESR_ASSIGN_OR_RETURN(s.table, make_lookup_table(in, s.output, tanh_float));
      break;
    }
    case OpKind::kSigmoid: {
      LITESR_ASSIGN_OR_RETURN(s.table, make_lookup_table(in, s.output, sigmoid_float));
      break;
    }
    case OpKind::kPixelShuffle:
      s.scale = node.scale;
      break;
    case OpKind::kSqueezeExcite: {
      if (node.se_pool != SePool::kMean || node.se_gate != SeGate::kHardSigmoid) {
        return unsupported("step '" + node.name + "': INT8 squeeze-excite takes mean pooling and a hard-sigmoid gate");
      }
      const std::vector<std::string> keys = int8_internal_activations(step);
      LITESR_ASSIGN_OR_RETURN(s.pooled, internal(keys[0]));
      LITESR_ASSIGN_OR_RETURN(s.hidden, internal(keys[1]));
      const int c = step.shape.channels, h = node.se_hidden;
      LITESR_ASSIGN_OR_RETURN(s.conv, quantize_conv2d(step.weight, step.bias, c, h, 1, 1, s.pooled.scale));
      // hard_sigmoid(fc2(v)) = clamp(fc2'(v), 0, 1) with fc2' = (W2 / 6, (b2 + 3) / 6).
      std::vector<float> w2(step.weight2), b2(step.bias2);
      for (float& w : w2) w /= 6.0f;
      for (float& b : b2) b = (b + 3.0f) / 6.0f;
      LITESR_ASSIGN_OR_RETURN(s.conv2, quantize_conv2d(w2, b2, h, c, 1, 1, s.hidden.scale));
      break;
    }
    case OpKind::kBicubicUpsample: {
      if (program.steps[node.inputs[0]].node.op != OpKind::kInput) {
        return unsupported("step '" + node.name + "': INT8 bicubic upsampling takes a graph input");
      }
      LITESR_ASSIGN_OR_RETURN(const PhaseFilter filter, make_bicubic_phase_filter(node.scale, node.bicubic));
      s.scale = node.scale;
      s.radius = filter.radius;
      s.mirror = node.bicubic == BicubicKind::kMatlab;
      s.conv = quantize_phase_filter(filter, step.in_channels, in.scale);
      break;
    }
    case OpKind::kSlice:
      s.begin = node.begin;
      s.end = node.end;
      break;
    default:
      return internal_error("step '" + node.name + "': has_int8_form and compile_step disagree");
  }
  return s;
}

Result<QuantizedMap> run_step(const Int8Step& s, const std::vector<QuantizedMap>& maps) {
  const QuantizedMap& x = maps[s.inputs.empty() ? 0 : s.inputs[0]];
  switch (s.op) {
    case OpKind::kConv2d: return conv2d_int8(x, s.conv, s.output);
    case OpKind::kRelu: return relu_int8(x, s.output);
    case OpKind::kLeakyRelu: return leaky_relu_int8(x, s.leaky_alpha, s.output);
    case OpKind::kPrelu: return prelu_int8(x, s.alpha, s.alpha_params, s.output);
    case OpKind::kTanh:
    case OpKind::kSigmoid: return apply_lookup_table(x, s.table, s.output);
    case OpKind::kAdd: {
      // Several inputs: added left to right, each partial sum carried at the output's parameters.
      LITESR_ASSIGN_OR_RETURN(QuantizedMap sum, add_int8(x, maps[s.inputs[1]], s.output));
      for (std::size_t i = 2; i < s.inputs.size(); ++i) {
        LITESR_ASSIGN_OR_RETURN(sum, add_int8(sum, maps[s.inputs[i]], s.output));
      }
      return sum;
    }
    case OpKind::kConcat: {
      std::vector<const QuantizedMap*> parts;
      for (int i : s.inputs) parts.push_back(&maps[i]);
      return concat_int8(parts, s.output);
    }
    case OpKind::kSlice: return slice_int8(x, s.begin, s.end, s.output);
    case OpKind::kSqueezeExcite:
      return squeeze_excite_int8(x, s);
    case OpKind::kBicubicUpsample:
      return bicubic_upsample_int8(x, s);
    case OpKind::kPixelShuffle: {
      LITESR_ASSIGN_OR_RETURN(QuantizedMap shuffled, pixel_shuffle_int8(x, s.scale));
      if (shuffled.params == s.output) return shuffled;
      return requantize_int8(shuffled, s.output);
    }
    default: return internal_error("step '" + s.name + "' has no INT8 kernel");
  }
}

// A recurrent step (several inputs: x_prev, x_t, states; outputs frame, states') feeds state output i (i >= 1)
// back into input i + 1 as it is, so both must have the same parameters (calibration/calibrate.h ties them).
Status check_recurrent_state_params(const Int8Program& p) {
  if (p.inputs.size() < 2) return {};
  if (p.outputs.size() + 1 != p.inputs.size()) {
    return unsupported(
        "an INT8 recurrent step has one more input than outputs (x_prev, x_t, states -> frame, "
        "states'); this graph has " +
        std::to_string(p.inputs.size()) + " and " + std::to_string(p.outputs.size()));
  }
  for (std::size_t i = 1; i < p.outputs.size(); ++i) {
    const Int8Step& in = p.steps[p.inputs[i + 1]];
    const Int8Step& out = p.steps[p.outputs[i]];
    if (!(in.output == out.output)) {
      return corrupt_data(std::string(kMetaQuantization) + ": state input '" + in.name +
                          "' must have the parameters of the state output '" + out.name + "' fed back into it");
    }
  }
  return {};
}

}  // namespace

QuantParams image_quant_params() {
  static const QuantParams params = activation_params_from_range(0.0f, 1.0f).value();
  return params;
}

bool has_int8_form(OpKind op) {
  switch (op) {
    case OpKind::kInput:
    case OpKind::kConv2d:
    case OpKind::kRelu:
    case OpKind::kLeakyRelu:
    case OpKind::kPrelu:
    case OpKind::kTanh:
    case OpKind::kSigmoid:
    case OpKind::kAdd:
    case OpKind::kConcat:
    case OpKind::kSlice:
    case OpKind::kPixelShuffle:
    case OpKind::kSqueezeExcite:
    case OpKind::kBicubicUpsample:
      return true;
    default:
      return false;
  }
}

Result<std::vector<int8_t>> squeeze_excite_gates_int8(const Int8Step& se, QuantParams input,
                                                      std::span<const int32_t> sums, int64_t count) {
  LITESR_ASSIGN_OR_RETURN(const MeanParams mean, make_mean_params(input, se.pooled));
  LITESR_RETURN_IF_ERROR(check_mean_count(count, mean).with_context(se.name));
  QuantizedMap pooled = QuantizedMap::zeros(static_cast<int>(sums.size()), 1, 1, se.pooled);
  for (std::size_t c = 0; c < sums.size(); ++c) pooled.data[c] = mean_int8_from_sum(sums[c], count, mean);
  LITESR_ASSIGN_OR_RETURN(const QuantizedMap hidden, conv2d_int8(pooled, se.conv, se.hidden, FusedActivation::kRelu));
  LITESR_ASSIGN_OR_RETURN(QuantizedMap gate, conv2d_int8(hidden, se.conv2, image_quant_params()));
  return std::move(gate.data);
}

std::vector<std::string> int8_internal_activations(const Step& step) {
  if (step.node.op == OpKind::kSqueezeExcite) return {step.node.name + "/pooled", step.node.name + "/hidden"};
  return {};
}

Result<Int8Program> compile_int8_program(const Program& program, const ModelQuantization& quantization) {
  std::set<std::string> names;
  for (const Step& step : program.steps) {
    names.insert(step.node.name);
    for (std::string& key : int8_internal_activations(step)) names.insert(std::move(key));
  }
  for (const auto& [name, params] : quantization.activations) {
    if (names.count(name) == 0) {
      return corrupt_data(std::string(kMetaQuantization) + " names step '" + name + "', which the model does not have");
    }
  }
  Int8Program out;
  out.arch = program.arch;
  out.scale = program.scale;
  out.inputs = program.inputs;
  out.outputs = program.outputs;
  for (int id = 0; id < static_cast<int>(program.steps.size()); ++id) {
    LITESR_ASSIGN_OR_RETURN(Int8Step s, compile_step(program, id, out.steps, quantization));
    out.steps.push_back(std::move(s));
  }
  if (const Status tied = check_recurrent_state_params(out); !tied.ok()) return tied;
  // Parameters every run needs are made once here, so a bad one fails at load, not per image.
  for (const Int8Step& s : out.steps) {
    const QuantParams in = s.inputs.empty() ? s.output : out.steps[s.inputs[0]].output;
    switch (s.op) {
      case OpKind::kConv2d:
        LITESR_RETURN_IF_ERROR(conv2d_output_multipliers(in.scale, s.conv.weight_scales, s.output.scale)
                                   .status()
                                   .with_context(s.name));
        break;
      case OpKind::kAdd:
        for (std::size_t i = 1; i < s.inputs.size(); ++i) {
          const QuantParams a = i == 1 ? out.steps[s.inputs[0]].output : s.output;
          LITESR_RETURN_IF_ERROR(make_add_params(a, out.steps[s.inputs[i]].output, s.output).status().with_context(s.name));
        }
        break;
      case OpKind::kPrelu:
        LITESR_RETURN_IF_ERROR(make_prelu_params(in, s.alpha_params, s.output).status().with_context(s.name));
        break;
      case OpKind::kLeakyRelu:
        LITESR_RETURN_IF_ERROR(make_leaky_relu_params(in, s.leaky_alpha, s.output).status().with_context(s.name));
        break;
      case OpKind::kRelu:
        LITESR_RETURN_IF_ERROR(make_relu_params(in, s.output).status().with_context(s.name));
        break;
      case OpKind::kPixelShuffle:
      case OpKind::kSlice:
        LITESR_RETURN_IF_ERROR(make_requantize_params(in, s.output).status().with_context(s.name));
        break;
      case OpKind::kBicubicUpsample:
        LITESR_RETURN_IF_ERROR(
            conv2d_output_multipliers(in.scale, s.conv.weight_scales, s.output.scale).status().with_context(s.name));
        break;
      case OpKind::kSqueezeExcite:
        LITESR_RETURN_IF_ERROR(make_mean_params(in, s.pooled).status().with_context(s.name + "/pooled"));
        LITESR_RETURN_IF_ERROR(conv2d_output_multipliers(s.pooled.scale, s.conv.weight_scales, s.hidden.scale)
                                   .status()
                                   .with_context(s.name + "/hidden"));
        LITESR_RETURN_IF_ERROR(
            conv2d_output_multipliers(s.hidden.scale, s.conv2.weight_scales, image_quant_params().scale)
                .status()
                .with_context(s.name + "/gate"));
        LITESR_RETURN_IF_ERROR(make_mul_params(in, image_quant_params(), s.output).status().with_context(s.name));
        break;
      default:
        break;
    }
  }
  return out;
}

Result<std::vector<QuantizedMap>> run_int8_reference(const Int8Program& program, std::span<const QuantizedMap> inputs) {
  if (inputs.size() != program.inputs.size()) {
    return invalid_argument("INT8 program takes " + std::to_string(program.inputs.size()) + " inputs, got " +
                            std::to_string(inputs.size()));
  }
  std::vector<QuantizedMap> maps(program.steps.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const Int8Step& in = program.steps[program.inputs[i]];
    if (inputs[i].channels != in.channels || !(inputs[i].params == in.output) || inputs[i].width != inputs[0].width ||
        inputs[i].height != inputs[0].height) {
      return invalid_argument("INT8 input '" + in.name + "' must have " + std::to_string(in.channels) +
                              " channels at its step's parameters, the size of the first input");
    }
    maps[program.inputs[i]] = inputs[i];
  }
  for (std::size_t id = 0; id < program.steps.size(); ++id) {
    const Int8Step& s = program.steps[id];
    if (s.op == OpKind::kInput) continue;
    Result<QuantizedMap> out = run_step(s, maps);
    if (!out.ok()) return out.status().with_context(s.name);
    maps[id] = std::move(out).value();
  }
  std::vector<QuantizedMap> outputs;
  for (int o : program.outputs) outputs.push_back(maps[o]);
  return outputs;
}

Result<QuantizedMap> run_int8_reference(const Int8Program& program, const QuantizedMap& input) {
  if (program.inputs.size() != 1 || program.outputs.size() != 1) {
    return invalid_argument("this INT8 program has several inputs or outputs");
  }
  LITESR_ASSIGN_OR_RETURN(std::vector<QuantizedMap> outputs, run_int8_reference(program, std::span(&input, 1)));
  return std::move(outputs[0]);
}

template <typename T>
int8_t int8_from_sample(T v, QuantParams params) {
  if constexpr (std::is_same_v<T, uint8_t>) {
    return params == image_quant_params() ? static_cast<int8_t>(static_cast<int>(v) - 128)
                                          : quantize_value(static_cast<float>(v) / 255.0f, params);
  } else {
    return quantize_value(v, params);
  }
}

template <typename T>
T sample_from_int8(int8_t q, QuantParams params) {
  if constexpr (std::is_same_v<T, uint8_t>) {
    return params == image_quant_params() ? static_cast<uint8_t>(q + 128)
                                          : static_cast<uint8_t>(quantize_unit(dequantize_value(q, params), 255));
  } else {
    return std::clamp(dequantize_value(q, params), 0.0f, 1.0f);
  }
}

ByteToInt8Table byte_to_int8_table(QuantParams params) {
  ByteToInt8Table t;
  t.exact = params == image_quant_params();
  for (int v = 0; v < 256; ++v) t.v[v] = int8_from_sample(static_cast<uint8_t>(v), params);
  return t;
}

Int8ToByteTable int8_to_byte_table(QuantParams params) {
  Int8ToByteTable t;
  t.exact = params == image_quant_params();
  for (int b = 0; b < 256; ++b) t.v[b] = sample_from_int8<uint8_t>(static_cast<int8_t>(b), params);
  return t;
}

Int8ToFloatTable int8_to_float_table(QuantParams params) {
  Int8ToFloatTable t;
  t.scale = params.scale;
  t.zero_point = params.zero_point;
  t.affine = true;
  for (int b = 0; b < 256; ++b) {
    const auto q = static_cast<int8_t>(b);
    t.v[b] = sample_from_int8<float>(q, params);
    // What the SIMD store computes in float (kernel_int8_rows.h): equal bit for bit, or the table is looked up.
    const float computed =
        std::clamp((static_cast<float>(q) - static_cast<float>(params.zero_point)) * params.scale, 0.0f, 1.0f);
    if (std::bit_cast<uint32_t>(computed) != std::bit_cast<uint32_t>(t.v[b])) t.affine = false;
  }
  return t;
}

template <typename T>
QuantizedMap int8_map_from_image(ImageView<const T> image, QuantParams params) {
  QuantizedMap map = QuantizedMap::zeros(image.channels, image.height, image.width, params);
  for (int c = 0; c < image.channels; ++c) {
    for (int y = 0; y < image.height; ++y) {
      for (int x = 0; x < image.width; ++x) map.at(c, y, x) = int8_from_sample(image.at(x, y, c), params);
    }
  }
  return map;
}

template <typename T>
void int8_map_to_image(const QuantizedMap& map, ImageView<T> image) {
  for (int c = 0; c < map.channels; ++c) {
    for (int y = 0; y < map.height; ++y) {
      for (int x = 0; x < map.width; ++x) image.at(x, y, c) = sample_from_int8<T>(map.at(c, y, x), map.params);
    }
  }
}

template int8_t int8_from_sample<uint8_t>(uint8_t, QuantParams);
template int8_t int8_from_sample<float>(float, QuantParams);
template uint8_t sample_from_int8<uint8_t>(int8_t, QuantParams);
template float sample_from_int8<float>(int8_t, QuantParams);
template QuantizedMap int8_map_from_image<uint8_t>(ImageView<const uint8_t>, QuantParams);
template QuantizedMap int8_map_from_image<float>(ImageView<const float>, QuantParams);
template void int8_map_to_image<uint8_t>(const QuantizedMap&, ImageView<uint8_t>);
template void int8_map_to_image<float>(const QuantizedMap&, ImageView<float>);

}  // namespace litesr
