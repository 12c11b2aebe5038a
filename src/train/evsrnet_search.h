// FGNAS for EVSRNet: the searchable supernet, its MAC count as a function of the channel gates, and the
// derivation of the uniform EVSRNet the search found (seeds_facts §2.1 Table 2, §2.4; docs/training.md "FGNAS").
//
// Stated [S, EVSRNet]: objective L(θ, ψ) + λ·R(ψ), ψ the parameters of per-channel gating functions, R = FLOPs;
// search space: normal 3x3 (and 1x1) convs, ReLU, channels 0..32, residual blocks 0..8, blocks without BN; the
// sub-pixel restoration part is fixed. The FGNAS method text was not retrievable (seeds_facts §2.4 [M]); this
// file's reading of it:
//   * one gate per searchable channel, g = 1[ψ > 0] in the forward pass (exactly binary), with the gradient of
//     sigmoid(ψ) in the backward pass (straight-through estimator);
//   * the trunk (the residual stream: head output, every block's conv2 output, the recurrent hidden state) has
//     ONE gate vector g_T [C] — every block adds into the same stream, so a trunk channel exists everywhere or
//     nowhere; each residual block i has its own gate vector g_i [C] on its inner channels (conv1 output);
//   * a block whose inner gates are all closed is removed: its residual branch (conv2 bias included) is scaled
//     by z_i = 1 − Π_j (1 − g_ij), which is exactly 1[any inner gate open] for binary gates;
//   * R is the MAC count per LR pixel of one frame step, Σ_layers k²·(Σ g_in)·(Σ g_out), normalised by the
//     all-open supernet and evaluated with the gate probabilities p = sigmoid(ψ) (differentiable in ψ);
//   * only 3x3 kernels are searched (the paper reports only uniform (n_c, n_b) models, Table 3).
//
// Supernet (C = max_channels, B = max_blocks, s = scale), per frame step exactly EvsrnetNetwork's dataflow
// (evsrnet_network.h) with gates; shapes per step [N, ·, h, w] (3 = K, the frame channels: 1 for a luma network):
//   recurrent:      in = concat(x_{t−1}, x_t, h_{t−1}, o_{t−1})   6 + C + 3s² channels
//   frame_parallel: in = x_t                                      3 channels
//   f = ReLU(head(in)) · g_T                                      [N, C]
//   block i: u = ReLU(conv1_i(f)) · g_i;  f = f + z_i · conv2_i(u) · g_T
//   recurrent: h_t = ReLU(hidden(f)) · g_T;  o_t = tail(f) [N, 3s²];  frame = PixelShuffle(s)(o_t)
// With hard gates the closed channels are exact zeros, so the supernet computes the same function as the
// EVSRNet made of its open channels.
//
// MACs per LR pixel of one frame step (conv multiply-accumulates, no bias; the runtime profile's "macs"
// convention), n_T = Σ g_T, n_i = Σ g_i:
//   head 9·(c_in)·n_T with c_in = 6 + n_T + 3s² (recurrent) or 3;  block i 2·9·n_T·n_i;
//   hidden 9·n_T² (recurrent);  tail 9·n_T·3s².
// EVSRNet x4 nc 8, nb 5: recurrent 14,256 (821.1 M per 320x180 frame), frame_parallel 9,432 (543.3 M).
//
// Derivation (the paper reports only uniform models): nc = open trunk gates (at least 1: when all are closed
// the highest-logit channel is kept), nb = blocks with any open inner gate. Each surviving block's inner width
// k_i is rounded to nc: the nc inner channels with the highest logits are kept (k_i > nc drops the weakest open
// ones; k_i < nc reopens closed ones). The derived EvsrnetNetwork inherits every weight from the supernet's
// kept channels; reopened inner channels get zero conv2 input weights, so whenever every k_i <= nc the derived
// network computes exactly the hard-gated supernet's function (test NasDerive.*).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "train/evsrnet_network.h"
#include "train/recipe.h"

namespace litesr::train {

// Conv MACs per LR pixel of one frame step of the uniform EVSRNet `config` (closed form above).
int64_t evsrnet_macs_per_pixel(const EvsrnetConfig& config);

// The gates' binary forward / sigmoid backward: value 1[logits > 0] exactly, gradient sigmoid'(logits).
torch::Tensor straight_through_gate(const torch::Tensor& logits);

// The open channels of a supernet (hard gates) and the uniform architecture derived from them.
struct NasArchitecture {
  std::vector<int64_t> trunk_channels;              // open trunk gates, ascending
  std::vector<std::vector<int64_t>> inner_channels;  // per supernet block: open inner gates, ascending
  int nc = 0;                                        // derived: max(1, open trunk gates)
  int nb = 0;                                        // derived: blocks with an open inner gate
  std::vector<int> inner_widths() const;             // open inner gates of each surviving block
};

class EvsrnetSearchBlock : public torch::nn::Module {
 public:
  EvsrnetSearchBlock(int64_t channels, double gate_init);
  // f + z · conv2(ReLU(conv1(f)) · g) · trunk_gate; g = this block's gates, trunk_gate [1, C, 1, 1].
  torch::Tensor forward(const torch::Tensor& f, const torch::Tensor& trunk_gate);
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
  torch::Tensor gate;  // inner gate logits [C]
};

class EvsrnetSearchNetwork : public SrNetwork {
 public:
  // scale, frames and mode come from `base` (its nc / nb are ignored); the search space from `nas`.
  EvsrnetSearchNetwork(const EvsrnetConfig& base, const NasSpec& nas);
  torch::Tensor forward(const torch::Tensor& x) override;
  // The supernet's shape as an EvsrnetConfig: nc = max_channels, nb = max_blocks.
  const ModelConfig& config() const override { return model_config_; }

  // The gate logits (trunk first, then block 0 .. B−1) and every other parameter (the conv weights).
  std::vector<torch::Tensor> gate_parameters() const;
  std::vector<torch::Tensor> weight_parameters() const;

  // MACs per LR pixel (formula above) with the gate probabilities sigmoid(ψ): differentiable in ψ.
  torch::Tensor expected_macs_per_pixel() const;
  // The same with the hard (binary) gates: the MACs of the gated supernet as it runs now.
  double hard_macs_per_pixel() const;
  // All gates open: the normaliser of the penalty.
  double full_macs_per_pixel() const;
  // λ-free penalty term: expected_macs_per_pixel() / full_macs_per_pixel() (a scalar tensor in [0, 1]).
  torch::Tensor macs_penalty() const;

  NasArchitecture architecture() const;
  EvsrnetConfig derived_config() const;
  // The uniform EVSRNet of architecture() with the weights of the kept channels (see the header comment).
  // Does not touch torch's global random generator (a resumed run stays bit-identical).
  std::shared_ptr<EvsrnetNetwork> derive() const;

  torch::nn::Conv2d head{nullptr}, hidden{nullptr}, tail{nullptr};
  torch::nn::ModuleList body{nullptr};
  torch::Tensor trunk_gate;  // trunk gate logits [C]

 private:
  // MACs per pixel for trunk width n_t and inner widths n_i (tensors or doubles through T).
  template <typename T>
  T macs_formula(const T& n_trunk, const std::vector<T>& n_inner) const;

  EvsrnetConfig base_;
  NasSpec nas_;
  ModelConfig model_config_;
};

}  // namespace litesr::train
