#include "train/teacher.h"

#include "models/builtin_models.h"
#include "models/registry.h"
#include "runtime/model_quantization.h"
#include "train/loss.h"

namespace litesr::train {

Teacher::Teacher(std::string name, const Graph& graph, bool luma, bool student_luma)
    : name_(std::move(name)), ops_(graph), luma_(luma), student_luma_(student_luma) {}

Result<std::unique_ptr<Teacher>> Teacher::load(const std::string& model, int scale, bool student_luma) {
  Result<ModelFile> file = models::resolve_model(model);
  if (!file.ok()) return file.status().with_context("teacher");
  const std::string what = "teacher " + model;
  if (is_quantized_model(*file)) return invalid_argument(what + ": an INT8 model; distil from a float model");
  LITESR_ASSIGN_OR_RETURN(const Graph graph, models::build_graph(*file));
  LITESR_RETURN_IF_ERROR(validate_graph(graph, file->tensors).with_context(what));
  if (graph.input_frames != 1 || graph.inputs.size() != 1 || graph.outputs.size() != 1) {
    return invalid_argument(what + ": a multi-frame (video) model; teachers are one-frame models");
  }
  if (graph.scale != scale) {
    return invalid_argument(what + ": x" + std::to_string(graph.scale) + ", the stage trains x" +
                            std::to_string(scale));
  }
  const bool luma = frame_color(graph) == "y";
  if (luma && !student_luma) {
    return invalid_argument(what + ": a luma model cannot teach an RGB network (it has no chroma to teach)");
  }
  std::unique_ptr<Teacher> t(new Teacher(model, graph, luma, student_luma));
  try {
    for (const auto& [name, tensor] : file->tensors) {
      t->params_[name] = torch_tensor_copy(tensor);
      t->parameters_ += static_cast<int64_t>(tensor.data.size());
    }
  } catch (const c10::Error& e) {
    return internal_error(what + ": " + e.what_without_backtrace());
  }
  return t;
}

torch::Tensor Teacher::targets(const torch::Tensor& x_rgb) {
  torch::NoGradGuard no_grad;
  const int64_t b = x_rgb.size(0), frames = x_rgb.size(1) / 3, h = x_rgb.size(2), w = x_rgb.size(3);
  const torch::Tensor in = luma_ ? sr_luma(x_rgb) : x_rgb;  // [B, K·T, h, w]
  const int64_t k = in.size(1) / frames;
  const torch::Tensor frames_in = in.contiguous().view({b * frames, k, h, w});
  const torch::Tensor out =
      ops_.forward({frames_in}, [this](const Node&, const std::string& name) { return params_.at(name); })[0].clamp(
          0.0, 1.0);
  torch::Tensor y = out.contiguous().view({b, k * frames, out.size(2), out.size(3)});
  return student_luma_ && !luma_ ? sr_luma(y) : y;
}

}  // namespace litesr::train
