// MATLAB-exact bicubic imresize: `imresize(A, scale, 'bicubic')` and `imresize(A, [h w], 'bicubic')`.
//
// Algorithm (MATLAB imresize.m; weight tables in base/resample_weights.h):
//   - Separable: the dimension with the smaller scale is resized first; equal scales → rows (H) first.
//   - u8 / u16 images: each pass accumulates in double and is rounded like MATLAB's uint8()/uint16():
//     round half away from zero, saturated to [0, max]. The rounding between the two passes is what
//     makes the benchmark LR files bit-exact (skipping it changes 10–15 % of pixels by ±1..4).
//   - f32 images: double accumulation, stored as float, no rounding or clamping between or after passes.
//   - Every channel (including alpha) is resized the same way; channel count and pixel type are kept.
// Borders: MATLAB's imresize uses `symmetric`; the sr_benchmark LR files were made with `replicate`,
// Vid4 BIx4 with `symmetric` (see ../shared/data/README.md).
#pragma once

#include "base/image.h"
#include "base/resample_weights.h"

namespace litesr {

struct MatlabResizeOptions {
  BorderMode border = BorderMode::kSymmetric;  // MATLAB imresize's padding
  double a = -0.5;                             // Keys cubic parameter (MATLAB: −0.5)
  bool antialias = true;                       // MATLAB 'Antialiasing' (on for bicubic shrinking)
};

// The output size and the per-axis scales (out/in as MATLAB uses them) of a resize, validated; what both
// calls below and the row-streaming resize (eval/matlab_row_resizer.h) run.
struct MatlabResizePlan {
  int out_width = 0, out_height = 0;
  double scale_w = 0, scale_h = 0;
};
// imresize(A, scale): each side ceil(side x scale) (scaled_length).
Result<MatlabResizePlan> plan_matlab_resize(int in_width, int in_height, double scale);
// imresize(A, [h w]).
Result<MatlabResizePlan> plan_matlab_resize_to(int in_width, int in_height, int out_width, int out_height);

// Resizes by one factor on both axes; output size = scaled_length(in, scale) per axis (ceil(in·scale)).
// Downscaling by an integer s is scale = 1.0 / s, exactly as MATLAB is called.
Result<Image> matlab_imresize(const Image& src, double scale, const MatlabResizeOptions& options = {});

// Resizes to an explicit size; each axis uses its own scale out/in (MATLAB's imresize(A, [h w])).
Result<Image> matlab_imresize_to(const Image& src, int out_width, int out_height,
                                 const MatlabResizeOptions& options = {});

}  // namespace litesr
