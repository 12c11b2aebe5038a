// Evaluation of an upscaler on an SR dataset: per-image and mean PSNR/SSIM on Y and RGB (metrics.h).
//
// The upscaler is any function from an LR image (u8 RGB, H x W) to its SR image (s·H x s·W, 3 channels,
// u8 or f32 in [0, 1]). An f32 result is rounded to 8 bits like a saved PNG (floor(255·v + 0.5),
// clamped) before scoring. Bicubic is built in; networks plug in through the same signature.
// Means are arithmetic means of the per-image values (the literature's convention).
#pragma once

#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "base/cancel.h"
#include "base/image.h"
#include "base/progress.h"
#include "eval/matlab_resize.h"
#include "eval/metrics.h"
#include "eval/sr_dataset.h"

namespace litesr {

// Must be safe to call from several threads at once when EvaluationOptions::threads > 1.
using ImageUpscaler = std::function<Result<Image>(const Image& lr_rgb_u8)>;

// MATLAB imresize(LR, s, 'bicubic') on u8 (rounded), the baseline row of every SR table.
ImageUpscaler make_bicubic_upscaler(int scale, const MatlabResizeOptions& options = {});

struct EvaluationOptions {
  int shave = -1;                 // border pixels removed before scoring; -1 = the scale (DESIGN §5)
  int threads = 1;                // images scored in parallel (0 = hardware concurrency)
  std::filesystem::path save_dir;  // when set, each SR image is written there as <name>.png
  bool overwrite = true;          // for files in save_dir
  const CancelToken* cancel = nullptr;
  Progress* progress = nullptr;   // advanced once per image
};

struct ImageEvaluation {
  std::string name;
  int width = 0;   // HR (mod-cropped) size
  int height = 0;
  SrScores scores;
};

// The mean of each score over `images` (sums, then one division; zeros for no images).
SrScores mean_scores(std::span<const ImageEvaluation> images);

struct EvaluationResult {
  std::string dataset;  // e.g. "Set5"
  int scale = 0;
  std::string method;   // e.g. "bicubic"
  int shave = 0;
  bool lr_generated = false;
  std::vector<ImageEvaluation> images;  // in dataset order
  SrScores mean;
  double seconds = 0.0;  // wall time of the whole run
};

// Runs `upscaler` on every pair and scores it. Any failing image fails the run (its name in the message);
// cancellation returns kCancelled.
Result<EvaluationResult> evaluate_dataset(const SrDataset& dataset, const SrDatasetOptions& dataset_options,
                                          const ImageUpscaler& upscaler, const std::string& method,
                                          const EvaluationOptions& options = {});

// Scores one SR result (u8 or f32 RGB) against its HR; used by evaluate_dataset. Returns the u8 SR image
// through `sr_u8` when non-null.
Result<SrScores> score_sr_result(const Image& sr, const Image& hr_u8, int scale, int shave, Image* sr_u8 = nullptr);

}  // namespace litesr
