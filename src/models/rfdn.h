// RFDN (Liu et al., AIM 2020 efficient-SR winner; `njulj/RFDN` `RFDN.py`, `block.py`;
// docs/architectures.md "rfdn"; reference/seeds_facts.md §5).
//
// Config (`litesr.config`, every key required, unknown keys rejected): {"scale": 4, "nf": 50, "num_modules": 4}
//   scale 2..4 (= litesr.scale); nf 4..256 features; num_modules 1..16 RFDBs.
//   dc = nf/2 distilled channels, f = nf/4 ESA channels (integer division).
//
// Graph (x: [3, H, W]; lrelu = LeakyReLU(0.05); all convs with bias, 3x3 padding 1 unless stated):
//   fea = fea_conv 3x3 3->nf (x)                                                 [nf, H, W]
//   RFDB k (k = 1..num_modules), r0 = in:
//     d_i = lrelu(c{i}_d 1x1 nf->dc (r_{i−1})),  r_i = lrelu(c{i}_r 3x3 nf->nf (r_{i−1}) + r_{i−1}),  i = 1..3
//     r4 = lrelu(c4 3x3 nf->dc (r3));  u = c5 1x1 4dc->nf (concat(d1, d2, d3, r4))       [nf, H, W]
//     ESA: c1_ = esa.conv1 1x1 nf->f (u)                                        [f, H, W]
//          c1 = esa.conv2 3x3 stride 2 padding 0 (c1_)                           [f, ⌊(H−3)/2⌋+1, …]
//          v = max_pool2d(c1, 7, stride 3)                                       [f, ⌊(H1−7)/3⌋+1, …]
//          c3 = esa.conv3_(relu(esa.conv3(relu(esa.conv_max(v)))))             (3x3, padding 1)
//          c3 = bilinear_resize(c3 to H x W, align_corners = False)            [f, H, W]
//          out = u · sigmoid(esa.conv4 1x1 f->nf (c3 + esa.conv_f 1x1 (c1_)))   [nf, H, W]
//   t = lrelu(c.0 1x1 (num_modules·nf)->nf (concat(B1 … Bn)));  t = LR_conv 3x3 (t) + fea
//   y = PixelShuffle(s)(upsampler.0 3x3 nf->3s² (t))                            [3, sH, sW]
// nf = 50, 4 modules, x4: 433,448 parameters. The ESA branch needs an LR input of at least 15 x 15; its
// maps are not a multiple of the input size (NodeShape windows), so RFDN runs layer by layer.
#pragma once

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "runtime/graph.h"

namespace litesr::models {

struct RfdnConfig {
  static constexpr const char* kArch = "rfdn";  // litesr.arch
  int scale = 4;
  int nf = 50;
  int num_modules = 4;
  bool operator==(const RfdnConfig&) const = default;
};

Result<RfdnConfig> parse_rfdn_config(const nlohmann::json& config);
nlohmann::json rfdn_config_json(const RfdnConfig& config);
Result<Graph> build_rfdn_graph(const RfdnConfig& config);

}  // namespace litesr::models
