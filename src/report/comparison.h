// A comparison of SR methods on image sets, image by image: every method upscales every LR image; with ground
// truth each output is scored exactly as `litesr eval` scores it (eval/evaluation.h: the output rounded to
// 8 bits, PSNR/SSIM on Y and RGB with `shave` border pixels removed, per-image scores and their arithmetic
// mean), and the image's report panel (report/image_panel.h) is built from the outputs while they are in memory.
//
// Inputs (`litesr compare -i`, `litesr eval -d`):
//   a dataset folder with HR/  (eval/sr_dataset.h: LR from LR_bicubic/X<s>, or generated with MATLAB bicubic)
//   a folder of images, or one image file: LR inputs without ground truth (no scores; regions show where the
//                              methods disagree), or, with `images_are_hr`, ground truth whose LR is generated
//                              exactly like a dataset's (mod-crop, MATLAB bicubic 1/s, `lr_border`)
#pragma once

#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "base/cancel.h"
#include "base/progress.h"
#include "base/resample_weights.h"
#include "eval/evaluation.h"
#include "eval/sr_dataset.h"
#include "report/image_panel.h"

namespace litesr {

struct ComparedMethod {
  std::string name;        // as reported ("bicubic", "elsr-x4", a file path)
  ImageUpscaler upscaler;  // LR u8 RGB -> SR (eval/evaluation.h); called from several threads
};

// Opened inputs: what run_comparison reads, listed before any work so a missing folder fails early.
struct ComparisonInput {
  std::string name;  // the dataset folder's name, the image folder's name, or the image file's name
  int scale = 0;
  bool has_hr = false;
  bool lr_generated = false;                      // LR made from the HR (no LR_bicubic/X<s>)
  BorderMode lr_border = BorderMode::kReplicate;  // the rule generated LR images use
  SrDataset dataset;  // pairs; without HR each pair's lr_path is the input image and hr_path is empty
};

struct ComparisonInputOptions {
  int scale = 4;
  bool images_are_hr = false;                     // plain images are ground truth (see above)
  BorderMode lr_border = BorderMode::kReplicate;  // for generated LR
};

// kNotFound (missing path), kInvalidArgument (no images, duplicate names, a dataset lacking LR files).
Result<ComparisonInput> open_comparison_input(const std::filesystem::path& path, const ComparisonInputOptions& options);

struct ComparisonOptions {
  int shave = -1;  // -1 = the scale
  int jobs = 1;    // images processed in parallel (0 = one per core)
  bool panels = true;
  PanelOptions panel;  // panel.border is set to the shave
  // Methods compared with each other for the regions (report/difference_regions.h) and with the HR; empty = all.
  std::vector<int> disagreement;
  std::vector<int> error;
  std::filesystem::path save_dir;  // when set, method `save_method`'s outputs are written there as <name>.png
  int save_method = -1;
  const CancelToken* cancel = nullptr;
  Progress* progress = nullptr;  // advanced once per image
};

struct ComparedSet {
  std::string name;
  int scale = 0;
  bool has_hr = false;
  bool lr_generated = false;
  int shave = 0;
  std::vector<std::string> images;        // image names, in input order
  std::vector<EvaluationResult> results;  // one per method (input order) when has_hr; empty otherwise
  std::vector<ImagePanel> panels;         // one per image when options.panels
  double seconds = 0;
};

// The first failing image fails the run (its name in the message); cancellation returns kCancelled.
Result<ComparedSet> run_comparison(const ComparisonInput& input, std::span<const ComparedMethod> methods,
                                   const ComparisonOptions& options);

// The comparison's upscaler for `name` at `scale`: eval's MATLAB-exact bicubic for "bicubic" (the baseline row of
// every table), otherwise the model through upscaler/ModelUpscaler: one single-threaded instance per image worker
// (worker_count(threads), the comparison's `jobs`), the images side by side, or with one thread one session.
Result<ImageUpscaler> make_method_upscaler(const std::string& name, int scale, int threads);

}  // namespace litesr
