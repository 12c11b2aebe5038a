// ONNX export (see onnx_export.h for the op mapping). Built with the protobuf classes of libonnx-dev.
#include "export/onnx_export.h"

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "export/onnx_graph_writer.h"
#include "export/onnx_qdq_export.h"
#include "io/atomic_file.h"
#include "models/registry.h"
#include "runtime/model_quantization.h"
#include "runtime/phase_filter.h"
#include "runtime/program.h"

namespace litesr {
namespace {

// Emits one Step as ONNX nodes; returns the value name holding its output.
class StepEmitter {
 public:
  explicit StepEmitter(OnnxGraphWriter& w) : w_(w) {}

  Result<std::string> emit(const Step& s, const std::vector<std::string>& in, const std::string& out) {
    const Node& n = s.node;
    const std::string& id = n.name;
    const int64_t c = s.in_channels;
    switch (n.op) {
      case OpKind::kInput:
        return internal_error("onnx export: input step emitted as a node");
      case OpKind::kConv2d: {
        const int64_t o = n.out_channels;
        const std::string wname = w_.weights(id + ".weight", {o, c / n.groups, n.kernel, n.kernel}, s.weight);
        const std::string bname = w_.weights(id + ".bias", {o}, s.bias);
        onnx::NodeProto* p = w_.node("Conv", id, {in[0], wname, bname}, out);
        OnnxGraphWriter::attr(p, "kernel_shape", std::vector<int64_t>{n.kernel, n.kernel});
        OnnxGraphWriter::attr(p, "pads", std::vector<int64_t>{n.padding, n.padding, n.padding, n.padding});
        OnnxGraphWriter::attr(p, "strides", std::vector<int64_t>{n.stride, n.stride});
        OnnxGraphWriter::attr(p, "group", static_cast<int64_t>(n.groups));
        return out;
      }
      case OpKind::kConvTranspose2d: {
        if (n.groups != 1) return unsupported("onnx export: " + id + ": grouped conv_transpose2d");
        const int64_t o = n.out_channels;
        const std::string wname = w_.weights(id + ".weight", {c, o, n.kernel, n.kernel}, s.weight);
        const std::string bname = w_.weights(id + ".bias", {o}, s.bias);
        onnx::NodeProto* p = w_.node("ConvTranspose", id, {in[0], wname, bname}, out);
        OnnxGraphWriter::attr(p, "kernel_shape", std::vector<int64_t>{n.kernel, n.kernel});
        OnnxGraphWriter::attr(p, "pads", std::vector<int64_t>{n.padding, n.padding, n.padding, n.padding});
        OnnxGraphWriter::attr(p, "strides", std::vector<int64_t>{n.stride, n.stride});
        OnnxGraphWriter::attr(p, "output_padding", std::vector<int64_t>{n.output_padding, n.output_padding});
        return out;
      }
      case OpKind::kRelu:
        w_.node("Relu", id, {in[0]}, out);
        return out;
      case OpKind::kTanh:
        w_.node("Tanh", id, {in[0]}, out);
        return out;
      case OpKind::kSigmoid:
        w_.node("Sigmoid", id, {in[0]}, out);
        return out;
      case OpKind::kLeakyRelu:
        OnnxGraphWriter::attr(w_.node("LeakyRelu", id, {in[0]}, out), "alpha", n.alpha);
        return out;
      case OpKind::kPrelu:
        w_.node("PRelu", id, {in[0], w_.weights(id + ".weight", {c, 1, 1}, s.weight)}, out);
        return out;
      case OpKind::kBatchNorm: {  // not folded (its conv has other consumers): y = x · scale + shift
        const std::string scaled = id + "/scaled";
        w_.node("Mul", id + "/mul", {in[0], w_.weights(id + ".scale", {c, 1, 1}, s.weight)}, scaled);
        w_.node("Add", id, {scaled, w_.weights(id + ".shift", {c, 1, 1}, s.bias)}, out);
        return out;
      }
      case OpKind::kSqueezeExcite:
        return emit_squeeze_excite(s, in[0], out);
      case OpKind::kAdd:
        w_.node(in.size() == 2 ? "Add" : "Sum", id, in, out);
        return out;
      case OpKind::kMul:
        w_.node("Mul", id, in, out);
        return out;
      case OpKind::kConcat:
        OnnxGraphWriter::attr(w_.node("Concat", id, in, out), "axis", int64_t{1});
        return out;
      case OpKind::kSlice:
        w_.channel_slice(id, in[0], n.begin, n.end, out);
        return out;
      case OpKind::kMaxPool2d: {
        onnx::NodeProto* p = w_.node("MaxPool", id, {in[0]}, out);
        OnnxGraphWriter::attr(p, "kernel_shape", std::vector<int64_t>{n.kernel, n.kernel});
        OnnxGraphWriter::attr(p, "pads", std::vector<int64_t>{n.padding, n.padding, n.padding, n.padding});
        OnnxGraphWriter::attr(p, "strides", std::vector<int64_t>{n.stride, n.stride});
        return out;
      }
      case OpKind::kPixelShuffle:  // CRD: PyTorch's order (OnnxGraphWriter::pixel_shuffle)
        w_.pixel_shuffle(id, in[0], n.scale, out);
        return out;
      case OpKind::kBicubicUpsample:
        if (n.bicubic == BicubicKind::kPytorch) {
          onnx::NodeProto* p = resize(id, in[0], out, n.scale);
          OnnxGraphWriter::attr(p, "mode", std::string("cubic"));
          OnnxGraphWriter::attr(p, "cubic_coeff_a", -0.75f);
          return out;
        }
        return emit_matlab_bicubic(s, in[0], out);
      case OpKind::kBilinearUpsample: {
        onnx::NodeProto* p = resize(id, in[0], out, n.scale);
        OnnxGraphWriter::attr(p, "mode", std::string("linear"));
        return out;
      }
      case OpKind::kBilinearResize: {
        // sizes = concat(shape(x)[0:2], shape(ref)[2:4]) (int64), computed at run time.
        const std::string xs = id + "/x_shape", rs = id + "/ref_shape";
        w_.node("Shape", id + "/shape_x", {in[0]}, xs);
        w_.node("Shape", id + "/shape_ref", {in[1]}, rs);
        const int64_t k0 = 0, k2 = 2, k4 = 4;
        const std::string i0 = w_.ints64(id + ".k0", {1}, std::span(&k0, 1));
        const std::string i2 = w_.ints64(id + ".k2", {1}, std::span(&k2, 1));
        const std::string i4 = w_.ints64(id + ".k4", {1}, std::span(&k4, 1));
        w_.node("Slice", id + "/nc", {xs, i0, i2}, id + "/nc");
        w_.node("Slice", id + "/hw", {rs, i2, i4}, id + "/hw");
        OnnxGraphWriter::attr(w_.node("Concat", id + "/sizes", {id + "/nc", id + "/hw"}, id + "/sizes"), "axis",
                              int64_t{0});
        onnx::NodeProto* p = w_.node("Resize", id, {in[0], "", "", id + "/sizes"}, out);
        OnnxGraphWriter::attr(p, "mode", std::string("linear"));
        OnnxGraphWriter::attr(p, "coordinate_transformation_mode", std::string("half_pixel"));
        return out;
      }
    }
    return unsupported("onnx export: " + id + ": op " + std::string(op_kind_name(n.op)));
  }

 private:
  onnx::NodeProto* resize(const std::string& id, const std::string& in, const std::string& out, int scale) {
    const float scales[4] = {1.0f, 1.0f, static_cast<float>(scale), static_cast<float>(scale)};
    onnx::NodeProto* p = w_.node("Resize", id, {in, "", w_.floats32(id + ".scales", {4}, scales)}, out);
    OnnxGraphWriter::attr(p, "coordinate_transformation_mode", std::string("half_pixel"));
    return p;
  }

  Result<std::string> emit_squeeze_excite(const Step& s, const std::string& x, const std::string& out) {
    const Node& n = s.node;
    const std::string& id = n.name;
    const int64_t c = s.in_channels, h = n.se_hidden;
    std::string pooled = id + "/mean";
    w_.node("GlobalAveragePool", id + "/pool", {x}, pooled);
    if (n.se_pool == SePool::kMeanStd) {  // pooled = sqrt(mean((x − mean)²)) + mean (population std)
      w_.node("Sub", id + "/centre", {x, pooled}, id + "/centred");
      w_.node("Mul", id + "/square", {id + "/centred", id + "/centred"}, id + "/squared");
      w_.node("GlobalAveragePool", id + "/var", {id + "/squared"}, id + "/variance");
      w_.node("Sqrt", id + "/std", {id + "/variance"}, id + "/stddev");
      w_.node("Add", id + "/mean_std", {id + "/stddev", pooled}, id + "/pooled");
      pooled = id + "/pooled";
    }
    // fc1 [H, C] and fc2 [C, H] as 1x1 convs on the [N, C, 1, 1] pooled vector.
    w_.node("Conv", id + "/fc1",
            {pooled, w_.weights(id + ".fc1.weight", {h, c, 1, 1}, s.weight), w_.weights(id + ".fc1.bias", {h}, s.bias)},
            id + "/fc1");
    w_.node("Relu", id + "/relu", {id + "/fc1"}, id + "/hidden");
    w_.node("Conv", id + "/fc2",
            {id + "/hidden", w_.weights(id + ".fc2.weight", {c, h, 1, 1}, s.weight2),
             w_.weights(id + ".fc2.bias", {c}, s.bias2)},
            id + "/fc2");
    if (n.se_gate == SeGate::kHardSigmoid) {  // clamp(v + 3, 0, 6) / 6 == clamp(v/6 + 0.5, 0, 1)
      onnx::NodeProto* p = w_.node("HardSigmoid", id + "/gate", {id + "/fc2"}, id + "/gate");
      OnnxGraphWriter::attr(p, "alpha", 1.0f / 6.0f);
      OnnxGraphWriter::attr(p, "beta", 0.5f);
    } else {
      w_.node("Sigmoid", id + "/gate", {id + "/fc2"}, id + "/gate");
    }
    w_.node("Mul", id, {x, id + "/gate"}, out);
    return out;
  }

  // Symmetric (edge-including) mirror padding by `radius` on axes 2 and 3 (Slice + Concat), a depthwise
  // Conv computing the r² phases per channel, DepthToSpace(CRD).
  Result<std::string> emit_matlab_bicubic(const Step& s, const std::string& x, const std::string& out) {
    const Node& n = s.node;
    const std::string& id = n.name;
    LITESR_ASSIGN_OR_RETURN(const PhaseFilter filter, make_bicubic_phase_filter(n.scale, n.bicubic));
    const int r = filter.radius;
    const std::string cur = w_.pad_borders(id, x, r, /*mirror=*/true);
    const int64_t c = s.in_channels, rr = int64_t{n.scale} * n.scale, k = 2 * r + 1;
    const std::vector<float> weight = phase_filter_depthwise_weight(filter, static_cast<int>(c));
    const std::vector<float> bias(static_cast<std::size_t>(c * rr), 0.0f);
    onnx::NodeProto* conv = w_.node("Conv", id + "/phases",
                                    {cur, w_.weights(id + ".phase_weight", {c * rr, 1, k, k}, weight),
                                     w_.weights(id + ".phase_bias", {c * rr}, bias)},
                                    id + "/phases");
    OnnxGraphWriter::attr(conv, "kernel_shape", std::vector<int64_t>{k, k});
    OnnxGraphWriter::attr(conv, "group", c);
    w_.pixel_shuffle(id, id + "/phases", n.scale, out);
    return out;
  }

  OnnxGraphWriter& w_;
};

Result<onnx::ModelProto> build_model(const Graph& graph, const TensorMap& tensors, const OnnxExportOptions& options) {
  LITESR_ASSIGN_OR_RETURN(const Program program,
                          compile_program(graph, tensors,
                                          CompileOptions{.fold_batch_norm = true, .lower_conv_transpose = false}));
  if (program.inputs.empty() || program.outputs.empty())
    return invalid_argument("onnx export: graph has no input or output");

  onnx::ModelProto model;
  init_onnx_model(model, graph, options.doc);

  onnx::GraphProto* g = model.mutable_graph();
  g->set_name(graph.arch.empty() ? "litesr" : graph.arch);
  OnnxGraphWriter w(g, options.fp16);
  StepEmitter emitter(w);

  const bool single = program.inputs.size() == 1 && program.outputs.size() == 1;
  // One frame per call, T frames stacked on the channels of "lr": run them as a batch of T.
  const int frames = graph.input_frames;
  const bool frame_batch = single && frames > 1;
  std::vector<std::string> value(program.steps.size());

  // Graph inputs: float32 [1, C(·T), H, W] -> (Reshape to [T, C, H, W]) -> (Cast to float16).
  for (std::size_t k = 0; k < program.inputs.size(); ++k) {
    const Step& s = program.steps[program.inputs[k]];
    const std::string name = single ? std::string(kOnnxInputName) : s.node.name;
    const int64_t channels = s.shape.channels * (frame_batch ? frames : 1);
    OnnxGraphWriter::declare(g->add_input(), name, {1, channels, -1, -1}, {"", "", "H", "W"});
    std::string cur = name;
    if (frame_batch) {
      const int64_t shape[4] = {frames, s.shape.channels, 0, 0};  // 0 copies H and W
      w.node("Reshape", name + "/frames", {cur, w.ints64(name + ".frames_shape", {4}, shape)}, name + "/frames");
      cur = name + "/frames";
    }
    if (options.fp16) {
      OnnxGraphWriter::attr(w.node("Cast", name + "/to_fp16", {cur}, name + "/fp16"), "to",
                            int64_t{onnx::TensorProto::FLOAT16});
      cur = name + "/fp16";
    }
    value[program.inputs[k]] = cur;
  }

  for (std::size_t i = 0; i < program.steps.size(); ++i) {
    const Step& s = program.steps[i];
    if (s.node.op == OpKind::kInput) continue;
    std::vector<std::string> ins;
    for (int in : s.node.inputs) ins.push_back(value[in]);
    LITESR_ASSIGN_OR_RETURN(value[i], emitter.emit(s, ins, s.node.name));
  }

  // Graph outputs: (Clip) -> (Cast to float32) -> (Reshape to [1, C·T, sH, sW]) -> "sr" / node name.
  for (std::size_t k = 0; k < program.outputs.size(); ++k) {
    const Step& s = program.steps[program.outputs[k]];
    const std::string name = k == 0 ? std::string(kOnnxOutputName) : s.node.name + "_out";
    const std::string base = name;
    // Tail ops in order; each reads `in` and writes `out`, the last one writes the output name.
    std::vector<std::function<void(const std::string& in, const std::string& out)>> ops;
    if (k == 0 && options.clamp_output) {
      ops.push_back([&](const std::string& in, const std::string& out) {
        const float lo = 0.0f, hi = 1.0f;
        w.node("Clip", base + "/clip",
               {in, w.weights(base + ".clip_min", {}, std::span(&lo, 1)),
                w.weights(base + ".clip_max", {}, std::span(&hi, 1))},
               out);
      });
    }
    if (options.fp16) {
      ops.push_back([&](const std::string& in, const std::string& out) {
        OnnxGraphWriter::attr(w.node("Cast", base + "/to_fp32", {in}, out), "to", int64_t{onnx::TensorProto::FLOAT});
      });
    }
    if (frame_batch) {
      ops.push_back([&](const std::string& in, const std::string& out) {
        const int64_t shape[4] = {1, int64_t{s.shape.channels} * frames, 0, 0};  // 0 copies s·H and s·W
        w.node("Reshape", base + "/unframe", {in, w.ints64(base + ".unframe_shape", {4}, shape)}, out);
      });
    }
    if (ops.empty()) {
      w.node("Identity", base + "/identity", {value[program.outputs[k]]}, name);
    } else {
      std::string cur = value[program.outputs[k]];
      for (std::size_t j = 0; j < ops.size(); ++j) {
        const std::string out = j + 1 == ops.size() ? name : base + "/tail" + std::to_string(j);
        ops[j](cur, out);
        cur = out;
      }
    }
    const int64_t channels = int64_t{s.shape.channels} * (frame_batch ? frames : 1);
    OnnxGraphWriter::declare(g->add_output(), name, {1, channels, -1, -1}, {"", "", "H_out", "W_out"});
  }
  return model;
}

}  // namespace

Result<std::string> export_onnx(const Graph& graph, const TensorMap& tensors, const OnnxExportOptions& options) {
  LITESR_ASSIGN_OR_RETURN(const onnx::ModelProto model, build_model(graph, tensors, options));
  return serialize_onnx(model);
}

Result<std::string> export_onnx(const ModelFile& model, const OnnxExportOptions& options) {
  if (is_quantized_model(model)) return export_onnx_qdq(model, options);
  LITESR_ASSIGN_OR_RETURN(const Graph graph, models::build_graph(model));
  LITESR_ASSIGN_OR_RETURN(onnx::ModelProto proto, build_model(graph, model.tensors, options));
  if (auto it = model.metadata.find(std::string(kMetaConfig)); it != model.metadata.end()) {
    add_onnx_metadata(proto, it->first, it->second);
  }
  return serialize_onnx(proto);
}

Status check_onnx(std::string_view bytes) {
  onnx::ModelProto model;
  if (!model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return corrupt_data("onnx check: not a serialized ModelProto");
  }
  try {
    onnx::checker::check_model(model);
    onnx::ShapeInferenceOptions options{/*check_type=*/true, /*error_mode=*/1, /*enable_data_propagation=*/false};
    onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(), options);
  } catch (const std::exception& e) {
    return corrupt_data(std::string("onnx check: ") + e.what());
  }
  return Status();
}

Status write_onnx(const std::filesystem::path& path, const ModelFile& model, const OnnxExportOptions& options) {
  LITESR_ASSIGN_OR_RETURN(const std::string bytes, export_onnx(model, options));
  LITESR_RETURN_IF_ERROR(check_onnx(bytes));
  return write_file_atomically(path, bytes);
}

}  // namespace litesr
