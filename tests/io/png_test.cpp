#include <png.h>

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "io/image_file.h"
#include "io_test_support.h"
#include "testing/test_env.h"

namespace litesr {
namespace {

using testing::as_bytes;
using testing::images_equal;
using testing::make_test_image;

struct PngCase {
  int channels;
  PixelType type;
};

class PngRoundTrip : public ::testing::TestWithParam<PngCase> {};

TEST_P(PngRoundTrip, EncodeDecodeIsExact) {
  const PngCase c = GetParam();
  const Image img = make_test_image(37, 23, c.channels, c.type);  // odd sizes: no alignment luck
  WriteOptions w;
  w.format = ImageFormat::kPng;
  Result<std::string> bytes = encode_image(img, w);
  ASSERT_TRUE(bytes.ok()) << bytes.status().to_string();
  Result<DecodedImage> back = decode_image(as_bytes(*bytes), "rt.png");
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  EXPECT_EQ(back->format, ImageFormat::kPng);
  EXPECT_EQ(back->bit_depth, c.type == PixelType::kU16 ? 16 : 8);
  EXPECT_TRUE(images_equal(back->image, img));
  EXPECT_TRUE(back->icc_profile.empty());
  EXPECT_TRUE(back->exif.empty());
}

INSTANTIATE_TEST_SUITE_P(AllColourTypesAndDepths, PngRoundTrip,
                         ::testing::Values(PngCase{1, PixelType::kU8}, PngCase{2, PixelType::kU8},
                                           PngCase{3, PixelType::kU8}, PngCase{4, PixelType::kU8},
                                           PngCase{1, PixelType::kU16}, PngCase{2, PixelType::kU16},
                                           PngCase{3, PixelType::kU16}, PngCase{4, PixelType::kU16}));

TEST(Png, SixteenBitSamplesKeepByteOrder) {
  Image img = Image::create(2, 1, 1, PixelType::kU16).value();
  img.view<uint16_t>().at(0, 0, 0) = 0x1234;
  img.view<uint16_t>().at(1, 0, 0) = 0xFF01;
  WriteOptions w;
  w.format = ImageFormat::kPng;
  const std::string bytes = encode_image(img, w).value();
  const DecodedImage back = decode_image(as_bytes(bytes), "x.png").value();
  EXPECT_EQ(back.image.view<uint16_t>().at(0, 0, 0), 0x1234);
  EXPECT_EQ(back.image.view<uint16_t>().at(1, 0, 0), 0xFF01);
}

// Writes a PNG with libpng directly: the layouts LiteSR reads but does not write (palette, sub-byte grey,
// tRNS, interlacing).
struct RawPng {
  int color_type;
  int bit_depth;
  int interlace = PNG_INTERLACE_NONE;
  std::vector<png_color> palette;
  std::vector<png_byte> trns_alpha;       // palette alpha
  png_color_16 trns_colour{};             // grey/RGB transparent colour
  bool has_trns_colour = false;
};

void append_to_string(png_structp png, png_bytep data, size_t n) {
  static_cast<std::string*>(png_get_io_ptr(png))->append(reinterpret_cast<char*>(data), n);
}

std::string write_raw_png(const RawPng& spec, int width, int height, const std::vector<std::vector<png_byte>>& rows) {
  std::string out;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    ADD_FAILURE() << "libpng failed writing the fixture";
    return {};
  }
  png_set_write_fn(png, &out, append_to_string, nullptr);
  png_set_IHDR(png, info, width, height, spec.bit_depth, spec.color_type, spec.interlace, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  if (!spec.palette.empty()) png_set_PLTE(png, info, spec.palette.data(), static_cast<int>(spec.palette.size()));
  if (!spec.trns_alpha.empty()) {
    png_set_tRNS(png, info, spec.trns_alpha.data(), static_cast<int>(spec.trns_alpha.size()), nullptr);
  }
  if (spec.has_trns_colour) png_set_tRNS(png, info, nullptr, 0, &spec.trns_colour);
  png_write_info(png, info);
  std::vector<png_bytep> ptrs;
  for (const auto& r : rows) ptrs.push_back(const_cast<png_bytep>(r.data()));
  png_write_image(png, ptrs.data());
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return out;
}

TEST(Png, PaletteDecodesToRgb) {
  RawPng spec{PNG_COLOR_TYPE_PALETTE, 8};
  spec.palette = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {10, 20, 30}};
  const std::vector<std::vector<png_byte>> rows = {{0, 1, 2, 3}, {3, 2, 1, 0}};
  const std::string bytes = write_raw_png(spec, 4, 2, rows);
  Result<DecodedImage> d = decode_image(as_bytes(bytes), "pal.png");
  ASSERT_TRUE(d.ok()) << d.status().to_string();
  ASSERT_EQ(d->image.channels(), 3);
  EXPECT_EQ(d->bit_depth, 8);
  const auto v = d->image.view<uint8_t>();
  for (int y = 0; y < 2; ++y)
    for (int x = 0; x < 4; ++x) {
      const png_color& p = spec.palette[rows[y][x]];
      EXPECT_EQ(v.at(x, y, 0), p.red);
      EXPECT_EQ(v.at(x, y, 1), p.green);
      EXPECT_EQ(v.at(x, y, 2), p.blue);
    }
}

TEST(Png, PaletteWithTransparencyDecodesToRgba) {
  RawPng spec{PNG_COLOR_TYPE_PALETTE, 8};
  spec.palette = {{255, 0, 0}, {0, 255, 0}};
  spec.trns_alpha = {0, 128};
  const std::string bytes = write_raw_png(spec, 2, 1, {{0, 1}});
  const DecodedImage d = decode_image(as_bytes(bytes), "pal.png").value();
  ASSERT_EQ(d.image.channels(), 4);
  const auto v = d.image.view<uint8_t>();
  EXPECT_EQ(v.at(0, 0, 0), 255);
  EXPECT_EQ(v.at(0, 0, 3), 0);
  EXPECT_EQ(v.at(1, 0, 1), 255);
  EXPECT_EQ(v.at(1, 0, 3), 128);
}

TEST(Png, FourBitPaletteAndOneBitGreyExpandTo8Bit) {
  RawPng pal{PNG_COLOR_TYPE_PALETTE, 4};
  pal.palette = {{0, 0, 0}, {1, 2, 3}, {4, 5, 6}};
  // 4-bit packed: pixels 1, 2, 0 -> bytes 0x12, 0x00.
  const DecodedImage p = decode_image(as_bytes(write_raw_png(pal, 3, 1, {{0x12, 0x00}})), "p4.png").value();
  EXPECT_EQ(p.image.view<uint8_t>().at(0, 0, 0), 1);
  EXPECT_EQ(p.image.view<uint8_t>().at(1, 0, 2), 6);
  EXPECT_EQ(p.image.view<uint8_t>().at(2, 0, 0), 0);

  RawPng grey{PNG_COLOR_TYPE_GRAY, 1};
  const DecodedImage g = decode_image(as_bytes(write_raw_png(grey, 3, 1, {{0xA0}})), "g1.png").value();
  ASSERT_EQ(g.image.channels(), 1);
  EXPECT_EQ(g.bit_depth, 8);
  EXPECT_EQ(g.image.view<uint8_t>().at(0, 0, 0), 255);  // 1-bit 1 scales to 255
  EXPECT_EQ(g.image.view<uint8_t>().at(1, 0, 0), 0);
  EXPECT_EQ(g.image.view<uint8_t>().at(2, 0, 0), 255);
}

TEST(Png, GreyTransparentColourBecomesAlpha) {
  RawPng spec{PNG_COLOR_TYPE_GRAY, 8};
  spec.has_trns_colour = true;
  spec.trns_colour.gray = 7;
  const DecodedImage d = decode_image(as_bytes(write_raw_png(spec, 2, 1, {{7, 9}})), "t.png").value();
  ASSERT_EQ(d.image.channels(), 2);
  EXPECT_EQ(d.image.view<uint8_t>().at(0, 0, 1), 0);
  EXPECT_EQ(d.image.view<uint8_t>().at(1, 0, 1), 255);
}

TEST(Png, InterlacedDecodesLikeProgressive) {
  RawPng spec{PNG_COLOR_TYPE_RGB, 8, PNG_INTERLACE_ADAM7};
  const Image img = make_test_image(13, 11, 3, PixelType::kU8);
  std::vector<std::vector<png_byte>> rows;
  for (int y = 0; y < img.height(); ++y) rows.emplace_back(img.row_bytes_ptr(y), img.row_bytes_ptr(y) + img.row_bytes());
  const DecodedImage d = decode_image(as_bytes(write_raw_png(spec, 13, 11, rows)), "i.png").value();
  EXPECT_TRUE(images_equal(d.image, img));
}

TEST(Png, IccAndExifRoundTrip) {
  for (int channels : {1, 3, 4}) {
    const Image img = make_test_image(9, 7, channels, PixelType::kU8);
    WriteOptions w;
    w.format = ImageFormat::kPng;
    w.icc_profile = testing::make_icc_profile(/*grey=*/channels == 1);
    w.exif = testing::make_exif(1);
    const std::string bytes = encode_image(img, w).value();
    const DecodedImage d = decode_image(as_bytes(bytes), "meta.png").value();
    EXPECT_EQ(d.icc_profile, w.icc_profile) << channels;
    EXPECT_EQ(d.exif, w.exif) << channels;
  }
  // A JPEG-style "Exif\0\0" identifier is dropped: eXIf holds bare TIFF bytes.
  WriteOptions prefixed;
  prefixed.format = ImageFormat::kPng;
  prefixed.exif = std::string("Exif\0\0", 6) + testing::make_exif(1);
  const std::string bytes = encode_image(make_test_image(3, 3, 3, PixelType::kU8), prefixed).value();
  EXPECT_EQ(decode_image(as_bytes(bytes), "p.png")->exif, testing::make_exif(1));
}

TEST(Png, IncompatibleIccProfileIsDroppedNotFatal) {
  WriteOptions w;
  w.format = ImageFormat::kPng;
  w.icc_profile = testing::make_icc_profile(/*grey=*/false);  // RGB profile on a grey image: libpng refuses it
  w.exif = testing::make_exif(1);
  Result<std::string> bytes = encode_image(make_test_image(5, 5, 1, PixelType::kU8), w);
  ASSERT_TRUE(bytes.ok()) << bytes.status().to_string();
  const DecodedImage d = decode_image(as_bytes(*bytes), "g.png").value();
  EXPECT_TRUE(d.icc_profile.empty());
  EXPECT_EQ(d.exif, w.exif);
}

TEST(Png, WriteImageReadImageThroughFiles) {
  testing::TempDir dir;
  const Image img = make_test_image(20, 10, 4, PixelType::kU16);
  ASSERT_TRUE(write_image(dir / "a.PNG", img).ok());
  Result<DecodedImage> d = read_image(dir / "a.PNG");
  ASSERT_TRUE(d.ok()) << d.status().to_string();
  EXPECT_TRUE(images_equal(d->image, img));
}

TEST(Png, RejectsFloatImages) {
  const Image f = Image::create(4, 4, 3, PixelType::kF32).value();
  WriteOptions w;
  w.format = ImageFormat::kPng;
  EXPECT_EQ(encode_image(f, w).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(encode_image(Image(), w).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(encode_image(make_test_image(2, 2, 3, PixelType::kU8), WriteOptions{}).status().code(),
            StatusCode::kInvalidArgument);  // no format
}

// ---- streaming (io/image_rows.h) ----

// Every layout read_image accepts without interlacing streams to the same samples, in any band height.
TEST(PngRows, StreamedReadEqualsWholeRead) {
  testing::TempDir dir;
  std::vector<std::pair<std::string, std::string>> files;  // name, bytes
  for (int channels : {1, 2, 3, 4}) {
    for (PixelType type : {PixelType::kU8, PixelType::kU16}) {
      WriteOptions w;
      w.format = ImageFormat::kPng;
      files.emplace_back("c" + std::to_string(channels) + std::string(pixel_type_name(type)) + ".png",
                         encode_image(make_test_image(29, 17, channels, type), w).value());
    }
  }
  RawPng pal{PNG_COLOR_TYPE_PALETTE, 4};
  pal.palette = {{0, 0, 0}, {1, 2, 3}, {4, 5, 6}};
  pal.trns_alpha = {0, 77};
  files.emplace_back("pal4_trns.png", write_raw_png(pal, 3, 2, {{0x12, 0x00}, {0x21, 0x10}}));
  RawPng grey1{PNG_COLOR_TYPE_GRAY, 1};
  files.emplace_back("grey1.png", write_raw_png(grey1, 3, 2, {{0xA0}, {0x40}}));
  for (const auto& [name, bytes] : files) {
    testing::write_file_bytes(dir / name, bytes);
    const DecodedImage whole = read_image(dir / name).value();
    for (int band : {1, 3, 100}) {
      Result<Image> streamed = testing::read_by_rows(dir / name, band);
      ASSERT_TRUE(streamed.ok()) << name << ": " << streamed.status().to_string();
      EXPECT_TRUE(images_equal(*streamed, whole.image)) << name << " band " << band;
    }
  }
}

TEST(PngRows, InterlacedIsUnsupportedAndTruncatedIsCorrupt) {
  testing::TempDir dir;
  RawPng spec{PNG_COLOR_TYPE_RGB, 8, PNG_INTERLACE_ADAM7};
  const Image img = make_test_image(13, 11, 3, PixelType::kU8);
  std::vector<std::vector<png_byte>> rows;
  for (int y = 0; y < img.height(); ++y) rows.emplace_back(img.row_bytes_ptr(y), img.row_bytes_ptr(y) + img.row_bytes());
  testing::write_file_bytes(dir / "i.png", write_raw_png(spec, 13, 11, rows));
  EXPECT_EQ(testing::read_by_rows(dir / "i.png", 4).status().code(), StatusCode::kUnsupported);

  WriteOptions w;
  w.format = ImageFormat::kPng;
  const std::string bytes = encode_image(make_test_image(64, 64, 3, PixelType::kU8), w).value();
  testing::write_file_bytes(dir / "t.png", bytes.substr(0, bytes.size() / 2));
  const Status s = testing::read_by_rows(dir / "t.png", 8).status();
  EXPECT_EQ(s.code(), StatusCode::kCorruptData) << s.to_string();
}

// The streamed writer is the same encoder: identical bytes, metadata included, for any band height.
TEST(PngRows, StreamedWriteHasIdenticalBytes) {
  testing::TempDir dir;
  for (int channels : {1, 3, 4}) {
    for (PixelType type : {PixelType::kU8, PixelType::kU16}) {
      const Image img = make_test_image(31, 19, channels, type);
      WriteOptions w;
      w.format = ImageFormat::kPng;
      w.icc_profile = testing::make_icc_profile(/*grey=*/false);  // refused on grey: dropped both ways
      w.exif = testing::make_exif(1);
      const std::string whole = encode_image(img, w).value();
      for (int band : {1, 4, 19}) {
        const Status s = testing::write_by_rows(dir / "s.png", img, band, w);
        ASSERT_TRUE(s.ok()) << s.to_string();
        EXPECT_EQ(testing::read_file_bytes(dir / "s.png"), whole) << channels << " band " << band;
      }
    }
  }
}

}  // namespace
}  // namespace litesr
