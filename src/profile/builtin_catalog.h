// The built-in models as `litesr models` lists them: name, architecture, scale, parameters and cost.
// MACs are plain multiply-accumulates (CountingConvention::kMacs) for one frame at a 1280x720 output, i.e. a
// (1280/s) x (720/s) input — the size the video challenges use (DESIGN §5).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"

namespace litesr {

inline constexpr int kCatalogOutputWidth = 1280;
inline constexpr int kCatalogOutputHeight = 720;

struct BuiltinModelSummary {
  std::string name;
  std::string arch;       // litesr.arch
  int scale = 0;
  int frames = 1;         // input frames per run (litesr.frames: EVSRNet's window), 1 for image models
  int64_t params = 0;
  int64_t macs_720p = 0;  // one frame at a 1280x720 output
  std::string precision = "fp32";   // "int8" for INT8 model files (litesr.quantization, docs/quantization.md)
  std::string color = "rgb";        // "y" for luma models (runtime/graph.h frame_color)
  bool default_for_images = false;  // models::default_model_name()
  bool default_for_video = false;   // models::default_video_model_name()
};

// Every built-in model (models::builtin_model_names() order, bicubic at its default scale).
Result<std::vector<BuiltinModelSummary>> builtin_model_catalog();

}  // namespace litesr
