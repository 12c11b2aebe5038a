#include "train/loss.h"

namespace litesr::train {

torch::Tensor pixel_loss(LossKind kind, const torch::Tensor& prediction, const torch::Tensor& target,
                         double charbonnier_eps) {
  const torch::Tensor d = prediction - target;
  switch (kind) {
    case LossKind::kL1: return d.abs().mean();
    case LossKind::kMse: return (d * d).mean();
    case LossKind::kCharbonnier: return torch::sqrt(d * d + charbonnier_eps * charbonnier_eps).mean();
  }
  return d.abs().mean();
}

}  // namespace litesr::train
