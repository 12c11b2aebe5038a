#include "train/elsr_network.h"

#include "train/global_rng_restore.h"

namespace litesr::train {

ElsrNetwork::ElsrNetwork(const ElsrConfig& config) : model_config_(config), scale_(config.scale) {
  const int64_t c = config.channels;
  const int64_t k = config.color_channels;  // 3 = RGB, 1 = luma
  const int64_t p = config.expand;
  conv1 = register_module("conv1", CollapsibleConv(k, c, 3, p));
  conv2 = register_module("conv2", CollapsibleConv(c, c, 3, p));
  prelu = register_module("prelu", torch::nn::PReLU(torch::nn::PReLUOptions().num_parameters(c)));
  conv3 = register_module("conv3", CollapsibleConv(c, c, 3, p));
  conv4 = register_module("conv4", CollapsibleConv(c, k * scale_ * scale_, 3, p));
}

torch::Tensor ElsrNetwork::forward(const torch::Tensor& x) {
  torch::Tensor f1 = conv1->forward(x);                             // [B, C, h, w]
  torch::Tensor r = conv3->forward(prelu->forward(conv2->forward(f1))) + f1;
  return torch::pixel_shuffle(conv4->forward(r), scale_);           // [B, K, s·h, s·w]
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
    x4->conv1->copy_from(*x2.conv1);
    x4->conv2->copy_from(*x2.conv2);
    x4->conv3->copy_from(*x2.conv3);
    x4->prelu->weight.copy_(x2.prelu->weight);
    std::vector<int64_t> source(16 * c4.color_channels);  // K·16 x4 channels from K·4 x2 channels
    for (int k = 0; k < static_cast<int>(source.size()); ++k) source[k] = elsr_x4_source_channel(k);
    x4->conv4->copy_from(*x2.conv4, torch::tensor(source, torch::kLong));
    x4->train(x2.is_training());
    return x4;
  } catch (const c10::Error& e) {
    return internal_error(std::string("elsr_x2_to_x4: ") + e.what_without_backtrace());
  }
}

Result<std::shared_ptr<ElsrNetwork>> collapse_elsr(const ElsrNetwork& net) {
  try {
    ElsrConfig plain = std::get<ElsrConfig>(net.config());
    plain.expand = 0;
    GlobalRngRestore keep_rng;  // the default initialisation below is overwritten entirely
    auto out = std::make_shared<ElsrNetwork>(plain);
    torch::NoGradGuard no_grad;
    const std::pair<const CollapsibleConv*, CollapsibleConv*> convs[] = {
        {&net.conv1, &out->conv1}, {&net.conv2, &out->conv2}, {&net.conv3, &out->conv3}, {&net.conv4, &out->conv4}};
    for (const auto& [from, to] : convs) {
      (*to)->plain_weight.copy_((*from)->weight());
      (*to)->bias.copy_((*from)->bias);
    }
    out->prelu->weight.copy_(net.prelu->weight);
    out->train(net.is_training());
    return out;
  } catch (const c10::Error& e) {
    return internal_error(std::string("collapse_elsr: ") + e.what_without_backtrace());
  }
}

}  // namespace litesr::train
