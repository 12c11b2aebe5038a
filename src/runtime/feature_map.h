// FeatureMap: one NCHW float activation with N = 1 — `channels` planes of height x width, row-major.
// Value (c, y, x) lives at data[(c * height + y) * width + x].
#pragma once

#include <cstddef>
#include <vector>

namespace litesr {

struct FeatureMap {
  int channels = 0;
  int height = 0;
  int width = 0;
  std::vector<float> data;

  static FeatureMap zeros(int c, int h, int w) {
    return {c, h, w, std::vector<float>(static_cast<std::size_t>(c) * h * w, 0.0f)};
  }
  std::size_t plane_size() const { return static_cast<std::size_t>(height) * width; }
  float* plane(int c) { return data.data() + c * plane_size(); }
  const float* plane(int c) const { return data.data() + c * plane_size(); }
  float& at(int c, int y, int x) { return plane(c)[static_cast<std::size_t>(y) * width + x]; }
  float at(int c, int y, int x) const { return plane(c)[static_cast<std::size_t>(y) * width + x]; }
};

}  // namespace litesr
