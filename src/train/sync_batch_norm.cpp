#include "train/sync_batch_norm.h"

#include <cmath>

namespace litesr::train {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

class SyncBatchNormFunction : public torch::autograd::Function<SyncBatchNormFunction> {
 public:
  // x [B, C, H, W]; weight, bias [C]; running stats [C] (updated in place). `sync` is passed as an address
  // (autograd saves only IValues); it outlives the step. The per-element work is ATen's fused CPU kernels (sums,
  // eval-mode batch norm and its backward), about as many passes over the activations as LibTorch's own batch
  // norm; only per-channel vectors cross ranks.
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& weight,
                               const torch::Tensor& bias, torch::Tensor running_mean, torch::Tensor running_var,
                               torch::Tensor num_batches_tracked, double momentum, double eps, int64_t sync_address) {
    auto& sync = *reinterpret_cast<BatchNormSync*>(sync_address);
    const int64_t channels = x.size(1);
    const torch::Tensor xf = x.to(torch::kFloat);
    // The local sums [Σx, Σx², n], accumulated in float64 (float sums lose the variance when mean² ≫ var).
    const double local_n = static_cast<double>(x.numel() / channels);
    torch::Tensor stats = torch::cat({xf.sum({0, 2, 3}, false, torch::kDouble),
                                      xf.square().sum({0, 2, 3}, false, torch::kDouble),
                                      torch::full({1}, local_n, torch::kDouble)});
    sync.all_reduce_sum(stats);
    const double n = stats[2 * channels].item<double>();
    const torch::Tensor mean = stats.narrow(0, 0, channels) / n;                                       // float64
    const torch::Tensor var = (stats.narrow(0, channels, channels) / n - mean * mean).clamp_min(0.0);  // biased
    const torch::Tensor mean_f = mean.to(torch::kFloat), var_f = var.to(torch::kFloat);
    const torch::Tensor invstd_f = (var + eps).rsqrt().to(torch::kFloat);
    const torch::Tensor w = weight.defined() ? weight.to(torch::kFloat) : torch::ones({channels});
    const torch::Tensor b = bias.defined() ? bias.to(torch::kFloat) : torch::zeros({channels});
    // y = x·(γ/√(var+ε)) + (β − mean·γ/√(var+ε)): ATen's fused kernel with the global statistics.
    torch::Tensor y = torch::batch_norm(xf, w, b, mean_f, var_f, /*training=*/false, 0.0, eps, /*cudnn_enabled=*/false);
    {
      torch::NoGradGuard no_grad;
      if (num_batches_tracked.defined()) num_batches_tracked.add_(1);
      // momentum < 0: PyTorch's `momentum = None`, a cumulative average over the batches seen.
      if (momentum < 0) momentum = num_batches_tracked.defined() ? 1.0 / num_batches_tracked.item<double>() : 0.0;
      if (running_mean.defined()) {
        running_mean.mul_(1.0 - momentum).add_(mean_f, momentum);
        const double unbias = n > 1 ? n / (n - 1) : 1.0;
        running_var.mul_(1.0 - momentum).add_(var_f * unbias, momentum);
      }
    }
    ctx->save_for_backward({xf, w, mean_f, invstd_f, var_f});
    ctx->saved_data["n"] = n;
    ctx->saved_data["eps"] = eps;
    ctx->saved_data["affine"] = weight.defined();
    ctx->saved_data["sync"] = sync_address;
    ctx->saved_data["dtype"] = static_cast<int64_t>(x.scalar_type());
    return y.to(x.scalar_type());
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor& xf = saved[0];
    const torch::Tensor& w = saved[1];
    const torch::Tensor& mean = saved[2];
    const torch::Tensor& invstd = saved[3];
    const torch::Tensor& var = saved[4];
    const double n = ctx->saved_data["n"].toDouble();
    auto& sync = *reinterpret_cast<BatchNormSync*>(ctx->saved_data["sync"].toInt());
    const auto x_dtype = static_cast<torch::ScalarType>(ctx->saved_data["dtype"].toInt());
    const int64_t channels = xf.size(1);
    const torch::Tensor dy = grad_outputs[0].to(torch::kFloat);
    // Local Σdy·x̂ and Σdy in one fused pass (they are also this rank's γ and β gradients).
    const auto [unused, sum_dy_xhat, sum_dy] = torch::native_batch_norm_backward(
        dy, xf, w, {}, {}, mean, invstd, /*train=*/true, ctx->saved_data["eps"].toDouble(), {false, true, true});
    torch::Tensor global = torch::cat({sum_dy.to(torch::kDouble), sum_dy_xhat.to(torch::kDouble)});
    sync.all_reduce_sum(global);
    // dx = k·dy + k·(−Σdy/N − x̂·Σdy·x̂/N), k = γ/√(var+ε): the first term is LibTorch's eval-mode batch-norm
    // backward (dy·γ·invstd), the second an eval-mode batch norm of x with weight −k·Σdy·x̂/N and bias −k·Σdy/N;
    // both fused kernels, per-channel coefficients in float64.
    const double eps = ctx->saved_data["eps"].toDouble();
    const torch::Tensor k = invstd.to(torch::kDouble) * w.to(torch::kDouble);
    const torch::Tensor shift_weight = (-k * global.narrow(0, channels, channels) / n).to(torch::kFloat);
    const torch::Tensor shift_bias = (-k * global.narrow(0, 0, channels) / n).to(torch::kFloat);
    torch::Tensor dx = std::get<0>(torch::native_batch_norm_backward(dy, xf, w, mean, var, {}, {}, /*train=*/false,
                                                                      eps, {true, false, false}));
    dx.add_(torch::batch_norm(xf, shift_weight, shift_bias, mean, var, /*training=*/false, 0.0, eps, false));
    const bool affine = ctx->saved_data["affine"].toBool();
    return {dx.to(x_dtype), affine ? sum_dy_xhat : torch::Tensor(), affine ? sum_dy : torch::Tensor(),
            torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor sync_batch_norm(const torch::Tensor& x, torch::nn::BatchNorm2dImpl& bn, BatchNormSync& sync) {
  TORCH_CHECK(x.dim() == 4, "sync_batch_norm: expected [B, C, H, W], got ", x.sizes());
  const auto& o = bn.options;
  const double momentum = o.momentum().has_value() ? *o.momentum() : -1.0;
  torch::Tensor y = SyncBatchNormFunction::apply(x, bn.weight, bn.bias, bn.running_mean, bn.running_var,
                                                 bn.num_batches_tracked, momentum, o.eps(),
                                                 reinterpret_cast<int64_t>(&sync));
  if (x.is_contiguous(torch::MemoryFormat::ChannelsLast) && !x.is_contiguous()) {
    y = y.contiguous(torch::MemoryFormat::ChannelsLast);
  }
  return y;
}

}  // namespace litesr::train
