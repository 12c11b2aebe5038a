// Luma networks on colour images (eval/luma_color.h): MATLAB rgb2ycbcr's Y, and the merge of an upscaled Y with
// the bicubic chroma — which, for a bicubic-upscaled Y, is the bicubic upscale of the RGB image (linear maps
// commute) up to rounding.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>

#include "base/color.h"
#include "eval/luma_color.h"
#include "eval/matlab_resize.h"
#include "base/image_ops.h"

namespace litesr {
namespace {

Image smooth_rgb(int w, int h) {
  Image img = Image::create(w, h, 3, PixelType::kU8).value();
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      for (int c = 0; c < 3; ++c) {
        const double s = std::sin(0.21 * x * (c + 1) + 0.4 * c) * std::cos(0.13 * y + c);
        img.view<uint8_t>().at(x, y, c) = static_cast<uint8_t>(128 + 80 * s);  // 48..208: no bicubic clipping
      }
    }
  }
  return img;
}

TEST(LumaColor, LumaIsMatlabRgb2ycbcrOverTwoHundredFiftyFive) {
  Image img = Image::create(3, 1, 3, PixelType::kU8).value();
  const uint8_t px[9] = {0, 0, 0, 255, 255, 255, 255, 0, 0};
  std::copy_n(px, 9, img.view<uint8_t>().row(0));
  const Image y = luma_of_rgb(img).value();
  ASSERT_EQ(y.channels(), 1);
  ASSERT_EQ(y.type(), PixelType::kF32);
  EXPECT_NEAR(y.view<float>().at(0, 0, 0) * 255.0, 16.0, 1e-4);
  EXPECT_NEAR(y.view<float>().at(1, 0, 0) * 255.0, 235.0, 1e-4);
  EXPECT_NEAR(y.view<float>().at(2, 0, 0) * 255.0, 16.0 + 65.481, 1e-4);
  // u16 and f32 inputs give the same luma.
  const Image as_f32 = convert_pixel_type(img, PixelType::kF32).value();
  const Image as_u16 = convert_pixel_type(img, PixelType::kU16).value();
  for (int x = 0; x < 3; ++x) {
    EXPECT_NEAR(luma_of_rgb(as_f32).value().view<float>().at(x, 0, 0), y.view<float>().at(x, 0, 0), 1e-6);
    EXPECT_NEAR(luma_of_rgb(as_u16).value().view<float>().at(x, 0, 0), y.view<float>().at(x, 0, 0), 1e-6);
  }
}

TEST(LumaColor, MergingABicubicLumaIsTheBicubicImage) {
  const Image lr = smooth_rgb(19, 13);
  const Image y_up = matlab_imresize(luma_of_rgb(lr).value(), 4).value();
  const Image merged = merge_upscaled_luma(y_up, lr, 4).value();
  const Image rgb_up = matlab_imresize(convert_pixel_type(lr, PixelType::kF32).value(), 4).value();
  ASSERT_EQ(merged.width(), 76);
  ASSERT_EQ(merged.height(), 52);
  ASSERT_EQ(merged.type(), PixelType::kU8);
  int worst = 0;
  for (int y = 0; y < merged.height(); ++y) {
    for (int x = 0; x < merged.width(); ++x) {
      for (int c = 0; c < 3; ++c) {
        const int want = static_cast<int>(std::lround(rgb_up.view<float>().at(x, y, c) * 255.0));
        worst = std::max(worst, std::abs(merged.view<uint8_t>().at(x, y, c) - want));
      }
    }
  }
  EXPECT_LE(worst, 1);
}

// The merge equals its definition computed the plain way — the chroma image upscaled whole by matlab_imresize, then
// ycbcr2rgb per pixel — bit for bit, for every pixel type and thread count (its rows are split among threads).
TEST(LumaColor, MergeIsMatlabImresizeOfTheChromaForEveryTypeAndThreadCount) {
  const Image lr8 = smooth_rgb(37, 23);
  const ColorTransform to_ycbcr = rgb_to_ycbcr_transform({ColorMatrix::kBt601, ColorRange::kLimited, 8});
  const ColorTransform to_rgb = ycbcr_to_rgb_transform({ColorMatrix::kBt601, ColorRange::kLimited, 8});
  for (const PixelType type : {PixelType::kU8, PixelType::kU16, PixelType::kF32}) {
    const Image lr = convert_pixel_type(lr8, type).value();
    const Image lr_f = convert_pixel_type(lr, PixelType::kF32).value();  // exact: u8 / 255, u16 / 65535 in float
    for (const int scale : {3, 4}) {
      SCOPED_TRACE("type " + std::to_string(static_cast<int>(type)) + " scale " + std::to_string(scale));
      Image chroma = Image::create(lr.width(), lr.height(), 2, PixelType::kF32).value();
      for (int y = 0; y < lr.height(); ++y) {
        for (int x = 0; x < lr.width(); ++x) {
          std::array<double, 3> px{};
          for (int c = 0; c < 3; ++c) {
            px[c] = type == PixelType::kU8    ? lr.view<uint8_t>().at(x, y, c) / 255.0
                    : type == PixelType::kU16 ? lr.view<uint16_t>().at(x, y, c) / 65535.0
                                              : double{lr_f.view<float>().at(x, y, c)};
          }
          const std::array<double, 3> ycc = to_ycbcr.apply(px);
          chroma.view<float>().at(x, y, 0) = static_cast<float>(ycc[1] / 255.0);
          chroma.view<float>().at(x, y, 1) = static_cast<float>(ycc[2] / 255.0);
        }
      }
      const Image up = matlab_imresize(chroma, scale).value();
      const Image y_up = matlab_imresize(luma_of_rgb(lr).value(), scale).value();
      const Image one = merge_upscaled_luma(y_up, lr, scale, 1).value();
      for (const int threads : {2, 5}) {
        const Image many = merge_upscaled_luma(y_up, lr, scale, threads).value();
        for (int y = 0; y < one.height(); ++y)
          ASSERT_EQ(std::memcmp(many.row_bytes_ptr(y), one.row_bytes_ptr(y), one.row_bytes()), 0) << threads << " threads";
      }
      float m[3][3], off[3];
      for (int r = 0; r < 3; ++r) {
        for (int c = 0; c < 3; ++c) m[r][c] = static_cast<float>(to_rgb.m[r][c] * 255.0);
        off[r] = static_cast<float>(to_rgb.offset[r]);
      }
      for (int y = 0; y < one.height(); ++y) {
        for (int x = 0; x < one.width(); ++x) {
          const float l = y_up.view<float>().at(x, y, 0), cb = up.view<float>().at(x, y, 0), cr = up.view<float>().at(x, y, 1);
          for (int c = 0; c < 3; ++c) {
            const float v = std::clamp(off[c] + m[c][0] * l + m[c][1] * cb + m[c][2] * cr, 0.0f, 1.0f);
            switch (type) {
              case PixelType::kU8: ASSERT_EQ(one.view<uint8_t>().at(x, y, c), static_cast<uint8_t>(v * 255.0f + 0.5f)); break;
              case PixelType::kU16: ASSERT_EQ(one.view<uint16_t>().at(x, y, c), static_cast<uint16_t>(v * 65535.0f + 0.5f)); break;
              case PixelType::kF32: ASSERT_EQ(one.view<float>().at(x, y, c), v); break;
            }
          }
        }
      }
    }
  }
}

TEST(LumaColor, GreyStaysGreyAndErrorsAreClear) {
  Image grey = Image::create(8, 8, 3, PixelType::kU8).value();
  for (int y = 0; y < 8; ++y) {
    for (int x = 0; x < 24; ++x) grey.view<uint8_t>().row(y)[x] = static_cast<uint8_t>(20 + 25 * (x / 3) + y);
  }
  const Image merged = merge_upscaled_luma(matlab_imresize(luma_of_rgb(grey).value(), 2).value(), grey, 2).value();
  for (int y = 0; y < 16; ++y) {
    for (int x = 0; x < 16; ++x) {
      const uint8_t* p = &merged.view<uint8_t>().at(x, y, 0);
      EXPECT_LE(std::abs(p[0] - p[1]), 1);
      EXPECT_LE(std::abs(p[2] - p[1]), 1);
    }
  }
  const Image y = luma_of_rgb(grey).value();
  EXPECT_EQ(merge_upscaled_luma(y, grey, 2).status().code(), StatusCode::kInvalidArgument);  // wrong size
  EXPECT_EQ(luma_of_rgb(y).status().code(), StatusCode::kInvalidArgument);                  // not RGB
}

}  // namespace
}  // namespace litesr
