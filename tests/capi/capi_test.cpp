// The C API (include/litesr/litesr.h): results equal the C++ upscaler's, and every misuse (NULL handles and
// buffers, zero or huge sizes, wrong strides, mismatched layouts, missing files) is a litesr_status with a
// message, never a crash.
#include "litesr/litesr.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "base/image.h"
#include "io/image_file.h"
#include "testing/test_env.h"
#include "upscaler/model_upscaler.h"

namespace litesr {
namespace {

struct Handle {
  litesr_upscaler* p = nullptr;
  ~Handle() { litesr_upscaler_destroy(p); }
};

Image gradient(int w, int h, int channels, PixelType type) {
  Image img = Image::create(w, h, channels, type).value();
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      for (int c = 0; c < channels; ++c) {
        const int v = (x * 9 + y * 5 + c * 60 + (x * y) % 13) % 256;
        if (type == PixelType::kU8) {
          img.view<uint8_t>().at(x, y, c) = static_cast<uint8_t>(v);
        } else {
          img.view<uint16_t>().at(x, y, c) = static_cast<uint16_t>(v * 257 + 11);
        }
      }
    }
  }
  return img;
}

litesr_image describe(Image& img) {
  return {img.row_bytes_ptr(0), img.width(), img.height(), img.channels(), img.type() == PixelType::kU16 ? 16 : 8,
          img.stride() * pixel_type_size(img.type())};
}

TEST(CApi, VersionAndStatusNames) {
  EXPECT_STREQ(litesr_version(), "0.1.0");
  EXPECT_STREQ(litesr_status_name(LITESR_OK), "ok");
  EXPECT_STREQ(litesr_status_name(LITESR_CORRUPT_DATA), "corrupt data");
  EXPECT_STREQ(litesr_status_name(static_cast<litesr_status>(99)), "unknown status");
}

// Every layout gives the C++ ModelUpscaler's samples; 8-bit RGB goes into a padded caller buffer directly.
TEST(CApi, UpscaleEqualsTheCppUpscaler) {
  Handle h;
  const litesr_upscaler_options options = {"elsr-x2", 0, 2};
  ASSERT_EQ(litesr_upscaler_create(&options, &h.p), LITESR_OK) << litesr_last_error();
  int scale = 0;
  ASSERT_EQ(litesr_upscaler_scale(h.p, &scale), LITESR_OK);
  EXPECT_EQ(scale, 2);
  ModelUpscaler reference = ModelUpscaler::open({"elsr-x2", 0, 2, 0, {}}).value();
  for (int channels : {1, 2, 3, 4}) {
    for (PixelType type : {PixelType::kU8, PixelType::kU16}) {
      Image in = gradient(37, 21, channels, type);
      const Image expected = reference.upscale(in).value();
      // The output rows are padded by 24 bytes beyond the image: strides need not be tight.
      const std::size_t sample = pixel_type_size(type);
      const std::size_t row = static_cast<std::size_t>(74) * channels * sample;
      std::vector<uint8_t> out_bytes((row + 24) * 42, 0xAB);
      litesr_image lr = describe(in);
      litesr_image sr = {out_bytes.data(), 74, 42, channels, type == PixelType::kU16 ? 16 : 8, row + 24};
      ASSERT_EQ(litesr_upscale(h.p, &lr, &sr), LITESR_OK) << litesr_last_error();
      for (int y = 0; y < 42; ++y) {
        ASSERT_EQ(std::memcmp(out_bytes.data() + y * (row + 24), expected.row_bytes_ptr(y), row), 0)
            << channels << " channels, " << pixel_type_name(type) << ", row " << y;
        EXPECT_EQ(out_bytes[y * (row + 24) + row], 0xAB);  // the padding is not written
      }
    }
  }
}

TEST(CApi, NullHandlesAndBuffersAreInvalidArguments) {
  EXPECT_EQ(litesr_upscaler_create(nullptr, nullptr), LITESR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(litesr_last_error()).find("NULL"), std::string::npos);
  int scale = 0;
  EXPECT_EQ(litesr_upscaler_scale(nullptr, &scale), LITESR_INVALID_ARGUMENT);
  Image in = gradient(8, 8, 3, PixelType::kU8);
  Image out = gradient(32, 32, 3, PixelType::kU8);
  litesr_image lr = describe(in), sr = describe(out);
  EXPECT_EQ(litesr_upscale(nullptr, &lr, &sr), LITESR_INVALID_ARGUMENT);
  EXPECT_EQ(litesr_upscale_file(nullptr, "a.png", "b.png"), LITESR_INVALID_ARGUMENT);
  litesr_upscaler_destroy(nullptr);  // a no-op

  Handle h;
  ASSERT_EQ(litesr_upscaler_create(nullptr, &h.p), LITESR_OK) << litesr_last_error();  // the default model
  EXPECT_EQ(litesr_upscaler_scale(h.p, nullptr), LITESR_INVALID_ARGUMENT);
  EXPECT_EQ(litesr_upscale(h.p, nullptr, &sr), LITESR_INVALID_ARGUMENT);
  EXPECT_EQ(litesr_upscale(h.p, &lr, nullptr), LITESR_INVALID_ARGUMENT);
  litesr_image no_data = lr;
  no_data.data = nullptr;
  EXPECT_EQ(litesr_upscale(h.p, &no_data, &sr), LITESR_INVALID_ARGUMENT);
  EXPECT_EQ(litesr_upscale_file(h.p, nullptr, "b.png"), LITESR_INVALID_ARGUMENT);
  EXPECT_EQ(litesr_upscale_file(h.p, "a.png", nullptr), LITESR_INVALID_ARGUMENT);
}

TEST(CApi, BadSizesStridesAndLayoutsAreInvalidArguments) {
  Handle h;
  const litesr_upscaler_options options = {"bicubic", 4, 1};
  ASSERT_EQ(litesr_upscaler_create(&options, &h.p), LITESR_OK) << litesr_last_error();
  Image in = gradient(8, 6, 3, PixelType::kU8);
  Image out = gradient(32, 24, 3, PixelType::kU8);
  const litesr_image lr = describe(in), sr = describe(out);
  ASSERT_EQ(litesr_upscale(h.p, &lr, &sr), LITESR_OK) << litesr_last_error();

  auto expect_invalid = [&](litesr_image a, litesr_image b, const char* what) {
    EXPECT_EQ(litesr_upscale(h.p, &a, &b), LITESR_INVALID_ARGUMENT) << what;
    EXPECT_STRNE(litesr_last_error(), "") << what;
  };
  litesr_image bad = lr;
  bad.width = 0;
  expect_invalid(bad, sr, "zero width");
  bad = lr;
  bad.height = -3;
  expect_invalid(bad, sr, "negative height");
  bad = lr;
  bad.width = 1 << 20;
  expect_invalid(bad, sr, "huge width");
  bad = lr;
  bad.stride = 8 * 3 - 1;
  expect_invalid(bad, sr, "stride shorter than a row");
  bad = lr;
  bad.channels = 5;
  expect_invalid(bad, sr, "five channels");
  bad = lr;
  bad.bit_depth = 12;
  expect_invalid(bad, sr, "12-bit");
  litesr_image wrong = sr;
  wrong.width = 31;
  expect_invalid(lr, wrong, "output not x4 wide");
  wrong = sr;
  wrong.channels = 4;
  expect_invalid(lr, wrong, "output channels differ");
  wrong = sr;
  wrong.bit_depth = 16;
  wrong.stride = 32 * 3 * 2;
  expect_invalid(lr, wrong, "output bit depth differs");
  // 16-bit rows whose stride is odd, or whose data is not 2-byte aligned.
  Image in16 = gradient(8, 6, 3, PixelType::kU16);
  litesr_image odd = describe(in16);
  odd.stride += 1;
  expect_invalid(odd, sr, "odd 16-bit stride");
  odd = describe(in16);
  odd.data = static_cast<uint8_t*>(odd.data) + 1;
  expect_invalid(odd, sr, "unaligned 16-bit data");
}

TEST(CApi, OptionsAndFilesAreChecked) {
  Handle h;
  litesr_upscaler_options options = {"no-such-model", 0, 0};
  EXPECT_EQ(litesr_upscaler_create(&options, &h.p), LITESR_NOT_FOUND);
  EXPECT_EQ(h.p, nullptr);
  EXPECT_NE(std::string(litesr_last_error()).find("no-such-model"), std::string::npos) << litesr_last_error();
  options = {"elsr-x4", 2, 0};
  EXPECT_EQ(litesr_upscaler_create(&options, &h.p), LITESR_INVALID_ARGUMENT) << litesr_last_error();
  options = {"elsr-x4", 0, -1};
  EXPECT_EQ(litesr_upscaler_create(&options, &h.p), LITESR_INVALID_ARGUMENT);

  testing::TempDir dir;
  options = {"elsr-x2", 0, 1};
  ASSERT_EQ(litesr_upscaler_create(&options, &h.p), LITESR_OK) << litesr_last_error();
  const std::string missing = (dir / "missing.png").string(), out = (dir / "out.png").string();
  EXPECT_EQ(litesr_upscale_file(h.p, missing.c_str(), out.c_str()), LITESR_NOT_FOUND);
  testing::write_file_bytes(dir / "bad.png", "\x89PNG\r\n\x1a\n broken");
  EXPECT_EQ(litesr_upscale_file(h.p, (dir / "bad.png").c_str(), out.c_str()), LITESR_CORRUPT_DATA);
  EXPECT_FALSE(std::filesystem::exists(out));

  ASSERT_TRUE(write_image(dir / "in.png", gradient(20, 10, 4, PixelType::kU16)).ok());
  ASSERT_EQ(litesr_upscale_file(h.p, (dir / "in.png").c_str(), out.c_str()), LITESR_OK) << litesr_last_error();
  const DecodedImage written = read_image(out).value();
  EXPECT_EQ(written.image.width(), 40);
  EXPECT_EQ(written.image.channels(), 4);
  EXPECT_EQ(written.bit_depth, 16);
}

}  // namespace
}  // namespace litesr
