#include "train/collapsible_conv.h"

#include <cmath>

namespace litesr::train {
namespace {

// nn.Conv2d's default initialisation (reset_parameters), so that expand = 0 draws exactly what Conv2d draws:
// weights kaiming-uniform with a = √5 (fan-in = size(1)·k·k), biases uniform in ±1/√fan_in.
torch::Tensor default_weight(std::vector<int64_t> shape) {
  torch::NoGradGuard no_grad;
  torch::Tensor w = torch::empty(shape);
  torch::nn::init::kaiming_uniform_(w, std::sqrt(5.0));
  return w;
}

torch::Tensor default_bias(int64_t out, int64_t fan_in) {
  const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
  return torch::empty({out}).uniform_(-bound, bound);
}

}  // namespace

CollapsibleConvImpl::CollapsibleConvImpl(int64_t in, int64_t out, int64_t k, int64_t expand_width)
    : in_(in), out_(out), k_(k), expand_width_(expand_width) {
  if (expand_width_ == 0) {
    plain_weight = register_parameter("weight", default_weight({out, in, k, k}));
  } else {
    expand = register_parameter("expand", default_weight({expand_width_, in, k, k}));
    project = register_parameter("project", default_weight({out, expand_width_}));
    if (in == out) {
      identity_ = torch::zeros({out, in, k, k});
      for (int64_t o = 0; o < out; ++o) identity_[o][o][k / 2][k / 2] = 1.0f;
    }
  }
  bias = register_parameter("bias", default_bias(out, in * k * k));
}

torch::Tensor CollapsibleConvImpl::weight() const {
  if (expand_width_ == 0) return plain_weight;
  torch::Tensor w = project.matmul(expand.reshape({expand_width_, in_ * k_ * k_})).reshape({out_, in_, k_, k_});
  return identity_.defined() ? w + identity_ : w;
}

torch::Tensor CollapsibleConvImpl::forward(const torch::Tensor& x) {
  return torch::conv2d(x, weight(), bias, /*stride=*/1, /*padding=*/k_ / 2);
}

void CollapsibleConvImpl::copy_from(const CollapsibleConvImpl& from, const torch::Tensor& rows) {
  torch::NoGradGuard no_grad;
  auto pick = [&](const torch::Tensor& t) { return rows.defined() ? t.index_select(0, rows) : t; };
  bias.copy_(pick(from.bias));
  if (expand_width_ == 0) {
    plain_weight.copy_(pick(from.plain_weight));
  } else {
    expand.copy_(from.expand);
    project.copy_(pick(from.project));
  }
}

}  // namespace litesr::train
