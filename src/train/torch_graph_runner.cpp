#include "train/torch_graph_runner.h"

#include <torch/torch.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace litesr::train {

namespace F = torch::nn::functional;

struct TorchGraphRunner::Impl {
  Graph graph;
  std::map<std::string, torch::Tensor> params;
  torch::Tensor output;

  const torch::Tensor& p(const std::string& name) const { return params.at(name); }
  torch::Tensor optional(const std::string& name) const { return name.empty() ? torch::Tensor() : p(name); }

  // Squeeze-excite fc weights as [out, in] matrices (1x1-conv tensors are viewed as such).
  torch::Tensor fc(const std::string& name) const {
    const torch::Tensor& t = p(name);
    return t.dim() == 4 ? t.flatten(1) : t;
  }

  torch::Tensor forward(const torch::Tensor& x) const {
    std::vector<torch::Tensor> v(graph.nodes.size());
    for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
      const Node& n = graph.nodes[i];
      const torch::Tensor in = n.inputs.empty() ? torch::Tensor() : v[n.inputs[0]];
      switch (n.op) {
        case OpKind::kInput:
          v[i] = x;
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
        case OpKind::kBicubicUpsample:  // PyTorch's bicubic (a = −0.75) for both kinds: same cost
          v[i] = F::interpolate(in, F::InterpolateFuncOptions()
                                        .scale_factor(std::vector<double>{double(n.scale), double(n.scale)})
                                        .mode(torch::kBicubic)
                                        .align_corners(false));
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
    return v[graph.outputs[0]].clamp(0.0, 1.0);
  }
};

TorchGraphRunner::TorchGraphRunner(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TorchGraphRunner::~TorchGraphRunner() = default;

Result<std::unique_ptr<TorchGraphRunner>> TorchGraphRunner::create(const Graph& graph, const TensorMap& tensors,
                                                                   int threads) {
  LITESR_RETURN_IF_ERROR(validate_graph(graph, tensors));
  if (graph.inputs.size() != 1 || graph.outputs.empty()) {
    return unsupported("the LibTorch runner takes graphs with one input (" + graph.arch + " has " +
                       std::to_string(graph.inputs.size()) + ")");
  }
  auto impl = std::make_unique<Impl>();
  impl->graph = graph;
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

Status TorchGraphRunner::run(const float* nchw, int n, int c, int h, int w, float* out) {
  if (n < 1 || c < 1 || h < 1 || w < 1) return invalid_argument("TorchGraphRunner::run: empty input");
  try {
    torch::InferenceMode guard;
    const torch::Tensor x = torch::from_blob(const_cast<float*>(nchw), {n, c, h, w}, torch::kFloat32);
    impl_->output = impl_->forward(x).contiguous();
    if (out != nullptr) {
      std::memcpy(out, impl_->output.data_ptr<float>(), static_cast<std::size_t>(impl_->output.numel()) * 4);
    }
  } catch (const std::exception& e) {
    return internal_error(std::string("LibTorch: ") + e.what());
  }
  return {};
}

std::array<int64_t, 4> TorchGraphRunner::output_shape() const {
  std::array<int64_t, 4> s{0, 0, 0, 0};
  if (!impl_->output.defined()) return s;
  for (int d = 0; d < 4 && d < impl_->output.dim(); ++d) s[d] = impl_->output.size(d);
  return s;
}

std::string TorchGraphRunner::library_version() { return TORCH_VERSION; }

int TorchGraphRunner::library_threads() { return torch::get_num_threads(); }

}  // namespace litesr::train
