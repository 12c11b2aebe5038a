#include "train/baseline_networks.h"

namespace litesr::train {

EspcnNetwork::EspcnNetwork(const EspcnConfig& config) : model_config_(config), scale_(config.scale) {
  conv1 = register_module("conv1", same_conv(config.channels, 64, 5));
  conv2 = register_module("conv2", same_conv(64, 32, 3));
  conv3 = register_module("conv3", same_conv(32, static_cast<int64_t>(config.channels) * scale_ * scale_, 3));
}

torch::Tensor EspcnNetwork::forward(const torch::Tensor& x) {
  torch::Tensor y = torch::tanh(conv2->forward(torch::tanh(conv1->forward(x))));
  return torch::pixel_shuffle(conv3->forward(y), scale_);
}

FsrcnnNetwork::FsrcnnNetwork(const FsrcnnConfig& c) : model_config_(c) {
  auto prelu = [](int64_t n) { return torch::nn::PReLU(torch::nn::PReLUOptions().num_parameters(n)); };
  first_part = register_module("first_part", torch::nn::Sequential(same_conv(c.channels, c.d, 5), prelu(c.d)));
  torch::nn::Sequential mid;
  mid->push_back(same_conv(c.d, c.s, 1));
  mid->push_back(prelu(c.s));
  for (int j = 0; j < c.m; ++j) {
    mid->push_back(same_conv(c.s, c.s, 3));
    mid->push_back(prelu(c.s));
  }
  mid->push_back(same_conv(c.s, c.d, 1));
  mid->push_back(prelu(c.d));
  mid_part = register_module("mid_part", mid);
  last_part = register_module(
      "last_part", torch::nn::ConvTranspose2d(
                       torch::nn::ConvTranspose2dOptions(c.d, c.channels, 9).stride(c.scale).padding(4).output_padding(
                           c.scale - 1)));
}

torch::Tensor FsrcnnNetwork::forward(const torch::Tensor& x) {
  return last_part->forward(mid_part->forward(first_part->forward(x)));  // [B, C, s·h, s·w]
}

}  // namespace litesr::train
