// Pixel losses (mean over every element of [B, C, H, W]):
//   l1           |x − y|
//   mse          (x − y)²
//   charbonnier  √((x − y)² + ε²)            (ε = StageSpec::charbonnier_eps, default 1e-3)
#pragma once

#include <torch/torch.h>

#include "train/recipe.h"

namespace litesr::train {

torch::Tensor pixel_loss(LossKind kind, const torch::Tensor& prediction, const torch::Tensor& target,
                         double charbonnier_eps = 1e-3);

}  // namespace litesr::train
