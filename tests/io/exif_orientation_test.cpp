#include "io/exif_orientation.h"

#include <gtest/gtest.h>

#include "io_test_support.h"

namespace litesr {
namespace {

TEST(ExifOrientation, ReadsBothByteOrders) {
  for (int o = 1; o <= 8; ++o) {
    EXPECT_EQ(exif_orientation(testing::make_exif(o, false)), o);
    EXPECT_EQ(exif_orientation(testing::make_exif(o, true)), o);
  }
}

TEST(ExifOrientation, MalformedOrMissingMeansIdentity) {
  EXPECT_EQ(exif_orientation(""), 1);
  EXPECT_EQ(exif_orientation("II*"), 1);
  EXPECT_EQ(exif_orientation(testing::make_exif(9)), 1);   // out of range
  EXPECT_EQ(exif_orientation(testing::make_exif(0)), 1);
  std::string bad_magic = testing::make_exif(6);
  bad_magic[2] = 43;
  EXPECT_EQ(exif_orientation(bad_magic), 1);
  std::string bad_order = testing::make_exif(6);
  bad_order[0] = 'X';
  EXPECT_EQ(exif_orientation(bad_order), 1);
  std::string far_ifd = testing::make_exif(6);
  far_ifd[4] = static_cast<char>(0xF0);  // IFD0 offset beyond the data
  EXPECT_EQ(exif_orientation(far_ifd), 1);
  std::string many_entries = testing::make_exif(6);
  many_entries[8] = static_cast<char>(0xFF);  // entry count runs past the end before reaching the tag
  many_entries[9] = static_cast<char>(0xFF);
  EXPECT_EQ(exif_orientation(many_entries.substr(0, 20)), 1);
  std::string wrong_type = testing::make_exif(6);
  wrong_type[8 + 2 + 12 + 2] = 4;  // Orientation as LONG: not the standard encoding, ignored
  EXPECT_EQ(exif_orientation(wrong_type), 1);
  // Every truncation of a valid block is handled without reading out of bounds.
  const std::string full = testing::make_exif(3, true);
  for (std::size_t n = 0; n < full.size(); ++n) EXPECT_LE(exif_orientation(full.substr(0, n)), 8);
}

TEST(ExifOrientation, SetRewritesOnlyTheValue) {
  std::string t = testing::make_exif(8, true);
  const std::string before = t;
  ASSERT_TRUE(set_exif_orientation(t, 1));
  EXPECT_EQ(exif_orientation(t), 1);
  int differing = 0;
  for (std::size_t i = 0; i < t.size(); ++i) differing += t[i] != before[i];
  EXPECT_EQ(differing, 1);  // 8 -> 1 changes one byte of the big-endian SHORT
  std::string none = "nothing";
  EXPECT_FALSE(set_exif_orientation(none, 1));
}

TEST(ExifOrientation, StripIdentifier) {
  EXPECT_EQ(strip_exif_identifier(std::string("Exif\0\0II", 8)), "II");
  EXPECT_EQ(strip_exif_identifier("MM"), "MM");
}

TEST(ExifOrientation, ApplyOrientationRejectsBadValuesAndKeepsType) {
  const Image img = testing::make_test_image(4, 3, 3, PixelType::kU8);
  EXPECT_EQ(apply_orientation(img, 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(apply_orientation(img, 9).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(apply_orientation(Image(), 2).status().code(), StatusCode::kInvalidArgument);
  const Image f = Image::create(4, 3, 1, PixelType::kF32).value();
  Result<Image> r = apply_orientation(f, 6);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->width(), 3);
  EXPECT_EQ(r->height(), 4);
  EXPECT_EQ(r->type(), PixelType::kF32);
  // Applying 6 (90° clockwise) four times is the identity; 2 twice is the identity.
  Image x = img.clone();
  for (int i = 0; i < 4; ++i) x = apply_orientation(x, 6).value();
  EXPECT_TRUE(testing::images_equal(x, img));
  EXPECT_TRUE(testing::images_equal(apply_orientation(apply_orientation(img, 2).value(), 2).value(), img));
}

}  // namespace
}  // namespace litesr
