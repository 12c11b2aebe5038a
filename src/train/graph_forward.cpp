#include "train/graph_forward.h"

#include <stdexcept>

#include "runtime/bicubic_table.h"

namespace litesr::train {

namespace F = torch::nn::functional;

namespace {

// Squeeze-excite fc weights as [out, in] matrices (1x1-conv tensors are viewed as such).
torch::Tensor fc(const torch::Tensor& t) { return t.dim() == 4 ? t.flatten(1) : t; }

}  // namespace

torch::Tensor torch_tensor_copy(const Tensor& t) {
  return torch::from_blob(const_cast<float*>(t.data.data()), t.shape, torch::kFloat32).clone();
}

GraphForward::GraphForward(Graph graph) : graph_(std::move(graph)) {
  input_index_.assign(graph_.nodes.size(), -1);
  for (std::size_t k = 0; k < graph_.inputs.size(); ++k) input_index_[graph_.inputs[k]] = static_cast<int>(k);
}

const std::pair<torch::Tensor, torch::Tensor>& GraphForward::taps(int in_len, int scale) {
  auto it = matlab_taps_.find({in_len, scale});
  if (it != matlab_taps_.end()) return it->second;
  Result<BicubicTable> t = make_bicubic_table(in_len, scale, BicubicKind::kMatlab);
  if (!t.ok()) throw std::runtime_error(t.status().to_string());
  const torch::Tensor index = torch::from_blob(t->index.data(), {t->out_len, t->taps}, torch::kInt32).to(torch::kInt64);
  const torch::Tensor weight = torch::from_blob(t->weight.data(), {t->out_len, t->taps}, torch::kFloat32).clone();
  return matlab_taps_.emplace(std::make_pair(in_len, scale), std::make_pair(index, weight)).first->second;
}

// MATLAB bicubic (a = −0.5, symmetric borders) along `dim` (2: rows, 3: columns): out[o] = Σ_t w[o, t] ·
// in[index[o, t]], summed in t order like the runtime.
torch::Tensor GraphForward::matlab_bicubic_axis(const torch::Tensor& x, int dim, int scale) {
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

std::vector<torch::Tensor> GraphForward::forward(const std::vector<torch::Tensor>& xs, const ParamFn& p,
                                                 const AfterFn& after, const InsideFn& inside) {
  std::vector<torch::Tensor> v(graph_.nodes.size());
  for (std::size_t i = 0; i < graph_.nodes.size(); ++i) {
    const Node& n = graph_.nodes[i];
    const torch::Tensor in = n.inputs.empty() ? torch::Tensor() : v[n.inputs[0]];
    switch (n.op) {
      case OpKind::kInput:
        v[i] = xs[input_index_[i]];
        break;
      case OpKind::kConv2d: {
        auto o = F::Conv2dFuncOptions().stride(n.stride).padding(n.padding).groups(n.groups);
        if (!n.bias.empty()) o = o.bias(p(n, n.bias));
        v[i] = F::conv2d(in, p(n, n.weight), o);
        break;
      }
      case OpKind::kConvTranspose2d: {
        auto o = F::ConvTranspose2dFuncOptions().stride(n.stride).padding(n.padding).output_padding(n.output_padding);
        if (!n.bias.empty()) o = o.bias(p(n, n.bias));
        v[i] = F::conv_transpose2d(in, p(n, n.weight), o);
        break;
      }
      case OpKind::kRelu:
        v[i] = torch::relu(in);
        break;
      case OpKind::kLeakyRelu:
        v[i] = F::leaky_relu(in, F::LeakyReLUFuncOptions().negative_slope(n.alpha));
        break;
      case OpKind::kPrelu:
        v[i] = torch::prelu(in, p(n, n.weight));
        break;
      case OpKind::kTanh:
        v[i] = torch::tanh(in);
        break;
      case OpKind::kSigmoid:
        v[i] = torch::sigmoid(in);
        break;
      case OpKind::kBatchNorm:
        v[i] = F::batch_norm(
            in, p(n, n.running_mean), p(n, n.running_var),
            F::BatchNormFuncOptions().weight(p(n, n.weight)).bias(p(n, n.bias)).eps(n.eps).training(false));
        break;
      case OpKind::kSqueezeExcite: {
        const int id = static_cast<int>(i);
        auto seen = [&](SeValue which, const torch::Tensor& t) { return inside ? inside(id, which, t) : t; };
        torch::Tensor s = in.mean({2, 3});
        if (n.se_pool == SePool::kMeanStd) {
          const torch::Tensor centred = in - s.unsqueeze(2).unsqueeze(3);
          s = s + (centred * centred).mean({2, 3}).sqrt();
        }
        s = seen(SeValue::kPooled, s);
        s = torch::relu(F::linear(s, fc(p(n, n.weight)), n.bias.empty() ? torch::Tensor() : p(n, n.bias)));
        s = seen(SeValue::kHidden, s);
        s = F::linear(s, fc(p(n, n.weight2)), n.bias2.empty() ? torch::Tensor() : p(n, n.bias2));
        s = seen(SeValue::kGate, n.se_gate == SeGate::kHardSigmoid ? torch::hardsigmoid(s) : torch::sigmoid(s));
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
    if (after) v[i] = after(static_cast<int>(i), v[i]);
  }
  std::vector<torch::Tensor> out;
  for (int id : graph_.outputs) out.push_back(v[id]);
  return out;
}

}  // namespace litesr::train
