#include "train/evsrnet_search.h"

#include <algorithm>
#include <numeric>

#include "train/global_rng_restore.h"

namespace litesr::train {
namespace {

// Indices i with logits[i] > 0 (open gates), ascending.
std::vector<int64_t> open_gates(const torch::Tensor& logits) {
  const torch::Tensor v = logits.detach().to(torch::kFloat).contiguous();
  const float* p = v.data_ptr<float>();
  std::vector<int64_t> out;
  for (int64_t i = 0; i < v.numel(); ++i) {
    if (p[i] > 0.0f) out.push_back(i);
  }
  return out;
}

// The `count` indices with the largest logits (ties: the lower index), returned ascending.
std::vector<int64_t> strongest_gates(const torch::Tensor& logits, int64_t count) {
  const torch::Tensor v = logits.detach().to(torch::kFloat).contiguous();
  const float* p = v.data_ptr<float>();
  std::vector<int64_t> order(static_cast<size_t>(v.numel()));
  std::iota(order.begin(), order.end(), int64_t{0});
  std::stable_sort(order.begin(), order.end(), [p](int64_t a, int64_t b) { return p[a] > p[b]; });
  order.resize(static_cast<size_t>(std::min<int64_t>(count, v.numel())));
  std::sort(order.begin(), order.end());
  return order;
}

torch::Tensor index_tensor(const std::vector<int64_t>& indices) {
  return torch::tensor(indices, torch::TensorOptions().dtype(torch::kLong));
}

}  // namespace

int64_t evsrnet_macs_per_pixel(const EvsrnetConfig& config) {
  const int64_t nc = config.nc, s2 = static_cast<int64_t>(config.scale) * config.scale, k = config.color_channels;
  const bool recurrent = config.mode == EvsrnetMode::kRecurrent;
  const int64_t head_in = models::evsrnet_head_input_channels(config);
  int64_t macs = 9 * head_in * nc + 18 * nc * nc * config.nb + 9 * nc * k * s2;
  if (recurrent) macs += 9 * nc * nc;
  return macs;
}

torch::Tensor straight_through_gate(const torch::Tensor& logits) {
  const torch::Tensor soft = torch::sigmoid(logits);
  const torch::Tensor hard = (logits > 0).to(soft.scalar_type());
  return hard + (soft - soft.detach());  // value: hard exactly (soft − soft = 0); gradient: d soft / d logits
}

std::vector<int> NasArchitecture::inner_widths() const {
  std::vector<int> widths;
  for (const auto& inner : inner_channels) {
    if (!inner.empty()) widths.push_back(static_cast<int>(inner.size()));
  }
  return widths;
}

EvsrnetSearchBlock::EvsrnetSearchBlock(int64_t channels, double gate_init) {
  conv1 = register_module("conv1", same_conv(channels, channels, 3));
  conv2 = register_module("conv2", same_conv(channels, channels, 3));
  gate = register_parameter("gate", torch::full({channels}, gate_init));
}

torch::Tensor EvsrnetSearchBlock::forward(const torch::Tensor& f, const torch::Tensor& trunk_gate) {
  const torch::Tensor g = straight_through_gate(gate);         // [C], exactly 0 / 1
  const torch::Tensor present = 1.0 - torch::prod(1.0 - g);    // scalar: 1 when any inner gate is open
  const torch::Tensor u = torch::relu(conv1->forward(f)) * g.view({1, -1, 1, 1});
  return f + present * conv2->forward(u) * trunk_gate;
}

EvsrnetSearchNetwork::EvsrnetSearchNetwork(const EvsrnetConfig& base, const NasSpec& nas)
    : base_(base), nas_(nas) {
  EvsrnetConfig shape = base;
  shape.nc = nas.max_channels;
  shape.nb = nas.max_blocks;
  model_config_ = shape;
  const int64_t c = nas.max_channels, s2 = static_cast<int64_t>(base.scale) * base.scale, k = base.color_channels;
  const bool recurrent = base.mode == EvsrnetMode::kRecurrent;
  head = register_module("head", same_conv(models::evsrnet_head_input_channels(shape), c, 3));
  body = register_module("body", torch::nn::ModuleList());
  for (int i = 0; i < nas.max_blocks; ++i) body->push_back(std::make_shared<EvsrnetSearchBlock>(c, nas.gate_init));
  if (recurrent) hidden = register_module("hidden", same_conv(c, c, 3));
  tail = register_module("tail", same_conv(c, k * s2, 3));
  trunk_gate = register_parameter("trunk_gate", torch::full({c}, nas.gate_init));
}

torch::Tensor EvsrnetSearchNetwork::forward(const torch::Tensor& x) {
  const int64_t k = base_.color_channels;  // 3 = RGB, 1 = luma
  TORCH_CHECK(x.dim() == 4 && x.size(1) % k == 0, "evsrnet search: input must be [B, K·T, h, w] with K = ", k, ", got ",
              x.sizes());
  const int64_t b = x.size(0), t_count = x.size(1) / k, h = x.size(2), w = x.size(3);
  const int64_t s = base_.scale, c = nas_.max_channels;
  const torch::Tensor g_trunk = straight_through_gate(trunk_gate).view({1, c, 1, 1});
  auto run_trunk = [&](const torch::Tensor& in) {
    torch::Tensor f = torch::relu(head->forward(in)) * g_trunk;
    for (const auto& block : *body) f = block->as<EvsrnetSearchBlock>()->forward(f, g_trunk);
    return f;
  };
  if (base_.mode == EvsrnetMode::kFrameParallel) {
    const torch::Tensor f = run_trunk(x.reshape({b * t_count, k, h, w}));  // [B·T, C, h, w]
    return torch::pixel_shuffle(tail->forward(f), s).reshape({b, k * t_count, s * h, s * w});
  }
  torch::Tensor hid = torch::zeros({b, c, h, w}, x.options());                // h_{-1}
  torch::Tensor prev_out = torch::zeros({b, k * s * s, h, w}, x.options());   // o_{-1}
  std::vector<torch::Tensor> outputs;
  outputs.reserve(static_cast<size_t>(t_count));
  for (int64_t t = 0; t < t_count; ++t) {
    const torch::Tensor cur = x.narrow(1, k * t, k);
    const torch::Tensor prev = t == 0 ? cur : x.narrow(1, k * (t - 1), k);
    const torch::Tensor f = run_trunk(torch::cat({prev, cur, hid, prev_out}, 1));
    hid = torch::relu(hidden->forward(f)) * g_trunk;
    prev_out = tail->forward(f);  // [B, Ks², h, w]
    outputs.push_back(torch::pixel_shuffle(prev_out, s));
  }
  return torch::cat(outputs, 1);
}

std::vector<torch::Tensor> EvsrnetSearchNetwork::gate_parameters() const {
  std::vector<torch::Tensor> gates = {trunk_gate};
  for (const auto& block : *body) gates.push_back(block->as<EvsrnetSearchBlock>()->gate);
  return gates;
}

std::vector<torch::Tensor> EvsrnetSearchNetwork::weight_parameters() const {
  std::vector<torch::Tensor> weights;
  for (const auto& item : named_parameters(/*recurse=*/true)) {
    const std::string& name = item.key();
    const bool is_gate = name == "trunk_gate" || (name.size() >= 5 && name.compare(name.size() - 5, 5, ".gate") == 0);
    if (!is_gate) weights.push_back(item.value());
  }
  return weights;
}

template <typename T>
T EvsrnetSearchNetwork::macs_formula(const T& n_trunk, const std::vector<T>& n_inner) const {
  const double s2 = static_cast<double>(base_.scale) * base_.scale;
  const bool recurrent = base_.mode == EvsrnetMode::kRecurrent;
  const T head_in = recurrent ? n_trunk + (6.0 + 3.0 * s2) : n_trunk * 0.0 + 3.0;
  T total = 9.0 * head_in * n_trunk + 9.0 * n_trunk * (3.0 * s2);  // head + tail
  if (recurrent) total = total + 9.0 * n_trunk * n_trunk;          // hidden
  for (const T& n : n_inner) total = total + 18.0 * n_trunk * n;   // conv1 + conv2 of each block
  return total;
}

torch::Tensor EvsrnetSearchNetwork::expected_macs_per_pixel() const {
  std::vector<torch::Tensor> inner;
  for (const auto& block : *body) inner.push_back(torch::sigmoid(block->as<EvsrnetSearchBlock>()->gate).sum());
  return macs_formula<torch::Tensor>(torch::sigmoid(trunk_gate).sum(), inner);
}

double EvsrnetSearchNetwork::hard_macs_per_pixel() const {
  const NasArchitecture a = architecture();
  std::vector<double> inner;
  for (const auto& open : a.inner_channels) inner.push_back(static_cast<double>(open.size()));
  return macs_formula<double>(static_cast<double>(a.trunk_channels.size()), inner);
}

double EvsrnetSearchNetwork::full_macs_per_pixel() const {
  const double c = nas_.max_channels;
  return macs_formula<double>(c, std::vector<double>(static_cast<size_t>(nas_.max_blocks), c));
}

torch::Tensor EvsrnetSearchNetwork::macs_penalty() const {
  return expected_macs_per_pixel() / full_macs_per_pixel();
}

NasArchitecture EvsrnetSearchNetwork::architecture() const {
  NasArchitecture a;
  a.trunk_channels = open_gates(trunk_gate);
  for (const auto& block : *body) {
    a.inner_channels.push_back(open_gates(block->as<EvsrnetSearchBlock>()->gate));
    if (!a.inner_channels.back().empty()) ++a.nb;
  }
  a.nc = std::max<int>(1, static_cast<int>(a.trunk_channels.size()));
  return a;
}

EvsrnetConfig EvsrnetSearchNetwork::derived_config() const {
  const NasArchitecture a = architecture();
  EvsrnetConfig c = base_;
  c.nc = a.nc;
  c.nb = a.nb;
  return c;
}

std::shared_ptr<EvsrnetNetwork> EvsrnetSearchNetwork::derive() const {
  const NasArchitecture arch = architecture();
  const EvsrnetConfig config = derived_config();
  std::shared_ptr<EvsrnetNetwork> net;
  {
    GlobalRngRestore keep_rng;  // the default initialisation below is overwritten entirely
    net = std::make_shared<EvsrnetNetwork>(config);
  }
  torch::NoGradGuard no_grad;
  // Kept trunk channels: the open ones (all closed: the strongest one).
  const torch::Tensor trunk =
      index_tensor(arch.trunk_channels.empty() ? strongest_gates(trunk_gate, 1) : arch.trunk_channels);
  const int64_t c = nas_.max_channels, s2 = static_cast<int64_t>(base_.scale) * base_.scale;
  const int64_t k = base_.color_channels, frames_in = 2 * k;  // x_prev, x_t: K channels each
  const bool recurrent = base_.mode == EvsrnetMode::kRecurrent;

  // head [C, c_in, 3, 3]: output rows = kept trunk; recurrent input columns = x_prev, x_t (2K), the hidden
  // state's kept trunk channels (2K + trunk), o_prev (Ks², after the C hidden columns).
  torch::Tensor head_w = head->weight.index_select(0, trunk);
  if (recurrent) {
    const torch::Tensor columns = torch::cat({torch::arange(frames_in, torch::kLong), trunk + frames_in,
                                              torch::arange(frames_in + c, frames_in + c + k * s2, torch::kLong)});
    head_w = head_w.index_select(1, columns);
  }
  net->head->weight.copy_(head_w);
  net->head->bias.copy_(head->bias.index_select(0, trunk));

  size_t derived_block = 0;
  for (size_t i = 0; i < arch.inner_channels.size(); ++i) {
    if (arch.inner_channels[i].empty()) continue;  // removed block
    const auto* from = body->ptr(i)->as<EvsrnetSearchBlock>();
    auto* to = net->body->ptr(derived_block++)->as<EvsrnetBlock>();
    // The nc strongest inner channels; reopened (closed) ones get zero conv2 input weights.
    const torch::Tensor inner = index_tensor(strongest_gates(from->gate, config.nc));
    const torch::Tensor open_mask = (from->gate.index_select(0, inner) > 0).to(torch::kFloat).view({1, -1, 1, 1});
    to->conv1->weight.copy_(from->conv1->weight.index_select(0, inner).index_select(1, trunk));
    to->conv1->bias.copy_(from->conv1->bias.index_select(0, inner));
    to->conv2->weight.copy_(from->conv2->weight.index_select(0, trunk).index_select(1, inner) * open_mask);
    to->conv2->bias.copy_(from->conv2->bias.index_select(0, trunk));
  }
  if (recurrent) {
    net->hidden->weight.copy_(hidden->weight.index_select(0, trunk).index_select(1, trunk));
    net->hidden->bias.copy_(hidden->bias.index_select(0, trunk));
  }
  net->tail->weight.copy_(tail->weight.index_select(1, trunk));
  net->tail->bias.copy_(tail->bias);
  net->train(is_training());
  return net;
}

}  // namespace litesr::train
