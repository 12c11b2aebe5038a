#include <gtest/gtest.h>

#include "io/exif_orientation.h"
#include "io/image_file.h"
#include "io_test_support.h"

namespace litesr {
namespace {

using testing::as_bytes;

WriteOptions webp_options(bool lossless, int quality = 90) {
  WriteOptions w;
  w.format = ImageFormat::kWebp;
  w.lossless = lossless;
  w.quality = quality;
  return w;
}

TEST(Webp, LosslessRgbAndRgbaAreExact) {
  for (int channels : {3, 4}) {
    Image img = testing::make_test_image(31, 17, channels, PixelType::kU8);
    if (channels == 4) img.view<uint8_t>().at(3, 3, 3) = 0;  // a fully transparent pixel keeps its colour
    const std::string bytes = encode_image(img, webp_options(true)).value();
    const DecodedImage d = decode_image(as_bytes(bytes), "l.webp").value();
    EXPECT_EQ(d.format, ImageFormat::kWebp);
    EXPECT_TRUE(testing::images_equal(d.image, img)) << channels;
  }
}

TEST(Webp, LossyIsCloseAndKeepsAlpha) {
  Image img = Image::create(40, 24, 4, PixelType::kU8).value();
  const Image smooth = testing::make_smooth_image(40, 24, 3);
  for (int y = 0; y < 24; ++y)
    for (int x = 0; x < 40; ++x) {
      for (int c = 0; c < 3; ++c) img.view<uint8_t>().at(x, y, c) = smooth.view<uint8_t>().at(x, y, c);
      img.view<uint8_t>().at(x, y, 3) = static_cast<uint8_t>(x * 6);
    }
  const DecodedImage d = decode_image(as_bytes(encode_image(img, webp_options(false, 95)).value()), "a.webp").value();
  ASSERT_EQ(d.image.channels(), 4);
  for (int x = 0; x < 40; ++x) EXPECT_EQ(d.image.view<uint8_t>().at(x, 5, 3), x * 6);  // alpha_quality 100
  const DecodedImage rgb =
      decode_image(as_bytes(encode_image(smooth, webp_options(false, 95)).value()), "rgb.webp").value();
  ASSERT_EQ(rgb.image.channels(), 3);
  EXPECT_LE(testing::max_abs_diff(rgb.image, smooth), 12);
  EXPECT_EQ(encode_image(smooth, webp_options(false, 0)).status().code(), StatusCode::kInvalidArgument);
}

TEST(Webp, GreyIsWrittenAsRgb) {
  const Image g = testing::make_test_image(9, 9, 1, PixelType::kU8);
  const DecodedImage d = decode_image(as_bytes(encode_image(g, webp_options(true)).value()), "g.webp").value();
  ASSERT_EQ(d.image.channels(), 3);
  for (int c = 0; c < 3; ++c) EXPECT_EQ(d.image.view<uint8_t>().at(4, 5, c), g.view<uint8_t>().at(4, 5, 0));
}

TEST(Webp, IccAndExifRoundTripWithAlpha) {
  for (bool lossless : {true, false}) {
    Image img = testing::make_test_image(12, 10, 4, PixelType::kU8);
    WriteOptions w = webp_options(lossless);
    w.icc_profile = testing::make_icc_profile(false, 3000);
    w.exif = testing::make_exif(6);
    const std::string bytes = encode_image(img, w).value();
    const DecodedImage d = decode_image(as_bytes(bytes), "m.webp").value();
    EXPECT_EQ(d.icc_profile, w.icc_profile);
    EXPECT_EQ(d.image.channels(), 4);
    // Orientation 6 was applied: 12x10 becomes 10x12 and the tag is reset.
    EXPECT_EQ(d.image.width(), 10);
    EXPECT_EQ(d.image.height(), 12);
    EXPECT_EQ(exif_orientation(d.exif), 1);
  }
}

TEST(Webp, RejectsOversizedImages) {
  const Image wide = Image::create(16384, 1, 3, PixelType::kU8).value();
  EXPECT_EQ(encode_image(wide, webp_options(true)).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace litesr
