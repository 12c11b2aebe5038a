// Pixel losses (mean over every element of [B, C, H, W]):
//   l1           |x − y|
//   mse          (x − y)²
//   charbonnier  √((x − y)² + ε²)            (ε = StageSpec::charbonnier_eps, default 1e-3)
// With luma_weight w > 0 the loss is (1 − w)·loss(x, y) + w·loss(luma(x), luma(y)), luma of each RGB triple
// (channels 3t, 3t+1, 3t+2 of [B, 3T, H, W]) = (65.481·R + 128.553·G + 24.966·B) / 219: BT.601 Y without its
// offset, scaled so that the three weights sum to 1 (a grey error of e gives a luma error of e).
#pragma once

#include <torch/torch.h>

#include "train/recipe.h"

namespace litesr::train {

torch::Tensor pixel_loss(LossKind kind, const torch::Tensor& prediction, const torch::Tensor& target,
                         double charbonnier_eps = 1e-3, double luma_weight = 0.0);

// [B, 3T, H, W] RGB -> [B, T, H, W] luma as above.
torch::Tensor luma(const torch::Tensor& rgb);
// [B, 3T, H, W] RGB -> [B, T, H, W] what a luma network takes and gives: the SR literature's Y/255 with its
// offset, (16 + 65.481·R + 128.553·G + 24.966·B) / 255 (eval/luma_color.h; DESIGN §5).
torch::Tensor sr_luma(const torch::Tensor& rgb);

}  // namespace litesr::train
