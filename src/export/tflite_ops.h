// TFLite building blocks shared by the float (tflite_export.h) and INT8 (tflite_int8_export.h) exporters: the
// PyTorch -> TFLite filter layouts, PyTorch's pixel shuffle as data-movement ops, SLICE / CONCATENATION, the
// NHWC shape of a program step and the reader of a step (for activation fusion). Data-movement ops keep their
// input's type and quantization (int8 tensors are moved, never requantized) and take the op version TFLite
// requires for int8 inputs.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "export/tflite_builder.h"
#include "runtime/program.h"

namespace litesr::tflite_ops {

using Shape = TfliteBuilder::Shape;

// PyTorch conv weight [O, C, k, k] -> TFLite CONV_2D filter OHWI [O, k, k, C].
template <typename T>
std::vector<T> ohwi_filter(std::span<const T> oihw, int32_t o, int32_t c, int32_t k) {
  const std::size_t kk = static_cast<std::size_t>(k) * k;
  std::vector<T> filter(oihw.size());
  for (int32_t oc = 0; oc < o; ++oc) {
    for (int32_t ic = 0; ic < c; ++ic) {
      for (std::size_t t = 0; t < kk; ++t) filter[(oc * kk + t) * c + ic] = oihw[(oc * c + ic) * kk + t];
    }
  }
  return filter;
}

// PyTorch depthwise weight [O, 1, k, k] -> TFLite DEPTHWISE_CONV_2D filter [1, k, k, O]; O = C·M and channel
// o = i·M + m in both.
template <typename T>
std::vector<T> depthwise_filter(std::span<const T> o1hw, int32_t o, int32_t k) {
  const std::size_t kk = static_cast<std::size_t>(k) * k;
  std::vector<T> filter(o1hw.size());
  for (int32_t oc = 0; oc < o; ++oc) {
    for (std::size_t t = 0; t < kk; ++t) filter[t * o + oc] = o1hw[oc * kk + t];
  }
  return filter;
}

// PyTorch PixelShuffle on NHWC: in channel c·r² + i·r + j of pixel (y, x) -> out pixel (y·r + i, x·r + j),
// channel c, as RESHAPE [NHW, C, r, r], TRANSPOSE (0 2 3 1), RESHAPE [NH, W, r, rC], TRANSPOSE (0 2 1 3),
// RESHAPE [N, rH, rW, C] (TFLite's DEPTH_TO_SPACE reads TensorFlow's order (i·r + j)·C + c, and Arm NN 20.08
// has none). The output is named `id`.
int pixel_shuffle(TfliteBuilder& b, const std::string& id, int x, int r);

// SLICE of a 4-D tensor.
int slice(TfliteBuilder& b, const std::string& name, int x, const std::array<int32_t, 4>& begin,
          const std::array<int32_t, 4>& size);

// CONCATENATION of `parts` along `axis` (for int8, every part must carry the output's quantization: TFLite
// copies bytes).
int concatenate(TfliteBuilder& b, const std::string& name, const std::vector<int>& parts, int axis);

// `x` [N, H, W, C] padded by `r` rows and columns on each side with SLICEs and CONCATENATIONs (so int8 keeps its
// quantization): symmetric mirror (MATLAB: x[−k] = x[k − 1]) or edge replication (PyTorch's clamping: x[−k] = x[0]).
// kInvalidArgument when H or W is smaller than r.
Result<int> pad_borders(TfliteBuilder& b, const std::string& id, int x, int r, bool mirror);

// The step's output as an NHWC shape [batch, H', W', C'] for an H x W input; kInvalidArgument when the input
// is too small for it.
Result<Shape> nhwc_shape(const Step& step, int32_t batch, int32_t height, int32_t width);

// The id of the one step that reads step `index`, or -1 when it has several readers, none, or is a graph output
// (a conv may fuse its activation only when that activation is its sole reader).
int sole_reader(const Program& program, std::size_t index);

}  // namespace litesr::tflite_ops
