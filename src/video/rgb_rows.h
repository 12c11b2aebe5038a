// One row of the R'G'B' f32 -> planar Y'CbCr conversion (frame_converter.h), fused and vectorised: the
// interleaved row is read once for its luma codes and its contribution to the chroma row sums (Highway, every
// target chosen at run time; compiled without floating-point contraction, so every target and the per-sample
// definition give identical values). Internal to src/video.
#pragma once

#include <cstdint>

namespace litesr::video_detail {

// Coefficients of one input row: luma = ((y[0]·R' + y[1]·G') + y[2]·B') + y_offset; its chroma terms
// ((cb[0]·R' + cb[1]·G') + cb[2]·B') and likewise cr, with the vertical tap weight already multiplied in.
struct RgbRowCoefficients {
  float y[3];
  float y_offset;
  float cb[3];
  float cr[3];
};

// Which compiled copy runs: the best the CPU supports, or the build's baseline target (tests compare them).
enum class RgbRowTarget { kBest, kBaseline };

// For x < width of the interleaved row `rgb` (3·width floats):
//   luma8 / luma16 (when not null; at most one): the code clamp(luma, 0, max_code) + 0.5 truncated (NaN -> 0);
//   cb_sum / cr_sum (when not null): = the chroma term, or += it when `accumulate`.
void rgb_row_to_ycbcr(const float* rgb, int width, const RgbRowCoefficients& k, float max_code, uint8_t* luma8,
                      uint16_t* luma16, float* cb_sum, float* cr_sum, bool accumulate,
                      RgbRowTarget target = RgbRowTarget::kBest);

}  // namespace litesr::video_detail
