#include "base/image.h"

#include <gtest/gtest.h>

#include "base/image_ops.h"

namespace litesr {
namespace {

TEST(Image, CreateRejectsBadDimensions) {
  EXPECT_EQ(Image::create(0, 5, 3, PixelType::kU8).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Image::create(5, -1, 3, PixelType::kU8).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Image::create(5, 5, 5, PixelType::kU8).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Image::create(kMaxImageSide + 1, 1, 1, PixelType::kU8).status().code(),
            StatusCode::kResourceExhausted);
}

TEST(Image, RowsAreAlignedAndZeroed) {
  auto img = Image::create(7, 3, 3, PixelType::kF32);
  ASSERT_TRUE(img.ok());
  auto v = img->view<float>();
  EXPECT_GE(v.stride, 21);
  for (int y = 0; y < 3; ++y) {
    EXPECT_EQ(reinterpret_cast<uintptr_t>(v.row(y)) % 64, 0u);
    for (int i = 0; i < 21; ++i) EXPECT_EQ(v.row(y)[i], 0.0f);
  }
}

TEST(Image, CropViewAddressesTheWindow) {
  auto img = Image::create(6, 4, 2, PixelType::kU16);
  ASSERT_TRUE(img.ok());
  auto v = img->view<uint16_t>();
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 6; ++x)
      for (int c = 0; c < 2; ++c) v.at(x, y, c) = static_cast<uint16_t>(100 * y + 10 * x + c);
  auto w = v.crop(2, 1, 3, 2);
  EXPECT_EQ(w.at(0, 0, 0), 120);
  EXPECT_EQ(w.at(2, 1, 1), 241);
}

TEST(ImageOps, ConvertRoundsLikeMatlab) {
  auto img = Image::create(4, 1, 1, PixelType::kF32);
  ASSERT_TRUE(img.ok());
  float* r = img->view<float>().row(0);
  r[0] = -0.2f;
  r[1] = 0.5f / 255.0f;  // exactly half a code: rounds up
  r[2] = 1.7f;
  r[3] = 100.4f / 255.0f;
  auto u8 = convert_pixel_type(*img, PixelType::kU8);
  ASSERT_TRUE(u8.ok());
  const uint8_t* q = u8->view<uint8_t>().row(0);
  EXPECT_EQ(q[0], 0);
  EXPECT_EQ(q[1], 1);
  EXPECT_EQ(q[2], 255);
  EXPECT_EQ(q[3], 100);
}

TEST(ImageOps, U8U16RoundTripIsExact) {
  auto img = Image::create(256, 1, 1, PixelType::kU8);
  ASSERT_TRUE(img.ok());
  for (int i = 0; i < 256; ++i) img->view<uint8_t>().row(0)[i] = static_cast<uint8_t>(i);
  auto wide = convert_pixel_type(*img, PixelType::kU16);
  auto back = convert_pixel_type(*wide, PixelType::kU8);
  for (int i = 0; i < 256; ++i) {
    EXPECT_EQ(wide->view<uint16_t>().row(0)[i], i * 257);
    EXPECT_EQ(back->view<uint8_t>().row(0)[i], i);
  }
}

TEST(ImageOps, SplitAndJoinAlpha) {
  auto rgba = Image::create(3, 2, 4, PixelType::kU8);
  ASSERT_TRUE(rgba.ok());
  for (int y = 0; y < 2; ++y)
    for (int x = 0; x < 3; ++x)
      for (int c = 0; c < 4; ++c) rgba->view<uint8_t>().at(x, y, c) = static_cast<uint8_t>(x + 3 * y + 50 * c);
  auto rgb = extract_channels(*rgba, 0, 3);
  auto a = extract_channels(*rgba, 3, 1);
  ASSERT_TRUE(rgb.ok() && a.ok());
  EXPECT_EQ(a->view<uint8_t>().at(2, 1, 0), 5 + 150);
  auto joined = concat_channels(*rgb, *a);
  ASSERT_TRUE(joined.ok());
  for (int y = 0; y < 2; ++y)
    for (int x = 0; x < 3; ++x)
      for (int c = 0; c < 4; ++c) EXPECT_EQ(joined->view<uint8_t>().at(x, y, c), rgba->view<uint8_t>().at(x, y, c));
  EXPECT_FALSE(extract_channels(*rgba, 3, 2).ok());
}

TEST(ImageOps, GreyToRgbKeepsAlpha) {
  auto ga = Image::create(1, 1, 2, PixelType::kU8);
  ASSERT_TRUE(ga.ok());
  ga->view<uint8_t>().at(0, 0, 0) = 7;
  ga->view<uint8_t>().at(0, 0, 1) = 9;
  auto rgba = grey_to_rgb(*ga);
  ASSERT_TRUE(rgba.ok());
  ASSERT_EQ(rgba->channels(), 4);
  EXPECT_EQ(rgba->view<uint8_t>().at(0, 0, 2), 7);
  EXPECT_EQ(rgba->view<uint8_t>().at(0, 0, 3), 9);
}

TEST(ImageOps, CopyWindowKeepsTypeAndChannelsAndChecksBounds) {
  Image img = Image::create(5, 4, 3, PixelType::kU16).value();
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 5; ++x)
      for (int c = 0; c < 3; ++c) img.view<uint16_t>().at(x, y, c) = static_cast<uint16_t>(1000 * y + 10 * x + c);
  const Image w = copy_window(img, 1, 2, 3, 2).value();
  ASSERT_EQ(w.width(), 3);
  ASSERT_EQ(w.height(), 2);
  EXPECT_EQ(w.type(), PixelType::kU16);
  EXPECT_EQ(w.view<uint16_t>().at(0, 0, 0), 2010);
  EXPECT_EQ(w.view<uint16_t>().at(2, 1, 2), 3032);
  EXPECT_EQ(copy_window(img, 3, 0, 3, 1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(copy_window(img, 0, -1, 1, 1).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace litesr
