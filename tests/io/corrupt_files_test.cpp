// Hostile inputs: every error path of read_image/decode_image with generated bad files, and a fuzz-style loop
// of random truncations and bit flips that must only ever produce errors (never crash, hang or print).
#include <gtest/gtest.h>

#include <random>

#include "io/image_file.h"
#include "io/image_rows.h"
#include "io_test_support.h"
#include "testing/test_env.h"

namespace litesr {
namespace {

using testing::as_bytes;

std::string valid_file(ImageFormat format, int channels = 3) {
  WriteOptions w;
  w.format = format;
  w.lossless = format == ImageFormat::kWebp && channels == 4;
  w.icc_profile = testing::make_icc_profile(false);
  w.exif = testing::make_exif(6);
  Result<std::string> bytes = encode_image(testing::make_test_image(40, 30, channels, PixelType::kU8), w);
  EXPECT_TRUE(bytes.ok()) << bytes.status().to_string();
  return bytes.ok() ? std::move(bytes).value() : std::string();
}

void expect_error(const std::string& bytes, std::string_view name, StatusCode code, std::string_view needle) {
  const Status s = decode_image(as_bytes(bytes), name).status();
  EXPECT_EQ(s.code(), code) << name << ": " << s.to_string();
  EXPECT_EQ(s.message().rfind(std::string(name) + ": ", 0), 0u) << "message must start with the name: " << s.message();
  EXPECT_NE(s.message().find(needle), std::string::npos) << s.message();
}

TEST(CorruptFiles, ZeroByteFilesOfEveryExtension) {
  testing::TempDir dir;
  for (const char* name : {"empty.png", "empty.jpg", "empty.webp"}) {
    testing::write_file_bytes(dir / name, "");
    const Status s = read_image(dir / name).status();
    EXPECT_EQ(s.code(), StatusCode::kCorruptData);
    EXPECT_NE(s.message().find(name), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("empty file"), std::string::npos) << s.message();
  }
}

TEST(CorruptFiles, MissingFileAndDirectory) {
  testing::TempDir dir;
  const Status missing = read_image(dir / "gone.png").status();
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
  EXPECT_NE(missing.message().find("gone.png"), std::string::npos);
  EXPECT_EQ(read_image(dir.path()).status().code(), StatusCode::kIoError);
}

TEST(CorruptFiles, TruncatedAtSeveralOffsets) {
  for (ImageFormat format : {ImageFormat::kPng, ImageFormat::kJpeg, ImageFormat::kWebp}) {
    const std::string full = valid_file(format);
    const std::string name = "cut." + std::string(image_format_name(format));
    ASSERT_TRUE(decode_image(as_bytes(full), name).ok());
    for (std::size_t keep : {std::size_t{2}, std::size_t{7}, std::size_t{20}, std::size_t{40}, full.size() / 3,
                             full.size() / 2, full.size() - 10, full.size() - 1}) {
      const std::string cut = full.substr(0, keep);
      const Status s = decode_image(as_bytes(cut), name).status();
      EXPECT_EQ(s.code(), StatusCode::kCorruptData) << name << " cut at " << keep << ": " << s.to_string();
      EXPECT_EQ(s.message().rfind(name + ": ", 0), 0u) << s.message();
      EXPECT_NE(s.message().find("truncated"), std::string::npos) << name << " cut at " << keep << ": " << s.message();
    }
  }
}

TEST(CorruptFiles, FlippedBytesInTheMiddle) {
  // PNG: any flip inside IDAT breaks the chunk CRC.
  std::string png = valid_file(ImageFormat::kPng);
  const std::size_t idat = png.find("IDAT");
  ASSERT_NE(idat, std::string::npos);
  png[idat + 4 + 10] ^= 0x5A;
  expect_error(png, "flip.png", StatusCode::kCorruptData, "corrupt PNG data");
  // JPEG: overwrite part of the entropy-coded data with an unexpected marker sequence.
  std::string jpg = valid_file(ImageFormat::kJpeg);
  const std::size_t sos = jpg.find("\xFF\xDA");
  ASSERT_NE(sos, std::string::npos);
  const std::size_t mid = sos + (jpg.size() - sos) / 2;
  for (std::size_t i = 0; i < 8; ++i) jpg[mid + i] = i % 2 == 0 ? '\xFF' : '\xD3';
  expect_error(jpg, "flip.jpg", StatusCode::kCorruptData, "JPEG");
  // JPEG header: a quantisation table index out of range.
  std::string jpg_header = valid_file(ImageFormat::kJpeg);
  const std::size_t sof = jpg_header.find("\xFF\xC0");
  ASSERT_NE(sof, std::string::npos);
  jpg_header[sof + 2 + 2 + 1 + 4 + 1 + 3 + 2] = 9;  // first component's Tq
  expect_error(jpg_header, "sof.jpg", StatusCode::kCorruptData, "corrupt JPEG data");
  // WebP lossless: garble the bitstream after the headers.
  std::string webp = valid_file(ImageFormat::kWebp, 4);
  const std::size_t vp8l = webp.find("VP8L");
  ASSERT_NE(vp8l, std::string::npos);
  for (std::size_t i = vp8l + 14; i < vp8l + 40; ++i) webp[i] = static_cast<char>(0xFF);
  expect_error(webp, "flip.webp", StatusCode::kCorruptData, "WebP");
}

TEST(CorruptFiles, AbsurdDimensionsAreRejectedBeforeAllocating) {
  const std::string png = valid_file(ImageFormat::kPng);
  // 100000 x 100000 with a valid CRC: 10^10 pixels.
  expect_error(testing::patch_png_ihdr(png, 100000, 100000), "huge.png", StatusCode::kResourceExhausted, "100000x100000");
  // One side over kMaxImageSide, few pixels in total.
  expect_error(testing::patch_png_ihdr(png, 70000, 1), "wide.png", StatusCode::kResourceExhausted, "exceeds");
  // Zero and > 2^31 dimensions are invalid PNG, not huge.
  expect_error(testing::patch_png_ihdr(png, 0, 10), "zero.png", StatusCode::kCorruptData, "corrupt PNG data");
  expect_error(testing::patch_png_ihdr(png, 0x80000000u, 10), "neg.png", StatusCode::kCorruptData, "corrupt PNG data");
  // JPEG SOF0 patched to 60000 x 60000.
  std::string jpg = valid_file(ImageFormat::kJpeg);
  const std::size_t sof = jpg.find("\xFF\xC0");
  ASSERT_NE(sof, std::string::npos);
  jpg[sof + 5] = static_cast<char>(0xEA);  // height 0xEA60 = 60000
  jpg[sof + 6] = 0x60;
  jpg[sof + 7] = static_cast<char>(0xEA);  // width
  jpg[sof + 8] = 0x60;
  expect_error(jpg, "huge.jpg", StatusCode::kResourceExhausted, "60000x60000");
  // max_pixels applies to every format.
  ReadOptions small;
  small.max_pixels = 40 * 30 - 1;
  for (ImageFormat format : {ImageFormat::kPng, ImageFormat::kJpeg, ImageFormat::kWebp}) {
    const Status s = decode_image(as_bytes(valid_file(format)), "limit", small).status();
    EXPECT_EQ(s.code(), StatusCode::kResourceExhausted) << s.to_string();
  }
  small.max_pixels = 40 * 30;
  EXPECT_TRUE(decode_image(as_bytes(valid_file(ImageFormat::kWebp)), "limit", small).ok());
}

TEST(CorruptFiles, ForeignFormatsAndTextAreUnsupported) {
  testing::TempDir dir;
  testing::write_file_bytes(dir / "anim.png", std::string("GIF89a\x10\0\x10\0\x80\0\0", 13));  // lying extension
  const Status gif = read_image(dir / "anim.png").status();
  EXPECT_EQ(gif.code(), StatusCode::kUnsupported);
  EXPECT_NE(gif.message().find("anim.png: GIF"), std::string::npos) << gif.message();
  testing::write_file_bytes(dir / "list.jpg", "photo1.jpg\nphoto2.jpg\n");
  const Status text = read_image(dir / "list.jpg").status();
  EXPECT_EQ(text.code(), StatusCode::kUnsupported);
  EXPECT_NE(text.message().find("text file"), std::string::npos) << text.message();
  expect_error(std::string("BM\x3a\0\0\0\0\0\0\0\x36\0\0\0", 14), "pic.bmp", StatusCode::kUnsupported, "BMP");
}

TEST(CorruptFiles, UnsupportedJpegVariants) {
  const std::string jpg = valid_file(ImageFormat::kJpeg);
  const std::size_t sof = jpg.find("\xFF\xC0");
  ASSERT_NE(sof, std::string::npos);
  std::string twelve_bit = jpg;
  twelve_bit[sof + 4] = 12;  // sample precision
  expect_error(twelve_bit, "deep.jpg", StatusCode::kUnsupported, "not supported");
  std::string lossless = jpg;
  lossless[sof + 1] = static_cast<char>(0xC3);  // SOF3: lossless process
  expect_error(lossless, "lossless.jpg", StatusCode::kUnsupported, "not supported");
}

TEST(CorruptFiles, BadCrcInHeaderChunk) {
  std::string png = valid_file(ImageFormat::kPng);
  png[16 + 13] ^= 1;  // first byte of the IHDR CRC
  expect_error(png, "crc.png", StatusCode::kCorruptData, "corrupt PNG data");
}

TEST(CorruptFiles, AnimatedWebpIsUnsupported) {
  // A VP8X header with the animation flag, followed by nothing useful: libwebp reports the feature.
  std::string webp = valid_file(ImageFormat::kWebp, 4);
  const std::size_t vp8x = webp.find("VP8X");
  ASSERT_NE(vp8x, std::string::npos);  // metadata forces the extended format
  webp[vp8x + 8] |= 0x02;             // animation flag
  const Status s = decode_image(as_bytes(webp), "anim.webp").status();
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.message().rfind("anim.webp: ", 0), 0u) << s.message();
}

// Random truncations and bit flips of valid files of every format and layout: decoding must return an error
// or an image, never crash. Run under ASan/UBSan (LITESR_SANITIZE=ON) for full value.
// All rows of `bytes` through the streaming reader, in bands of 7 rows; errors prefixed with `name`.
Result<Image> read_by_rows_from_bytes(const std::string& bytes, const std::string& name, const ReadOptions& options) {
  LITESR_ASSIGN_OR_RETURN(std::unique_ptr<ImageRowReader> reader, open_image_row_reader(bytes, name, options));
  const ImageRowsInfo& info = reader->info();
  LITESR_ASSIGN_OR_RETURN(Image image, Image::create(info.width, info.height, info.channels, info.type));
  for (int y = 0; y < info.height; y += 7) {
    LITESR_RETURN_IF_ERROR(reader->read_rows(image, y, std::min(7, info.height - y)).with_context(name));
  }
  LITESR_RETURN_IF_ERROR(reader->finish().with_context(name));
  return image;
}

TEST(CorruptFiles, FuzzTruncationsAndBitFlips) {
  std::mt19937 rng(20240611);
  std::vector<std::pair<std::string, std::string>> seeds;
  seeds.emplace_back("g.png", valid_file(ImageFormat::kPng, 1));
  seeds.emplace_back("rgba.png", valid_file(ImageFormat::kPng, 4));
  seeds.emplace_back("rgb.jpg", valid_file(ImageFormat::kJpeg, 3));
  seeds.emplace_back("g.jpg", valid_file(ImageFormat::kJpeg, 1));
  seeds.emplace_back("lossy.webp", valid_file(ImageFormat::kWebp, 3));
  seeds.emplace_back("lossless.webp", valid_file(ImageFormat::kWebp, 4));
  ReadOptions options;
  options.max_pixels = 1 << 20;
  int errors = 0;
  int decoded = 0;
  for (int iter = 0; iter < 600; ++iter) {
    const auto& [name, seed] = seeds[iter % seeds.size()];
    std::string bytes = seed;
    const int mode = static_cast<int>(rng() % 3);
    if (mode != 1) bytes.resize(rng() % (bytes.size() + 1));  // truncate
    if (mode != 0 && !bytes.empty()) {
      const int flips = 1 + static_cast<int>(rng() % 8);
      for (int f = 0; f < flips; ++f) bytes[rng() % bytes.size()] ^= static_cast<char>(1u << (rng() % 8));
    }
    Result<DecodedImage> r = decode_image(as_bytes(bytes), name, options);
    // The streaming reader on the same bytes: a clean error, or (when both decode) the same samples.
    Result<Image> streamed = read_by_rows_from_bytes(bytes, name, options);
    if (!streamed.ok()) {
      EXPECT_EQ(streamed.status().message().rfind(name + ": ", 0), 0u) << streamed.status().message();
      EXPECT_NE(streamed.status().code(), StatusCode::kInternal) << streamed.status().message();
    } else if (r.ok()) {
      EXPECT_TRUE(testing::images_equal(*streamed, r->image)) << name << " iteration " << iter;
    }
    if (r.ok()) {
      ++decoded;
      EXPECT_GT(r->image.width(), 0);
      EXPECT_LE(static_cast<std::size_t>(r->image.width()) * r->image.height(), options.max_pixels);
    } else {
      ++errors;
      EXPECT_EQ(r.status().message().rfind(name + ": ", 0), 0u) << r.status().message();
    }
  }
  EXPECT_GT(errors, 300);  // most mutations must be detected
  EXPECT_EQ(errors + decoded, 600);
}

}  // namespace
}  // namespace litesr
