// Exact separable cubic upsampling by an integer factor with torch ops (index_select + weighted sum), using
// the tables of base/resample_weights.h so it matches the runtime's bicubic op and eval's imresize:
//   a = −0.5:  MATLAB imresize (symmetric borders);  a = −0.75: PyTorch F.interpolate(bicubic,
//   align_corners=False) (clamped borders). Rows (H) first, then columns (W). Differentiable in x.
#pragma once

#include <map>
#include <mutex>
#include <tuple>

#include <torch/torch.h>

namespace litesr::train {

class BicubicUpsampler {
 public:
  BicubicUpsampler(int scale, double a);
  // x: [B, C, h, w] float -> [B, C, s·h, s·w]. Throws c10::Error on bad input.
  torch::Tensor operator()(const torch::Tensor& x) const;

 private:
  struct Table {
    torch::Tensor index;   // [out·taps] int64
    torch::Tensor weight;  // [out, taps] float
    int64_t taps = 0;
  };
  const Table& table(int64_t in_len) const;

  int scale_;
  double a_;
  mutable std::mutex mu_;
  mutable std::map<int64_t, Table> tables_;  // by input length
};

}  // namespace litesr::train
