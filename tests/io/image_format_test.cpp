#include "io/image_format.h"

#include <gtest/gtest.h>

#include "io_test_support.h"

namespace litesr {
namespace {

using testing::as_bytes;

TEST(ImageFormat, NamesAndExtensions) {
  EXPECT_EQ(image_format_name(ImageFormat::kPng), "png");
  EXPECT_EQ(image_format_name(ImageFormat::kJpeg), "jpg");
  EXPECT_EQ(image_format_name(ImageFormat::kWebp), "webp");
  EXPECT_EQ(image_format_from_extension("a/b.PNG").value(), ImageFormat::kPng);
  EXPECT_EQ(image_format_from_extension("x.jpg").value(), ImageFormat::kJpeg);
  EXPECT_EQ(image_format_from_extension("x.JpEg").value(), ImageFormat::kJpeg);
  EXPECT_EQ(image_format_from_extension("x.webp").value(), ImageFormat::kWebp);
  const Status gif = image_format_from_extension("anim.gif").status();
  EXPECT_EQ(gif.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(gif.message().find("anim.gif"), std::string::npos);
  EXPECT_NE(gif.message().find(".gif"), std::string::npos);
  EXPECT_EQ(image_format_from_extension("noext").status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(has_image_extension("a.Webp"));
  EXPECT_FALSE(has_image_extension("a.txt"));
}

TEST(ImageFormat, DetectsByMagicNotName) {
  EXPECT_EQ(detect_image_format(as_bytes(std::string("\x89PNG\r\n\x1a\n....", 12))).value(), ImageFormat::kPng);
  EXPECT_EQ(detect_image_format(as_bytes(std::string("\xFF\xD8\xFF\xE0", 4))).value(), ImageFormat::kJpeg);
  EXPECT_EQ(detect_image_format(as_bytes(std::string("RIFF\0\0\0\0WEBPVP8 ", 16))).value(), ImageFormat::kWebp);
}

TEST(ImageFormat, ExplainsWhatItIsNot) {
  struct Case {
    std::string bytes;
    StatusCode code;
    std::string_view needle;
  };
  const Case cases[] = {
      {"", StatusCode::kCorruptData, "empty file"},
      {"\x89PN", StatusCode::kCorruptData, "truncated PNG"},
      {"\xFF\xD8", StatusCode::kCorruptData, "truncated JPEG"},
      {"RIFF\x10\0", StatusCode::kCorruptData, "truncated WebP"},
      {"GIF89a\x01\0\x01\0", StatusCode::kUnsupported, "GIF"},
      {"GIF87a\x01\0\x01\0", StatusCode::kUnsupported, "GIF"},
      {std::string("BM\x3a\0\0\0\0\0\0\0\x36\0\0\0", 14), StatusCode::kUnsupported, "BMP"},
      {std::string("II*\0\x08\0\0\0", 8), StatusCode::kUnsupported, "TIFF"},
      {std::string("\0\0\0\x1c" "ftypavif", 12), StatusCode::kUnsupported, "AVIF"},
      {std::string("RIFF\x10\0\0\0WAVEfmt ", 16), StatusCode::kUnsupported, "RIFF (not WebP)"},
      {"P6\n4 4\n255\n", StatusCode::kUnsupported, "PNM"},
      {"hello, this is a list of files\nimg1.png\n", StatusCode::kUnsupported, "text file"},
      {std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8), StatusCode::kUnsupported, "unrecognised"},
  };
  for (const Case& c : cases) {
    const Status s = detect_image_format(as_bytes(c.bytes)).status();
    EXPECT_EQ(s.code(), c.code) << c.needle;
    EXPECT_NE(s.message().find(c.needle), std::string::npos) << s.message();
  }
}

}  // namespace
}  // namespace litesr
