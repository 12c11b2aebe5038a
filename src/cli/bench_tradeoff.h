// Quality versus cost of every built-in model, for `litesr bench --tradeoff FILE.svg --data DIR`
// (docs/benchmarks.md): each model of `litesr models` (bicubic included) is evaluated on one SR dataset exactly
// as `litesr eval` does (MATLAB-bicubic LR generated from the mod-cropped HR unless DIR/LR_bicubic/X<s> exists,
// PSNR/SSIM on Y with `scale` border pixels shaved, SR rounded to 8 bits; bicubic is eval's MATLAB imresize,
// the README's baseline row) and profiled with plain MACs (CountingConvention::kMacs) at a 1280x720 output.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/cancel.h"
#include "base/progress.h"
#include "base/svg_chart.h"
#include "eval/metrics.h"

namespace litesr::cli {

struct TradeoffPoint {
  std::string model;  // built-in name
  int scale = 0;
  int64_t params = 0;
  int64_t macs_720p = 0;             // MACs for one 1280x720 output frame
  double macs_per_output_pixel = 0;  // macs_720p / (1280·720)
  SrScores mean;                     // over the dataset's images
  int images = 0;
};

struct TradeoffResult {
  std::string dataset;                // the folder's name, e.g. "Set5"
  std::vector<TradeoffPoint> points;  // builtin_model_names() order
};

// Bicubic is evaluated at x4; every other model at its own scale. `threads`: the session's threads.
Result<TradeoffResult> evaluate_tradeoff(const std::filesystem::path& dataset_dir, int threads,
                                         const CancelToken* cancel, Progress* progress);

// {"dataset": ..., "convention": "macs", "models": [{"name", "scale", "params", "macs_720p",
//  "macs_per_output_pixel", "psnr_y", "ssim_y", "psnr_rgb", "ssim_rgb", "images"}]}
nlohmann::json tradeoff_json(const TradeoffResult& result);

// PSNR-Y versus GMACs per 1280x720 frame, one labelled point per model; the x axis is logarithmic when every
// model has MACs > 0 and they span more than 20x.
Svg tradeoff_chart(const TradeoffResult& result);

}  // namespace litesr::cli
