#include "train/sam_sr_network.h"

#include "train/global_rng_restore.h"

namespace litesr::train {
namespace {

constexpr double kLeakySlope = 0.2;
constexpr double kBnEps = 1e-5;

torch::Tensor leaky(const torch::Tensor& x) {
  return torch::leaky_relu(x, kLeakySlope);
}

torch::nn::BatchNorm2d make_bn(int64_t c) {
  return torch::nn::BatchNorm2d(torch::nn::BatchNorm2dOptions(c).eps(kBnEps));
}

}  // namespace

SqueezeExcite::SqueezeExcite(int64_t channels, int64_t squeeze, SeGate gate) : gate_(gate) {
  fc1 = register_module("fc1", torch::nn::Linear(torch::nn::LinearOptions(channels, squeeze).bias(false)));
  fc2 = register_module("fc2", torch::nn::Linear(torch::nn::LinearOptions(squeeze, channels).bias(false)));
}

torch::Tensor SqueezeExcite::forward(const torch::Tensor& x) {
  torch::Tensor s = x.mean({2, 3});                   // [B, C]
  s = fc2->forward(torch::relu(fc1->forward(s)));     // [B, C]
  s = gate_ == SeGate::kHardSigmoid ? torch::hardsigmoid(s) : torch::sigmoid(s);  // ReLU6(x+3)/6 or σ
  return x * s.unsqueeze(2).unsqueeze(3);
}

SamSrBlock::SamSrBlock(int64_t cin, int64_t nf, bool bn, bool se_on, SeGate gate, bool residual)
    : residual_(residual) {
  const int64_t e = 2 * nf;
  expand = register_module("expand", same_conv(cin, e, 1, /*bias=*/!bn));
  if (bn) expand_bn = register_module("expand_bn", make_bn(e));
  dw = register_module("dw", same_conv(e, e, 3, /*bias=*/!bn, /*groups=*/e));
  if (bn) dw_bn = register_module("dw_bn", make_bn(e));
  if (se_on) se = register_module("se", std::make_shared<SqueezeExcite>(e, nf / 2, gate));
  project = register_module("project", same_conv(e, nf, 1, /*bias=*/!bn));
  if (bn) project_bn = register_module("project_bn", make_bn(nf));
}

torch::Tensor SamSrBlock::batch_norm(torch::nn::BatchNorm2d& bn, const torch::Tensor& y) {
  if (sync_ != nullptr && is_training()) return sync_batch_norm(y, *bn, *sync_);
  return bn->forward(y);
}

torch::Tensor SamSrBlock::forward(const torch::Tensor& x) {
  torch::Tensor y = expand->forward(x);
  if (expand_bn) y = batch_norm(expand_bn, y);
  y = dw->forward(leaky(y));
  if (dw_bn) y = batch_norm(dw_bn, y);
  y = leaky(y);
  if (se) y = se->forward(y);
  y = project->forward(y);
  if (project_bn) y = batch_norm(project_bn, y);
  return residual_ ? y + x : y;
}

SamSrNetwork::SamSrNetwork(const SamSrConfig& config)
    : cfg_(config), model_config_(config), bicubic_(config.scale, models::sam_sr_bicubic_a(config.bicubic)) {
  const int64_t nf = config.nf, h = nf / 2;
  blocks = register_module("blocks", torch::nn::ModuleList());
  const int64_t k = config.color_channels;  // 3 = RGB, 1 = luma
  blocks->push_back(std::make_shared<SamSrBlock>(k, nf, config.bn, /*se=*/false, config.se_gate, /*residual=*/false));
  for (int b = 1; b <= config.n; ++b) {
    blocks->push_back(std::make_shared<SamSrBlock>(nf, nf, config.bn, config.se, config.se_gate, /*residual=*/true));
  }
  up = register_module("up", torch::nn::ModuleList());
  up->push_back(same_conv(nf, h, 1));      // up.0
  up->push_back(same_conv(h, 2 * nf, 1));  // up.1 -> PS2 -> LReLU (nf/2 channels at 2×)
  up->push_back(same_conv(h, h, 3, true, h));  // up.2 dw
  up->push_back(same_conv(h, 2 * nf, 1));  // up.3 -> PS2 -> LReLU (nf/2 channels at 4×)
  up->push_back(same_conv(h, h, 3, true, h));  // up.4 dw
  up->push_back(same_conv(h, h, 1));       // up.5
  up->push_back(same_conv(h, h, 3, true, h));  // up.6 dw
  up->push_back(same_conv(h, k, 1));       // up.7
}

void SamSrNetwork::set_batch_norm_sync(BatchNormSync* sync) {
  for (size_t b = 0; b < blocks->size(); ++b) blocks[b]->as<SamSrBlock>()->set_batch_norm_sync(sync);
}

torch::Tensor SamSrNetwork::forward(const torch::Tensor& x) {
  auto conv = [this](size_t k, const torch::Tensor& t) { return up[k]->as<torch::nn::Conv2d>()->forward(t); };
  torch::Tensor f = blocks[0]->as<SamSrBlock>()->forward(x);  // [B, nf, h, w]
  torch::Tensor y = f;
  for (size_t b = 1; b < blocks->size(); ++b) y = blocks[b]->as<SamSrBlock>()->forward(y);
  y = y + f;
  y = leaky(torch::pixel_shuffle(conv(1, conv(0, y)), 2));  // [B, nf/2, 2h, 2w]
  y = leaky(torch::pixel_shuffle(conv(3, conv(2, y)), 2));  // [B, nf/2, 4h, 4w]
  y = conv(7, conv(6, conv(5, conv(4, y))));                // [B, K, 4h, 4w]
  return y + bicubic_(x);
}

Result<std::shared_ptr<SamSrNetwork>> fold_sam_sr_batch_norm(SamSrNetwork& net) {
  const auto& cfg = std::get<SamSrConfig>(net.config());
  if (!cfg.bn) return invalid_argument("fold_sam_sr_batch_norm: the network has no batch norm");
  try {
    SamSrConfig folded_cfg = cfg;
    folded_cfg.bn = false;
    GlobalRngRestore keep_rng;  // the default initialisation below is overwritten entirely
    auto folded = std::make_shared<SamSrNetwork>(folded_cfg);
    torch::NoGradGuard no_grad;
    auto fold = [](const torch::nn::Conv2d& src, const torch::nn::BatchNorm2d& bn, torch::nn::Conv2d& dst) {
      // W' = W · γ/√(σ²+ε) per output channel; b' = β − μ · γ/√(σ²+ε).
      torch::Tensor inv = bn->weight / torch::sqrt(bn->running_var + bn->options.eps());
      dst->weight.copy_(src->weight * inv.view({-1, 1, 1, 1}));
      dst->bias.copy_(bn->bias - bn->running_mean * inv);
    };
    for (size_t b = 0; b < net.blocks->size(); ++b) {
      auto* s = net.blocks[b]->as<SamSrBlock>();
      auto* d = folded->blocks[b]->as<SamSrBlock>();
      fold(s->expand, s->expand_bn, d->expand);
      fold(s->dw, s->dw_bn, d->dw);
      fold(s->project, s->project_bn, d->project);
      if (s->se) {
        d->se->fc1->weight.copy_(s->se->fc1->weight);
        d->se->fc2->weight.copy_(s->se->fc2->weight);
      }
    }
    for (size_t k = 0; k < net.up->size(); ++k) {
      auto* s = net.up[k]->as<torch::nn::Conv2d>();
      auto* d = folded->up[k]->as<torch::nn::Conv2d>();
      d->weight.copy_(s->weight);
      d->bias.copy_(s->bias);
    }
    folded->eval();
    return folded;
  } catch (const c10::Error& e) {
    return internal_error(std::string("fold_sam_sr_batch_norm: ") + e.what_without_backtrace());
  }
}

}  // namespace litesr::train
