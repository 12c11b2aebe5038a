// Generated training data for the trainer tests: smooth RGB images and the folder layout recipes read.
#pragma once

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "base/image.h"
#include "io/image_file.h"

namespace litesr::train::testing {

// A smooth, deterministic RGB test image (u8): products of sines, different per channel and seed.
inline Image make_image(int w, int h, int seed) {
  Image img = std::move(Image::create(w, h, 3, PixelType::kU8).value());
  auto v = img.view<uint8_t>();
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < 3; ++c) {
        const double s = std::sin(0.31 * x * (c + 1) + seed) * std::cos(0.17 * y + 0.5 * seed + c);
        v.at(x, y, c) = static_cast<uint8_t>(127.5 + 120 * s);
      }
  return img;
}

// root/hr/ (three training images, 48..64 x 40) and root/val/HR/ (one 32x24 validation image).
inline void make_data(const std::filesystem::path& root) {
  std::filesystem::create_directories(root / "hr");
  std::filesystem::create_directories(root / "val" / "HR");
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(write_image(root / "hr" / ("img" + std::to_string(i) + ".png"), make_image(48 + 8 * i, 40, i)).ok());
  }
  ASSERT_TRUE(write_image(root / "val" / "HR" / "v.png", make_image(32, 24, 9)).ok());
}

}  // namespace litesr::train::testing
