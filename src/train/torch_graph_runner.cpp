#include "train/torch_graph_runner.h"

#include <torch/torch.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "runtime/bicubic_table.h"

namespace litesr::train {

namespace F = torch::nn::functional;

struct TorchGraphRunner::Impl {
  Graph graph;
  std::vector<NodeShape> shapes;  // infer_shapes(graph)
  std::vector<int> input_index;   // node id -> position in graph.inputs (−1: not an input)
  std::map<std::string, torch::Tensor> params;
  std::vector<torch::Tensor> outputs;  // of the last run, Graph::outputs order
  // MATLAB bicubic taps per (input length, scale): index [out_len, taps] int64, weight [out_len, taps].
  std::map<std::pair<int, int>, std::pair<torch::Tensor, torch::Tensor>> matlab_taps;

  const torch::Tensor& p(const std::string& name) const { return params.at(name); }
  torch::Tensor optional(const std::string& name) const { return name.empty() ? torch::Tensor() : p(name); }

  // Squeeze-excite fc weights as [out, in] matrices (1x1-conv tensors are viewed as such).
  torch::Tensor fc(const std::string& name) const {
    const torch::Tensor& t = p(name);
    return t.dim() == 4 ? t.flatten(1) : t;
  }

  const std::pair<torch::Tensor, torch::Tensor>& taps(int in_len, int scale) {
    auto it = matlab_taps.find({in_len, scale});
    if (it != matlab_taps.end()) return it->second;
    Result<BicubicTable> t = make_bicubic_table(in_len, scale, BicubicKind::kMatlab);
    if (!t.ok()) throw std::runtime_error(t.status().to_string());
    const torch::Tensor index =
        torch::from_blob(t->index.data(), {t->out_len, t->taps}, torch::kInt32).to(torch::kInt64);
    const torch::Tensor weight = torch::from_blob(t->weight.data(), {t->out_len, t->taps}, torch::kFloat32).clone();
    return matlab_taps.emplace(std::make_pair(in_len, scale), std::make_pair(index, weight)).first->second;
  }

  // MATLAB bicubic (a = −0.5, symmetric borders) along `dim` (2: rows, 3: columns): out[o] = Σ_t w[o, t] ·
  // in[index[o, t]], summed in t order like the runtime.
  torch::Tensor matlab_bicubic_axis(const torch::Tensor& x, int dim, int scale) {
    const auto& [index, weight] = taps(static_cast<int>(x.size(dim)), scale);
    std::vector<int64_t> wshape = {1, 1, 1, 1};
    wshape[dim] = index.size(0);
    torch::Tensor acc;
    for (int64_t t = 0; t < index.size(1); ++t) {
      const torch::Tensor term =
          x.index_select(dim, index.select(1, t).contiguous()) * weight.select(1, t).contiguous().view(wshape);
      acc = t == 0 ? term : acc + term;
    }
    return acc;
  }

  // Runs the graph on one tensor per graph input; returns the outputs (output 0 clamped to [0, 1]).
  std::vector<torch::Tensor> forward(const std::vector<torch::Tensor>& xs) {
    std::vector<torch::Tensor> v(graph.nodes.size());
    for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
      const Node& n = graph.nodes[i];
      const torch::Tensor in = n.inputs.empty() ? torch::Tensor() : v[n.inputs[0]];
      switch (n.op) {
        case OpKind::kInput:
          v[i] = xs[input_index[i]];
          break;
        case OpKind::kConv2d: {
          auto o = F::Conv2dFuncOptions().stride(n.stride).padding(n.padding).groups(n.groups);
          if (!n.bias.empty()) o = o.bias(p(n.bias));
          v[i] = F::conv2d(in, p(n.weight), o);
          break;
        }
        case OpKind::kConvTranspose2d: {
          auto o = F::ConvTranspose2dFuncOptions().stride(n.stride).padding(n.padding).output_padding(n.output_padding);
          if (!n.bias.empty()) o = o.bias(p(n.bias));
          v[i] = F::conv_transpose2d(in, p(n.weight), o);
          break;
        }
        case OpKind::kRelu:
          v[i] = torch::relu(in);
          break;
        case OpKind::kLeakyRelu:
          v[i] = F::leaky_relu(in, F::LeakyReLUFuncOptions().negative_slope(n.alpha));
          break;
        case OpKind::kPrelu:
          v[i] = torch::prelu(in, p(n.weight));
          break;
        case OpKind::kTanh:
          v[i] = torch::tanh(in);
          break;
        case OpKind::kSigmoid:
          v[i] = torch::sigmoid(in);
          break;
        case OpKind::kBatchNorm:
          v[i] =
              F::batch_norm(in, p(n.running_mean), p(n.running_var),
                            F::BatchNormFuncOptions().weight(p(n.weight)).bias(p(n.bias)).eps(n.eps).training(false));
          break;
        case OpKind::kSqueezeExcite: {
          torch::Tensor s = in.mean({2, 3});
          if (n.se_pool == SePool::kMeanStd) {
            const torch::Tensor centred = in - s.unsqueeze(2).unsqueeze(3);
            s = s + (centred * centred).mean({2, 3}).sqrt();
          }
          s = torch::relu(F::linear(s, fc(n.weight), optional(n.bias)));
          s = F::linear(s, fc(n.weight2), optional(n.bias2));
          s = n.se_gate == SeGate::kHardSigmoid ? torch::hardsigmoid(s) : torch::sigmoid(s);
          v[i] = in * s.unsqueeze(2).unsqueeze(3);
          break;
        }
        case OpKind::kAdd: {
          torch::Tensor sum = in;
          for (std::size_t j = 1; j < n.inputs.size(); ++j) sum = sum + v[n.inputs[j]];
          v[i] = sum;
          break;
        }
        case OpKind::kMul:
          v[i] = in * v[n.inputs[1]];
          break;  // [N,1,H,W] broadcasts over channels
        case OpKind::kMaxPool2d:
          v[i] = F::max_pool2d(in, F::MaxPool2dFuncOptions(n.kernel).stride(n.stride).padding(n.padding));
          break;
        case OpKind::kConcat: {
          std::vector<torch::Tensor> parts;
          for (int j : n.inputs) parts.push_back(v[j]);
          v[i] = torch::cat(parts, 1);
          break;
        }
        case OpKind::kSlice:
          v[i] = in.slice(1, n.begin, n.end);
          break;
        case OpKind::kPixelShuffle:
          v[i] = F::pixel_shuffle(in, n.scale);
          break;
        case OpKind::kBicubicUpsample:
          if (n.bicubic == BicubicKind::kMatlab) {  // rows, then columns (the runtime's order)
            v[i] = matlab_bicubic_axis(matlab_bicubic_axis(in, 2, n.scale), 3, n.scale);
          } else {  // PyTorch's own bicubic: a = −0.75, replicate borders
            v[i] = F::interpolate(in, F::InterpolateFuncOptions()
                                          .scale_factor(std::vector<double>{double(n.scale), double(n.scale)})
                                          .mode(torch::kBicubic)
                                          .align_corners(false));
          }
          break;
        case OpKind::kBilinearUpsample:
          v[i] = F::interpolate(in, F::InterpolateFuncOptions()
                                        .scale_factor(std::vector<double>{double(n.scale), double(n.scale)})
                                        .mode(torch::kBilinear)
                                        .align_corners(false));
          break;
        case OpKind::kBilinearResize: {
          const torch::Tensor& ref = v[n.inputs[1]];
          v[i] = F::interpolate(in, F::InterpolateFuncOptions()
                                        .size(std::vector<int64_t>{ref.size(2), ref.size(3)})
                                        .mode(torch::kBilinear)
                                        .align_corners(false));
          break;
        }
      }
    }
    std::vector<torch::Tensor> out;
    for (int id : graph.outputs) out.push_back(out.empty() ? v[id].clamp(0.0, 1.0) : v[id]);
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
  auto impl = std::make_unique<Impl>();
  impl->graph = graph;
  LITESR_ASSIGN_OR_RETURN(impl->shapes, infer_shapes(graph));
  impl->input_index.assign(graph.nodes.size(), -1);
  for (std::size_t k = 0; k < graph.inputs.size(); ++k) impl->input_index[graph.inputs[k]] = static_cast<int>(k);
  try {
    for (const auto& [name, t] : tensors) {
      impl->params[name] = torch::from_blob(const_cast<float*>(t.data.data()), t.shape, torch::kFloat32).clone();
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
