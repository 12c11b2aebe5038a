// One planar row of the elementwise steps (activations, unfolded batch_norm, add, concat, slice), shared by
// BandExecutor and PlaneExecutor: plain loops over x in [0, width) (kernel_conv.h ROW LAYOUT). The
// executors' time goes to the convs; activations and residual adds are mostly fused into conv epilogues
// (epilogue_fusion.h), so these run only where fusion does not apply.
//
// Rows are addressed through the caller's `input_row(step, channel)` -> const float*, since each executor
// stores rows differently (rings of rows vs whole planes).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>

#include "runtime/program.h"

namespace litesr {

// relu, leaky_relu (node.alpha), prelu (step.weight[c]), tanh, batch_norm (v · weight[c] + bias[c]) of
// channel c of `step`: dst = op(src).
inline void pointwise_row(const Step& step, int c, const float* src, int width, float* dst) {
  const Node& nd = step.node;
  const float slope_c = nd.op == OpKind::kPrelu ? step.weight[c] : 0.0f;
  for (int x = 0; x < width; ++x) {
    const float v = src[x];
    switch (nd.op) {
      case OpKind::kRelu: dst[x] = std::max(v, 0.0f); break;
      case OpKind::kLeakyRelu: dst[x] = v < 0.0f ? v * nd.alpha : v; break;
      case OpKind::kPrelu: dst[x] = v < 0.0f ? v * slope_c : v; break;
      case OpKind::kTanh: dst[x] = std::tanh(v); break;
      default: dst[x] = v * step.weight[c] + step.bias[c]; break;
    }
  }
}

// add, channel c: dst = in_0 + in_1 + ... in input order.
template <class InputRow>
void add_row(const Node& add, int c, InputRow&& input_row, int width, float* dst) {
  const float* first = input_row(add.inputs[0], c);
  std::copy(first, first + width, dst);
  for (std::size_t j = 1; j < add.inputs.size(); ++j) {
    const float* src = input_row(add.inputs[j], c);
    for (int x = 0; x < width; ++x) dst[x] += src[x];
  }
}

// concat (every channel of every input, in order) or slice (channels [begin, end) of its input): copies
// each source row to output_row(channel) -> float*.
template <class InputRow, class OutputRow>
void concat_or_slice_rows(const Program& p, const Node& nd, InputRow&& input_row, OutputRow&& output_row,
                          int width) {
  int c = 0;
  for (int in : nd.inputs) {
    const int from = nd.op == OpKind::kSlice ? nd.begin : 0;
    const int to = nd.op == OpKind::kSlice ? nd.end : p.steps[in].shape.channels;
    for (int ci = from; ci < to; ++ci, ++c) {
      const float* src = input_row(in, ci);
      std::copy(src, src + width, output_row(c));
    }
  }
}

}  // namespace litesr
