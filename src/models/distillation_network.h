// The network around the distillation blocks that IMDN and RFDN share (RFDN keeps IMDN's trunk and
// replaces its block: `Zheng222/IMDN` `model/architecture.py` class IMDN, `njulj/RFDN` `RFDN.py`;
// docs/architectures.md "imdn", "rfdn"). Internal to src/models, called by imdn.cpp and rfdn.cpp.
//
// Graph (x: [3, H, W]; lrelu = LeakyReLU(slope); all convs with bias):
//   fea = fea_conv 3x3 3->nf (x)                                                  [nf, H, W]
//   B_k = block k (B_{k−1}), B_0 = fea, k = 1..num_modules (named block_prefix + k) [nf, H, W]
//   t = lrelu(c.0 1x1 (num_modules·nf)->nf (concat(B_1 … B_n)))   (one module: no concat)
//   t = LR_conv 3x3 nf->nf (t) + fea                                              [nf, H, W]
//   y = PixelShuffle(s)(upsampler.0 3x3 nf->3s² (t))                             [3, sH, sW]
#pragma once

#include <string>

#include "runtime/graph.h"

namespace litesr::models {

// Adds one distillation block named `prefix` to `b`: in [nf, H, W] -> returned step [nf, H, W].
using DistillationBlockBuilder = int (*)(GraphBuilder& b, const std::string& prefix, int in, int nf);

struct DistillationNetworkOptions {
  const char* arch = "";          // the graph's architecture name ("imdn", "rfdn")
  int scale = 4;                  // 2..4
  int nf = 64;                    // features
  int num_modules = 6;            // blocks
  const char* block_prefix = "";  // block k's tensors are <block_prefix><k>.* ("IMDB", "B")
  float slope = 0.05f;            // LeakyReLU negative slope after c.0 (block.py activation('lrelu', 0.05))
  DistillationBlockBuilder add_block = nullptr;
};

// The graph above; the caller has validated the options.
Graph build_distillation_network(const DistillationNetworkOptions& options);

}  // namespace litesr::models
