// Deterministic noise images for tests (header-only: every suite links the Image of src/base).
#pragma once

#include <cstdint>
#include <random>

#include "base/image.h"

namespace litesr::testing {

// A w x h u8 image with c interleaved channels, every sample rng() % 256 of std::mt19937(seed), row by row.
inline Image random_u8_image(int w, int h, int c, unsigned seed) {
  Image img = Image::create(w, h, c, PixelType::kU8).value();
  std::mt19937 rng(seed);
  auto v = img.view<uint8_t>();
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w * c; ++x) v.row(y)[x] = static_cast<uint8_t>(rng() % 256);
  return img;
}

}  // namespace litesr::testing
