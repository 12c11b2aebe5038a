// Small generated images for the report tests: smooth shading, hard edges and fine texture, so SR methods differ
// in places (as on photos) and lossless crops compress about as well as photos do.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

#include "base/image.h"
#include "io/image_file.h"

namespace litesr::testing {

inline Image natural_image(int w, int h, int seed) {
  Image img = Image::create(w, h, 3, PixelType::kU8).value();
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const bool block = ((x + 3 * seed) / 11 + (y + seed) / 7) % 2 == 0;
      const uint32_t hash = static_cast<uint32_t>(x) * 73856093u ^ static_cast<uint32_t>(y) * 19349663u ^
                            static_cast<uint32_t>(seed) * 83492791u;
      for (int c = 0; c < 3; ++c) {
        double v = 128 + 55 * std::sin(0.09 * x + 0.7 * c + seed) * std::cos(0.06 * y - 0.3 * seed);
        if (x > w / 2) v += block ? 35 : -35;                  // edges in one half
        v += static_cast<double>((hash >> (8 * c)) % 13) - 6;  // fine texture
        img.view<uint8_t>().at(x, y, c) = static_cast<uint8_t>(std::clamp(v, 0.0, 255.0));
      }
    }
  }
  return img;
}

// DIR/HR/img000.png ... with `count` images of w x h.
inline void write_natural_dataset(const std::filesystem::path& dir, int count, int w, int h) {
  std::filesystem::create_directories(dir / "HR");
  for (int i = 0; i < count; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "img%03d.png", i);
    ASSERT_TRUE(write_image(dir / "HR" / name, natural_image(w, h, i)).ok());
  }
}

}  // namespace litesr::testing
