#include "base/color.h"

#include <gtest/gtest.h>

namespace litesr {
namespace {

TEST(Color, SrLumaMatchesBt601Limited8Bit) {
  const YCbCrFormat f{ColorMatrix::kBt601, ColorRange::kLimited, 8};
  for (double r : {0.0, 0.3, 1.0})
    for (double g : {0.0, 0.6, 1.0})
      for (double b : {0.0, 0.9, 1.0}) EXPECT_NEAR(rgb_to_ycbcr({r, g, b}, f)[0], sr_luma_255(r, g, b), 1e-9);
}

TEST(Color, ReferenceCodeValues) {
  // White and black in every format hit the nominal code values; grey has neutral chroma.
  for (ColorMatrix m : {ColorMatrix::kBt601, ColorMatrix::kBt709, ColorMatrix::kBt2020}) {
    const auto lim10 = rgb_to_ycbcr({1, 1, 1}, {m, ColorRange::kLimited, 10});
    EXPECT_NEAR(lim10[0], 940, 1e-9);
    EXPECT_NEAR(lim10[1], 512, 1e-9);
    EXPECT_NEAR(rgb_to_ycbcr({0, 0, 0}, {m, ColorRange::kLimited, 10})[0], 64, 1e-9);
    const auto full8 = rgb_to_ycbcr({1, 1, 1}, {m, ColorRange::kFull, 8});
    EXPECT_NEAR(full8[0], 255, 1e-9);
    EXPECT_NEAR(full8[2], 128, 1e-9);
  }
  // BT.709 pure red, 8-bit limited: Y = 16 + 219·0.2126 = 62.56, Cr = 128 + 112 = 240.
  const auto red = rgb_to_ycbcr({1, 0, 0}, {ColorMatrix::kBt709, ColorRange::kLimited, 8});
  EXPECT_NEAR(red[0], 62.5594, 1e-4);
  EXPECT_NEAR(red[2], 240.0, 1e-9);
}

TEST(Color, RoundTripIsIdentity) {
  for (ColorMatrix m : {ColorMatrix::kBt601, ColorMatrix::kBt709, ColorMatrix::kBt2020})
    for (ColorRange r : {ColorRange::kLimited, ColorRange::kFull})
      for (int depth : {8, 10, 16}) {
        const YCbCrFormat f{m, r, depth};
        const std::array<double, 3> rgb{0.12, 0.77, 0.43};
        const auto back = ycbcr_to_rgb(rgb_to_ycbcr(rgb, f), f);
        for (int i = 0; i < 3; ++i) EXPECT_NEAR(back[i], rgb[i], 1e-12);
      }
}

TEST(Color, ParsesNames) {
  EXPECT_EQ(*parse_color_matrix("bt2020"), ColorMatrix::kBt2020);
  EXPECT_EQ(*parse_color_range("tv"), ColorRange::kLimited);
  EXPECT_FALSE(parse_color_matrix("bt999").ok());
}

}  // namespace
}  // namespace litesr
