// SAM-SR (seed 002, "Efficient Super-Resolution Using MobileNetV3"; docs/architectures.md "sam_sr").
//
// Config (`litesr.config`, every key required, unknown keys rejected):
//   {"scale": 4, "nf": 16, "n": 8, "se": true, "bn": true, "bicubic_a": -0.5, "se_gate": "hard_sigmoid",
//    "upsampler": "candidate_a"}
//   scale      4 only (candidate_a is two ×2 pixel shuffles); must equal litesr.scale
//   nf         block width, even, 2..1024 (the upsampler runs on nf/2 channels; SE squeezes 2nf -> nf/2)
//   n          N, blocks after the first, 0..256 (the network has N + 1 blocks: blocks.0 .. blocks.N)
//   se         squeeze-excite in blocks 1..N (block 0 never has one)
//   bn         true: every block conv is bias-free and followed by a BatchNorm node (*_bn.* tensors; the
//              runtime folds them at load). false: the folded form — no *_bn.* tensors, the block convs
//              carry biases (expand.bias, dw.bias, project.bias), as written by train's fold_sam_sr_batch_norm.
//   bicubic_a  −0.5 (BicubicKind::kMatlab, symmetric borders) or −0.75 (kPytorch, clamped borders): the
//              kernel of the bicubic ×4 skip. Other values are rejected.
//   se_gate    "hard_sigmoid" (MobileNetV3, ReLU6(v+3)/6) or "sigmoid"
//   upsampler  "candidate_a" (the only reconstruction that reproduces Table 2's params and activations)
//   color      optional: "rgb" (K = 3, default) or "y" (K = 1: a luma network; models/config_values.h)
//
// Graph (x: [K, H, W] LR RGB or luma; shapes at LR size unless marked):
//   block b (cin = K for b = 0, nf otherwise):
//     e = LReLU0.2([BN] expand 1x1 cin->2nf (x))           [2nf, H, W]
//     d = LReLU0.2([BN] dw 3x3 groups 2nf (e))              [2nf, H, W]
//     d = SE(d) (b >= 1 and se: mean_hw -> fc1 2nf->nf/2 -> ReLU -> fc2 -> gate -> scale, bias-free)
//     p = [BN] project 1x1 2nf->nf (d)  (+ block input for b >= 1)        [nf, H, W]
//   f = blocks.0(x); y = blocks.N(... blocks.1(f)) + f                    [nf, H, W]
//   candidate_a (conv tensors up.0 .. up.7, all with bias):
//     up.0 1x1 nf->nf/2; up.1 1x1 nf/2->2nf; PixelShuffle 2; LReLU0.2     [nf/2, 2H, 2W]
//     up.2 dw3x3 nf/2; up.3 1x1 nf/2->2nf; PixelShuffle 2; LReLU0.2       [nf/2, 4H, 4W]
//     up.4 dw3x3 nf/2; up.5 1x1 nf/2->nf/2; up.6 dw3x3 nf/2; up.7 1x1 nf/2->K   [K, 4H, 4W]
//   out = up(y) + bicubic×4(x)                                           [K, 4H, 4W]
// Parameters (bn = true, se = true): N·(6nf² + 28nf) + 4.75nf² + 55.5nf + 3 (XLITE 17,979; LITE 558,543).
// BN holds 10nf·(N+1) of them; SE 2nf²·N. A folded file (bn = false) has 5nf·(N+1) block-conv biases
// instead of the BN parameters. (The paper's "w/o BN" and "FUSED" rows, 546K / 16.54K, equal the bn = true
// count minus 10nf·(N+1): they do not count the folded biases.)
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/status.h"
#include "runtime/graph.h"

namespace litesr::models {

struct SamSrConfig {
  static constexpr const char* kArch = "sam_sr";  // litesr.arch
  int scale = 4;
  int nf = 16;
  int n = 8;
  bool se = true;
  bool bn = true;
  BicubicKind bicubic = BicubicKind::kMatlab;  // "bicubic_a": −0.5 kMatlab, −0.75 kPytorch
  SeGate se_gate = SeGate::kHardSigmoid;
  std::string upsampler = "candidate_a";
  int color_channels = 3;  // K: 3 = RGB, 1 = luma ("color": "y")
  bool operator==(const SamSrConfig&) const = default;
};

// Presets (Table 2 / the AIM 2020 submissions): sam-sr-xlite nf = 16, N = 8; sam-sr-lite nf = 72, N = 16.
SamSrConfig sam_sr_xlite_config();
SamSrConfig sam_sr_lite_config();

// One layer of the upsampler/post-processing list. Convs are numbered up.0, up.1, … in list order.
enum class SamSrUpLayer { kConv1x1, kDwConv3x3, kPixelShuffle2, kLeakyRelu };
struct SamSrUpStep {
  SamSrUpLayer layer = SamSrUpLayer::kConv1x1;
  int out_channels = 0;  // kConv1x1 only
};
// The layer list of a named upsampler for width nf ("candidate_a"); kInvalidArgument for unknown names.
Result<std::vector<SamSrUpStep>> sam_sr_upsampler_layers(const std::string& name, int nf, int color_channels = 3);

// Parses and validates a `litesr.config` object (see the file comment).
Result<SamSrConfig> parse_sam_sr_config(const nlohmann::json& config);
// The config as a `litesr.config` object with every key written out (inverse of parse_sam_sr_config).
nlohmann::json sam_sr_config_json(const SamSrConfig& config);
// The config's "bicubic_a" for a skip kernel: −0.5 (kMatlab) or −0.75 (kPytorch).
double sam_sr_bicubic_a(BicubicKind kind);

// The graph for a config (validated again here).
Result<Graph> build_sam_sr_graph(const SamSrConfig& config);

}  // namespace litesr::models
