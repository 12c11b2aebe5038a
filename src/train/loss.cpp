#include "train/loss.h"

namespace litesr::train {

namespace {

torch::Tensor elementwise_loss(LossKind kind, const torch::Tensor& prediction, const torch::Tensor& target,
                               double charbonnier_eps) {
  const torch::Tensor d = prediction - target;
  switch (kind) {
    case LossKind::kL1: return d.abs().mean();
    case LossKind::kMse: return (d * d).mean();
    case LossKind::kCharbonnier: return torch::sqrt(d * d + charbonnier_eps * charbonnier_eps).mean();
  }
  return d.abs().mean();
}

}  // namespace

torch::Tensor luma(const torch::Tensor& rgb) {
  TORCH_CHECK(rgb.dim() == 4 && rgb.size(1) % 3 == 0, "luma: expected [B, 3T, H, W], got ", rgb.sizes());
  const auto b = rgb.size(0), t = rgb.size(1) / 3, h = rgb.size(2), w = rgb.size(3);
  const torch::Tensor triples = rgb.reshape({b, t, 3, h, w});
  const torch::Tensor weights =
      torch::tensor({65.481 / 219.0, 128.553 / 219.0, 24.966 / 219.0}, rgb.options()).view({1, 1, 3, 1, 1});
  return (triples * weights).sum(2);
}

torch::Tensor sr_luma(const torch::Tensor& rgb) { return luma(rgb) * (219.0 / 255.0) + 16.0 / 255.0; }

torch::Tensor pixel_loss(LossKind kind, const torch::Tensor& prediction, const torch::Tensor& target,
                         double charbonnier_eps, double luma_weight) {
  torch::Tensor rgb = elementwise_loss(kind, prediction, target, charbonnier_eps);
  if (luma_weight <= 0.0) return rgb;
  torch::Tensor y = elementwise_loss(kind, luma(prediction), luma(target), charbonnier_eps);
  if (luma_weight >= 1.0) return y;
  return (1.0 - luma_weight) * rgb + luma_weight * y;
}

}  // namespace litesr::train
