#include <gtest/gtest.h>
#include <turbojpeg.h>

#include <algorithm>

#include "io/exif_orientation.h"
#include "io/image_file.h"
#include "io/image_rows.h"
#include "io/jpeg_markers.h"
#include "io_test_support.h"
#include "testing/test_env.h"

namespace litesr {
namespace {

using testing::as_bytes;
using testing::make_smooth_image;

WriteOptions jpeg_options(int quality = 95) {
  WriteOptions w;
  w.format = ImageFormat::kJpeg;
  w.quality = quality;
  return w;
}

TEST(Jpeg, RgbRoundTripIsClose) {
  const Image img = make_smooth_image(48, 40, 3);
  const std::string bytes = encode_image(img, jpeg_options(95)).value();
  const DecodedImage d = decode_image(as_bytes(bytes), "rgb.jpg").value();
  EXPECT_EQ(d.format, ImageFormat::kJpeg);
  EXPECT_EQ(d.bit_depth, 8);
  ASSERT_EQ(d.image.channels(), 3);
  EXPECT_LE(testing::max_abs_diff(d.image, img), 6);
}

TEST(Jpeg, GreyStaysOneChannel) {
  const Image img = make_smooth_image(33, 17, 1);
  const std::string bytes = encode_image(img, jpeg_options(95)).value();
  const DecodedImage d = decode_image(as_bytes(bytes), "g.jpg").value();
  ASSERT_EQ(d.image.channels(), 1);
  EXPECT_LE(testing::max_abs_diff(d.image, img), 4);
}

TEST(Jpeg, QualityTradesSizeForFidelity) {
  const Image img = testing::make_test_image(64, 64, 3, PixelType::kU8);  // noisy: quality matters
  const std::string low = encode_image(img, jpeg_options(20)).value();
  const std::string high = encode_image(img, jpeg_options(98)).value();
  EXPECT_LT(low.size(), high.size());
  const int err_low = testing::max_abs_diff(decode_image(as_bytes(low), "l.jpg")->image, img);
  const int err_high = testing::max_abs_diff(decode_image(as_bytes(high), "h.jpg")->image, img);
  EXPECT_LT(err_high, err_low);
  EXPECT_EQ(encode_image(img, jpeg_options(0)).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(encode_image(img, jpeg_options(101)).status().code(), StatusCode::kInvalidArgument);
}

TEST(Jpeg, IccRoundTripIncludingMultiChunkProfiles) {
  const Image img = make_smooth_image(16, 16, 3);
  for (std::size_t padding : {std::size_t{256}, std::size_t{200000}}) {  // 1 chunk, then 4 chunks
    WriteOptions w = jpeg_options();
    w.icc_profile = testing::make_icc_profile(false, padding);
    w.exif = testing::make_exif(1);
    const std::string bytes = encode_image(img, w).value();
    const DecodedImage d = decode_image(as_bytes(bytes), "icc.jpg").value();
    EXPECT_EQ(d.icc_profile, w.icc_profile) << padding;
    EXPECT_EQ(d.exif, w.exif);
  }
}

TEST(Jpeg, ExifWithIdentifierPrefixIsAccepted) {
  WriteOptions w = jpeg_options();
  w.exif = std::string("Exif\0\0", 6) + testing::make_exif(1);
  const std::string bytes = encode_image(make_smooth_image(8, 8, 3), w).value();
  EXPECT_EQ(decode_image(as_bytes(bytes), "e.jpg")->exif, testing::make_exif(1));
}

TEST(Jpeg, OversizedMetadataIsRejected) {
  WriteOptions w = jpeg_options();
  w.exif = testing::make_exif(1) + std::string(70000, 'x');
  EXPECT_EQ(encode_image(make_smooth_image(8, 8, 3), w).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(insert_jpeg_metadata("not a jpeg", "", "").status().code(), StatusCode::kInvalidArgument);
}

TEST(Jpeg, MalformedIccChunkSequenceIsDropped) {
  WriteOptions w = jpeg_options();
  w.icc_profile = testing::make_icc_profile(false, 200000);
  std::string bytes = encode_image(make_smooth_image(8, 8, 3), w).value();
  // Renumber the second chunk as a duplicate of the first: the profile cannot be reassembled.
  const std::size_t first = bytes.find(std::string("ICC_PROFILE\0", 12));
  const std::size_t second = bytes.find(std::string("ICC_PROFILE\0", 12), first + 1);
  ASSERT_NE(second, std::string::npos);
  bytes[second + 12] = 1;
  Result<DecodedImage> d = decode_image(as_bytes(bytes), "bad-icc.jpg");
  ASSERT_TRUE(d.ok()) << d.status().to_string();
  EXPECT_TRUE(d->icc_profile.empty());
}

TEST(Jpeg, AlphaIsFlattenedOntoWhiteAndSixteenBitIsRounded) {
  Image rgba = Image::create(16, 16, 4, PixelType::kU8).value();
  auto v = rgba.view<uint8_t>();
  for (int y = 0; y < 16; ++y)
    for (int x = 0; x < 16; ++x) {
      v.at(x, y, 0) = 0;
      v.at(x, y, 1) = 0;
      v.at(x, y, 2) = 0;
      v.at(x, y, 3) = x < 8 ? 0 : 255;  // left half transparent black -> white; right half opaque black
    }
  const DecodedImage d = decode_image(as_bytes(encode_image(rgba, jpeg_options(100)).value()), "a.jpg").value();
  ASSERT_EQ(d.image.channels(), 3);
  EXPECT_GE(d.image.view<uint8_t>().at(2, 8, 0), 245);
  EXPECT_LE(d.image.view<uint8_t>().at(13, 8, 0), 10);

  Image u16 = Image::create(8, 8, 1, PixelType::kU16).value();
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 8; ++x) u16.view<uint16_t>().at(x, y, 0) = 0x8080;  // exactly 128 in 8 bits
  const DecodedImage g = decode_image(as_bytes(encode_image(u16, jpeg_options(100)).value()), "g.jpg").value();
  EXPECT_NEAR(g.image.view<uint8_t>().at(4, 4, 0), 128, 1);
}

TEST(Jpeg, CmykIsUnsupported) {
  // TurboJPEG writes CMYK input as a YCCK JPEG, the layout print workflows produce.
  const Image cmyk = make_smooth_image(16, 16, 4);
  tjhandle tj = tjInitCompress();
  ASSERT_NE(tj, nullptr);
  unsigned char* buf = nullptr;
  unsigned long size = 0;
  ASSERT_EQ(tjCompress2(tj, cmyk.row_bytes_ptr(0), 16, static_cast<int>(cmyk.stride()), 16, TJPF_CMYK, &buf, &size,
                        TJSAMP_444, 90, 0),
            0)
      << tjGetErrorStr2(tj);
  const std::string bytes(reinterpret_cast<char*>(buf), size);
  tjFree(buf);
  tjDestroy(tj);
  const Status s = decode_image(as_bytes(bytes), "print.jpg").status();
  EXPECT_EQ(s.code(), StatusCode::kUnsupported);
  EXPECT_NE(s.message().find("print.jpg: CMYK"), std::string::npos) << s.message();
}

// Stored 48x32 image of 3x2 blocks of 16x16, each a distinct flat colour; the block grid after orientation is
// computed independently from primitive flips and transposes.
constexpr int kBlock = 16;
constexpr uint8_t kBlockColours[6][3] = {{230, 20, 20}, {20, 230, 20}, {20, 20, 230},
                                         {230, 230, 20}, {20, 230, 230}, {230, 20, 230}};

Image make_block_image() {
  Image img = Image::create(3 * kBlock, 2 * kBlock, 3, PixelType::kU8).value();
  auto v = img.view<uint8_t>();
  for (int y = 0; y < img.height(); ++y)
    for (int x = 0; x < img.width(); ++x)
      for (int c = 0; c < 3; ++c) v.at(x, y, c) = kBlockColours[(y / kBlock) * 3 + x / kBlock][c];
  return img;
}

using Grid = std::vector<std::vector<int>>;  // [row][col] block label
Grid hflip(const Grid& g) {
  Grid o = g;
  for (auto& row : o) std::reverse(row.begin(), row.end());
  return o;
}
Grid vflip(const Grid& g) { return Grid(g.rbegin(), g.rend()); }
Grid transpose(const Grid& g) {
  Grid o(g[0].size(), std::vector<int>(g.size()));
  for (std::size_t r = 0; r < g.size(); ++r)
    for (std::size_t c = 0; c < g[0].size(); ++c) o[c][r] = g[r][c];
  return o;
}
Grid expected_grid(int orientation) {
  const Grid g = {{0, 1, 2}, {3, 4, 5}};
  switch (orientation) {
    case 2: return hflip(g);
    case 3: return hflip(vflip(g));
    case 4: return vflip(g);
    case 5: return transpose(g);
    case 6: return hflip(transpose(g));   // rotate 90° clockwise
    case 7: return hflip(vflip(transpose(g)));
    case 8: return vflip(transpose(g));   // rotate 90° counter-clockwise
    default: return g;
  }
}

void expect_blocks(const Image& img, int orientation, int tolerance) {
  const Grid want = expected_grid(orientation);
  ASSERT_EQ(img.height(), static_cast<int>(want.size()) * kBlock) << "orientation " << orientation;
  ASSERT_EQ(img.width(), static_cast<int>(want[0].size()) * kBlock) << "orientation " << orientation;
  const auto v = img.view<uint8_t>();
  for (std::size_t r = 0; r < want.size(); ++r)
    for (std::size_t c = 0; c < want[0].size(); ++c)
      for (int k = 0; k < 3; ++k) {
        const int x = static_cast<int>(c) * kBlock + kBlock / 2;
        const int y = static_cast<int>(r) * kBlock + kBlock / 2;
        EXPECT_NEAR(v.at(x, y, k), kBlockColours[want[r][c]][k], tolerance)
            << "orientation " << orientation << " block (" << r << "," << c << ")";
      }
}

class ExifOrientationInFile : public ::testing::TestWithParam<int> {};

TEST_P(ExifOrientationInFile, JpegPixelsArePlacedForDisplay) {
  const int orientation = GetParam();
  WriteOptions w = jpeg_options(100);
  w.exif = testing::make_exif(orientation, /*big_endian=*/orientation % 2 == 0);
  const std::string bytes = encode_image(make_block_image(), w).value();
  const DecodedImage d = decode_image(as_bytes(bytes), "o.jpg").value();
  expect_blocks(d.image, orientation, 12);
  EXPECT_EQ(exif_orientation(d.exif), 1);  // applied, so reset
  EXPECT_EQ(d.exif.size(), w.exif.size());

  ReadOptions keep;
  keep.apply_exif_orientation = false;
  const DecodedImage raw = decode_image(as_bytes(bytes), "o.jpg", keep).value();
  expect_blocks(raw.image, 1, 12);
  EXPECT_EQ(exif_orientation(raw.exif), orientation);
}

TEST_P(ExifOrientationInFile, PngPixelsArePlacedExactly) {
  const int orientation = GetParam();
  WriteOptions w;
  w.format = ImageFormat::kPng;
  w.exif = testing::make_exif(orientation);
  const Image stored = testing::make_test_image(5, 3, 2, PixelType::kU16);
  const DecodedImage d = decode_image(as_bytes(encode_image(stored, w).value()), "o.png").value();
  const bool swap = orientation >= 5;
  ASSERT_EQ(d.image.width(), swap ? 3 : 5);
  ASSERT_EQ(d.image.height(), swap ? 5 : 3);
  // Every stored pixel lands exactly once; check via the independent block-grid construction at pixel level.
  Grid labels(3, std::vector<int>(5));
  for (int y = 0; y < 3; ++y)
    for (int x = 0; x < 5; ++x) labels[y][x] = y * 5 + x;
  Grid want = labels;
  switch (orientation) {
    case 2: want = hflip(labels); break;
    case 3: want = hflip(vflip(labels)); break;
    case 4: want = vflip(labels); break;
    case 5: want = transpose(labels); break;
    case 6: want = hflip(transpose(labels)); break;
    case 7: want = hflip(vflip(transpose(labels))); break;
    case 8: want = vflip(transpose(labels)); break;
    default: break;
  }
  const auto out = d.image.view<uint16_t>();
  const auto in = stored.view<uint16_t>();
  for (int y = 0; y < d.image.height(); ++y)
    for (int x = 0; x < d.image.width(); ++x)
      for (int c = 0; c < 2; ++c) {
        const int label = want[y][x];
        EXPECT_EQ(out.at(x, y, c), in.at(label % 5, label / 5, c)) << "orientation " << orientation;
      }
}

INSTANTIATE_TEST_SUITE_P(AllEight, ExifOrientationInFile, ::testing::Range(1, 9));

// ---- streaming (io/image_rows.h) ----

// A JPEG written by TurboJPEG with the given flags (e.g. TJFLAG_PROGRESSIVE) and chroma subsampling.
std::string tj_encode(const Image& img, int subsampling, int flags) {
  tjhandle tj = tjInitCompress();
  unsigned char* buf = nullptr;
  unsigned long size = 0;
  const int format = img.channels() == 1 ? TJPF_GRAY : TJPF_RGB;
  EXPECT_EQ(tjCompress2(tj, img.row_bytes_ptr(0), img.width(), static_cast<int>(img.stride()), img.height(), format,
                        &buf, &size, subsampling, 85, flags),
            0)
      << tjGetErrorStr2(tj);
  std::string bytes(reinterpret_cast<char*>(buf), size);
  tjFree(buf);
  tjDestroy(tj);
  return bytes;
}

// libjpeg's scanline decoder with decode_jpeg's settings gives the same pixels for every layout.
TEST(JpegRows, StreamedReadEqualsWholeRead) {
  testing::TempDir dir;
  const Image rgb = make_smooth_image(45, 37, 3);
  const Image grey = make_smooth_image(45, 37, 1);
  const std::vector<std::pair<std::string, std::string>> files = {
      {"444.jpg", tj_encode(rgb, TJSAMP_444, TJFLAG_ACCURATEDCT)},
      {"420.jpg", tj_encode(rgb, TJSAMP_420, 0)},
      {"422.jpg", tj_encode(rgb, TJSAMP_422, 0)},
      {"grey.jpg", tj_encode(grey, TJSAMP_GRAY, 0)},
      {"progressive.jpg", tj_encode(rgb, TJSAMP_420, TJFLAG_PROGRESSIVE)},
  };
  for (const auto& [name, bytes] : files) {
    testing::write_file_bytes(dir / name, bytes);
    const DecodedImage whole = read_image(dir / name).value();
    for (int band : {1, 5, 64}) {
      Result<Image> streamed = testing::read_by_rows(dir / name, band);
      ASSERT_TRUE(streamed.ok()) << name << ": " << streamed.status().to_string();
      EXPECT_TRUE(testing::images_equal(*streamed, whole.image)) << name << " band " << band;
    }
  }
}

// Bytes that are not a marker between two segments: libjpeg warns "extraneous bytes before marker" and skips
// them. Alone they are tolerated by both readers (same pixels as the clean file); with data missing as well, both
// readers report the truncation (TurboJPEG alone would tolerate every warning once it tolerates this one).
TEST(JpegRows, ExtraneousBytesAreToleratedButNotWithMissingData) {
  testing::TempDir dir;
  const std::string clean = tj_encode(make_smooth_image(64, 48, 3), TJSAMP_420, 0);
  const DecodedImage reference = decode_image(as_bytes(clean), "clean.jpg").value();
  // Before the scan (met while reading the header) and before the end marker (met after the last row).
  for (const char* marker : {"\xFF\xDA", "\xFF\xD9"}) {
    const std::size_t at = clean.rfind(marker);
    ASSERT_NE(at, std::string::npos);
    std::string extraneous = clean;
    extraneous.insert(at, "\x12\x34\x56");
    const std::string name = std::string("x") + (marker[1] == '\xDA' ? "sos" : "eoi") + ".jpg";
    Result<DecodedImage> whole = decode_image(as_bytes(extraneous), name);
    ASSERT_TRUE(whole.ok()) << whole.status().to_string();
    EXPECT_TRUE(testing::images_equal(whole->image, reference.image)) << name;
    testing::write_file_bytes(dir / name, extraneous);
    Result<Image> streamed = testing::read_by_rows(dir / name, 8);
    ASSERT_TRUE(streamed.ok()) << streamed.status().to_string();
    EXPECT_TRUE(testing::images_equal(*streamed, reference.image)) << name;
  }

  std::string extraneous = clean;
  extraneous.insert(clean.find("\xFF\xDA"), "\x12\x34\x56");
  const std::string damaged = extraneous.substr(0, extraneous.size() * 2 / 3);
  const Status whole_cut = decode_image(as_bytes(damaged), "cut.jpg").status();
  EXPECT_EQ(whole_cut.code(), StatusCode::kCorruptData) << whole_cut.to_string();
  EXPECT_NE(whole_cut.message().find("truncated JPEG data"), std::string::npos) << whole_cut.message();
  testing::write_file_bytes(dir / "cut.jpg", damaged);
  const Status streamed_cut = testing::read_by_rows(dir / "cut.jpg", 8).status();
  EXPECT_EQ(streamed_cut.code(), StatusCode::kCorruptData) << streamed_cut.to_string();
  EXPECT_NE(streamed_cut.message().find("truncated JPEG data"), std::string::npos) << streamed_cut.message();
}

TEST(JpegRows, TruncatedIsCorruptAndCmykUnsupported) {
  testing::TempDir dir;
  const std::string bytes = tj_encode(make_smooth_image(64, 64, 3), TJSAMP_420, 0);
  testing::write_file_bytes(dir / "t.jpg", bytes.substr(0, bytes.size() * 2 / 3));
  const Status s = testing::read_by_rows(dir / "t.jpg", 8).status();
  EXPECT_EQ(s.code(), StatusCode::kCorruptData) << s.to_string();
  EXPECT_NE(s.message().find("truncated JPEG data"), std::string::npos) << s.message();

  const Image cmyk = make_smooth_image(16, 16, 4);
  tjhandle tj = tjInitCompress();
  unsigned char* buf = nullptr;
  unsigned long size = 0;
  ASSERT_EQ(tjCompress2(tj, cmyk.row_bytes_ptr(0), 16, static_cast<int>(cmyk.stride()), 16, TJPF_CMYK, &buf, &size,
                        TJSAMP_444, 90, 0),
            0);
  testing::write_file_bytes(dir / "cmyk.jpg", std::string(reinterpret_cast<char*>(buf), size));
  tjFree(buf);
  tjDestroy(tj);
  EXPECT_EQ(testing::read_by_rows(dir / "cmyk.jpg", 4).status().code(), StatusCode::kUnsupported);
}

// The streamed writer uses encode_jpeg's settings: the very same bytes for every layout and both chroma
// modes, metadata segments included.
TEST(JpegRows, StreamedWriteHasIdenticalBytes) {
  testing::TempDir dir;
  for (int channels : {1, 2, 3, 4}) {
    for (PixelType type : {PixelType::kU8, PixelType::kU16}) {
      for (int quality : {75, 95}) {
        const Image img = testing::make_test_image(41, 27, channels, type);
        WriteOptions w = jpeg_options(quality);
        w.icc_profile = testing::make_icc_profile(/*grey=*/channels <= 2, /*padding=*/70000);  // two APP2 chunks
        w.exif = testing::make_exif(1);
        const std::string whole = encode_image(img, w).value();
        for (int band : {1, 8, 27}) {
          const Status s = testing::write_by_rows(dir / "s.jpg", img, band, w);
          ASSERT_TRUE(s.ok()) << s.to_string();
          EXPECT_EQ(testing::read_file_bytes(dir / "s.jpg"), whole)
              << channels << " channels, " << pixel_type_name(type) << ", q" << quality << ", band " << band;
        }
      }
    }
  }
}

TEST(JpegRows, OversizedOutputIsRefusedBeforeAnythingIsWritten) {
  testing::TempDir dir;
  const Status s = create_image_row_writer(dir / "huge.jpg", 70000, 10, 3, PixelType::kU8, jpeg_options()).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.to_string();
  EXPECT_NE(s.message().find("huge.jpg"), std::string::npos) << s.message();
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

}  // namespace
}  // namespace litesr
