// Squeeze-excite arithmetic: the band executor's row sums (it runs the op in passes, band_executor.h) and the
// gates both executors compute from the pooled vector; graph.h documents the op (s = gate(fc2(relu(fc1(mean_hw(x)))));
// y = x · s[c]).
//
// The mean of a channel is Σ_rows (row sum) / (H·W) in double: each row summed by row_sum_f64 (eight
// interleaved accumulators, a fixed order), the rows added in y order. Any split of the rows over threads
// or bands that keeps those two orders gives the same mean.
#pragma once

#include <algorithm>
#include <cmath>

#include "runtime/program.h"

namespace litesr {

// The end of row_sum_f64 once its eight lanes hold x[0 .. from) (from = width rounded down to a multiple of 8): the
// remaining samples into lane 0, then the lanes added pairwise. Shared with row_sums_f64's SIMD lanes.
inline double finish_row_sum_f64(double (&s)[8], const float* x, int from, int width) {
  for (int i = from; i < width; ++i) s[0] += x[i];
  return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

// Σ x[0..width) in double: eight interleaved accumulators (lane l sums x[l], x[l + 8], ...; a layout the
// compiler vectorises without reordering), then added pairwise.
inline double row_sum_f64(const float* x, int width) {
  double s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int i = 0;
  for (; i + 8 <= width; i += 8) {
    for (int l = 0; l < 8; ++l) s[l] += x[i + l];
  }
  return finish_row_sum_f64(s, x, i, width);
}

// out[r] = row_sum_f64(rows[r], width) for r < count, bit for bit, with SIMD (kernel_row_sums.cpp: several rows at
// once, the same additions in the same order).
void row_sums_f64(const float* const* rows, int count, int width, double* out);

// Gates of squeeze_excite step `se` (Step::weight fc1 [H, C], bias [H], weight2 fc2 [C, H], bias2 [C]) from the
// pooled per-channel values (mean, or mean + std): gate(fc2(relu(fc1(pooled)))). hidden: [H] scratch; gates: [C]
// out (may be `pooled` itself). The reference executor and the band executor both use this.
inline void squeeze_excite_gates_from_pooled(const Step& se, const float* pooled, float* hidden, float* gates) {
  const int c = se.shape.channels, h = se.node.se_hidden;
  for (int j = 0; j < h; ++j) {
    float acc = se.bias[j];
    for (int ch = 0; ch < c; ++ch) acc += se.weight[j * c + ch] * pooled[ch];
    hidden[j] = std::max(acc, 0.0f);
  }
  for (int ch = 0; ch < c; ++ch) {
    float acc = se.bias2[ch];
    for (int j = 0; j < h; ++j) acc += se.weight2[ch * h + j] * hidden[j];
    gates[ch] = se.node.se_gate == SeGate::kHardSigmoid ? std::clamp(acc + 3.0f, 0.0f, 6.0f) / 6.0f
                                                        : 1.0f / (1.0f + std::exp(-acc));
  }
}

// The same from per-channel sums over `count` pixels (mean pooling).
inline void squeeze_excite_gates(const Step& se, const double* sums, double count, float* hidden, float* gates) {
  const int c = se.shape.channels;
  for (int ch = 0; ch < c; ++ch) gates[ch] = static_cast<float>(sums[ch] / count);  // the means, for now
  squeeze_excite_gates_from_pooled(se, gates, hidden, gates);
}

}  // namespace litesr
