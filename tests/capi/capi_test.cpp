// The C API (include/litesr/litesr.h): results equal the C++ upscaler's (at the model's scale and at any output
// size), and every misuse (NULL handles and buffers, zero or huge sizes, wrong strides, mismatched layouts, bad
// output sizes, missing files) is a litesr_status with a message, never a crash.
#include "litesr/litesr.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "base/image.h"
#include "eval/matlab_resize.h"
#include "io/image_file.h"
#include "testing/test_env.h"
#include "upscaler/model_upscaler.h"
#include "upscaler/output_size.h"

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
  EXPECT_STREQ(litesr_version(), "0.2.0");
  EXPECT_STREQ(litesr_status_name(LITESR_OK), "ok");
  EXPECT_STREQ(litesr_status_name(LITESR_CORRUPT_DATA), "corrupt data");
  EXPECT_STREQ(litesr_status_name(static_cast<litesr_status>(99)), "unknown status");
}

// litesr_upscaler_options with every field given (the fields after `threads` 0 = no output size).
litesr_upscaler_options c_options(const char* model, int scale, int threads, double output_scale = 0,
                                  int output_width = 0, int output_height = 0) {
  return {model, scale, threads, output_scale, output_width, output_height};
}

// The C++ upscaler `litesr upscale` runs for `model` with `output` ({} = the model's scale), on 2 threads.
ModelUpscaler open_reference(const std::string& model, OutputSize output = {}) {
  UpscalerOptions options;
  options.model = model;
  options.threads = 2;
  options.output = output;
  return ModelUpscaler::open(options).value();
}

// Upscales a w x h gradient of every layout (1-4 channels, 8 and 16 bit) through the C API into a caller buffer of
// litesr_upscaler_output_size's size whose rows are padded by 24 bytes (strides need not be tight), and expects
// `reference`'s samples with the padding untouched; 8-bit RGB at the model's scale goes into the buffer directly.
void expect_every_layout_equals(litesr_upscaler* upscaler, ModelUpscaler& reference, int w, int h) {
  int out_w = 0, out_h = 0;
  ASSERT_EQ(litesr_upscaler_output_size(upscaler, w, h, &out_w, &out_h), LITESR_OK) << litesr_last_error();
  for (int channels : {1, 2, 3, 4}) {
    for (PixelType type : {PixelType::kU8, PixelType::kU16}) {
      Image in = gradient(w, h, channels, type);
      const Image expected = reference.upscale(in).value();
      ASSERT_EQ(expected.width(), out_w);
      ASSERT_EQ(expected.height(), out_h);
      const std::size_t sample = pixel_type_size(type);
      const std::size_t row = static_cast<std::size_t>(out_w) * channels * sample;
      std::vector<uint8_t> out_bytes((row + 24) * out_h, 0xAB);
      litesr_image lr = describe(in);
      litesr_image sr = {out_bytes.data(), out_w, out_h, channels, type == PixelType::kU16 ? 16 : 8, row + 24};
      ASSERT_EQ(litesr_upscale(upscaler, &lr, &sr), LITESR_OK) << litesr_last_error();
      for (int y = 0; y < out_h; ++y) {
        ASSERT_EQ(std::memcmp(out_bytes.data() + y * (row + 24), expected.row_bytes_ptr(y), row), 0)
            << channels << " channels, " << pixel_type_name(type) << ", row " << y;
        EXPECT_EQ(out_bytes[y * (row + 24) + row], 0xAB);  // the padding is not written
      }
    }
  }
}

// Every layout gives the C++ ModelUpscaler's samples.
TEST(CApi, UpscaleEqualsTheCppUpscaler) {
  Handle h;
  const litesr_upscaler_options options = c_options("elsr-x2", 0, 2);
  ASSERT_EQ(litesr_upscaler_create(&options, &h.p), LITESR_OK) << litesr_last_error();
  int scale = 0;
  ASSERT_EQ(litesr_upscaler_scale(h.p, &scale), LITESR_OK);
  EXPECT_EQ(scale, 2);
  int out_w = 0, out_h = 0;
  ASSERT_EQ(litesr_upscaler_output_size(h.p, 37, 21, &out_w, &out_h), LITESR_OK) << litesr_last_error();
  EXPECT_EQ(out_w, 74);
  EXPECT_EQ(out_h, 42);
  ModelUpscaler reference = open_reference("elsr-x2");
  expect_every_layout_equals(h.p, reference, 37, 21);
}

// output_scale 1.5 with elsr-x4 is `litesr upscale -n elsr-x4 -s 1.5`: elsr-x2 runs, then imresize(SR, 0.75).
TEST(CApi, OutputScaleRunsTheFamilyMemberThenTheMatlabResize) {
  Handle h;
  const litesr_upscaler_options options = c_options("elsr-x4", 0, 2, 1.5);
  ASSERT_EQ(litesr_upscaler_create(&options, &h.p), LITESR_OK) << litesr_last_error();
  int scale = 0;
  ASSERT_EQ(litesr_upscaler_scale(h.p, &scale), LITESR_OK);
  EXPECT_EQ(scale, 2);  // the family member that runs
  int out_w = 0, out_h = 0;
  ASSERT_EQ(litesr_upscaler_output_size(h.p, 23, 17, &out_w, &out_h), LITESR_OK) << litesr_last_error();
  EXPECT_EQ(out_w, 35);  // ceil(23 x 1.5)
  EXPECT_EQ(out_h, 26);  // ceil(17 x 1.5)

  OutputSize factor;
  factor.scale = 1.5;
  ModelUpscaler reference = open_reference("elsr-x4", factor);
  expect_every_layout_equals(h.p, reference, 23, 17);

  // The same pixels built from the parts, without the C++ upscaler's resize step: elsr-x2's x2 output resized
  // by MATLAB's imresize(SR, 1.5 / 2).
  Image lr = gradient(23, 17, 3, PixelType::kU8);
  const Image want = matlab_imresize(open_reference("elsr-x2").upscale(lr).value(), 0.75).value();
  Image sr = Image::create(35, 26, 3, PixelType::kU8).value();
  const litesr_image in = describe(lr), out = describe(sr);
  ASSERT_EQ(litesr_upscale(h.p, &in, &out), LITESR_OK) << litesr_last_error();
  ASSERT_EQ(want.width(), 35);
  for (int y = 0; y < 26; ++y) ASSERT_EQ(std::memcmp(sr.row_bytes_ptr(y), want.row_bytes_ptr(y), 35 * 3), 0) << y;

  // A buffer of the model's x2 size is refused, and the message says the size expected.
  Image x2 = Image::create(46, 34, 3, PixelType::kU8).value();
  const litesr_image wrong = describe(x2);
  EXPECT_EQ(litesr_upscale(h.p, &in, &wrong), LITESR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(litesr_last_error()).find("expected 35x26 for a 23x17 input"), std::string::npos)
      << litesr_last_error();
}

// output_width x output_height: the named model, resized to exactly that size; an input the model would have
// to enlarge beyond its scale is refused by the size query and by litesr_upscale.
TEST(CApi, ExactOutputSize) {
  Handle h;
  const litesr_upscaler_options options = c_options("elsr-x4", 0, 2, 0, 50, 40);
  ASSERT_EQ(litesr_upscaler_create(&options, &h.p), LITESR_OK) << litesr_last_error();
  int scale = 0;
  ASSERT_EQ(litesr_upscaler_scale(h.p, &scale), LITESR_OK);
  EXPECT_EQ(scale, 4);
  int out_w = 0, out_h = 0;
  ASSERT_EQ(litesr_upscaler_output_size(h.p, 23, 17, &out_w, &out_h), LITESR_OK) << litesr_last_error();
  EXPECT_EQ(out_w, 50);
  EXPECT_EQ(out_h, 40);
  OutputSize size;
  size.width = 50;
  size.height = 40;
  ModelUpscaler reference = open_reference("elsr-x4", size);
  expect_every_layout_equals(h.p, reference, 23, 17);

  // 40 rows from 9 needs x4.44: more than elsr-x4 reaches.
  out_w = out_h = -7;
  EXPECT_EQ(litesr_upscaler_output_size(h.p, 30, 9, &out_w, &out_h), LITESR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(litesr_last_error()).find("more than the model's x4"), std::string::npos)
      << litesr_last_error();
  EXPECT_EQ(out_w, -7);  // not written on failure
  EXPECT_EQ(out_h, -7);
  Image lr = gradient(30, 9, 3, PixelType::kU8);
  Image sr = Image::create(50, 40, 3, PixelType::kU8).value();
  const litesr_image in = describe(lr), out = describe(sr);
  EXPECT_EQ(litesr_upscale(h.p, &in, &out), LITESR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(litesr_last_error()).find("more than the model's x4"), std::string::npos)
      << litesr_last_error();
}

TEST(CApi, UpscaleFileHonoursTheOutputSize) {
  testing::TempDir dir;
  const Image picture = gradient(20, 14, 3, PixelType::kU8);
  ASSERT_TRUE(write_image(dir / "in.png", picture).ok());
  const std::string in = (dir / "in.png").string(), out = (dir / "out.png").string();

  Handle factor;
  const litesr_upscaler_options by_factor = c_options("elsr-x4", 0, 1, 1.5);
  ASSERT_EQ(litesr_upscaler_create(&by_factor, &factor.p), LITESR_OK) << litesr_last_error();
  ASSERT_EQ(litesr_upscale_file(factor.p, in.c_str(), out.c_str()), LITESR_OK) << litesr_last_error();
  OutputSize f;
  f.scale = 1.5;
  const Image want = open_reference("elsr-x4", f).upscale(picture).value();
  const DecodedImage written = read_image(out).value();
  ASSERT_EQ(written.image.width(), 30);
  ASSERT_EQ(written.image.height(), 21);
  for (int y = 0; y < 21; ++y) {
    ASSERT_EQ(std::memcmp(written.image.row_bytes_ptr(y), want.row_bytes_ptr(y), 30 * 3), 0) << y;
  }

  Handle exact;
  const litesr_upscaler_options by_size = c_options("elsr-x4", 0, 1, 0, 57, 40);
  ASSERT_EQ(litesr_upscaler_create(&by_size, &exact.p), LITESR_OK) << litesr_last_error();
  ASSERT_EQ(litesr_upscale_file(exact.p, in.c_str(), out.c_str()), LITESR_OK) << litesr_last_error();
  const DecodedImage sized = read_image(out).value();
  EXPECT_EQ(sized.image.width(), 57);
  EXPECT_EQ(sized.image.height(), 40);
}

// Every bad output-size option is LITESR_INVALID_ARGUMENT with a message naming what is wrong, and no handle.
TEST(CApi, BadOutputSizeOptionsAreInvalidArguments) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const std::string elsr_x2_file = (testing::source_dir() / "models" / "elsr-x2.safetensors").string();
  struct Case {
    const char* what;
    litesr_upscaler_options options;
    const char* message;  // a part of litesr_last_error()
  };
  const Case cases[] = {
      {"NaN factor", c_options("elsr-x4", 0, 1, nan), "output_scale: scale nan is not"},
      {"infinite factor", c_options("elsr-x4", 0, 1, inf), "output_scale: scale inf is not"},
      {"negative factor", c_options("elsr-x4", 0, 1, -1.5), "output_scale: scale -1.5 is not"},
      {"shrinking factor", c_options("elsr-x4", 0, 1, 0.5), "(1, 16]"},
      {"factor 1", c_options("elsr-x4", 0, 1, 1.0), "(1, 16]"},
      {"factor above 16", c_options("bicubic", 0, 1, 16.5), "(1, 16]"},
      {"factor and size", c_options("elsr-x4", 0, 1, 1.5, 50, 40),
       "output_scale or output_width x output_height, not both"},
      {"scale and factor", c_options("elsr-x4", 4, 1, 2.0), "give scale or an output size"},
      {"scale and size", c_options("elsr-x4", 4, 1, 0, 50, 40), "give scale or an output size"},
      {"width only", c_options("elsr-x4", 0, 1, 0, 50), "output size 50x0: each side must be 1..65536"},
      {"height only", c_options("elsr-x4", 0, 1, 0, 0, 40), "output size 0x40: each side must be 1..65536"},
      {"negative width", c_options("elsr-x4", 0, 1, 0, -50, 40), "output_width x output_height: output size -50x40"},
      {"huge height", c_options("elsr-x4", 0, 1, 0, 50, 70000), "each side must be 1..65536"},
      {"factor beyond the family", c_options("elsr-x4", 0, 1, 5.0), "no shipped model of elsr-x4's family reaches x5"},
      {"factor beyond a model file", c_options(elsr_x2_file.c_str(), 0, 1, 3.0), "cannot reach x3"},
  };
  for (const Case& c : cases) {
    Handle h;
    EXPECT_EQ(litesr_upscaler_create(&c.options, &h.p), LITESR_INVALID_ARGUMENT) << c.what;
    EXPECT_EQ(h.p, nullptr) << c.what;
    EXPECT_NE(std::string(litesr_last_error()).find(c.message), std::string::npos)
        << c.what << ": " << litesr_last_error();
  }
  // Zero means none (and -0.0 is zero): the model's own scale.
  Handle h;
  const litesr_upscaler_options none = c_options("elsr-x2", 0, 1, -0.0);
  ASSERT_EQ(litesr_upscaler_create(&none, &h.p), LITESR_OK) << litesr_last_error();
  int out_w = 0, out_h = 0;
  ASSERT_EQ(litesr_upscaler_output_size(h.p, 13, 7, &out_w, &out_h), LITESR_OK) << litesr_last_error();
  EXPECT_EQ(out_w, 26);
  EXPECT_EQ(out_h, 14);
}

TEST(CApi, OutputSizeQueryIsChecked) {
  Handle h;
  const litesr_upscaler_options options = c_options("elsr-x2", 0, 1);
  ASSERT_EQ(litesr_upscaler_create(&options, &h.p), LITESR_OK) << litesr_last_error();
  int out_w = -7, out_h = -7;
  EXPECT_EQ(litesr_upscaler_output_size(nullptr, 4, 4, &out_w, &out_h), LITESR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(litesr_last_error()).find("NULL"), std::string::npos);
  EXPECT_EQ(litesr_upscaler_output_size(h.p, 4, 4, nullptr, &out_h), LITESR_INVALID_ARGUMENT);
  EXPECT_EQ(litesr_upscaler_output_size(h.p, 4, 4, &out_w, nullptr), LITESR_INVALID_ARGUMENT);
  for (const auto& [w, hh] : {std::pair(0, 4), std::pair(4, -1), std::pair(70000, 4), std::pair(4, 1 << 20)}) {
    EXPECT_EQ(litesr_upscaler_output_size(h.p, w, hh, &out_w, &out_h), LITESR_INVALID_ARGUMENT) << w << "x" << hh;
    EXPECT_NE(std::string(litesr_last_error()).find("each side must be 1..65536"), std::string::npos)
        << litesr_last_error();
  }
  EXPECT_EQ(out_w, -7);  // nothing written by failing calls
  EXPECT_EQ(out_h, -7);
  // A legal input whose x2 output would be wider than 65536.
  EXPECT_EQ(litesr_upscaler_output_size(h.p, 40000, 10, &out_w, &out_h), LITESR_RESOURCE_EXHAUSTED);
  EXPECT_NE(std::string(litesr_last_error()).find("80000x20"), std::string::npos) << litesr_last_error();
  // The same with a factor (bicubic reaches every factor it takes).
  Handle bicubic;
  const litesr_upscaler_options big = c_options("bicubic", 0, 1, 7.5);
  ASSERT_EQ(litesr_upscaler_create(&big, &bicubic.p), LITESR_OK) << litesr_last_error();
  EXPECT_EQ(litesr_upscaler_output_size(bicubic.p, 9000, 10, &out_w, &out_h), LITESR_RESOURCE_EXHAUSTED);
  ASSERT_EQ(litesr_upscaler_output_size(bicubic.p, 3, 2, &out_w, &out_h), LITESR_OK) << litesr_last_error();
  EXPECT_EQ(out_w, 23);  // ceil(3 x 7.5)
  EXPECT_EQ(out_h, 15);
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
  const litesr_upscaler_options options = c_options("bicubic", 4, 1);
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
  litesr_upscaler_options options = c_options("no-such-model", 0, 0);
  EXPECT_EQ(litesr_upscaler_create(&options, &h.p), LITESR_NOT_FOUND);
  EXPECT_EQ(h.p, nullptr);
  EXPECT_NE(std::string(litesr_last_error()).find("no-such-model"), std::string::npos) << litesr_last_error();
  options = c_options("elsr-x4", 2, 0);
  EXPECT_EQ(litesr_upscaler_create(&options, &h.p), LITESR_INVALID_ARGUMENT) << litesr_last_error();
  options = c_options("elsr-x4", 0, -1);
  EXPECT_EQ(litesr_upscaler_create(&options, &h.p), LITESR_INVALID_ARGUMENT);

  testing::TempDir dir;
  options = c_options("elsr-x2", 0, 1);
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
