// Bicubic baseline (docs/architectures.md "bicubic"): MATLAB-exact upscale, a = −0.5, symmetric borders
// (the runtime's bicubic_upsample, BicubicKind::kMatlab). No tensors.
//
// Config (`litesr.config`, the one key required, unknown keys rejected): {"scale": 4}
//   scale  1..16 (= litesr.scale; the built-in `bicubic` model takes 2..8 from -s, builtin_models.h)
//
// Graph: x [3, H, W] -> bicubic ×s -> [3, sH, sW].
#pragma once

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "runtime/graph.h"

namespace litesr::models {

struct BicubicConfig {
  static constexpr const char* kArch = "bicubic";  // litesr.arch
  int scale = 4;
  bool operator==(const BicubicConfig&) const = default;
};

Result<BicubicConfig> parse_bicubic_config(const nlohmann::json& config);
nlohmann::json bicubic_config_json(const BicubicConfig& config);
Result<Graph> build_bicubic_graph(const BicubicConfig& config);

}  // namespace litesr::models
