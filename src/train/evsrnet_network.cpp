#include "train/evsrnet_network.h"

namespace litesr::train {

EvsrnetBlock::EvsrnetBlock(int64_t nc) {
  conv1 = register_module("conv1", same_conv(nc, nc, 3));
  conv2 = register_module("conv2", same_conv(nc, nc, 3));
}

torch::Tensor EvsrnetBlock::forward(const torch::Tensor& x) {
  return x + conv2->forward(torch::relu(conv1->forward(x)));
}

EvsrnetNetwork::EvsrnetNetwork(const EvsrnetConfig& config) : cfg_(config), model_config_(config) {
  const int64_t s2 = static_cast<int64_t>(config.scale) * config.scale;
  const int64_t k = config.color_channels;  // 3 = RGB, 1 = luma
  const bool recurrent = config.mode == EvsrnetMode::kRecurrent;
  head = register_module("head", same_conv(models::evsrnet_head_input_channels(config), config.nc, 3));
  body = register_module("body", torch::nn::ModuleList());
  for (int i = 0; i < config.nb; ++i) body->push_back(std::make_shared<EvsrnetBlock>(config.nc));
  if (recurrent) hidden = register_module("hidden", same_conv(config.nc, config.nc, 3));
  tail = register_module("tail", same_conv(config.nc, k * s2, 3));
}

torch::Tensor EvsrnetNetwork::run_body(torch::Tensor f) {
  for (const auto& block : *body) f = block->as<EvsrnetBlock>()->forward(f);
  return f;
}

torch::Tensor EvsrnetNetwork::forward(const torch::Tensor& x) {
  const int64_t k = cfg_.color_channels;
  TORCH_CHECK(x.dim() == 4 && x.size(1) % k == 0, "evsrnet: input must be [B, K·T, h, w] with K = ", k, ", got ",
              x.sizes());
  const int64_t b = x.size(0), t_count = x.size(1) / k, h = x.size(2), w = x.size(3);
  const int64_t s = cfg_.scale;
  if (cfg_.mode == EvsrnetMode::kFrameParallel) {
    torch::Tensor frames = x.reshape({b * t_count, k, h, w});  // [B·T, K, h, w]
    torch::Tensor f = run_body(torch::relu(head->forward(frames)));
    torch::Tensor y = torch::pixel_shuffle(tail->forward(f), s);  // [B·T, K, s·h, s·w]
    return y.reshape({b, k * t_count, s * h, s * w});
  }
  torch::Tensor hid = torch::zeros({b, cfg_.nc, h, w}, x.options());       // h_{-1}
  torch::Tensor prev_out = torch::zeros({b, k * s * s, h, w}, x.options());  // o_{-1}
  std::vector<torch::Tensor> outputs;
  outputs.reserve(t_count);
  for (int64_t t = 0; t < t_count; ++t) {
    torch::Tensor cur = x.narrow(1, k * t, k);
    torch::Tensor prev = t == 0 ? cur : x.narrow(1, k * (t - 1), k);
    torch::Tensor f = run_body(torch::relu(head->forward(torch::cat({prev, cur, hid, prev_out}, 1))));
    hid = torch::relu(hidden->forward(f));
    prev_out = tail->forward(f);  // [B, Ks², h, w]
    outputs.push_back(torch::pixel_shuffle(prev_out, s));
  }
  return torch::cat(outputs, 1);
}

}  // namespace litesr::train
