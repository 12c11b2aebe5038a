// TFLite export (see tflite_export.h for the op mapping).
#include "export/tflite_export.h"

#include <flatbuffers/flatbuffers.h>

#include <array>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "export/tflite_builder.h"
#include "export/tflite_format.h"
#include "export/tflite_int8_export.h"
#include "export/tflite_ops.h"
#include "io/atomic_file.h"
#include "models/registry.h"
#include "runtime/model_quantization.h"
#include "runtime/phase_filter.h"
#include "runtime/program.h"

namespace litesr {
namespace {

namespace tf = tflite_format;
using Shape = TfliteBuilder::Shape;
using Op = tf::BuiltinOperator;

// Emits the Steps of a Program as TFLite operators on NHWC tensors of fixed shape.
class StepEmitter {
 public:
  StepEmitter(TfliteBuilder& b, const Program& program) : b_(b), program_(program) {}

  // Returns the tensor holding the step's output. `in` are the tensors of the step's inputs.
  Result<int> emit(std::size_t index, const std::vector<int>& in, const Shape& out_shape) {
    const Step& s = program_.steps[index];
    const Node& n = s.node;
    const std::string& id = n.name;
    switch (n.op) {
      case OpKind::kInput:
        return internal_error("tflite export: input step emitted as an operator");
      case OpKind::kConv2d:
        return conv2d(index, in[0], out_shape);
      case OpKind::kConvTranspose2d:
        return conv_transpose2d(s, in[0], out_shape);
      case OpKind::kRelu:
        if (fused_relu_.count(n.inputs[0])) return in[0];  // already applied by the conv
        return unary(Op::kRelu, id, in[0], out_shape);
      case OpKind::kTanh:
        return unary(Op::kTanh, id, in[0], out_shape);
      case OpKind::kSigmoid:
        return unary(Op::kLogistic, id, in[0], out_shape);
      case OpKind::kLeakyRelu: {
        const int out = b_.tensor(id, out_shape);
        b_.op(Op::kLeakyRelu, {in[0]}, {out}, b_.leaky_relu_options(n.alpha));
        return out;
      }
      case OpKind::kPrelu: {  // relu(x) + slope · min(x, 0)
        const std::vector<float> zero{0.0f};
        const int positive = unary(Op::kRelu, id + "/positive", in[0], out_shape);
        const int negative = b_.tensor(id + "/negative", out_shape);
        b_.op(Op::kMinimum, {in[0], b_.float_constant(id + ".zero", {1}, zero)}, {negative},
              b_.empty_options(tf::BuiltinOptions::kMaximumMinimumOptions));
        const int32_t c = static_cast<int32_t>(s.weight.size());
        const int scaled = binary(Op::kMul, id + "/scaled", negative, b_.float_constant(id + ".weight", {c}, s.weight),
                                  out_shape);
        return binary(Op::kAdd, id, positive, scaled, out_shape);
      }
      case OpKind::kBatchNorm: {  // not folded: y = x · scale + shift
        const int32_t c = s.in_channels;
        const int scaled =
            binary(Op::kMul, id + "/scaled", in[0], b_.float_constant(id + ".scale", {c}, s.weight), out_shape);
        return binary(Op::kAdd, id, scaled, b_.float_constant(id + ".shift", {c}, s.bias), out_shape);
      }
      case OpKind::kSqueezeExcite:
        return squeeze_excite(s, in[0], out_shape);
      case OpKind::kAdd: {
        int sum = in[0];
        for (std::size_t j = 1; j < in.size(); ++j) {
          sum = binary(Op::kAdd, j + 1 == in.size() ? id : id + "/" + std::to_string(j), sum, in[j], out_shape);
        }
        return sum;
      }
      case OpKind::kMul:
        return binary(Op::kMul, id, in[0], in[1], out_shape);
      case OpKind::kConcat: {
        const int out = b_.tensor(id, out_shape);
        b_.op(Op::kConcatenation, in, {out}, b_.concatenation_options(3));
        return out;
      }
      case OpKind::kSlice: {
        const Shape& x = b_.shape(in[0]);
        return tflite_ops::slice(b_, id, in[0], {0, 0, 0, n.begin}, {x[0], x[1], x[2], n.end - n.begin});
      }
      case OpKind::kMaxPool2d: {
        tf::Padding padding = tf::Padding::kValid;
        if (n.padding != 0) {
          if (n.stride != 1 || 2 * n.padding != n.kernel - 1) {
            return unsupported("tflite export: " + id + ": max_pool2d padding other than none or 'same'");
          }
          padding = tf::Padding::kSame;
        }
        const int out = b_.tensor(id, out_shape);
        b_.op(Op::kMaxPool2d, {in[0]}, {out}, b_.pool2d_options(padding, n.stride, n.kernel));
        return out;
      }
      case OpKind::kPixelShuffle:
        return tflite_ops::pixel_shuffle(b_, id, in[0], n.scale);
      case OpKind::kBicubicUpsample:
      {
        LITESR_ASSIGN_OR_RETURN(const PhaseFilter filter, make_bicubic_phase_filter(n.scale, n.bicubic));
        return phase_upsample(s, in[0], filter, n.bicubic == BicubicKind::kMatlab);
      }
      case OpKind::kBilinearUpsample: {
        LITESR_ASSIGN_OR_RETURN(const PhaseFilter filter, make_bilinear_phase_filter(n.scale));
        return phase_upsample(s, in[0], filter, /*mirror=*/false);
      }
      case OpKind::kBilinearResize: {
        const std::array<int32_t, 2> size{out_shape[1], out_shape[2]};
        const int out = b_.tensor(id, out_shape);
        b_.op(Op::kResizeBilinear, {in[0], b_.int32_constant(id + ".size", {2}, size)}, {out},
              b_.resize_bilinear_options(true), 3);  // half_pixel_centers needs version 3
        return out;
      }
    }
    return unsupported("tflite export: " + id + ": op " + std::string(op_kind_name(n.op)));
  }

 private:
  int unary(Op code, const std::string& name, int x, const Shape& shape) {
    const int out = b_.tensor(name, shape);
    b_.op(code, {x}, {out});
    return out;
  }
  int binary(Op code, const std::string& name, int a, int b, const Shape& shape) {
    const int out = b_.tensor(name, shape);
    switch (code) {
      case Op::kAdd: b_.op(code, {a, b}, {out}, b_.empty_options(tf::BuiltinOptions::kAddOptions)); break;
      case Op::kMul: b_.op(code, {a, b}, {out}, b_.empty_options(tf::BuiltinOptions::kMulOptions)); break;
      case Op::kSub: b_.op(code, {a, b}, {out}, b_.empty_options(tf::BuiltinOptions::kSubOptions)); break;
      default: b_.op(code, {a, b}, {out}, b_.empty_options(tf::BuiltinOptions::kMaximumMinimumOptions)); break;
    }
    return out;
  }
  // Is step `index` a conv whose only consumer is a ReLU (so the ReLU can be fused)?
  bool relu_follows(std::size_t index) const {
    const int reader = tflite_ops::sole_reader(program_, index);
    return reader >= 0 && program_.steps[reader].node.op == OpKind::kRelu;
  }

  Result<int> conv2d(std::size_t index, int x, const Shape& out_shape) {
    const Step& s = program_.steps[index];
    const Node& n = s.node;
    const int32_t o = n.out_channels, c = s.in_channels, k = n.kernel;
    const bool depthwise = n.groups > 1 && n.groups == c && o % c == 0;
    if (n.groups != 1 && !depthwise) return unsupported("tflite export: " + n.name + ": grouped (non-depthwise) conv2d");
    // Padding: PyTorch's symmetric padding (k−1)/2 at stride 1 is TFLite's SAME; otherwise an explicit PAD.
    tf::Padding padding = tf::Padding::kValid;
    int input = x;
    if (n.padding > 0) {
      if (n.stride == 1 && 2 * n.padding == k - 1) {
        padding = tf::Padding::kSame;
      } else {
        const Shape& xs = b_.shape(x);
        const int32_t p = n.padding;
        const std::array<int32_t, 8> pads{0, 0, p, p, p, p, 0, 0};
        input = b_.tensor(n.name + "/padded", {xs[0], xs[1] + 2 * p, xs[2] + 2 * p, xs[3]});
        b_.op(Op::kPad, {x, b_.int32_constant(n.name + ".pads", {4, 2}, pads)}, {input},
              b_.empty_options(tf::BuiltinOptions::kPadOptions));
      }
    }
    const bool fuse = relu_follows(index);
    if (fuse) fused_relu_.insert(static_cast<int>(index));
    const tf::Activation activation = fuse ? tf::Activation::kRelu : tf::Activation::kNone;
    const std::span<const float> weight(s.weight);
    int weights;
    TfliteBuilder::Options options;
    if (depthwise) {  // PyTorch [O, 1, k, k] -> [1, k, k, O]
      weights = b_.float_constant(n.name + ".weight", {1, k, k, o}, tflite_ops::depthwise_filter(weight, o, k));
      options = b_.depthwise_options(padding, n.stride, o / c, activation);
    } else {  // PyTorch [O, I, k, k] -> OHWI
      weights = b_.float_constant(n.name + ".weight", {o, k, k, c}, tflite_ops::ohwi_filter(weight, o, c, k));
      options = b_.conv2d_options(padding, n.stride, activation);
    }
    const int bias = b_.float_constant(n.name + ".bias", {o}, s.bias);
    const int out = b_.tensor(n.name, out_shape);
    b_.op(depthwise ? Op::kDepthwiseConv2d : Op::kConv2d, {input, weights, bias}, {out}, options);
    return out;
  }

  // TRANSPOSE_CONV writes the full (H−1)·s + k extent; PyTorch crops `padding` from the start and keeps
  // (H−1)·s − 2p + k + output_padding, which needs output_padding <= padding to stay inside.
  Result<int> conv_transpose2d(const Step& s, int x, const Shape& out_shape) {
    const Node& n = s.node;
    if (n.groups != 1) return unsupported("tflite export: " + n.name + ": grouped conv_transpose2d");
    if (n.output_padding > n.padding) {
      return unsupported("tflite export: " + n.name + ": conv_transpose2d output_padding > padding");
    }
    const int32_t o = n.out_channels, c = s.in_channels, k = n.kernel;
    const Shape& xs = b_.shape(x);
    const std::size_t kk = static_cast<std::size_t>(k) * k;
    std::vector<float> filter(s.weight.size());  // PyTorch [I, O, k, k] -> [O, k, k, I]
    for (int32_t ic = 0; ic < c; ++ic) {
      for (int32_t oc = 0; oc < o; ++oc) {
        for (std::size_t t = 0; t < kk; ++t) filter[(oc * kk + t) * c + ic] = s.weight[(ic * o + oc) * kk + t];
      }
    }
    const std::array<int32_t, 4> full{xs[0], (xs[1] - 1) * n.stride + k, (xs[2] - 1) * n.stride + k, o};
    const int full_out = b_.tensor(n.name + "/full", Shape(full.begin(), full.end()));
    b_.op(Op::kTransposeConv,
          {b_.int32_constant(n.name + ".output_shape", {4}, full),
           b_.float_constant(n.name + ".weight", {o, k, k, c}, filter), x},
          {full_out}, b_.transpose_conv_options(tf::Padding::kValid, n.stride));
    const int cropped = tflite_ops::slice(b_, n.name + "/crop", full_out, {0, n.padding, n.padding, 0},
                                          {out_shape[0], out_shape[1], out_shape[2], o});
    return binary(Op::kAdd, n.name, cropped, b_.float_constant(n.name + ".bias", {o}, s.bias), out_shape);
  }

  Result<int> squeeze_excite(const Step& s, int x, const Shape& out_shape) {
    const Node& n = s.node;
    const std::string& id = n.name;
    const int32_t c = s.in_channels, h = n.se_hidden;
    const std::array<int32_t, 2> axes{1, 2};
    const Shape pooled_shape{out_shape[0], 1, 1, c};
    auto mean = [&](const std::string& name, int v) {
      const int out = b_.tensor(name, pooled_shape);
      b_.op(Op::kMean, {v, b_.int32_constant(name + ".axes", {2}, axes)}, {out}, b_.reducer_options(true));
      return out;
    };
    int pooled = mean(id + "/mean", x);
    if (n.se_pool == SePool::kMeanStd) {  // sqrt(mean((x − mean)²)) + mean
      const int centred = binary(Op::kSub, id + "/centred", x, pooled, out_shape);
      const int squared = binary(Op::kMul, id + "/squared", centred, centred, out_shape);
      const int stddev = b_.tensor(id + "/stddev", pooled_shape);
      b_.op(Op::kSqrt, {mean(id + "/variance", squared)}, {stddev});
      pooled = binary(Op::kAdd, id + "/pooled", stddev, pooled, pooled_shape);
    }
    const int hidden = b_.tensor(id + "/hidden", {out_shape[0], 1, 1, h});
    b_.op(Op::kConv2d,
          {pooled, b_.float_constant(id + ".fc1.weight", {h, 1, 1, c}, s.weight),
           b_.float_constant(id + ".fc1.bias", {h}, s.bias)},
          {hidden}, b_.conv2d_options(tf::Padding::kValid, 1, tf::Activation::kRelu));
    const int logits = b_.tensor(id + "/fc2", pooled_shape);
    b_.op(Op::kConv2d,
          {hidden, b_.float_constant(id + ".fc2.weight", {c, 1, 1, h}, s.weight2),
           b_.float_constant(id + ".fc2.bias", {c}, s.bias2)},
          {logits}, b_.conv2d_options(tf::Padding::kValid, 1, tf::Activation::kNone));
    int gate;
    if (n.se_gate == SeGate::kHardSigmoid) {  // relu6(v + 3) / 6
      const std::vector<float> three{3.0f}, sixth{1.0f / 6.0f};
      const int shifted =
          binary(Op::kAdd, id + "/shifted", logits, b_.float_constant(id + ".three", {1}, three), pooled_shape);
      const int clipped = unary(Op::kRelu6, id + "/clipped", shifted, pooled_shape);
      gate = binary(Op::kMul, id + "/gate", clipped, b_.float_constant(id + ".sixth", {1}, sixth), pooled_shape);
    } else {
      gate = unary(Op::kLogistic, id + "/gate", logits, pooled_shape);
    }
    return binary(Op::kMul, id, x, gate, out_shape);
  }

  // An integer upsample whose taps depend only on the output phase (bicubic, bilinear): border padding by
  // the filter radius, depthwise phase filters, pixel shuffle. The padding reproduces the border rule:
  // symmetric mirror (MATLAB: x[−k] = x[k−1]) or edge replication (PyTorch's clamping: x[−k] = x[0]).
  Result<int> phase_upsample(const Step& s, int x, const PhaseFilter& filter, bool mirror) {
    const Node& n = s.node;
    const std::string& id = n.name;
    const int r = filter.radius;
    LITESR_ASSIGN_OR_RETURN(const int cur, tflite_ops::pad_borders(b_, id, x, r, mirror));
    const int32_t c = s.in_channels, rr = n.scale * n.scale, k = 2 * r + 1, o = c * rr;
    const std::vector<float> weight = phase_filter_depthwise_weight(filter, c);  // [O, 1, k, k]
    const std::vector<float> filter_hwo = tflite_ops::depthwise_filter(std::span<const float>(weight), o, k);
    const std::vector<float> bias(static_cast<std::size_t>(o), 0.0f);
    const Shape padded = b_.shape(cur);
    const int phases = b_.tensor(id + "/phases", {padded[0], padded[1] - 2 * r, padded[2] - 2 * r, o});
    b_.op(Op::kDepthwiseConv2d,
          {cur, b_.float_constant(id + ".phase_weight", {1, k, k, o}, filter_hwo),
           b_.float_constant(id + ".phase_bias", {o}, bias)},
          {phases}, b_.depthwise_options(tf::Padding::kValid, 1, rr, tf::Activation::kNone));
    return tflite_ops::pixel_shuffle(b_, id, phases, n.scale);
  }

  TfliteBuilder& b_;
  const Program& program_;
  std::set<int> fused_relu_;  // conv steps whose ReLU consumer is fused
};

}  // namespace

Result<std::string> export_tflite(const Graph& graph, const TensorMap& tensors, const TfliteExportOptions& options) {
  if (options.height < 1 || options.width < 1) return invalid_argument("tflite export: input size must be positive");
  LITESR_ASSIGN_OR_RETURN(const Program program,
                          compile_program(graph, tensors,
                                          CompileOptions{.fold_batch_norm = true, .lower_conv_transpose = false}));
  if (program.inputs.empty() || program.outputs.empty()) {
    return invalid_argument("tflite export: graph has no input or output");
  }
  const bool single = program.inputs.size() == 1 && program.outputs.size() == 1;
  const int frames = graph.input_frames;
  const bool frame_batch = single && frames > 1;  // one frame per run, T frames on the channels of "lr"
  const int32_t batch = frame_batch ? frames : 1;
  const int32_t h = options.height, w = options.width;

  TfliteBuilder b(options.fp16);
  StepEmitter emitter(b, program);
  std::vector<int> value(program.steps.size(), -1);
  auto nhwc = [&](std::size_t i) { return tflite_ops::nhwc_shape(program.steps[i], batch, h, w); };

  // Inputs: [1, H, W, C·T] -> (regroup to [T, H, W, C]).
  std::vector<int> graph_inputs;
  for (int id : program.inputs) {
    const Step& s = program.steps[id];
    const int32_t c = s.shape.channels;
    const std::string name = single ? std::string(kTfliteInputName) : s.node.name;
    const int input = b.tensor(name, {1, h, w, c * batch});
    graph_inputs.push_back(input);
    if (!frame_batch) {
      value[id] = input;
      continue;
    }
    // [1, H·W, T, C] -> transpose (0 2 1 3) -> [1, T, H·W, C] -> [T, H, W, C]
    const int pixels = b.reshape(name + "/pixels", input, {1, h * w, batch, c});
    const int v = b.reshape(name + "/frames", b.transpose(name + "/frames_major", pixels, {0, 2, 1, 3}), {batch, h, w, c});
    value[id] = v;
  }

  for (std::size_t i = 0; i < program.steps.size(); ++i) {
    const Step& s = program.steps[i];
    if (s.node.op == OpKind::kInput) continue;
    std::vector<int> ins;
    for (int in : s.node.inputs) ins.push_back(value[in]);
    LITESR_ASSIGN_OR_RETURN(const Shape shape, nhwc(i));
    LITESR_ASSIGN_OR_RETURN(value[i], emitter.emit(i, ins, shape));
  }

  // Outputs: (clamp) -> (regroup [T, sH, sW, C] to [1, sH, sW, C·T]) -> "sr" / node name.
  std::vector<int> graph_outputs;
  for (std::size_t k = 0; k < program.outputs.size(); ++k) {
    const int id = program.outputs[k];
    const std::string name = k == 0 ? std::string(kTfliteOutputName) : program.steps[id].node.name + "_out";
    LITESR_ASSIGN_OR_RETURN(const Shape shape, nhwc(id));
    int v = value[id];
    if (k == 0 && options.clamp_output) {
      const std::vector<float> zero{0.0f}, one{1.0f};
      const int lo = b.tensor(name + "/clamp_low", shape);
      b.op(Op::kMaximum, {v, b.float_constant(name + ".zero", {1}, zero)}, {lo},
           b.empty_options(tf::BuiltinOptions::kMaximumMinimumOptions));
      v = b.tensor(frame_batch ? name + "/clamped" : name, shape);
      b.op(Op::kMinimum, {lo, b.float_constant(name + ".one", {1}, one)}, {v},
           b.empty_options(tf::BuiltinOptions::kMaximumMinimumOptions));
    }
    if (frame_batch) {
      const int32_t oh = shape[1], ow = shape[2], c = shape[3];
      const int frames_major = b.reshape(name + "/frames_major", v, {1, batch, oh * ow, c});
      v = b.reshape(name, b.transpose(name + "/pixels", frames_major, {0, 2, 1, 3}), {1, oh, ow, c * batch});
    } else if (!(k == 0 && options.clamp_output)) {
      b.set_name(v, name);  // TFLite finds outputs by index; the name is for people and tools
    }
    graph_outputs.push_back(v);
  }
  const std::string description = options.description.empty()
                                      ? "LiteSR " + graph.arch + " x" + std::to_string(graph.scale) +
                                            " (input lr: NHWC float RGB in [0, 1], " + std::to_string(w) + "x" +
                                            std::to_string(h) + "; output sr)"
                                      : options.description;
  return b.finish(graph_inputs, graph_outputs, graph.arch.empty() ? "litesr" : graph.arch, description);
}

Result<std::string> export_tflite(const ModelFile& model, const TfliteExportOptions& options) {
  if (is_quantized_model(model)) return export_tflite_int8(model, options);
  LITESR_ASSIGN_OR_RETURN(const Graph graph, models::build_graph(model));
  return export_tflite(graph, model.tensors, options);
}

Status check_tflite(std::string_view bytes) {
  namespace fb = flatbuffers;
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  if (bytes.size() < 8 || !fb::BufferHasIdentifier(data, tf::kFileIdentifier)) {
    return corrupt_data("tflite check: not a TFL3 flatbuffer");
  }
  fb::Verifier verifier(data, bytes.size());
  const auto* model = fb::GetRoot<fb::Table>(data);
  using TableVector = fb::Vector<fb::Offset<fb::Table>>;
  // Checks a table's vtable and extent. The verifier's depth counter guards recursion in generated code;
  // tables here are checked one after another, so each start is closed at once.
  auto table_ok = [&](const fb::Table* t) {
    if (!t->VerifyTableStart(verifier)) return false;
    verifier.EndTable();
    return true;
  };
  auto tables = [&](const fb::Table* t, fb::voffset_t field) -> const TableVector* {
    if (!t->VerifyOffset(verifier, field)) return nullptr;
    const auto* v = t->GetPointer<const TableVector*>(field);
    return v && verifier.VerifyVector(v) ? v : nullptr;
  };
  auto ints = [&](const fb::Table* t, fb::voffset_t field) -> const fb::Vector<int32_t>* {
    if (!t->VerifyOffset(verifier, field)) return nullptr;
    const auto* v = t->GetPointer<const fb::Vector<int32_t>*>(field);
    return v && verifier.VerifyVector(v) ? v : nullptr;
  };
  if (verifier.VerifyOffset(0) == 0 || !table_ok(model) ||
      !model->VerifyField<uint32_t>(verifier, tf::model::kVersion, 4)) {
    return corrupt_data("tflite check: malformed Model table");
  }
  if (model->GetField<uint32_t>(tf::model::kVersion, 0) != tf::kSchemaVersion) {
    return corrupt_data("tflite check: schema version is not 3");
  }
  const TableVector* codes = tables(model, tf::model::kOperatorCodes);
  const TableVector* subgraphs = tables(model, tf::model::kSubgraphs);
  const TableVector* buffers = tables(model, tf::model::kBuffers);
  if (!codes || !subgraphs || !buffers || subgraphs->size() != 1 || buffers->size() == 0) {
    return corrupt_data("tflite check: operator codes, one subgraph and buffers are required");
  }
  for (const fb::Table* b : *buffers) {
    if (!table_ok(b) || !b->VerifyOffset(verifier, tf::buffer::kData)) {
      return corrupt_data("tflite check: malformed Buffer");
    }
  }
  const fb::Table* sg = subgraphs->Get(0);
  if (!table_ok(sg)) return corrupt_data("tflite check: malformed SubGraph");
  const TableVector* tensors = tables(sg, tf::subgraph::kTensors);
  const TableVector* operators = tables(sg, tf::subgraph::kOperators);
  const auto* inputs = ints(sg, tf::subgraph::kInputs);
  const auto* outputs = ints(sg, tf::subgraph::kOutputs);
  if (!tensors || !operators || !inputs || !outputs) return corrupt_data("tflite check: incomplete SubGraph");
  const auto tensor_count = static_cast<int32_t>(tensors->size());
  auto in_range = [&](const fb::Vector<int32_t>* ids) {
    for (int32_t id : *ids) {
      if (id < 0 || id >= tensor_count) return false;
    }
    return true;
  };
  if (!in_range(inputs) || !in_range(outputs)) return corrupt_data("tflite check: subgraph I/O tensor out of range");
  for (uint32_t i = 0; i < tensors->size(); ++i) {
    const fb::Table* t = tensors->Get(i);
    const fb::Vector<int32_t>* shape = nullptr;
    if (!table_ok(t) || !(shape = ints(t, tf::tensor::kShape)) ||
        !t->VerifyField<uint32_t>(verifier, tf::tensor::kBuffer, 4) ||
        t->GetField<uint32_t>(tf::tensor::kBuffer, 0) >= buffers->size()) {
      return corrupt_data("tflite check: malformed Tensor or buffer index out of range");
    }
    // Quantization (int8 / int32 tensors of INT8 models): one scale, or one per index of quantized_dimension, and
    // as many zero points.
    if (!t->VerifyOffset(verifier, tf::tensor::kQuantization)) return corrupt_data("tflite check: malformed Tensor");
    const auto* q = t->GetPointer<const fb::Table*>(tf::tensor::kQuantization);
    if (q == nullptr) continue;
    const std::string where = "tflite check: tensor " + std::to_string(i) + " quantization: ";
    if (!table_ok(q) || !q->VerifyOffset(verifier, tf::quantization::kScale) ||
        !q->VerifyOffset(verifier, tf::quantization::kZeroPoint) ||
        !q->VerifyField<int32_t>(verifier, tf::quantization::kQuantizedDimension, 4)) {
      return corrupt_data(where + "malformed table");
    }
    const auto* scale = q->GetPointer<const fb::Vector<float>*>(tf::quantization::kScale);
    const auto* zero_point = q->GetPointer<const fb::Vector<int64_t>*>(tf::quantization::kZeroPoint);
    if (scale == nullptr || zero_point == nullptr) continue;  // no affine parameters (e.g. min/max only)
    if (!verifier.VerifyVector(scale) || !verifier.VerifyVector(zero_point) || scale->size() != zero_point->size()) {
      return corrupt_data(where + "scale and zero_point vectors differ");
    }
    const int32_t axis = q->GetField<int32_t>(tf::quantization::kQuantizedDimension, 0);
    if (scale->size() > 1 &&
        (axis < 0 || axis >= static_cast<int32_t>(shape->size()) ||
         shape->Get(static_cast<uint32_t>(axis)) != static_cast<int32_t>(scale->size()))) {
      return corrupt_data(where + "per-axis scales do not match quantized_dimension");
    }
  }
  for (uint32_t i = 0; i < operators->size(); ++i) {
    const fb::Table* o = operators->Get(i);
    const std::string where = "tflite check: operator " + std::to_string(i) + ": ";
    if (!table_ok(o)) return corrupt_data(where + "malformed table");
    const auto* ins = ints(o, tf::op::kInputs);
    const auto* outs = ints(o, tf::op::kOutputs);
    if (!ins || !outs) return corrupt_data(where + "missing inputs or outputs");
    if (!in_range(ins) || !in_range(outs)) return corrupt_data(where + "tensor index out of range");
    if (!o->VerifyField<uint32_t>(verifier, tf::op::kOpcodeIndex, 4) ||
        o->GetField<uint32_t>(tf::op::kOpcodeIndex, 0) >= codes->size()) {
      return corrupt_data(where + "opcode index out of range");
    }
  }
  return Status();
}

Status write_tflite(const std::filesystem::path& path, const ModelFile& model, const TfliteExportOptions& options) {
  LITESR_ASSIGN_OR_RETURN(const std::string bytes, export_tflite(model, options));
  LITESR_RETURN_IF_ERROR(check_tflite(bytes));
  return write_file_atomically(path, bytes);
}

}  // namespace litesr
