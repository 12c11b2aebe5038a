#include "base/image_size.h"

#include <gtest/gtest.h>

namespace litesr {
namespace {

TEST(ImageSize, ParsesWidthByHeight) {
  auto s = parse_image_size("1280x720");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->width, 1280);
  EXPECT_EQ(s->height, 720);
  auto upper = parse_image_size("65536X1");
  ASSERT_TRUE(upper.ok());
  EXPECT_EQ(upper->width, 65536);
  EXPECT_EQ(upper->height, 1);
}

TEST(ImageSize, RejectsAnythingElse) {
  for (const char* bad : {"", "x", "1280", "1280x", "x720", "0x10", "10x0", "12x-3", "-12x3", "12x3y", " 12x3",
                          "12 x3", "12x3x4", "65537x1", "99999999999x1", "1.5x2"}) {
    auto s = parse_image_size(bad);
    EXPECT_FALSE(s.ok()) << "'" << bad << "'";
    if (!s.ok()) {
      EXPECT_NE(s.status().message().find("WIDTHxHEIGHT"), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace litesr
