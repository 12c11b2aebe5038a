// FSRCNN (Dong, Loy, Tang, ECCV 2016; docs/architectures.md "fsrcnn"). FSRCNN-s: d = 32, s = 5, m = 1.
//
// Config (`litesr.config`, every key required, unknown keys rejected):
//   {"scale": 4, "d": 56, "s": 12, "m": 4, "channels": 3}
//   scale 2..8 (= litesr.scale); d feature width 1..1024; s shrunk width 1..1024; m mapping layers 0..64;
//   channels 3 (RGB) or 1 (the paper's Y-only network: the graph's input and output are one luma plane)
//
// Graph (x: [C, H, W]; every conv has a bias, every PReLU one slope per channel):
//   first_part.0 conv 5x5 C->d, first_part.1 PReLU(d)                     [d, H, W]
//   mid_part.0 conv 1x1 d->s, mid_part.1 PReLU(s)                         [s, H, W]
//   m × (mid_part.{2+2j} conv 3x3 s->s, mid_part.{3+2j} PReLU(s))         [s, H, W]
//   mid_part.{2+2m} conv 1x1 s->d, mid_part.{3+2m} PReLU(d)               [d, H, W]
//   last_part ConvTranspose2d d->C, kernel 9, stride scale, padding 4, output_padding scale−1   [C, sH, sW]
// Parameters: weights 25·C·d + d·s + 9·m·s² + s·d + 81·d·C (the paper's count: 12,464 for (56, 12, 4) Y-only,
// its "12K"), plus biases d + s + m·s + d + C and PReLU slopes d + s + m·s + d: 12,809 in the model file.
#pragma once

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "runtime/graph.h"

namespace litesr::models {

struct FsrcnnConfig {
  static constexpr const char* kArch = "fsrcnn";  // litesr.arch
  int scale = 4;
  int d = 56;
  int s = 12;
  int m = 4;
  int channels = 3;  // 3 RGB or 1 Y-only
  bool operator==(const FsrcnnConfig&) const = default;
};

Result<FsrcnnConfig> parse_fsrcnn_config(const nlohmann::json& config);
nlohmann::json fsrcnn_config_json(const FsrcnnConfig& config);
Result<Graph> build_fsrcnn_graph(const FsrcnnConfig& config);

}  // namespace litesr::models
