#include "eval/matlab_row_resizer.h"

#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "eval/matlab_resize.h"

namespace litesr {
namespace {

Image random_image(int w, int h, int c, PixelType type, uint32_t seed) {
  Image img = Image::create(w, h, c, type).value();
  std::mt19937 rng(seed);
  for (int y = 0; y < h; ++y) {
    for (int i = 0; i < w * c; ++i) {
      switch (type) {
        case PixelType::kU8: img.view<uint8_t>().row(y)[i] = static_cast<uint8_t>(rng() & 255); break;
        case PixelType::kU16: img.view<uint16_t>().row(y)[i] = static_cast<uint16_t>(rng() & 65535); break;
        case PixelType::kF32: img.view<float>().row(y)[i] = static_cast<float>(rng() % 10001) / 10000.0f; break;
      }
    }
  }
  return img;
}

bool same_pixels(const Image& a, const Image& b) {
  if (a.width() != b.width() || a.height() != b.height() || a.channels() != b.channels() || a.type() != b.type()) {
    return false;
  }
  for (int y = 0; y < a.height(); ++y) {
    if (std::memcmp(a.row_bytes_ptr(y), b.row_bytes_ptr(y), a.row_bytes()) != 0) return false;
  }
  return true;
}

// Feeds `src` in bands of `band` rows, takes every ready row after each band, and stitches the output.
Image stream_resize(const Image& src, const MatlabResizePlan& plan, int band, int* max_held = nullptr) {
  MatlabRowResizer r = MatlabRowResizer::create(src.width(), src.height(), src.channels(), src.type(), plan).value();
  Image out = Image::create(plan.out_width, plan.out_height, src.channels(), src.type()).value();
  int written = 0;
  for (int y = 0; y < src.height(); y += band) {
    const int n = std::min(band, src.height() - y);
    EXPECT_TRUE(r.push_rows(src, y, n).ok());
    if (r.ready_rows() == 0) continue;
    Result<Image> rows = r.take_ready_rows();
    EXPECT_TRUE(rows.ok());
    for (int i = 0; i < rows->height(); ++i) {
      std::memcpy(out.row_bytes_ptr(written + i), rows->row_bytes_ptr(i), rows->row_bytes());
    }
    written += rows->height();
    if (max_held != nullptr) *max_held = std::max(*max_held, r.rows_held());
  }
  EXPECT_EQ(written, plan.out_height);
  EXPECT_EQ(r.ready_rows(), 0);
  EXPECT_EQ(r.rows_held(), 0);
  return out;
}

struct ResizerCase {
  int w, h;
  double scale;       // > 0: plan_matlab_resize
  int out_w, out_h;   // else plan_matlab_resize_to
};

TEST(MatlabRowResizer, EqualsTheWholeImageResizeBitForBit) {
  const ResizerCase cases[] = {
      {37, 29, 0.75, 0, 0},   // x2 model output shrunk to x1.5 (height first, antialiased)
      {40, 33, 0.5, 0, 0},    // x4 -> x2
      {31, 26, 1.0 / 3, 0, 0},
      {23, 19, 1.5, 0, 0},    // enlarging (bicubic at x1.5)
      {25, 17, 0, 30, 11},  // width x1.2, height shrinks: height first
      {25, 17, 0, 14, 30},  // width shrinks first
      {1, 9, 0, 3, 5},
      {9, 1, 0.75, 0, 0},
      {2, 2, 0, 1, 1},
  };
  for (const ResizerCase& c : cases) {
    const MatlabResizePlan plan = c.scale > 0 ? *plan_matlab_resize(c.w, c.h, c.scale)
                                              : *plan_matlab_resize_to(c.w, c.h, c.out_w, c.out_h);
    for (PixelType type : {PixelType::kU8, PixelType::kU16, PixelType::kF32}) {
      for (int channels = 1; channels <= 4; ++channels) {
        const Image src = random_image(c.w, c.h, channels, type, static_cast<uint32_t>(c.w * 131 + channels));
        const Image whole = (c.scale > 0 ? matlab_imresize(src, c.scale) : matlab_imresize_to(src, c.out_w, c.out_h)).value();
        for (int band : {1, 2, 5, c.h}) {
          SCOPED_TRACE(::testing::Message() << c.w << "x" << c.h << " -> " << plan.out_width << "x" << plan.out_height
                                            << " type " << static_cast<int>(type) << " channels " << channels
                                            << " band " << band);
          EXPECT_TRUE(same_pixels(stream_resize(src, plan, band), whole));
        }
      }
    }
  }
}

TEST(MatlabRowResizer, HoldsOnlyTheKernelsSupport) {
  // x4 -> x3 of a tall image, one row at a time: the rows held stay near the kernel's support (4 / 0.75 + 2
  // taps), however tall the image.
  const Image src = random_image(16, 400, 3, PixelType::kU8, 7);
  const MatlabResizePlan plan = *plan_matlab_resize(16, 400, 0.75);
  int max_held = 0;
  stream_resize(src, plan, 1, &max_held);
  EXPECT_GT(max_held, 0);
  EXPECT_LE(max_held, 10);
}

TEST(MatlabRowResizer, RejectsWrongRowsAndTooManyRows) {
  const MatlabResizePlan plan = *plan_matlab_resize(8, 4, 0.5);
  MatlabRowResizer r = MatlabRowResizer::create(8, 4, 3, PixelType::kU8, plan).value();
  EXPECT_EQ(r.take_ready_rows().status().code(), StatusCode::kInvalidArgument);  // nothing ready
  EXPECT_FALSE(r.push_rows(random_image(9, 4, 3, PixelType::kU8, 1), 0, 1).ok());   // width
  EXPECT_FALSE(r.push_rows(random_image(8, 4, 4, PixelType::kU8, 1), 0, 1).ok());   // channels
  EXPECT_FALSE(r.push_rows(random_image(8, 4, 3, PixelType::kU16, 1), 0, 1).ok());  // type
  const Image rows = random_image(8, 4, 3, PixelType::kU8, 1);
  EXPECT_FALSE(r.push_rows(rows, 2, 3).ok());  // past the given image
  EXPECT_TRUE(r.push_rows(rows, 0, 4).ok());
  EXPECT_FALSE(r.push_rows(rows, 0, 1).ok());  // past the resized image
  EXPECT_EQ(r.ready_rows(), 2);
  EXPECT_TRUE(r.take_ready_rows().ok());
  EXPECT_FALSE(MatlabRowResizer::create(0, 4, 3, PixelType::kU8, plan).ok());
  EXPECT_FALSE(MatlabRowResizer::create(8, 4, 5, PixelType::kU8, plan).ok());
  EXPECT_FALSE(MatlabRowResizer::create(8, 4, 3, PixelType::kU8, MatlabResizePlan{}).ok());
}

}  // namespace
}  // namespace litesr
