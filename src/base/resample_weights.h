// Separable cubic resampling tables: for each output sample of a 1-D resize, the input indices it reads
// and their weights. Pure math, std-only; used by eval's MATLAB-exact imresize and by the runtime's
// bicubic-upsample op.
//
// Definitions (MATLAB imresize.m `contributions`, reproduced by BasicSR `calculate_weights_indices`):
//   Keys cubic with parameter a (a = −0.5: MATLAB, Pillow, TF; a = −0.75: PyTorch, OpenCV):
//     W(x) = (a+2)|x|³ − (a+3)|x|² + 1        for |x| ≤ 1
//            a|x|³ − 5a|x|² + 8a|x| − 4a       for 1 < |x| ≤ 2,   0 otherwise.
//   scale = out_len / in_len (the caller's value is used as is, e.g. 1.0/3 for MATLAB's imresize(A, 1/3)).
//   Output x (1-based) samples input position u = x/scale + 0.5·(1 − 1/scale) (pixel centres aligned; + shift).
//   Shrinking with antialias: kernel h(t) = scale·W(scale·t), width 4/scale; otherwise h = W, width 4.
//   Taps: left = floor(u − width/2), P = ceil(width) + 2 taps at left … left+P−1, weight h(u − i),
//   each row divided by its sum. Tap columns that are zero for every output are dropped.
//   Out-of-range indices are folded back by the border rule, so every stored index is in [0, in_len).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace litesr {

// How an index outside [0, n) is mapped back inside (examples for n = 4, samples a b c d):
enum class BorderMode {
  kReplicate,  // clamp to the edge:               … a a | a b c d | d d …   (PyTorch bicubic)
  kSymmetric,  // mirror, edge repeated:           … b a | a b c d | d c …   (MATLAB imresize default)
  kReflect,    // mirror, edge not repeated:       … c b | a b c d | c b …
  kCircular,   // wrap around:                     … c d | a b c d | a b …
};

std::string_view border_mode_name(BorderMode mode);  // "replicate", "symmetric", "reflect", "circular"
Result<BorderMode> parse_border_mode(std::string_view name);

// Maps a 0-based index i (any value) into [0, n) by `mode`; n >= 1.
int map_border_index(int64_t i, int n, BorderMode mode);

// The Keys cubic convolution kernel W(x) above.
double keys_cubic(double x, double a);

struct ResampleWeightsOptions {
  double a = -0.5;        // Keys parameter: −0.5 MATLAB, −0.75 PyTorch
  bool antialias = true;  // widen the kernel when shrinking (MATLAB); PyTorch's default is false
  BorderMode border = BorderMode::kSymmetric;
  // Added to every input position u (input samples, |shift| <= 4): grids whose samples are not at pixel centres,
  // such as subsampled chroma sited left of its pixels (video/luma_planes.h). 0: MATLAB's mapping.
  double shift = 0.0;
};

// out_len rows of `taps` (index, weight) pairs, row-major: entry (o, t) at [o * taps + t].
struct ResampleWeights {
  int in_len = 0;
  int out_len = 0;
  int taps = 0;
  std::vector<int32_t> index;  // [out_len][taps], 0-based, in [0, in_len)
  std::vector<double> weight;  // [out_len][taps], each row sums to 1

  const int32_t* indices(int o) const { return index.data() + static_cast<std::ptrdiff_t>(o) * taps; }
  const double* weights(int o) const { return weight.data() + static_cast<std::ptrdiff_t>(o) * taps; }
};

// Builds the table. Fails for non-positive lengths or scale, or absurd kernel widths (> 2^20 taps).
Result<ResampleWeights> compute_resample_weights(int in_len, int out_len, double scale,
                                                 const ResampleWeightsOptions& options = {});

// MATLAB's output length for a scale factor: ceil(in_len · scale), where a product within 1e-9 of an
// integer counts as that integer (so 255 · (1/3) gives 85, not 86). Fails when the result is < 1.
Result<int> scaled_length(int in_len, double scale);

}  // namespace litesr
