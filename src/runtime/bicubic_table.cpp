#include "runtime/bicubic_table.h"

#include "base/resample_weights.h"

namespace litesr {

Result<BicubicTable> make_bicubic_table(int in_len, int scale, BicubicKind kind) {
  if (in_len < 1 || scale < 1) return invalid_argument("bicubic table needs in_len >= 1 and scale >= 1");
  ResampleWeightsOptions options;
  options.a = kind == BicubicKind::kMatlab ? -0.5 : -0.75;
  options.antialias = false;  // upscaling only
  options.border = kind == BicubicKind::kMatlab ? BorderMode::kSymmetric : BorderMode::kReplicate;
  LITESR_ASSIGN_OR_RETURN(const ResampleWeights w,
                          compute_resample_weights(in_len, in_len * scale, static_cast<double>(scale), options));
  BicubicTable t;
  t.in_len = w.in_len;
  t.out_len = w.out_len;
  t.taps = w.taps;
  t.index.assign(w.index.begin(), w.index.end());
  t.weight.resize(w.weight.size());
  for (std::size_t i = 0; i < w.weight.size(); ++i) t.weight[i] = static_cast<float>(w.weight[i]);
  return t;
}

}  // namespace litesr
