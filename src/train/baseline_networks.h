// Baseline architectures for the comparison tables (docs/architectures.md "espcn", "fsrcnn").
//   ESPCN:  conv1 5x5 C->64, tanh; conv2 3x3 64->32, tanh; conv3 3x3 32->C·s²; PixelShuffle(s).
//   FSRCNN: first_part = [conv 5x5 C->d, PReLU(d)]; mid_part = [conv 1x1 d->s, PReLU(s),
//           m × (conv 3x3 s->s, PReLU(s)), conv 1x1 s->d, PReLU(d)];
//           last_part = ConvTranspose2d(d->C, kernel 9, stride = scale, padding 4, output_padding = scale−1).
#pragma once

#include "train/sr_network.h"

namespace litesr::train {

class EspcnNetwork : public SrNetwork {
 public:
  explicit EspcnNetwork(const EspcnConfig& config);
  torch::Tensor forward(const torch::Tensor& x) override;
  const ModelConfig& config() const override { return model_config_; }
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, conv3{nullptr};

 private:
  ModelConfig model_config_;
  int scale_;
};

class FsrcnnNetwork : public SrNetwork {
 public:
  explicit FsrcnnNetwork(const FsrcnnConfig& config);
  torch::Tensor forward(const torch::Tensor& x) override;
  const ModelConfig& config() const override { return model_config_; }
  torch::nn::Sequential first_part{nullptr}, mid_part{nullptr};
  torch::nn::ConvTranspose2d last_part{nullptr};

 private:
  ModelConfig model_config_;
};

}  // namespace litesr::train
