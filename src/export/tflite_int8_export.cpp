// INT8 TFLite export (see tflite_int8_export.h for the tensors and the op mapping).
#include "export/tflite_int8_export.h"

#include <array>
#include <cstdint>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "export/tflite_builder.h"
#include "export/tflite_format.h"
#include "export/tflite_ops.h"
#include "models/registry.h"
#include "quant/reference_ops.h"
#include "runtime/int8_program.h"
#include "runtime/program.h"

namespace litesr {
namespace {

namespace tf = tflite_format;
using Shape = TfliteBuilder::Shape;
using Quantization = TfliteBuilder::Quantization;
using Op = tf::BuiltinOperator;

Quantization per_tensor(QuantParams p) { return {{p.scale}, {p.zero_point}, 0}; }

std::string params_text(QuantParams p) {
  return "scale " + std::to_string(p.scale) + ", zero point " + std::to_string(p.zero_point);
}

// Emits the steps of an Int8Program as int8 TFLite operators on NHWC tensors of fixed shape. `program` is the
// float program it was compiled from (step ids, shapes and readers are the same).
class Int8StepEmitter {
 public:
  Int8StepEmitter(TfliteBuilder& b, const Program& program, const Int8Program& int8)
      : b_(b), program_(program), int8_(int8) {}

  // Returns the tensor holding step `index`'s output. `in` are the tensors of the step's inputs.
  Result<int> emit(std::size_t index, const std::vector<int>& in, const Shape& out_shape) {
    const Int8Step& s = int8_.steps[index];
    const std::string& id = s.name;
    switch (s.op) {
      case OpKind::kInput:
        return internal_error("tflite int8 export: input step emitted as an operator");
      case OpKind::kConv2d:
        return conv2d(index, in[0], out_shape);
      case OpKind::kRelu: {
        if (fused_relu_.count(s.inputs[0])) return in[0];  // applied by the conv, at the same parameters
        const int out = activation(id, out_shape, s.output);
        b_.op(Op::kRelu, {in[0]}, {out}, {}, 2);
        return out;
      }
      case OpKind::kLeakyRelu: {
        const int out = activation(id, out_shape, s.output);
        b_.op(Op::kLeakyRelu, {in[0]}, {out}, b_.leaky_relu_options(s.leaky_alpha));
        return out;
      }
      case OpKind::kPrelu: {  // PRELU broadcasts the slopes [1, 1, C] over [1, H, W, C]
        const int32_t n = static_cast<int32_t>(s.alpha.size());
        const int alpha = b_.int8_constant(id + ".weight", {1, 1, n}, s.alpha, per_tensor(s.alpha_params));
        const int out = activation(id, out_shape, s.output);
        b_.op(Op::kPrelu, {in[0], alpha}, {out});
        return out;
      }
      case OpKind::kTanh: {
        const int out = activation(id, out_shape, s.output);
        b_.op(Op::kTanh, {in[0]}, {out}, {}, 2);
        return out;
      }
      case OpKind::kSigmoid: {
        if (!(s.output == kSigmoidOutputParams)) {
          return unsupported("tflite int8 export: " + id +
                             ": LOGISTIC's int8 output must have scale 1/256 and zero "
                             "point -128 (TFLite rejects others), the model has " +
                             params_text(s.output));
        }
        const int out = activation(id, out_shape, s.output);
        b_.op(Op::kLogistic, {in[0]}, {out}, {}, 2);
        return out;
      }
      case OpKind::kAdd: {  // left to right, each partial sum at the output's parameters (as the runtime adds)
        int sum = in[0];
        for (std::size_t j = 1; j < in.size(); ++j) {
          const int out = activation(j + 1 == in.size() ? id : id + "/" + std::to_string(j), out_shape, s.output);
          b_.op(Op::kAdd, {sum, in[j]}, {out}, b_.empty_options(tf::BuiltinOptions::kAddOptions), 2);
          sum = out;
        }
        return sum;
      }
      case OpKind::kConcat: {  // TFLite's int8 CONCATENATION copies bytes: inputs at other parameters are requantized
        std::vector<int> parts;
        for (std::size_t j = 0; j < in.size(); ++j) {
          LITESR_ASSIGN_OR_RETURN(const int part, requantized(id + "/in" + std::to_string(j), in[j], s.output));
          parts.push_back(part);
        }
        return tflite_ops::concatenate(b_, id, parts, 3);
      }
      case OpKind::kSlice: {
        const Shape& x = b_.shape(in[0]);
        const bool same = params_of(in[0]) == s.output;
        const int part = tflite_ops::slice(b_, same ? id : id + "/sliced", in[0], {0, 0, 0, s.begin},
                                           {x[0], x[1], x[2], s.end - s.begin});
        return requantized(id, part, s.output);
      }
      case OpKind::kPixelShuffle: {
        const bool same = params_of(in[0]) == s.output;
        const int shuffled = tflite_ops::pixel_shuffle(b_, same ? id : id + "/shuffled", in[0], s.scale);
        return requantized(id, shuffled, s.output);
      }
      case OpKind::kSqueezeExcite:
        return squeeze_excite(index, in[0], out_shape);
      case OpKind::kBicubicUpsample:
        return bicubic_upsample(index, in[0]);
      default:
        break;
    }
    return unsupported("tflite int8 export: " + id + ": op " + std::string(op_kind_name(s.op)) +
                       " has no INT8 TFLite mapping");
  }

 private:
  int activation(const std::string& name, const Shape& shape, QuantParams p) {
    return b_.tensor(name, shape, tf::TensorType::kInt8, per_tensor(p));
  }
  QuantParams params_of(int tensor) const {
    const Quantization& q = b_.quantization(tensor);
    return {q.scale[0], static_cast<int32_t>(q.zero_point[0])};
  }

  // `x` itself when it carries `p`, else QUANTIZE (int8 -> int8: TFLite's Requantize, the runtime's
  // requantize_int8) into a tensor named `name` at `p`.
  Result<int> requantized(const std::string& name, int x, QuantParams p) {
    const QuantParams from = params_of(x);
    if (from == p) return x;
    LITESR_RETURN_IF_ERROR(make_requantize_params(from, p).status().with_context(name));
    const int out = activation(name, b_.shape(x), p);
    b_.op(Op::kQuantize, {x}, {out}, b_.empty_options(tf::BuiltinOptions::kQuantizeOptions));
    return out;
  }

  Result<int> conv2d(std::size_t index, int x, const Shape& out_shape) {
    const Int8Step& s = int8_.steps[index];
    // A relu reading only this conv, at the conv's own output parameters, is the conv's fused activation: the
    // clamp at the output zero point gives the same integers as RELU's identity requantization after it.
    const int reader = tflite_ops::sole_reader(program_, index);
    const bool fuse = reader >= 0 && int8_.steps[reader].op == OpKind::kRelu && int8_.steps[reader].output == s.output;
    if (fuse) fused_relu_.insert(static_cast<int>(index));
    return conv_op(s.name, s.name, x, s.conv, s.output, out_shape, tf::Padding::kSame,
                   fuse ? tf::Activation::kRelu : tf::Activation::kNone);
  }

  // CONV_2D or DEPTHWISE_CONV_2D of `conv` (weights "<weights>.weight", "<weights>.bias") into a tensor `name`.
  Result<int> conv_op(const std::string& name, const std::string& weights, int x, const QuantizedConv2d& conv,
                      QuantParams output, const Shape& out_shape, tf::Padding padding, tf::Activation act) {
    const int32_t o = conv.out_channels, c = conv.in_channels, k = conv.kernel;
    const bool depthwise = conv.groups > 1 && conv.groups == c && o % c == 0;
    if (conv.groups != 1 && !depthwise) {
      return unsupported("tflite int8 export: " + name + ": grouped (non-depthwise) conv2d");
    }
    const std::span<const int8_t> weight(conv.weight);
    const std::vector<int64_t> zeros(static_cast<std::size_t>(o), 0);
    int filter;
    TfliteBuilder::Options options;
    if (depthwise) {  // [1, k, k, O]: the per-channel scales run along axis 3
      filter = b_.int8_constant(weights + ".weight", {1, k, k, o}, tflite_ops::depthwise_filter(weight, o, k),
                                {conv.weight_scales, zeros, 3});
      options = b_.depthwise_options(padding, 1, o / c, act);
    } else {  // OHWI: axis 0
      filter = b_.int8_constant(weights + ".weight", {o, k, k, c}, tflite_ops::ohwi_filter(weight, o, c, k),
                                {conv.weight_scales, zeros, 0});
      options = b_.conv2d_options(padding, 1, act);
    }
    // Bias scale[o] = input scale · filter scale[o], the float product quantize_bias used.
    const float input_scale = params_of(x).scale;
    std::vector<float> bias_scales(static_cast<std::size_t>(o));
    for (int32_t oc = 0; oc < o; ++oc) bias_scales[oc] = input_scale * conv.weight_scales[oc];
    const std::vector<int32_t> bias =
        conv.bias.empty() ? std::vector<int32_t>(static_cast<std::size_t>(o), 0) : conv.bias;
    const int bias_tensor = b_.int32_constant(weights + ".bias", {o}, bias, {bias_scales, zeros, 0});
    const int out = activation(name, out_shape, output);
    b_.op(depthwise ? Op::kDepthwiseConv2d : Op::kConv2d, {x, filter, bias_tensor}, {out}, options, 3);
    return out;
  }

  // runtime/int8_program.h's squeeze-excite: MEAN, CONV_2D + RELU, CONV_2D into the gate at the image parameters
  // (its int8 range is [0, 1]: the hard-sigmoid's clamp), MUL broadcasting the gate over H x W.
  Result<int> squeeze_excite(std::size_t index, int x, const Shape& out_shape) {
    const Int8Step& s = int8_.steps[index];
    const std::string& id = s.name;
    const Shape pooled_shape{out_shape[0], 1, 1, s.channels};
    const std::array<int32_t, 2> axes{1, 2};
    const int pooled = activation(id + "/pooled", pooled_shape, s.pooled);
    b_.op(Op::kMean, {x, b_.int32_constant(id + ".axes", {2}, axes)}, {pooled}, b_.reducer_options(true), 2);
    LITESR_ASSIGN_OR_RETURN(const int hidden, conv_op(id + "/hidden", id + ".fc1", pooled, s.conv, s.hidden,
                                                      {out_shape[0], 1, 1, s.conv.out_channels}, tf::Padding::kValid,
                                                      tf::Activation::kRelu));
    LITESR_ASSIGN_OR_RETURN(const int gate, conv_op(id + "/gate", id + ".fc2", hidden, s.conv2, image_quant_params(),
                                                    pooled_shape, tf::Padding::kValid, tf::Activation::kNone));
    const int out = activation(id, out_shape, s.output);
    b_.op(Op::kMul, {x, gate}, {out}, b_.empty_options(tf::BuiltinOptions::kMulOptions), 2);
    return out;
  }

  // runtime/int8_program.h's bicubic upsample: border padding, the int8 phase filters (DEPTHWISE_CONV_2D, VALID),
  // pixel shuffle (which keeps the parameters).
  Result<int> bicubic_upsample(std::size_t index, int x) {
    const Int8Step& s = int8_.steps[index];
    LITESR_ASSIGN_OR_RETURN(const int padded, tflite_ops::pad_borders(b_, s.name, x, s.radius, s.mirror));
    const Shape ps = b_.shape(padded);
    LITESR_ASSIGN_OR_RETURN(const int phases,
                            conv_op(s.name + "/phases", s.name + ".phase", padded, s.conv, s.output,
                                    {ps[0], ps[1] - 2 * s.radius, ps[2] - 2 * s.radius, s.conv.out_channels},
                                    tf::Padding::kValid, tf::Activation::kNone));
    return tflite_ops::pixel_shuffle(b_, s.name, phases, s.scale);
  }

  TfliteBuilder& b_;
  const Program& program_;
  const Int8Program& int8_;
  std::set<int> fused_relu_;  // conv steps whose relu reader is fused
};

}  // namespace

Result<std::string> export_tflite_int8(const Graph& graph, const TensorMap& tensors,
                                       const ModelQuantization& quantization, const TfliteExportOptions& options) {
  if (options.fp16) {
    return invalid_argument(
        "tflite export: fp16 does not apply to an INT8 model (its weights are int8; export the "
        "float model it was quantized from for float16)");
  }
  if (options.height < 1 || options.width < 1) return invalid_argument("tflite export: input size must be positive");
  // The program exactly as the INT8 runtime compiles it (Session: batch norm folded, conv_transpose2d lowered),
  // so the step names are the ones litesr.quantization gives parameters for.
  LITESR_ASSIGN_OR_RETURN(const Program program, compile_program(graph, tensors));
  LITESR_ASSIGN_OR_RETURN(const Int8Program int8, compile_int8_program(program, quantization));
  const bool single = int8.inputs.size() == 1 && int8.outputs.size() == 1;
  const Int8Step& input_step = int8.steps[int8.inputs[single ? 0 : 1]];  // the frame (x_t of a recurrent step)
  const Int8Step& output_step = int8.steps[int8.outputs[0]];
  if (options.clamp_output && !(output_step.output == image_quant_params())) {
    return unsupported(
        "tflite export: clamping an INT8 output needs the image's output parameters (scale 1/255, zero "
        "point -128), whose int8 range is [0, 1] already; this model's output has " +
        params_text(output_step.output));
  }
  const int32_t h = options.height, w = options.width;

  TfliteBuilder b(/*fp16_constants=*/false);
  Int8StepEmitter emitter(b, program, int8);
  std::vector<int> value(program.steps.size(), -1);
  // Inputs "lr" (one-input models) or the steps' names (a recurrent step: x_prev, x_t, then its states), each int8
  // [1, H, W, C] at its step's parameters; outputs "sr", then "<state step>_out" (as the float export names them).
  std::vector<int> inputs, outputs;
  for (int id : int8.inputs) {
    const Int8Step& s = int8.steps[id];
    value[id] = b.tensor(single ? std::string(kTfliteInputName) : s.name, {1, h, w, s.channels}, tf::TensorType::kInt8,
                         per_tensor(s.output));
    inputs.push_back(value[id]);
  }
  for (std::size_t i = 0; i < program.steps.size(); ++i) {
    if (int8.steps[i].op == OpKind::kInput) continue;
    std::vector<int> ins;
    for (int in : int8.steps[i].inputs) ins.push_back(value[in]);
    LITESR_ASSIGN_OR_RETURN(const Shape shape, tflite_ops::nhwc_shape(program.steps[i], 1, h, w));
    LITESR_ASSIGN_OR_RETURN(value[i], emitter.emit(i, ins, shape));
  }
  for (std::size_t k = 0; k < int8.outputs.size(); ++k) {
    const int id = int8.outputs[k];
    outputs.push_back(value[id]);
    // TFLite finds outputs by index; the names are for people and tools
    b.set_name(value[id], k == 0 ? std::string(kTfliteOutputName) : int8.steps[id].name + "_out");
  }

  const QuantParams in_p = input_step.output, out_p = output_step.output;
  const std::string description =
      !options.description.empty() ? options.description
      : single ? "LiteSR " + graph.arch + " x" + std::to_string(graph.scale) + " INT8 (input lr: NHWC int8 RGB, " +
                     params_text(in_p) + ", " + std::to_string(w) + "x" + std::to_string(h) + "; output sr: int8, " +
                     params_text(out_p) + ")"
               : "LiteSR " + graph.arch + " x" + std::to_string(graph.scale) +
                     " INT8 recurrent step (inputs x_prev, x_t: NHWC int8 frames, " + params_text(in_p) + ", " +
                     std::to_string(w) + "x" + std::to_string(h) +
                     ", then the state maps at their parameters; outputs sr: int8, " + params_text(out_p) +
                     ", then the states to feed back)";
  return b.finish(inputs, outputs, graph.arch.empty() ? "litesr" : graph.arch, description);
}

Result<std::string> export_tflite_int8(const ModelFile& model, const TfliteExportOptions& options) {
  if (!is_quantized_model(model)) {
    return invalid_argument("tflite int8 export: the model has no " + std::string(kMetaQuantization) +
                            " (quantize it with `litesr quantize` first)");
  }
  LITESR_ASSIGN_OR_RETURN(const ModelQuantization quantization, read_model_quantization(model));
  LITESR_ASSIGN_OR_RETURN(const Graph graph, models::build_graph(model));
  return export_tflite_int8(graph, model.tensors, quantization, options);
}

}  // namespace litesr
