// ELSR (seed 000, "Extreme Low-Power Super Resolution Network For Mobile Devices"; docs/architectures.md "elsr").
//
// Config (`litesr.config`, unknown keys rejected): {"scale": 4, "channels": 6} [+ "color": "y"]
//   scale     2..4 (= litesr.scale)
//   channels  intermediate feature channels, 1..256 (the paper: 6)
//   color     optional: "rgb" (K = 3, default) or "y" (K = 1: a luma network; config_values.h)
// Training may over-parameterise every conv (train::ElsrConfig::expand, train/model_config.h); a model file
// always holds the collapsed plain network described here, so its config has no "expand".
//
// Graph (x: [K, H, W]; every conv 3x3 with bias):
//   f1 = conv1 K->C (x)                                       [C, H, W]
//   r = conv3 C->C (PReLU(conv2 C->C (f1))) + f1               [C, H, W]
//   y = PixelShuffle(s)(conv4 C->Ks² (r))                      [K, sH, sW]
// x4, C = 6: 3,474 parameters, 3,402 MACs per LR pixel (RGB); luma: 1,606 parameters, 1,566 MACs.
#pragma once

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "runtime/graph.h"

namespace litesr::models {

struct ElsrConfig {
  static constexpr const char* kArch = "elsr";  // litesr.arch
  int scale = 4;
  int channels = 6;
  int color_channels = 3;  // K: 3 = RGB, 1 = luma ("color": "y")
  bool operator==(const ElsrConfig&) const = default;
};

Result<ElsrConfig> parse_elsr_config(const nlohmann::json& config);
nlohmann::json elsr_config_json(const ElsrConfig& config);
Result<Graph> build_elsr_graph(const ElsrConfig& config);

}  // namespace litesr::models
