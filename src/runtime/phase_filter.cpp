#include "runtime/phase_filter.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>

#include "runtime/bicubic_table.h"

namespace litesr {

Result<PhaseFilter> make_bicubic_phase_filter(int scale, BicubicKind kind) {
  if (scale < 1 || scale > 16) return invalid_argument("bicubic phase filter: scale " + std::to_string(scale));
  // An input long enough that the middle row's taps never touch a border.
  constexpr int kLength = 32;
  constexpr int kCentre = kLength / 2;
  LITESR_ASSIGN_OR_RETURN(const BicubicTable table, make_bicubic_table(kLength, scale, kind));
  int radius = 0;
  for (int i = 0; i < scale; ++i) {
    const int o = kCentre * scale + i;
    for (int t = 0; t < table.taps; ++t) {
      if (table.weight[o * table.taps + t] == 0.0f) continue;
      radius = std::max(radius, std::abs(table.index[o * table.taps + t] - kCentre));
    }
  }
  if (radius >= kCentre / 2) return internal_error("bicubic phase filter: taps reach " + std::to_string(radius));
  PhaseFilter f;
  f.scale = scale;
  f.radius = radius;
  f.taps.assign(scale, std::vector<float>(2 * radius + 1, 0.0f));
  for (int i = 0; i < scale; ++i) {
    const int o = kCentre * scale + i;
    for (int t = 0; t < table.taps; ++t) {
      const float w = table.weight[o * table.taps + t];
      if (w == 0.0f) continue;
      f.taps[i][table.index[o * table.taps + t] - kCentre + radius] += w;
    }
  }
  return f;
}

Result<PhaseFilter> make_bilinear_phase_filter(int scale) {
  if (scale < 1 || scale > 16) return invalid_argument("bilinear phase filter: scale " + std::to_string(scale));
  PhaseFilter f;
  f.scale = scale;
  f.radius = 1;
  f.taps.assign(scale, std::vector<float>(3, 0.0f));
  for (int i = 0; i < scale; ++i) {
    // The same float arithmetic as the runtime's linear taps: src offset t in (−0.5, 0.5).
    const float t = (static_cast<float>(i) + 0.5f) / static_cast<float>(scale) - 0.5f;
    if (t < 0.0f) {
      f.taps[i][0] = -t;        // row h − 1
      f.taps[i][1] = 1.0f + t;  // row h
    } else {
      f.taps[i][1] = 1.0f - t;  // row h
      f.taps[i][2] = t;         // row h + 1
    }
  }
  return f;
}

std::vector<float> phase_filter_depthwise_weight(const PhaseFilter& filter, int channels) {
  const int r = filter.scale;
  const int k = 2 * filter.radius + 1;
  std::vector<float> w(static_cast<std::size_t>(channels) * r * r * k * k);
  std::size_t at = 0;
  for (int c = 0; c < channels; ++c) {
    for (int i = 0; i < r; ++i) {
      for (int j = 0; j < r; ++j) {
        for (int y = 0; y < k; ++y) {
          for (int x = 0; x < k; ++x) w[at++] = filter.taps[i][y] * filter.taps[j][x];
        }
      }
    }
  }
  return w;
}

QuantizedConv2d quantize_phase_filter(const PhaseFilter& filter, int channels, float input_scale) {
  const int k = 2 * filter.radius + 1, taps = k * k, phases = filter.scale * filter.scale;
  const std::vector<float> weight = phase_filter_depthwise_weight(filter, channels);
  QuantizedConv2d conv;
  conv.in_channels = channels;
  conv.out_channels = channels * phases;
  conv.kernel = k;
  conv.groups = channels;
  conv.weight.resize(weight.size());
  conv.weight_scales.resize(conv.out_channels);
  conv.bias_input_scale = input_scale;
  std::vector<double> residual(taps);
  for (int o = 0; o < conv.out_channels; ++o) {
    const float* t = weight.data() + static_cast<std::size_t>(o) * taps;
    int8_t* q = conv.weight.data() + static_cast<std::size_t>(o) * taps;
    float max_abs = 0.0f;
    for (int i = 0; i < taps; ++i) max_abs = std::max(max_abs, std::abs(t[i]));
    const int gain = static_cast<int>(std::floor(127.0f / max_abs));  // K: max|t| > 0 (the taps sum to 1)
    int sum = 0;
    for (int i = 0; i < taps; ++i) {
      const double exact = static_cast<double>(t[i]) * gain;
      const int r = static_cast<int>(std::lround(exact));
      q[i] = static_cast<int8_t>(r);
      residual[i] = exact - r;
      sum += r;
    }
    // Move the taps rounded furthest from their exact value by one step each until the sum is K (the first
    // such tap on ties; taps stay in [−127, 127]).
    while (sum != gain) {
      const int dir = sum < gain ? 1 : -1;
      int best = -1;
      for (int i = 0; i < taps; ++i) {
        if (std::abs(q[i] + dir) > 127) continue;
        if (best < 0 || residual[i] * dir > residual[best] * dir) best = i;
      }
      q[best] = static_cast<int8_t>(q[best] + dir);
      residual[best] -= dir;
      sum += dir;
    }
    conv.weight_scales[o] = 1.0f / static_cast<float>(gain);
  }
  return conv;
}

}  // namespace litesr
