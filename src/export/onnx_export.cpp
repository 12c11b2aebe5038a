// ONNX export (see onnx_export.h for the op mapping). Built with the protobuf classes of libonnx-dev.
#include "export/onnx_export.h"

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "export/float16.h"
#include "export/phase_filter.h"
#include "io/atomic_file.h"
#include "models/registry.h"
#include "runtime/program.h"

namespace litesr {
namespace {

constexpr int64_t kOnnxIrVersion = 7;  // the IR version that goes with opset 13

// Adds nodes, initializers and attributes to a GraphProto. Float initializers honour fp16.
class OnnxGraphWriter {
 public:
  OnnxGraphWriter(onnx::GraphProto* graph, bool fp16) : graph_(graph), fp16_(fp16) {}

  bool fp16() const { return fp16_; }
  int32_t float_type() const { return fp16_ ? onnx::TensorProto::FLOAT16 : onnx::TensorProto::FLOAT; }

  // A float initializer in the working precision (float16 when fp16).
  std::string weights(const std::string& name, std::vector<int64_t> dims, std::span<const float> values) {
    onnx::TensorProto* t = init(name, dims);
    if (fp16_) {
      t->set_data_type(onnx::TensorProto::FLOAT16);
      std::string raw(values.size() * 2, '\0');
      for (std::size_t i = 0; i < values.size(); ++i) {
        const uint16_t h = float_to_half(values[i]);
        raw[2 * i] = static_cast<char>(h & 0xff);
        raw[2 * i + 1] = static_cast<char>(h >> 8);
      }
      t->set_raw_data(std::move(raw));
    } else {
      set_float32(t, values);
    }
    return name;
  }
  // Always float32 (Resize scales).
  std::string floats32(const std::string& name, std::vector<int64_t> dims, std::span<const float> values) {
    set_float32(init(name, dims), values);
    return name;
  }
  std::string ints64(const std::string& name, std::vector<int64_t> dims, std::span<const int64_t> values) {
    onnx::TensorProto* t = init(name, dims);
    t->set_data_type(onnx::TensorProto::INT64);
    std::string raw(values.size() * 8, '\0');
    for (std::size_t i = 0; i < values.size(); ++i) {
      const uint64_t v = static_cast<uint64_t>(values[i]);
      for (int b = 0; b < 8; ++b) raw[8 * i + b] = static_cast<char>((v >> (8 * b)) & 0xff);
    }
    t->set_raw_data(std::move(raw));
    return name;
  }

  onnx::NodeProto* node(const std::string& op, const std::string& name, std::vector<std::string> inputs,
                        const std::string& output) {
    onnx::NodeProto* n = graph_->add_node();
    n->set_op_type(op);
    n->set_name(name);
    for (std::string& in : inputs) n->add_input(std::move(in));
    n->add_output(output);
    return n;
  }

  static void attr(onnx::NodeProto* n, const std::string& name, int64_t v) {
    onnx::AttributeProto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  static void attr(onnx::NodeProto* n, const std::string& name, float v) {
    onnx::AttributeProto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(v);
  }
  static void attr(onnx::NodeProto* n, const std::string& name, const std::string& v) {
    onnx::AttributeProto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::STRING);
    a->set_s(v);
  }
  static void attr(onnx::NodeProto* n, const std::string& name, std::vector<int64_t> v) {
    onnx::AttributeProto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t x : v) a->add_ints(x);
  }

  // Declares a graph input/output float32 [dims], a dimension < 0 being symbolic (`symbols[i]`).
  static void declare(onnx::ValueInfoProto* v, const std::string& name, const std::vector<int64_t>& dims,
                      const std::vector<std::string>& symbols) {
    v->set_name(name);
    onnx::TypeProto_Tensor* t = v->mutable_type()->mutable_tensor_type();
    t->set_elem_type(onnx::TensorProto::FLOAT);
    for (std::size_t i = 0; i < dims.size(); ++i) {
      onnx::TensorShapeProto_Dimension* d = t->mutable_shape()->add_dim();
      if (dims[i] >= 0) {
        d->set_dim_value(dims[i]);
      } else {
        d->set_dim_param(symbols[i]);
      }
    }
  }

 private:
  onnx::TensorProto* init(const std::string& name, const std::vector<int64_t>& dims) {
    onnx::TensorProto* t = graph_->add_initializer();
    t->set_name(name);
    for (int64_t d : dims) t->add_dims(d);
    return t;
  }
  static void set_float32(onnx::TensorProto* t, std::span<const float> values) {
    t->set_data_type(onnx::TensorProto::FLOAT);
    std::string raw(values.size() * 4, '\0');
    for (std::size_t i = 0; i < values.size(); ++i) {
      uint32_t u;
      std::memcpy(&u, &values[i], 4);
      for (int b = 0; b < 4; ++b) raw[4 * i + b] = static_cast<char>((u >> (8 * b)) & 0xff);
    }
    t->set_raw_data(std::move(raw));
  }

  onnx::GraphProto* graph_;
  bool fp16_;
};

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
      case OpKind::kSlice: {
        const int64_t b = n.begin, e = n.end, axis = 1;
        w_.node("Slice", id,
                {in[0], w_.ints64(id + ".starts", {1}, std::span(&b, 1)),
                 w_.ints64(id + ".ends", {1}, std::span(&e, 1)), w_.ints64(id + ".axes", {1}, std::span(&axis, 1))},
                out);
        return out;
      }
      case OpKind::kMaxPool2d: {
        onnx::NodeProto* p = w_.node("MaxPool", id, {in[0]}, out);
        OnnxGraphWriter::attr(p, "kernel_shape", std::vector<int64_t>{n.kernel, n.kernel});
        OnnxGraphWriter::attr(p, "pads", std::vector<int64_t>{n.padding, n.padding, n.padding, n.padding});
        OnnxGraphWriter::attr(p, "strides", std::vector<int64_t>{n.stride, n.stride});
        return out;
      }
      case OpKind::kPixelShuffle: {
        // CRD is PyTorch's PixelShuffle order: out[c, h·r+i, w·r+j] = in[c·r² + i·r + j]; DCR would read
        // in[(i·r + j)·C + c].
        onnx::NodeProto* p = w_.node("DepthToSpace", id, {in[0]}, out);
        OnnxGraphWriter::attr(p, "blocksize", static_cast<int64_t>(n.scale));
        OnnxGraphWriter::attr(p, "mode", std::string("CRD"));
        return out;
      }
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
    std::string cur = x;
    for (int64_t axis : {int64_t{2}, int64_t{3}}) {
      const std::string tag = id + (axis == 2 ? "/pad_h" : "/pad_w");
      const std::string axes = w_.ints64(tag + ".axes", {1}, std::span(&axis, 1));
      std::vector<std::string> parts;
      auto slice = [&](int64_t b, int64_t e, const std::string& name) {
        w_.node("Slice", name,
                {cur, w_.ints64(name + ".starts", {1}, std::span(&b, 1)),
                 w_.ints64(name + ".ends", {1}, std::span(&e, 1)), axes},
                name);
        parts.push_back(name);
      };
      // x[-k] (k = 1..r) mirrors to x[k−1]: rows r−1, ..., 0 before the image.
      for (int k = r; k >= 1; --k) slice(k - 1, k, tag + "/before" + std::to_string(k));
      parts.push_back(cur);
      // x[len−1+k] mirrors to x[len−k]: rows len−1, ..., len−r after the image.
      for (int k = 1; k <= r; ++k) {
        slice(-k, k == 1 ? std::numeric_limits<int64_t>::max() : -k + 1, tag + "/after" + std::to_string(k));
      }
      OnnxGraphWriter::attr(w_.node("Concat", tag, parts, tag), "axis", axis);
      cur = tag;
    }
    const int64_t c = s.in_channels, rr = int64_t{n.scale} * n.scale, k = 2 * r + 1;
    const std::vector<float> weight = phase_filter_depthwise_weight(filter, static_cast<int>(c));
    const std::vector<float> bias(static_cast<std::size_t>(c * rr), 0.0f);
    onnx::NodeProto* conv = w_.node("Conv", id + "/phases",
                                    {cur, w_.weights(id + ".phase_weight", {c * rr, 1, k, k}, weight),
                                     w_.weights(id + ".phase_bias", {c * rr}, bias)},
                                    id + "/phases");
    OnnxGraphWriter::attr(conv, "kernel_shape", std::vector<int64_t>{k, k});
    OnnxGraphWriter::attr(conv, "group", c);
    onnx::NodeProto* d2s = w_.node("DepthToSpace", id, {id + "/phases"}, out);
    OnnxGraphWriter::attr(d2s, "blocksize", static_cast<int64_t>(n.scale));
    OnnxGraphWriter::attr(d2s, "mode", std::string("CRD"));
    return out;
  }

  OnnxGraphWriter& w_;
};

void add_metadata(onnx::ModelProto& model, const std::string& key, const std::string& value) {
  onnx::StringStringEntryProto* p = model.add_metadata_props();
  p->set_key(key);
  p->set_value(value);
}

Result<onnx::ModelProto> build_model(const Graph& graph, const TensorMap& tensors, const OnnxExportOptions& options) {
  LITESR_ASSIGN_OR_RETURN(const Program program,
                          compile_program(graph, tensors,
                                          CompileOptions{.fold_batch_norm = true, .lower_conv_transpose = false}));
  if (program.inputs.empty() || program.outputs.empty())
    return invalid_argument("onnx export: graph has no input or output");

  onnx::ModelProto model;
  model.set_ir_version(kOnnxIrVersion);
  model.set_producer_name("litesr");
  model.set_domain("org.litesr");
  model.set_model_version(1);
  if (!options.doc.empty()) model.set_doc_string(options.doc);
  onnx::OperatorSetIdProto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(kOnnxOpset);
  add_metadata(model, std::string(kMetaArch), graph.arch);
  add_metadata(model, std::string(kMetaScale), std::to_string(graph.scale));
  add_metadata(model, std::string(kMetaFrames), std::to_string(graph.input_frames));
  add_metadata(model, std::string(kMetaRange), "0..1");
  add_metadata(model, std::string(kMetaColor), "rgb");

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
  std::string bytes;
  if (!model.SerializeToString(&bytes)) return internal_error("onnx export: protobuf serialization failed");
  return bytes;
}

Result<std::string> export_onnx(const ModelFile& model, const OnnxExportOptions& options) {
  LITESR_ASSIGN_OR_RETURN(const Graph graph, models::build_graph(model));
  LITESR_ASSIGN_OR_RETURN(onnx::ModelProto proto, build_model(graph, model.tensors, options));
  if (auto it = model.metadata.find(std::string(kMetaConfig)); it != model.metadata.end()) {
    add_metadata(proto, it->first, it->second);
  }
  std::string bytes;
  if (!proto.SerializeToString(&bytes)) return internal_error("onnx export: protobuf serialization failed");
  return bytes;
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
