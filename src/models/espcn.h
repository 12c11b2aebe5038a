// ESPCN (Shi et al., CVPR 2016; docs/architectures.md "espcn").
//
// Config (`litesr.config`, every key required, unknown keys rejected): {"scale": 4, "channels": 3}
//   scale     2..8 (= litesr.scale)
//   channels  3: RGB in, RGB out; 1: the paper's Y-only variant (the graph's input and output are one
//             luma plane; the caller converts colour, e.g. upscales Cb/Cr with bicubic)
//
// Graph (x: [C, H, W]):
//   t = tanh(conv1 5x5 C->64 (x))         [64, H, W]
//   t = tanh(conv2 3x3 64->32 (t))        [32, H, W]
//   y = PixelShuffle(s)(conv3 3x3 32->C·s² (t))   [C, sH, sW]
// Parameters: 1600C + 64 + 18,464 + 288·C·s² + C·s²; Y-only x4: 24,752.
#pragma once

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "runtime/graph.h"

namespace litesr::models {

struct EspcnConfig {
  static constexpr const char* kArch = "espcn";  // litesr.arch
  int scale = 4;
  int channels = 3;  // 3 RGB or 1 Y-only
  bool operator==(const EspcnConfig&) const = default;
};

Result<EspcnConfig> parse_espcn_config(const nlohmann::json& config);
nlohmann::json espcn_config_json(const EspcnConfig& config);
Result<Graph> build_espcn_graph(const EspcnConfig& config);

}  // namespace litesr::models
