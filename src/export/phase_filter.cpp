#include "export/phase_filter.h"

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

}  // namespace litesr
