#include "train/bicubic_upsample.h"

#include "base/resample_weights.h"

namespace litesr::train {

BicubicUpsampler::BicubicUpsampler(int scale, double a) : scale_(scale), a_(a) {}

const BicubicUpsampler::Table& BicubicUpsampler::table(int64_t in_len) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = tables_.find(in_len);
  if (it != tables_.end()) return it->second;
  ResampleWeightsOptions options;
  options.a = a_;
  options.antialias = false;  // upscaling: no widening either way
  options.border = a_ == -0.5 ? BorderMode::kSymmetric : BorderMode::kReplicate;
  const int n = static_cast<int>(in_len);
  Result<ResampleWeights> rw = compute_resample_weights(n, n * scale_, static_cast<double>(scale_), options);
  TORCH_CHECK(rw.ok(), "bicubic upsample: ", rw.status().to_string());
  Table t;
  t.taps = rw->taps;
  std::vector<int64_t> index(rw->index.begin(), rw->index.end());
  std::vector<float> weight(rw->weight.begin(), rw->weight.end());
  t.index = torch::tensor(index, torch::kLong);
  t.weight = torch::tensor(weight, torch::kFloat).reshape({rw->out_len, rw->taps});
  return tables_.emplace(in_len, std::move(t)).first->second;
}

torch::Tensor BicubicUpsampler::operator()(const torch::Tensor& x) const {
  TORCH_CHECK(x.dim() == 4, "bicubic upsample: input must be [B, C, h, w], got ", x.sizes());
  const int64_t b = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  const Table& th = table(h);
  const int64_t oh = h * scale_, ow = w * scale_;
  // Rows: [B, C, oh·taps, w] -> [B, C, oh, taps, w] · weight[oh, taps] summed over taps.
  torch::Tensor rows = x.index_select(2, th.index).view({b, c, oh, th.taps, w});
  torch::Tensor y = (rows * th.weight.view({1, 1, oh, th.taps, 1})).sum(3);  // [B, C, oh, w]
  const Table& tw = table(w);
  torch::Tensor cols = y.index_select(3, tw.index).view({b, c, oh, ow, tw.taps});
  return (cols * tw.weight.view({1, 1, 1, ow, tw.taps})).sum(4);  // [B, C, oh, ow]
}

}  // namespace litesr::train
