// IMDN / RFDN trunk: see distillation_network.h.
#include "models/distillation_network.h"

#include <utility>
#include <vector>

namespace litesr::models {

Graph build_distillation_network(const DistillationNetworkOptions& o) {
  const int s = o.scale, nf = o.nf;
  GraphBuilder b(o.arch, s);
  const int x = b.input("x", 3);                 // [3, H, W]
  const int fea = b.conv(x, "fea_conv", nf, 3);  // [nf, H, W]
  std::vector<int> blocks;
  int t = fea;
  for (int k = 1; k <= o.num_modules; ++k) {
    t = o.add_block(b, o.block_prefix + std::to_string(k), t, nf);
    blocks.push_back(t);
  }
  const int cat = blocks.size() > 1 ? b.concat(blocks, "blocks") : blocks[0];           // [n·nf, H, W]
  t = b.leaky_relu(b.conv(cat, "c.0", nf, 1), o.slope, "c.1");                           // [nf, H, W]
  t = b.add({b.conv(t, "LR_conv", nf, 3), fea}, "long_skip");                            // [nf, H, W]
  b.output(b.pixel_shuffle(b.conv(t, "upsampler.0", 3 * s * s, 3), s, "upsampler.1"));  // [3, sH, sW]
  return std::move(b).finish();
}

}  // namespace litesr::models
