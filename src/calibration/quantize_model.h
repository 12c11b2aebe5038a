// Post-training quantization of a float model file (`litesr quantize MODEL --calib DIR -o OUT`,
// docs/quantization.md "litesr quantize").
//
// Calibration images: the image files in `calib_dir` (sorted by name; at most max_images), each treated as HR:
// reduced to 8-bit RGB, centre-cropped to at most crop·s pixels per side, mod-cropped to the scale s, and
// shrunk by MATLAB's imresize(HR, 1/s) (replicate borders, as the benchmark LR files) to make its LR input.
// Every 4th image (the 4th, 8th, ...) is held out: the others calibrate, the held-out ones measure each range
// method's PSNR-Y (INT8 output vs HR, s pixels shaved) and the best is kept ("auto"), so no choice is ever made
// on a set LiteSR reports (Set5/Set14/BSD100 stay untouched). The float model's PSNR-Y on the same held-out
// images is reported beside it.
//
// A luma model (litesr.color "y") calibrates on the LR images' Y/255 planes and is scored as `litesr eval` runs it:
// Y through the network, chroma by MATLAB bicubic (eval/luma_color.h). A video model's recurrent step calibrates
// and is scored on each image as a static window (calibration/calibrate.h), as `litesr eval` runs still images.
//
// The result is the float model file plus `litesr.quantization` (runtime/model_quantization.h): the tensors
// are unchanged.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "calibration/calibrate.h"
#include "runtime/model_file.h"

namespace litesr {

struct QuantizeOptions {
  std::filesystem::path calib_dir;
  std::string method = "auto";  // auto (best held-out PSNR-Y), minmax, percentile or mse
  double percentile = 99.99;    // the percentile method's
  int max_images = 64;          // calibration + held-out images read from calib_dir (>= 2)
  int crop = 128;               // LR side of each image's centre crop (>= 8)
  std::function<void(const std::string&)> on_progress;  // optional: one line per stage
};

struct MethodScore {
  RangeMethod method = RangeMethod::kMse;
  double psnr_y = 0;  // mean over the held-out images, INT8
};

struct QuantizeResult {
  ModelFile model;                 // the INT8 model file's contents
  RangeMethod method = RangeMethod::kMse;
  std::vector<MethodScore> scores;  // every method tried, in the order tried
  double float_psnr_y = 0;          // the float model on the held-out images
  int calibration_images = 0;
  int held_out_images = 0;
};

// kInvalidArgument for bad options, fewer than 2 images, an image too small for the crop rules (< 8·s per side),
// an already quantized model; kNotFound / kIoError / kCorruptData naming a folder or file
// that cannot be read; kUnsupported for an op without an INT8 kernel. Nothing is written here.
Result<QuantizeResult> quantize_model(const ModelFile& float_model, const QuantizeOptions& options);
// The same for a built-in model name or a .safetensors path (models::resolve_model; kNotFound naming it).
Result<QuantizeResult> quantize_model(const std::string& model, const QuantizeOptions& options);

}  // namespace litesr
