// Validation during training: PSNR/SSIM (Y and RGB, DESIGN §5 via eval/metrics.h) of the network's output on
// a benchmark folder (eval/sr_dataset.h layout; LR from LR_bicubic/X<s> or generated with replicate borders) or
// on held-out HR files (LR generated the same way): recipe.h ValidationSpec.
// The output is clamped to [0, 1] and rounded to 8 bits like a saved image; `scale` pixels are shaved.
// Video networks get the image repeated for every input frame and are scored on the last output frame.
// Luma networks get the LR image's Y and their output is merged with its bicubic chroma (eval/luma_color.h),
// exactly as `litesr eval` runs them.
#pragma once

#include <filesystem>

#include "eval/metrics.h"
#include "train/recipe.h"
#include "train/sr_network.h"

namespace litesr::train {

struct ValidationResult {
  int images = 0;
  SrScores mean;  // mean over images
};

// Validation crops for `litesr train --compare --report` (report/training_report.h layout): for the first
// `max_images` images, the network's output in the HR window of side `side` (a multiple of the scale) with the
// most detail (report/difference_regions.h's detail map of the HR: |horizontal| + |vertical| luma differences)
// is written to dir/<iteration>/<image>.png, and dir/hr/ and dir/lr/ get the HR and LR crops of the same
// window (rewritten each time: the LR of the latest scale). PNG, atomically. A data-parallel run writes the crops of rank 0's images.
struct ValidationCrops {
  std::filesystem::path dir;  // RUN/val_crops
  int64_t iteration = 0;      // global iteration (the folder name)
  int max_images = 4;
  int side = 96;
};

// Runs `net` in eval mode (restoring its training flag afterwards) without gradients.
Result<ValidationResult> validate_network(SrNetwork& net, const ValidationSpec& spec,
                                          const ValidationCrops* crops = nullptr);

// Data-parallel validation: the SUMS of the scores of this rank's share of the images — image i (of the first
// max_images) when i % shard_count == shard_index; the trainer all-reduces them and divides by the total count.
struct ValidationSums {
  int images = 0;
  SrScores sum;
};
Result<ValidationSums> validate_network_shard(SrNetwork& net, const ValidationSpec& spec, int shard_index,
                                              int shard_count, const ValidationCrops* crops = nullptr);

// An HWC u8 RGB image as a [1, 3, H, W] float tensor in [0, 1]; and back (clamped, rounded half up).
torch::Tensor image_to_tensor(const Image& rgb_u8);
Result<Image> tensor_to_image(const torch::Tensor& chw);  // [3, H, W]

}  // namespace litesr::train
