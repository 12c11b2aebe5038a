#include "train/torch_graph_runner.h"

#include <torch/torch.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "train/graph_forward.h"

namespace litesr::train {

struct TorchGraphRunner::Impl {
  explicit Impl(const Graph& g) : ops(g) {}
  GraphForward ops;
  const Graph& graph = ops.graph();
  std::vector<NodeShape> shapes;  // infer_shapes(graph)
  std::map<std::string, torch::Tensor> params;
  std::vector<torch::Tensor> outputs;  // of the last run, Graph::outputs order

  // Runs the graph on one tensor per graph input; returns the outputs (output 0 clamped to [0, 1]).
  std::vector<torch::Tensor> forward(const std::vector<torch::Tensor>& xs) {
    std::vector<torch::Tensor> out =
        ops.forward(xs, [this](const Node&, const std::string& name) -> torch::Tensor { return params.at(name); });
    out[0] = out[0].clamp(0.0, 1.0);
    return out;
  }

  // Checks `xs` against the graph's inputs (count, channels) and runs it; keeps contiguous outputs.
  Status run(const std::vector<torch::Tensor>& xs) {
    if (xs.size() != graph.inputs.size()) {
      return invalid_argument("TorchGraphRunner: " + std::to_string(xs.size()) + " inputs for a graph with " +
                              std::to_string(graph.inputs.size()));
    }
    for (std::size_t k = 0; k < xs.size(); ++k) {
      const Node& node = graph.nodes[graph.inputs[k]];
      if (xs[k].size(1) != node.channels) {
        return invalid_argument("TorchGraphRunner: input '" + node.name + "' has " + std::to_string(node.channels) +
                                " channels, got " + std::to_string(xs[k].size(1)));
      }
    }
    try {
      outputs = forward(xs);
      for (torch::Tensor& t : outputs) t = t.contiguous();
    } catch (const std::exception& e) {
      outputs.clear();
      return internal_error(std::string("LibTorch: ") + e.what());
    }
    return {};
  }
};

TorchGraphRunner::TorchGraphRunner(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TorchGraphRunner::~TorchGraphRunner() = default;

Result<std::unique_ptr<TorchGraphRunner>> TorchGraphRunner::create(const Graph& graph, const TensorMap& tensors,
                                                                   int threads) {
  LITESR_RETURN_IF_ERROR(validate_graph(graph, tensors));
  if (graph.inputs.empty() || graph.outputs.empty()) {
    return unsupported("the LibTorch runner needs a graph with inputs and outputs (" + graph.arch + ")");
  }
  auto impl = std::make_unique<Impl>(graph);
  LITESR_ASSIGN_OR_RETURN(impl->shapes, infer_shapes(graph));
  try {
    for (const auto& [name, t] : tensors) {
      impl->params[name] = torch_tensor_copy(t);
    }
  } catch (const std::exception& e) {
    return internal_error(std::string("LibTorch: ") + e.what());
  }
  if (threads >= 1) torch::set_num_threads(threads);
  return std::unique_ptr<TorchGraphRunner>(new TorchGraphRunner(std::move(impl)));
}

int TorchGraphRunner::num_inputs() const { return static_cast<int>(impl_->graph.inputs.size()); }
int TorchGraphRunner::num_outputs() const { return static_cast<int>(impl_->graph.outputs.size()); }

Status TorchGraphRunner::run(const float* nchw, int n, int c, int h, int w, float* out) {
  if (num_inputs() != 1) {
    return invalid_argument("TorchGraphRunner::run: the graph has " + std::to_string(num_inputs()) +
                            " inputs; pass one buffer per input");
  }
  const TorchInput in{nchw, n, c, h, w};
  LITESR_RETURN_IF_ERROR(run(std::span<const TorchInput>(&in, 1)));
  return out != nullptr ? copy_output(0, out) : Status{};
}

Status TorchGraphRunner::run(std::span<const TorchInput> inputs) {
  for (const TorchInput& in : inputs) {
    if (in.data == nullptr || in.n < 1 || in.c < 1 || in.h < 1 || in.w < 1) {
      return invalid_argument("TorchGraphRunner::run: empty input");
    }
  }
  torch::InferenceMode guard;
  std::vector<torch::Tensor> xs;
  try {
    for (const TorchInput& in : inputs) {
      xs.push_back(torch::from_blob(const_cast<float*>(in.data), {in.n, in.c, in.h, in.w}, torch::kFloat32));
    }
  } catch (const std::exception& e) {
    return internal_error(std::string("LibTorch: ") + e.what());
  }
  return impl_->run(xs);
}

Status TorchGraphRunner::run_window(const float* frames, int t, int c, int h, int w,
                                    const std::function<void(int step, const float* frame)>& on_frame) {
  const Graph& g = impl_->graph;
  const std::size_t states = g.inputs.size() < 2 ? 0 : g.inputs.size() - 2;
  if (g.inputs.size() < 2 || g.outputs.size() != states + 1) {
    return unsupported("TorchGraphRunner::run_window: " + g.arch + " is not a recurrent step (" +
                       std::to_string(g.inputs.size()) + " inputs, " + std::to_string(g.outputs.size()) +
                       " outputs; want x_prev, x_t, k states -> frame, k states)");
  }
  for (std::size_t j = 0; j < states; ++j) {
    const NodeShape& in = impl_->shapes[g.inputs[2 + j]];
    const NodeShape& out = impl_->shapes[g.outputs[1 + j]];
    if (in.channels != out.channels || !in.same_size(out)) {
      return unsupported("TorchGraphRunner::run_window: state output " + std::to_string(1 + j) +
                         " does not match input " + std::to_string(2 + j));
    }
  }
  if (frames == nullptr || t < 1 || c < 1 || h < 1 || w < 1) {
    return invalid_argument("TorchGraphRunner::run_window: empty input");
  }
  torch::InferenceMode guard;
  std::vector<torch::Tensor> xs(g.inputs.size());
  for (int i = 0; i < t; ++i) {
    try {
      const torch::Tensor all = torch::from_blob(const_cast<float*>(frames), {t, c, h, w}, torch::kFloat32);
      xs[0] = all.narrow(0, std::max(i - 1, 0), 1);  // [1, c, h, w] views: no copies
      xs[1] = all.narrow(0, i, 1);
      for (std::size_t j = 0; j < states; ++j) {
        xs[2 + j] = i == 0 ? torch::zeros({1, g.nodes[g.inputs[2 + j]].channels, h, w}, torch::kFloat32)
                           : impl_->outputs[1 + j];
      }
    } catch (const std::exception& e) {
      return internal_error(std::string("LibTorch: ") + e.what());
    }
    LITESR_RETURN_IF_ERROR(impl_->run(xs));
    if (on_frame) on_frame(i, impl_->outputs[0].data_ptr<float>());
  }
  return {};
}

std::array<int64_t, 4> TorchGraphRunner::output_shape(int k) const {
  std::array<int64_t, 4> s{0, 0, 0, 0};
  if (k < 0 || k >= static_cast<int>(impl_->outputs.size()) || !impl_->outputs[k].defined()) return s;
  const torch::Tensor& o = impl_->outputs[k];
  for (int d = 0; d < 4 && d < o.dim(); ++d) s[d] = o.size(d);
  return s;
}

Status TorchGraphRunner::copy_output(int k, float* out) const {
  if (k < 0 || k >= static_cast<int>(impl_->outputs.size()) || !impl_->outputs[k].defined()) {
    return invalid_argument("TorchGraphRunner::copy_output: no output " + std::to_string(k) + " (run first)");
  }
  const torch::Tensor& o = impl_->outputs[k];
  std::memcpy(out, o.data_ptr<float>(), static_cast<std::size_t>(o.numel()) * sizeof(float));
  return {};
}

std::string TorchGraphRunner::library_version() { return TORCH_VERSION; }

int TorchGraphRunner::library_threads() { return torch::get_num_threads(); }

}  // namespace litesr::train
