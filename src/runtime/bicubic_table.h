// BicubicTable: float taps of a 1-D integer-factor bicubic upscale, from base/resample_weights.h.
//   kMatlab:  a = −0.5, symmetric borders (MATLAB imresize)
//   kPytorch: a = −0.75, replicate borders (F.interpolate(mode="bicubic", align_corners=False))
// Output o of `in_len · scale` reads input index[o·taps + t] with weight[o·taps + t], t = 0 .. taps−1,
// summed in t order (both the reference and the band executor use this order, so they agree bitwise).
#pragma once

#include <cstdint>
#include <vector>

#include "base/status.h"
#include "runtime/graph.h"

namespace litesr {

struct BicubicTable {
  int in_len = 0;
  int out_len = 0;
  int taps = 0;
  std::vector<int32_t> index;  // [out_len][taps], in [0, in_len)
  std::vector<float> weight;   // [out_len][taps]
};

Result<BicubicTable> make_bicubic_table(int in_len, int scale, BicubicKind kind);

}  // namespace litesr
