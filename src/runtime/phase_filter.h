// Phase filters: an integer-factor upsample whose taps depend only on the output phase, written as one
// 2-D filter per phase so that exporters can express it as a stride-1 convolution followed by a
// depth-to-space (PixelShuffle) — the MATLAB bicubic kind (a = −0.5, symmetric borders), which ONNX Resize
// and TFLite RESIZE_* cannot express exactly.
//
// For scale r, output row y = h·r + i (phase i) reads input rows h + d, d in [−radius, radius], with weight
// taps[i][d + radius] (the BicubicTable weights of an interior row; taps that fall outside the image are
// the symmetric mirror images, which an exporter reproduces by mirror-padding `radius` rows and columns).
// The 2-D filter of output channel phase (i, j) is taps[i] ⊗ taps[j] (rows ⊗ columns).
#pragma once

#include <vector>

#include "base/status.h"
#include "quant/reference_ops.h"
#include "runtime/graph.h"

namespace litesr {

struct PhaseFilter {
  int scale = 1;
  int radius = 0;                        // kernel size 2·radius + 1
  std::vector<std::vector<float>> taps;  // [scale][2·radius + 1]
};

// From make_bicubic_table at an interior position. kInvalidArgument for scale < 1.
Result<PhaseFilter> make_bicubic_phase_filter(int scale, BicubicKind kind);

// Bilinear upsampling by `scale` with half-pixel centres (PyTorch align_corners=False): output row h·r + i
// reads source position h + (i + 0.5)/r − 0.5, i.e. rows h − 1, h (early phases) or h, h + 1; radius 1. The
// clamped borders are edge replication. kInvalidArgument for scale < 1.
Result<PhaseFilter> make_bilinear_phase_filter(int scale);

// Depthwise conv weight [channels·r², 1, k, k], k = 2·radius + 1: output channel c·r² + i·r + j is the
// phase-(i, j) filter of input channel c (the PixelShuffle / DepthToSpace "CRD" channel order).
std::vector<float> phase_filter_depthwise_weight(const PhaseFilter& filter, int channels);

// The same depthwise conv in int8 (an INT8 model's bicubic skip; docs/quantization.md): output channel o's 2-D
// taps t (summing to 1) become q = round(t · K) with scale 1/K, K = ⌊127 / max|t|⌋, and the rounding is corrected
// on the taps with the largest residuals until Σ q = K exactly, so a flat input maps to itself (plain per-channel
// rounding leaves every phase's gain off by up to ~1 %, a fixed pattern of up to ±1 LSB per 128 on flat areas). No
// bias. `input_scale` is recorded as the conv's bias input scale (the input map's).
QuantizedConv2d quantize_phase_filter(const PhaseFilter& filter, int channels, float input_scale);

}  // namespace litesr
