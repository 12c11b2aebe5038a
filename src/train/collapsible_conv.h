// CollapsibleConv: a k×k "same" convolution that can be trained over-parameterised and always runs as one conv.
//
// expand = 0: an ordinary conv with torch::nn::Conv2d's parameter names: weight [out, in, k, k], bias [out].
// expand = p > 0: linear over-parameterisation, SESR's "collapsible linear block" (Bhardwaj et al., MLSys 2022):
//   expand [p, in, k, k] (a k×k conv in -> p), project [out, p] (a 1×1 conv p -> out), bias [out], and, when
//   in == out, the identity (SESR's short residual):
//     weight = project · expand (+ δ at the centre tap of channel o -> o)        [out, in, k, k]
//   The composition is linear, so the block is exactly one k×k conv. It is collapsed on every forward pass (as
//   SESR trains it), so an iteration costs what the plain conv costs; only the optimisation path differs (the
//   factored parameters move W along different directions), and the exported model is the plain conv.
#pragma once

#include <torch/torch.h>

namespace litesr::train {

class CollapsibleConvImpl : public torch::nn::Module {
 public:
  // nn.Conv2d's default initialisation for each factor (kaiming-uniform a = √5; bias uniform in ±1/√(in·k²)),
  // drawn from torch's global generator in registration order: expand = 0 draws exactly what Conv2d draws.
  CollapsibleConvImpl(int64_t in, int64_t out, int64_t k, int64_t expand);

  // The collapsed kernel [out, in, k, k].
  torch::Tensor weight() const;
  // x [B, in, h, w] -> [B, out, h, w].
  torch::Tensor forward(const torch::Tensor& x);

  int64_t expand_width() const { return expand_width_; }
  // Copies `from`'s factors (same shape), optionally keeping only output rows `rows` of `from` (index [out]).
  void copy_from(const CollapsibleConvImpl& from, const torch::Tensor& rows = {});

  torch::Tensor plain_weight;  // "weight" [out, in, k, k] when expand = 0, else undefined
  torch::Tensor expand;        // "expand" [p, in, k, k] when expand = p > 0, else undefined
  torch::Tensor project;       // "project" [out, p] when expand = p > 0, else undefined
  torch::Tensor bias;          // "bias" [out]

 private:
  int64_t in_, out_, k_, expand_width_;
  torch::Tensor identity_;  // δ [out, in, k, k] when expand > 0 and in == out (not a parameter or buffer)
};
TORCH_MODULE(CollapsibleConv);

}  // namespace litesr::train
