#include "train/elsr_network.h"

namespace litesr::train {

ElsrNetwork::ElsrNetwork(const ElsrConfig& config) : model_config_(config), scale_(config.scale) {
  const int64_t c = config.channels;
  conv1 = register_module("conv1", same_conv(3, c, 3));
  conv2 = register_module("conv2", same_conv(c, c, 3));
  prelu = register_module("prelu", torch::nn::PReLU(torch::nn::PReLUOptions().num_parameters(c)));
  conv3 = register_module("conv3", same_conv(c, c, 3));
  conv4 = register_module("conv4", same_conv(c, 3 * scale_ * scale_, 3));
}

torch::Tensor ElsrNetwork::forward(const torch::Tensor& x) {
  torch::Tensor f1 = conv1->forward(x);                             // [B, 6, h, w]
  torch::Tensor r = conv3->forward(prelu->forward(conv2->forward(f1))) + f1;
  return torch::pixel_shuffle(conv4->forward(r), scale_);           // [B, 3, s·h, s·w]
}

int elsr_x4_source_channel(int k) {
  const int c = k / 16;
  const int i = (k % 16) / 4;
  const int j = k % 4;
  return c * 4 + (i / 2) * 2 + (j / 2);
}

Result<std::shared_ptr<ElsrNetwork>> elsr_x2_to_x4(const ElsrNetwork& x2) {
  const auto* cfg = std::get_if<ElsrConfig>(&x2.config());
  if (cfg == nullptr || cfg->scale != 2) return invalid_argument("elsr_x2_to_x4: the source network must be ELSR x2");
  try {
    ElsrConfig c4 = *cfg;
    c4.scale = 4;
    auto x4 = std::make_shared<ElsrNetwork>(c4);
    torch::NoGradGuard no_grad;
    x4->conv1->weight.copy_(x2.conv1->weight);
    x4->conv1->bias.copy_(x2.conv1->bias);
    x4->conv2->weight.copy_(x2.conv2->weight);
    x4->conv2->bias.copy_(x2.conv2->bias);
    x4->conv3->weight.copy_(x2.conv3->weight);
    x4->conv3->bias.copy_(x2.conv3->bias);
    x4->prelu->weight.copy_(x2.prelu->weight);
    std::vector<int64_t> source(48);
    for (int k = 0; k < 48; ++k) source[k] = elsr_x4_source_channel(k);
    const torch::Tensor index = torch::tensor(source, torch::kLong);
    x4->conv4->weight.copy_(x2.conv4->weight.index_select(0, index));
    x4->conv4->bias.copy_(x2.conv4->bias.index_select(0, index));
    x4->train(x2.is_training());
    return x4;
  } catch (const c10::Error& e) {
    return internal_error(std::string("elsr_x2_to_x4: ") + e.what_without_backtrace());
  }
}

}  // namespace litesr::train
