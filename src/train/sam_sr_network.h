// SAM-SR (seed 002, docs/architectures.md "sam_sr"): N+1 modified MobileNetV3 blocks at LR resolution,
// global skip from block 0's output, the "candidate_a" upsampler/post-processing (up.0 … up.7) and a
// bicubic ×4 skip of the input. With bn = false (the folded form) the block convs carry biases instead.
#pragma once

#include <memory>

#include "train/bicubic_upsample.h"
#include "train/sr_network.h"
#include "train/sync_batch_norm.h"

namespace litesr::train {

// Squeeze-excite on C channels: mean over H,W -> fc1 (C -> C/4, no bias) -> ReLU -> fc2 -> gate -> scale.
class SqueezeExcite : public torch::nn::Module {
 public:
  SqueezeExcite(int64_t channels, int64_t squeeze, SeGate gate);
  torch::Tensor forward(const torch::Tensor& x);  // [B, C, h, w] -> same
  torch::nn::Linear fc1{nullptr}, fc2{nullptr};

 private:
  SeGate gate_;
};

// expand 1x1 (cin -> 2nf) [BN] LReLU(0.2); dw 3x3 [BN] LReLU(0.2); [SE]; project 1x1 (2nf -> nf) [BN];
// + input when residual.
class SamSrBlock : public torch::nn::Module {
 public:
  SamSrBlock(int64_t cin, int64_t nf, bool bn, bool se, SeGate gate, bool residual);
  torch::Tensor forward(const torch::Tensor& x);
  void set_batch_norm_sync(BatchNormSync* sync) { sync_ = sync; }

  torch::nn::Conv2d expand{nullptr}, dw{nullptr}, project{nullptr};
  torch::nn::BatchNorm2d expand_bn{nullptr}, dw_bn{nullptr}, project_bn{nullptr};
  std::shared_ptr<SqueezeExcite> se{nullptr};

 private:
  torch::Tensor batch_norm(torch::nn::BatchNorm2d& bn, const torch::Tensor& y);

  bool residual_;
  BatchNormSync* sync_ = nullptr;
};

class SamSrNetwork : public SrNetwork {
 public:
  explicit SamSrNetwork(const SamSrConfig& config);
  torch::Tensor forward(const torch::Tensor& x) override;
  const ModelConfig& config() const override { return model_config_; }
  // Data-parallel training: batch statistics over every rank's shard (sync_batch_norm.h) while training;
  // nullptr (the default) = plain BatchNorm2d. `sync` must outlive its use.
  void set_batch_norm_sync(BatchNormSync* sync);

  torch::nn::ModuleList blocks{nullptr};
  torch::nn::ModuleList up{nullptr};

 private:
  SamSrConfig cfg_;
  ModelConfig model_config_;
  BicubicUpsampler bicubic_;
};

// The BN-folded copy of a bn = true network (eval-mode BN folded into the preceding conv: W' = W·γ/√(σ²+ε),
// b' = β − μ·γ/√(σ²+ε)); config "bn": false. Same output as `net` in eval mode.
Result<std::shared_ptr<SamSrNetwork>> fold_sam_sr_batch_norm(SamSrNetwork& net);

}  // namespace litesr::train
