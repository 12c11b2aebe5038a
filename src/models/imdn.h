// IMDN (Hui et al., ACM MM 2019; `Zheng222/IMDN` `model/architecture.py` class IMDN, `model/block.py`;
// docs/architectures.md "imdn"; reference/seeds_facts.md §5).
//
// Config (`litesr.config`, every key required, unknown keys rejected): {"scale": 4, "nf": 64, "num_modules": 6}
//   scale 2..4 (= litesr.scale); nf 16..256 features; num_modules 1..16 IMDBs.
//   dc = nf/4 distilled channels (int(nf·0.25)), rc = nf − dc remaining, CCA hidden = 4dc/16.
//
// Graph (x: [3, H, W]; lrelu = LeakyReLU(0.05); all convs with bias):
//   fea = fea_conv 3x3 3->nf (x)                                                  [nf, H, W]
//   IMDB k (k = 1..num_modules), in -> out:
//     o1 = lrelu(c1 3x3 nf->nf (in));  d1 = o1[0, dc), r1 = o1[dc, nf)
//     o2 = lrelu(c2 3x3 rc->nf (r1));  d2, r2 likewise;  o3 = lrelu(c3 3x3 rc->nf (r2));  d3, r3
//     o4 = c4 3x3 rc->dc (r3);  u = concat(d1, d2, d3, o4)                        [4dc, H, W]
//     u' = CCA(u) = u · sigmoid(conv_du.2(relu(conv_du.0(std_hw(u) + mean_hw(u)))))   (squeeze_excite, kMeanStd)
//     out = c5 1x1 4dc->nf (u') + in
//   t = lrelu(c.0 1x1 (num_modules·nf)->nf (concat(IMDB1 … IMDBn)));  t = LR_conv 3x3 (t) + fea
//   y = PixelShuffle(s)(upsampler.0 3x3 nf->3s² (t))                             [3, sH, sW]
// nf = 64, 6 modules, x4: 715,176 parameters. CCA pools over the whole image: layer-by-layer execution.
#pragma once

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "runtime/graph.h"

namespace litesr::models {

struct ImdnConfig {
  static constexpr const char* kArch = "imdn";  // litesr.arch
  int scale = 4;
  int nf = 64;
  int num_modules = 6;
  bool operator==(const ImdnConfig&) const = default;
};

Result<ImdnConfig> parse_imdn_config(const nlohmann::json& config);
nlohmann::json imdn_config_json(const ImdnConfig& config);
Result<Graph> build_imdn_graph(const ImdnConfig& config);

}  // namespace litesr::models
