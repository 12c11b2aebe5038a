// QuantizedMap: one int8 NCHW activation with N = 1 and its per-tensor quantization — the integer twin of
// runtime/feature_map.h. Value (c, y, x) lives at data[(c · height + y) · width + x] and means
// params.scale · (q − params.zero_point) (quant/quant_params.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "quant/quant_params.h"

namespace litesr {

struct QuantizedMap {
  int channels = 0;
  int height = 0;
  int width = 0;
  QuantParams params;
  std::vector<int8_t> data;  // [channels][height][width]

  // A map of real zeros: every q is the zero point.
  static QuantizedMap zeros(int c, int h, int w, QuantParams p) {
    return {c, h, w, p, std::vector<int8_t>(static_cast<std::size_t>(c) * h * w, static_cast<int8_t>(p.zero_point))};
  }
  std::size_t plane_size() const { return static_cast<std::size_t>(height) * width; }
  std::size_t size() const { return static_cast<std::size_t>(channels) * plane_size(); }
  int8_t* plane(int c) { return data.data() + c * plane_size(); }
  const int8_t* plane(int c) const { return data.data() + c * plane_size(); }
  int8_t& at(int c, int y, int x) { return plane(c)[static_cast<std::size_t>(y) * width + x]; }
  int8_t at(int c, int y, int x) const { return plane(c)[static_cast<std::size_t>(y) * width + x]; }
};

// Quantizes a planar float map [c][h][w] (values.size() == c · h · w) with `params` (quantize_value per element).
inline QuantizedMap quantize_map(int c, int h, int w, std::span<const float> values, QuantParams params) {
  QuantizedMap map = QuantizedMap::zeros(c, h, w, params);
  quantize_values(values.first(map.size()), params, map.data);
  return map;
}

// The real values of a map, planar [c][h][w] (dequantize_value per element).
inline std::vector<float> dequantize_map(const QuantizedMap& map) {
  std::vector<float> out(map.size());
  dequantize_values(map.data, map.params, out);
  return out;
}

}  // namespace litesr
