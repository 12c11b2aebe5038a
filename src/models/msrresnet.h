// MSRResNet (KAIR `models/network_msrresnet.py` class MSRResNet1 = ESRGAN's MSRResNet; the AIM 2019/2020
// efficient-SR baseline; docs/architectures.md "msrresnet"; reference/seeds_facts.md §5).
//
// Config (`litesr.config`, every key required, unknown keys rejected): {"scale": 4, "nc": 64, "nb": 16}
//   scale 2..4 (= litesr.scale); nc feature channels 1..256; nb residual blocks 0..64.
//
// Graph (x: [3, H, W]):
//   t = lrelu(0.1)(conv_first 3x3 3->nc (x))                                    [nc, H, W]
//   nb × t = t + recon_trunk.i.conv2(relu(recon_trunk.i.conv1(t)))              [nc, H, W] (no long skip)
//   x4: t = lrelu(0.1)(PixelShuffle(2)(upconv1 3x3 nc->4nc (t))), then the same with upconv2   [nc, 4H, 4W]
//   x2 / x3: t = lrelu(0.1)(PixelShuffle(s)(upconv1 3x3 nc->s²·nc (t)))                         [nc, sH, sW]
//   t = lrelu(0.1)(HRconv 3x3 nc->nc (t)); y = conv_last 3x3 nc->3 (t) + bilinear_s(x)            [3, sH, sW]
//   (bilinear: F.interpolate(scale_factor = s, mode = "bilinear", align_corners = False))
// nc = 64, nb = 16, x4: 1,517,571 parameters.
#pragma once

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "runtime/graph.h"

namespace litesr::models {

struct MsrresnetConfig {
  static constexpr const char* kArch = "msrresnet";  // litesr.arch
  int scale = 4;
  int nc = 64;
  int nb = 16;
  bool operator==(const MsrresnetConfig&) const = default;
};

Result<MsrresnetConfig> parse_msrresnet_config(const nlohmann::json& config);
nlohmann::json msrresnet_config_json(const MsrresnetConfig& config);
Result<Graph> build_msrresnet_graph(const MsrresnetConfig& config);

}  // namespace litesr::models
