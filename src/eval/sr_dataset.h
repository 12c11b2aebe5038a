// SR benchmark datasets on disk (Set5, Set14, BSD100, Urban100, … in the usual layout):
//
//   DIR/HR/<name>.<png|jpg|webp>            ground truth
//   DIR/LR_bicubic/X<s>/<name>x<s>.png      optional LR input for scale s (e.g. baby.png → babyx4.png)
//
// HR images are mod-cropped to a multiple of s (top-left corner kept). When DIR/LR_bicubic/X<s> does
// not exist, every LR image is generated as MATLAB imresize(HR_modcrop, 1/s, 'bicubic') (uint8, rounded
// between passes) with `lr_border` (replicate, like the sr_benchmark LR files). When the folder exists,
// every HR image must have its LR file there, of size HR_modcrop / s.
// Pixels: 16-bit files are rounded to 8 bits, alpha is dropped, grey stays grey for the HR (metrics treat
// it as R = G = B) and is expanded to RGB for the LR handed to an upscaler.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "base/image.h"
#include "base/resample_weights.h"

namespace litesr {

struct SrDatasetOptions {
  int scale = 4;                                // s: 2, 3, 4, … (integer SR factor)
  BorderMode lr_border = BorderMode::kReplicate;  // for generated LR (the sr_benchmark LR files' rule)
};

struct SrPair {
  std::string name;              // HR file stem, e.g. "baby"
  std::filesystem::path hr_path;
  std::filesystem::path lr_path;  // empty when the LR is generated from the HR
};

struct SrDataset {
  std::filesystem::path root;
  std::string name;  // the folder's name, e.g. "Set5"
  int scale = 0;
  bool lr_generated = false;  // true when LR_bicubic/X<s> is absent
  std::vector<SrPair> pairs;  // sorted by name
};

// Lists the pairs. Errors: kNotFound (DIR or DIR/HR missing, an expected LR file missing),
// kInvalidArgument (scale < 1, DIR not a folder, no images in HR).
Result<SrDataset> open_sr_dataset(const std::filesystem::path& dir, const SrDatasetOptions& options);

struct LoadedSrPair {
  Image hr;      // u8, 1 (grey) or 3 channels, mod-cropped
  Image lr_rgb;  // u8 RGB, size hr / scale
};

// Reads (or generates) one pair. Errors name the file; a wrong LR size is kInvalidArgument.
Result<LoadedSrPair> load_sr_pair(const SrDataset& dataset, const SrPair& pair, const SrDatasetOptions& options);

// The top-left (w − w mod s) x (h − h mod s) crop as a new image; kInvalidArgument if it would be empty.
Result<Image> modcrop(const Image& image, int scale);

// An image reduced to what the SR metrics use: u8, alpha dropped (u16 rounded, f32 quantised).
Result<Image> to_u8_color(const Image& image);

}  // namespace litesr
