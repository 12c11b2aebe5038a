// EVSRNet (seed 001, docs/architectures.md "evsrnet"). Input [B, K·T, h, w] (channel = K·t + colour; K = 3 RGB,
// 1 luma), output [B, K·T, s·h, s·w]. Below, 3 stands for K.
//   frame_parallel: per frame, ReLU(head(x_t)) -> nb × (x + conv2(ReLU(conv1(x)))) -> tail -> PixelShuffle(s).
//   recurrent (RRN): in_t = concat(x_{t-1}, x_t, h_{t-1}, o_{t-1}) (6 + nc + 3s² channels), x_{-1} = x_0,
//     h_{-1} = o_{-1} = 0; f = body(ReLU(head(in_t))); h_t = ReLU(hidden(f)); o_t = tail(f);
//     frame_t = PixelShuffle(s)(o_t). State restarts for every input window.
#pragma once

#include "train/sr_network.h"

namespace litesr::train {

class EvsrnetBlock : public torch::nn::Module {
 public:
  explicit EvsrnetBlock(int64_t nc);
  torch::Tensor forward(const torch::Tensor& x);  // x + conv2(ReLU(conv1(x)))
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
};

class EvsrnetNetwork : public SrNetwork {
 public:
  explicit EvsrnetNetwork(const EvsrnetConfig& config);
  torch::Tensor forward(const torch::Tensor& x) override;
  const ModelConfig& config() const override { return model_config_; }

  torch::nn::Conv2d head{nullptr}, hidden{nullptr}, tail{nullptr};
  torch::nn::ModuleList body{nullptr};

 private:
  torch::Tensor run_body(torch::Tensor f);
  EvsrnetConfig cfg_;
  ModelConfig model_config_;
};

}  // namespace litesr::train
