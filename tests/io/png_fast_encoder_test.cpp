// The fast PNG encoder (io/png_fast_encoder.h) and WriteOptions::png_level: every level and layout reads
// back exactly through libpng (LiteSR's decoder) and through ffmpeg (an independent PNG reader, when
// installed); the stripe layout, thread count and streamed writing never change the bytes.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "io/image_file.h"
#include "io/png_fast_encoder.h"
#include "io_test_support.h"
#include "testing/test_env.h"

namespace litesr {
namespace {

using testing::as_bytes;
using testing::images_equal;
using testing::make_smooth_image;
using testing::make_test_image;

uint32_t be32(const std::string& s, std::size_t at) {
  return static_cast<uint32_t>(static_cast<uint8_t>(s[at])) << 24 |
         static_cast<uint32_t>(static_cast<uint8_t>(s[at + 1])) << 16 |
         static_cast<uint32_t>(static_cast<uint8_t>(s[at + 2])) << 8 | static_cast<uint8_t>(s[at + 3]);
}

// The chunk types of a PNG in order, each CRC checked against the reference CRC-32.
std::vector<std::string> chunk_types(const std::string& png) {
  std::vector<std::string> types;
  std::size_t at = 8;
  while (at + 12 <= png.size()) {
    const uint32_t length = be32(png, at);
    const std::string type = png.substr(at + 4, 4);
    EXPECT_EQ(be32(png, at + 8 + length), testing::png_crc32(std::string_view(png).substr(at + 4, 4 + length)))
        << type;
    types.push_back(type);
    at += 12 + length;
  }
  EXPECT_EQ(at, png.size());
  return types;
}

WriteOptions png_options(int level) {
  WriteOptions w;
  w.format = ImageFormat::kPng;
  w.png_level = level;
  return w;
}

struct Layout {
  int channels;
  PixelType type;
};
const Layout kLayouts[] = {{1, PixelType::kU8},  {2, PixelType::kU8},  {3, PixelType::kU8},  {4, PixelType::kU8},
                           {1, PixelType::kU16}, {2, PixelType::kU16}, {3, PixelType::kU16}, {4, PixelType::kU16}};

TEST(PngLevels, EveryLevelAndLayoutRoundTrips) {
  for (int level = 0; level <= 9; ++level) {
    for (const Layout& l : kLayouts) {
      const Image img = make_test_image(41, 27, l.channels, l.type);
      Result<std::string> bytes = encode_image(img, png_options(level));
      ASSERT_TRUE(bytes.ok()) << bytes.status().to_string();
      Result<DecodedImage> back = decode_image(as_bytes(*bytes), "l.png");
      ASSERT_TRUE(back.ok()) << "level " << level << ": " << back.status().to_string();
      EXPECT_TRUE(images_equal(back->image, img)) << "level " << level << " channels " << l.channels;
    }
  }
}

TEST(PngLevels, OutOfRangeIsInvalidArgument) {
  const Image img = make_test_image(4, 4, 3, PixelType::kU8);
  for (int level : {-1, 10}) {
    EXPECT_EQ(encode_image(img, png_options(level)).status().code(), StatusCode::kInvalidArgument) << level;
  }
}

TEST(PngLevels, HigherZlibLevelsMakeSmallerFilesThanFast) {
  const Image img = make_smooth_image(300, 200, 3);
  const std::size_t fast = encode_image(img, png_options(kPngLevelFast))->size();
  const std::size_t best = encode_image(img, png_options(9))->size();
  const std::size_t stored = encode_image(img, png_options(0))->size();
  EXPECT_LT(best, fast);
  EXPECT_LT(fast, stored);
  EXPECT_GT(stored, img.row_bytes() * img.height());  // level 0 stores: no compression at all
}

// An image of several stripes: 16-bit RGBA rows of 8 KiB -> 127 rows per stripe, 300 rows -> 3 stripes.
Image multi_stripe_image() { return make_test_image(1024, 300, 4, PixelType::kU16); }

TEST(PngFastEncoder, StripesAreIdatChunksWithValidCrcs) {
  const Image img = multi_stripe_image();
  const int stripe_rows = png_stripe_rows(img.row_bytes());
  ASSERT_EQ(stripe_rows, 127);
  WriteOptions w = png_options(kPngLevelFast);
  w.icc_profile = testing::make_icc_profile(/*grey=*/false);
  w.exif = testing::make_exif(1);
  const std::string png = encode_image(img, w).value();
  const std::vector<std::string> expected = {"IHDR", "iCCP", "eXIf", "IDAT", "IDAT", "IDAT", "IEND"};
  EXPECT_EQ(chunk_types(png), expected);
  const DecodedImage back = decode_image(as_bytes(png), "s.png").value();
  EXPECT_TRUE(images_equal(back.image, img));
  EXPECT_EQ(back.icc_profile, w.icc_profile);
  EXPECT_EQ(back.exif, w.exif);
}

TEST(PngFastEncoder, ThreadCountDoesNotChangeTheBytes) {
  for (const Image& img : {multi_stripe_image(), make_smooth_image(700, 1000, 3)}) {
    WriteOptions w = png_options(kPngLevelFast);
    const std::string one = encode_image(img, w).value();
    for (int threads : {2, 3, 8}) {
      w.threads = threads;
      EXPECT_EQ(encode_image(img, w).value(), one) << threads << " threads";
    }
  }
}

TEST(PngFastEncoder, StreamedRowsGiveTheWholeImageBytes) {
  testing::TempDir dir;
  const Image img = multi_stripe_image();
  WriteOptions w = png_options(kPngLevelFast);
  w.threads = 2;
  w.exif = testing::make_exif(1);
  const std::string whole = encode_image(img, w).value();
  for (int band : {1, 50, 127, 128, 300}) {  // bands across, on and beside the stripe boundaries
    const Status s = testing::write_by_rows(dir / "s.png", img, band, w);
    ASSERT_TRUE(s.ok()) << s.to_string();
    EXPECT_EQ(testing::read_file_bytes(dir / "s.png"), whole) << "band " << band;
  }
}

TEST(PngFastEncoder, RejectsRowsOfAnotherLayout) {
  std::unique_ptr<PngFastEncoder> e = PngFastEncoder::start(8, 2, 3, PixelType::kU8, "", "").value();
  EXPECT_EQ(e->add_rows(make_test_image(8, 2, 4, PixelType::kU8), 0, 1).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(e->add_rows(make_test_image(8, 2, 3, PixelType::kU8), 1, 2).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(e->finish().code(), StatusCode::kInternal);  // no rows yet
  EXPECT_EQ(PngFastEncoder::start(0, 2, 3, PixelType::kU8, "", "").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(PngFastEncoder::start(2, 2, 5, PixelType::kU8, "", "").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(PngFastEncoder::start(2, 2, 3, PixelType::kF32, "", "").status().code(), StatusCode::kInvalidArgument);
}

// ffmpeg's own PNG decoder (not libpng) reads every level and layout to the same samples.
TEST(PngLevels, FfmpegReadsEveryLevelAndLayout) {
  if (std::system("ffmpeg -version > /dev/null 2>&1") != 0) GTEST_SKIP() << "ffmpeg is not installed";
  testing::TempDir dir;
  const char* kPixFmts[2][4] = {{"gray", "ya8", "rgb24", "rgba"}, {"gray16le", "ya16le", "rgb48le", "rgba64le"}};
  for (int level = 0; level <= 9; ++level) {
    for (const Layout& l : kLayouts) {
      const Image img = level == kPngLevelFast ? make_test_image(700, 800, l.channels, l.type)  // >= 2 stripes
                                               : make_test_image(33, 21, l.channels, l.type);
      const std::filesystem::path png = dir / "f.png", raw = dir / "f.raw";
      ASSERT_TRUE(write_image(png, img, png_options(level)).ok());
      const char* pix_fmt = kPixFmts[l.type == PixelType::kU16 ? 1 : 0][l.channels - 1];
      const std::string cmd = "ffmpeg -v error -y -i '" + png.string() + "' -f rawvideo -pix_fmt " + pix_fmt + " '" +
                              raw.string() + "'";
      ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
      const std::string samples = testing::read_file_bytes(raw);
      std::string expected;
      for (int y = 0; y < img.height(); ++y) {
        expected.append(reinterpret_cast<const char*>(img.row_bytes_ptr(y)), img.row_bytes());  // little-endian u16
      }
      EXPECT_TRUE(samples == expected) << "level " << level << " " << pix_fmt;
    }
  }
}

}  // namespace
}  // namespace litesr
