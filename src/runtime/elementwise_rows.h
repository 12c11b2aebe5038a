// One planar row of the elementwise steps (activations, unfolded batch_norm, add, concat, slice) of the
// band executor: plain loops over x in [0, width) (kernel_conv.h ROW LAYOUT). The executor's time goes to
// the convs; activations and residual adds are mostly fused into conv epilogues (epilogue_fusion.h), so
// these run only where fusion does not apply.
//
// Rows are addressed through the caller's `input_row(step, channel)` -> const float* (rings of rows).
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
  // One loop per op (no switch inside): each is a plain map the compiler vectorises.
  switch (nd.op) {
    case OpKind::kRelu:
      for (int x = 0; x < width; ++x) dst[x] = std::max(src[x], 0.0f);
      break;
    case OpKind::kLeakyRelu:
    case OpKind::kPrelu: {
      const float slope = nd.op == OpKind::kPrelu ? step.weight[c] : nd.alpha;
      for (int x = 0; x < width; ++x) dst[x] = src[x] < 0.0f ? src[x] * slope : src[x];
      break;
    }
    case OpKind::kTanh:
      for (int x = 0; x < width; ++x) dst[x] = std::tanh(src[x]);
      break;
    default: {
      const float scale = step.weight[c], shift = step.bias[c];
      for (int x = 0; x < width; ++x) dst[x] = src[x] * scale + shift;
      break;
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
