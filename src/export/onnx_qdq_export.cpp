// INT8 ONNX export in QDQ form (see onnx_qdq_export.h for the graph it writes).
#include "export/onnx_qdq_export.h"

#include <onnx/onnx_pb.h>

#include <array>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "export/onnx_graph_writer.h"
#include "models/registry.h"
#include "runtime/int8_program.h"
#include "runtime/program.h"

namespace litesr {
namespace {

// Emits one Int8Step as float ops between DequantizeLinear inputs and a QuantizeLinear / DequantizeLinear pair.
class QdqStepEmitter {
 public:
  explicit QdqStepEmitter(OnnxGraphWriter& w) : w_(w) {}

  // The step's (scale, zero point) as scalar initializers `<id>.scale` (float32) and `<id>.zero_point` (int8),
  // shared by every QuantizeLinear / DequantizeLinear of that step.
  void declare_params(const std::string& id, QuantParams p) {
    const int8_t zp = static_cast<int8_t>(p.zero_point);
    params_[id] = {w_.floats32(id + ".scale", {}, std::span(&p.scale, 1)),
                   w_.ints8(id + ".zero_point", {}, std::span(&zp, 1))};
  }

  // QuantizeLinear(`x`, step id's params) -> int8 `tag`; DequantizeLinear -> float `dq_name` ("" = `tag`/dq).
  // Returns the dequantized value's name.
  std::string quantize_dequantize(const std::string& id, const std::string& x, const std::string& tag,
                                  std::string dq_name = "") {
    const auto& [scale, zero_point] = params_.at(id);
    if (dq_name.empty()) dq_name = tag + "/dq";
    w_.node("QuantizeLinear", tag + "/quantize", {x, scale, zero_point}, tag);
    w_.node("DequantizeLinear", tag + "/dequantize", {tag, scale, zero_point}, dq_name);
    return dq_name;
  }

  // The float result of step `s` computed from its dequantized inputs `in`, before its QuantizeLinear; partial
  // sums of a 3+-input add are quantized here (at the step's params) as run_int8_reference carries them.
  Result<std::string> emit(const Int8Step& s, const std::vector<std::string>& in) {
    const std::string& id = s.name;
    const std::string out = id + "/f";
    switch (s.op) {
      case OpKind::kConv2d:
        return conv(id, s.conv, in[0], (s.conv.kernel - 1) / 2, out);
      case OpKind::kRelu:
        w_.node("Relu", id, {in[0]}, out);
        return out;
      case OpKind::kLeakyRelu:
        OnnxGraphWriter::attr(w_.node("LeakyRelu", id, {in[0]}, out), "alpha", s.leaky_alpha);
        return out;
      case OpKind::kPrelu: {
        // Slopes int8 at their own per-tensor params; [C, 1, 1] broadcasts over H, W ([1]: over everything).
        const int64_t n = static_cast<int64_t>(s.alpha.size());
        const std::vector<int64_t> dims = n == 1 ? std::vector<int64_t>{1} : std::vector<int64_t>{n, 1, 1};
        const int8_t zp = static_cast<int8_t>(s.alpha_params.zero_point);
        w_.node("DequantizeLinear", id + "/slope",
                {w_.ints8(id + ".slope", dims, s.alpha),
                 w_.floats32(id + ".slope_scale", {}, std::span(&s.alpha_params.scale, 1)),
                 w_.ints8(id + ".slope_zero_point", {}, std::span(&zp, 1))},
                id + "/slope");
        w_.node("PRelu", id, {in[0], id + "/slope"}, out);
        return out;
      }
      case OpKind::kTanh:
        w_.node("Tanh", id, {in[0]}, out);
        return out;
      case OpKind::kSigmoid:
        w_.node("Sigmoid", id, {in[0]}, out);
        return out;
      case OpKind::kAdd: {
        std::string sum = in[0];
        for (std::size_t i = 1; i < in.size(); ++i) {
          const bool last = i + 1 == in.size();
          const std::string partial = id + "/partial" + std::to_string(i);
          w_.node("Add", last ? id : partial + "/add", {sum, in[i]}, last ? out : partial + "/f");
          if (!last) sum = quantize_dequantize(id, partial + "/f", partial);
        }
        return out;
      }
      case OpKind::kConcat:
        OnnxGraphWriter::attr(w_.node("Concat", id, in, out), "axis", int64_t{1});
        return out;
      case OpKind::kSlice:
        w_.channel_slice(id, in[0], s.begin, s.end, out);
        return out;
      case OpKind::kPixelShuffle:  // CRD: PyTorch's order (OnnxGraphWriter::pixel_shuffle)
        w_.pixel_shuffle(id, in[0], s.scale, out);
        return out;
      case OpKind::kSqueezeExcite: {  // runtime/int8_program.h: ReduceMean, Conv + Relu, Conv into the gate, Mul
        const std::array<int64_t, 2> axes{2, 3};
        onnx::NodeProto* mean = w_.node("ReduceMean", id + "/mean", {in[0]}, id + "/mean/f");
        OnnxGraphWriter::attr(mean, "axes", std::vector<int64_t>(axes.begin(), axes.end()));
        OnnxGraphWriter::attr(mean, "keepdims", int64_t{1});
        declare_params(id + "/pooled", s.pooled);
        const std::string pooled = quantize_dequantize(id + "/pooled", id + "/mean/f", id + "/pooled");
        conv(id + "/fc1", s.conv, pooled, 0, id + "/fc1/f");
        w_.node("Relu", id + "/relu", {id + "/fc1/f"}, id + "/relu/f");
        declare_params(id + "/hidden", s.hidden);
        const std::string hidden = quantize_dequantize(id + "/hidden", id + "/relu/f", id + "/hidden");
        conv(id + "/fc2", s.conv2, hidden, 0, id + "/fc2/f");
        declare_params(id + "/gate", image_quant_params());  // int8 saturation = the hard-sigmoid's clamp to [0, 1]
        const std::string gate = quantize_dequantize(id + "/gate", id + "/fc2/f", id + "/gate");
        w_.node("Mul", id, {in[0], gate}, out);
        return out;
      }
      case OpKind::kBicubicUpsample: {  // border padding, the int8 phase filters (no padding), DepthToSpace
        const std::string padded = w_.pad_borders(id, in[0], s.radius, s.mirror);
        conv(id + "/phases", s.conv, padded, 0, id + "/phases/f");
        w_.pixel_shuffle(id + "/shuffle", id + "/phases/f", s.scale, out);
        return out;
      }
      default:
        break;
    }
    return unsupported("onnx qdq export: step '" + id + "': op " + std::string(op_kind_name(s.op)) +
                       " has no INT8 export yet");
  }

 private:
  // Conv of `c`'s int8 weights and int32 bias (each DequantizeLinear per output channel) with `pad` on every side,
  // stride 1, into float `out`.
  std::string conv(const std::string& id, const QuantizedConv2d& c, const std::string& x, int64_t pad,
                   const std::string& out) {
    const int64_t o = c.out_channels, k = c.kernel;
    // weight int8 [O, C/G, k, k], real = weight_scales[o] · q.
    const std::vector<int8_t> zeros8(c.out_channels, 0);
    const std::string weight = dequantize_per_channel(
        id + "/weight", w_.ints8(id + ".weight", {o, c.in_channels / c.groups, k, k}, c.weight),
        w_.floats32(id + ".weight_scale", {o}, c.weight_scales), w_.ints8(id + ".weight_zero_point", {o}, zeros8));
    std::vector<std::string> inputs = {x, weight};
    if (!c.bias.empty()) {
      // bias int32 [O], real = (s_in · s_w[o]) · q: the scale quantize_bias used (float product).
      std::vector<float> bias_scales(c.weight_scales.size());
      for (std::size_t i = 0; i < bias_scales.size(); ++i) bias_scales[i] = c.bias_input_scale * c.weight_scales[i];
      const std::vector<int32_t> zeros32(c.out_channels, 0);
      inputs.push_back(dequantize_per_channel(id + "/bias", w_.ints32(id + ".bias", {o}, c.bias),
                                              w_.floats32(id + ".bias_scale", {o}, bias_scales),
                                              w_.ints32(id + ".bias_zero_point", {o}, zeros32)));
    }
    onnx::NodeProto* p = w_.node("Conv", id, inputs, out);
    OnnxGraphWriter::attr(p, "kernel_shape", std::vector<int64_t>{k, k});
    OnnxGraphWriter::attr(p, "pads", std::vector<int64_t>{pad, pad, pad, pad});
    OnnxGraphWriter::attr(p, "strides", std::vector<int64_t>{1, 1});
    OnnxGraphWriter::attr(p, "group", static_cast<int64_t>(c.groups));
    return out;
  }

  // DequantizeLinear(q, scale, zero_point) along axis 0 -> `name`.
  std::string dequantize_per_channel(const std::string& name, const std::string& q, const std::string& scale,
                                     const std::string& zero_point) {
    OnnxGraphWriter::attr(w_.node("DequantizeLinear", name, {q, scale, zero_point}, name), "axis", int64_t{0});
    return name;
  }

  OnnxGraphWriter& w_;
  std::map<std::string, std::pair<std::string, std::string>> params_;  // step -> (scale, zero point) initializers
};

Result<onnx::ModelProto> build_qdq_model(const Graph& graph, const TensorMap& tensors,
                                         const ModelQuantization& quantization, const OnnxExportOptions& options) {
  if (options.fp16) {
    return invalid_argument(
        "onnx export: fp16 does not apply to an INT8 model (its QDQ file has int8 weights and "
        "float32 I/O); export the float model it was quantized from for fp16");
  }
  // The program an INT8 session runs (Session::create: batch norm folded, conv_transpose2d lowered).
  LITESR_ASSIGN_OR_RETURN(const Program program, compile_program(graph, tensors));
  LITESR_ASSIGN_OR_RETURN(const Int8Program int8, compile_int8_program(program, quantization));
  // Inputs "lr" (one-input models) or the steps' names (a recurrent step: x_prev, x_t, then its states); outputs
  // "sr", then "<state step>_out" (the float export's names). All float32, quantized / dequantized inside.
  const bool single = int8.inputs.size() == 1 && int8.outputs.size() == 1;

  onnx::ModelProto model;
  init_onnx_model(model, graph, options.doc);
  add_onnx_metadata(model, std::string(kMetaQuantization), model_quantization_json(quantization));
  onnx::GraphProto* g = model.mutable_graph();
  g->set_name(graph.arch.empty() ? "litesr" : graph.arch);
  OnnxGraphWriter w(g, /*fp16=*/false);
  QdqStepEmitter emitter(w);

  const std::string output_name(kOnnxOutputName);
  const Int8Step& out = int8.steps[int8.outputs[0]];
  std::vector<std::string> graph_name(int8.steps.size());  // graph inputs and outputs by step
  for (int id : int8.inputs) {
    graph_name[id] = single ? std::string(kOnnxInputName) : int8.steps[id].name;
    OnnxGraphWriter::declare(g->add_input(), graph_name[id], {1, int8.steps[id].channels, -1, -1}, {"", "", "H", "W"});
  }
  // The output steps' DequantizeLinear write "sr" (unless a Clip follows) and the states' names themselves.
  for (std::size_t k = 0; k < int8.outputs.size(); ++k) {
    graph_name[int8.outputs[k]] = k > 0                  ? int8.steps[int8.outputs[k]].name + "_out"
                                  : options.clamp_output ? ""
                                                         : output_name;
  }
  std::vector<std::string> value(int8.steps.size());  // per step: its dequantized (float) value
  for (std::size_t i = 0; i < int8.steps.size(); ++i) {
    const Int8Step& s = int8.steps[i];
    emitter.declare_params(s.name, s.output);
    if (s.op == OpKind::kInput) {  // its quantized tensor takes another name than the graph input it reads
      value[i] = emitter.quantize_dequantize(s.name, graph_name[i], single ? s.name : s.name + "/q");
      continue;
    }
    const std::string& dq_name = graph_name[i];  // "" = the emitter names it
    std::vector<std::string> ins;
    for (int id : s.inputs) ins.push_back(value[id]);
    LITESR_ASSIGN_OR_RETURN(const std::string result, emitter.emit(s, ins));
    value[i] = emitter.quantize_dequantize(s.name, result, s.name, dq_name);
  }
  if (options.clamp_output) {
    const float lo = 0.0f, hi = 1.0f;
    w.node("Clip", output_name + "/clip",
           {value[int8.outputs[0]], w.floats32(output_name + ".clip_min", {}, std::span(&lo, 1)),
            w.floats32(output_name + ".clip_max", {}, std::span(&hi, 1))},
           output_name);
  }
  OnnxGraphWriter::declare(g->add_output(), output_name, {1, out.channels, -1, -1}, {"", "", "H_out", "W_out"});
  for (std::size_t k = 1; k < int8.outputs.size(); ++k) {
    const int id = int8.outputs[k];
    OnnxGraphWriter::declare(g->add_output(), graph_name[id], {1, int8.steps[id].channels, -1, -1}, {"", "", "H", "W"});
  }
  return model;
}

}  // namespace

Result<std::string> export_onnx_qdq(const Graph& graph, const TensorMap& tensors, const ModelQuantization& quantization,
                                    const OnnxExportOptions& options) {
  LITESR_ASSIGN_OR_RETURN(const onnx::ModelProto model, build_qdq_model(graph, tensors, quantization, options));
  return serialize_onnx(model);
}

Result<std::string> export_onnx_qdq(const ModelFile& model, const OnnxExportOptions& options) {
  if (!is_quantized_model(model)) {
    return invalid_argument("onnx qdq export: the model has no " + std::string(kMetaQuantization) +
                            " (a float model: use export_onnx, or quantize it with `litesr quantize`)");
  }
  LITESR_ASSIGN_OR_RETURN(const ModelQuantization quantization, read_model_quantization(model));
  LITESR_ASSIGN_OR_RETURN(const Graph graph, models::build_graph(model));
  LITESR_ASSIGN_OR_RETURN(onnx::ModelProto proto, build_qdq_model(graph, model.tensors, quantization, options));
  if (auto it = model.metadata.find(std::string(kMetaConfig)); it != model.metadata.end()) {
    add_onnx_metadata(proto, it->first, it->second);
  }
  return serialize_onnx(proto);
}

}  // namespace litesr
