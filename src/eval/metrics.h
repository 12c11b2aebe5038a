// Image-quality metrics exactly as the SR literature computes them (DESIGN §5; RCAN's
// Evaluate_PSNR_SSIM.m / BasicSR psnr_ssim.py):
//   - Inputs are 8-bit images (the SR output rounded like a saved PNG), compared on the 0–255 scale in
//     float64, after shaving `shave` pixels (usually the scale) from every side.
//   - PSNR = 10·log10(255² / MSE); MSE over all samples (RGB: all three channels). Identical → +inf.
//   - SSIM (Wang et al. 2004, ssim_index.m): 11x11 Gaussian window, σ = 1.5, normalised to sum 1,
//     'valid' filtering (no padding), C1 = (0.01·255)², C2 = (0.03·255)², mean of the SSIM map.
//     RGB SSIM is the mean of the three per-channel SSIMs.
//   - Y = 16 + 65.481·R + 128.553·G + 24.966·B for R, G, B in [0, 1] (BT.601 studio range, 0–255
//     scale), not rounded. A grey (1-channel) image is treated as R = G = B for RGB metrics and by
//     sr_luma_plane (Y = 16 + 219·v/255).
//   - When the ground truth is grey (Set14 bridge.png), the Y metrics use full-range luma instead,
//     Y' = (Y − 16)·255/219 = 0.299R + 0.587G + 0.114B on 0–255, so the HR's Y' is its grey value: the
//     MATLAB evaluation scripts behind the published tables convert only 3-channel images to YCbCr.
//     (Scoring bridge with studio-range Y would add 20·log10(255/219) = 1.32 dB to its PSNR.)
#pragma once

#include <vector>

#include "base/image.h"

namespace litesr {

// A single-channel float64 plane, row-major, values on the 0–255 scale.
struct Plane {
  int width = 0;
  int height = 0;
  std::vector<double> data;  // [height][width]

  double at(int x, int y) const { return data[static_cast<std::size_t>(y) * width + x]; }
};

// SSIM constants and window (the MATLAB reference values).
struct SsimOptions {
  int window_size = 11;
  double sigma = 1.5;
  double k1 = 0.01;
  double k2 = 0.03;
  double dynamic_range = 255.0;  // L
};

// Channel `channel` of a u8 image as doubles 0–255, `shave` pixels removed from every side.
Result<Plane> plane_from_u8(const Image& image, int channel, int shave);

// The SR luma Y (0–255, unrounded) of a u8 grey or RGB(A) image, `shave` pixels removed from every side.
Result<Plane> sr_luma_plane(const Image& image, int shave);

// The full-range BT.601 luma Y' = (Y − 16)·255/219 of a u8 grey or RGB(A) image (a grey image's values).
Result<Plane> grey_luma_plane(const Image& image, int shave);

// PSNR in dB over one or more plane pairs (the MSE pools all samples); +inf when identical.
Result<double> psnr_planes(const std::vector<const Plane*>& a, const std::vector<const Plane*>& b,
                           double peak = 255.0);

// Mean SSIM of two planes of the same size (at least window_size on each side).
Result<double> ssim_plane(const Plane& a, const Plane& b, const SsimOptions& options = {});

// The four numbers reported per image.
struct SrScores {
  double psnr_y = 0.0;
  double ssim_y = 0.0;
  double psnr_rgb = 0.0;
  double ssim_rgb = 0.0;
};

// Scores an 8-bit SR image against its 8-bit ground truth (same size; grey or RGB, alpha ignored; a
// grey image compared with an RGB one is expanded to R = G = B). `shave` >= 0 pixels are removed.
Result<SrScores> compute_sr_scores(const Image& sr_u8, const Image& hr_u8, int shave);

}  // namespace litesr
