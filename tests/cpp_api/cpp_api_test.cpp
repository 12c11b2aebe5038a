// The C++ API (include/litesr/litesr.hpp) as a program sees it: linked to liblitesr.so only (no LiteSR
// internals in this binary). Results equal the C API's, failures throw litesr::Error with the C status.
#include "litesr/litesr.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace {

const std::string kSample = std::string(LITESR_SOURCE_DIR) + "/samples/sample.png";

litesr::Image gradient(int w, int h, int channels, int bit_depth) {
  litesr::Image img(w, h, channels, bit_depth);
  for (std::size_t i = 0; i < img.size_bytes(); ++i) img.data()[i] = static_cast<std::uint8_t>((i * 37) % 251);
  return img;
}

litesr_status status_of(void (*call)()) {
  try {
    call();
  } catch (const litesr::Error& e) {
    return e.status();
  }
  return LITESR_OK;
}

TEST(CppApi, UpscaleEqualsTheCApiForEveryLayout) {
  litesr::Upscaler up({"elsr-x2", 0, 2});
  ASSERT_EQ(up.scale(), 2);
  const litesr_upscaler_options options = {"elsr-x2", 0, 2, 0, 0, 0};
  litesr_upscaler* c = nullptr;
  ASSERT_EQ(litesr_upscaler_create(&options, &c), LITESR_OK);
  for (int channels = 1; channels <= 4; ++channels) {
    for (int depth : {8, 16}) {
      const litesr::Image lr = gradient(13, 7, channels, depth);
      const litesr::Image sr = up.upscale(lr.view());
      EXPECT_EQ(sr.width(), 26);
      EXPECT_EQ(sr.height(), 14);
      EXPECT_EQ(sr.channels(), channels);
      EXPECT_EQ(sr.bit_depth(), depth);
      litesr::Image want(26, 14, channels, depth);
      const litesr_image in = lr.view().c_image(), out = want.view().c_image();
      ASSERT_EQ(litesr_upscale(c, &in, &out), LITESR_OK) << litesr_last_error();
      EXPECT_EQ(std::vector<std::uint8_t>(sr.data(), sr.data() + sr.size_bytes()),
                std::vector<std::uint8_t>(want.data(), want.data() + want.size_bytes()))
          << channels << " channels, " << depth << " bit";
    }
  }
  litesr_upscaler_destroy(c);
}

TEST(CppApi, StridedViewsInAndOut) {
  litesr::Upscaler up({"elsr-x2"});
  const litesr::Image packed = gradient(9, 5, 3, 8);
  // The same picture with 7 bytes of padding after each row, upscaled into a padded caller buffer.
  const std::size_t in_stride = 9 * 3 + 7, out_stride = 18 * 3 + 5;
  std::vector<std::uint8_t> in(in_stride * 5), out(out_stride * 10, 0xAB);
  for (int y = 0; y < 5; ++y) {
    std::copy(packed.data() + y * 27, packed.data() + (y + 1) * 27, in.data() + y * in_stride);
  }
  up.upscale({in.data(), 9, 5, 3, 8, in_stride}, {out.data(), 18, 10, 3, 8, out_stride});
  const litesr::Image want = up.upscale(packed.view());
  for (int y = 0; y < 10; ++y) {
    EXPECT_TRUE(std::equal(want.data() + y * 54, want.data() + (y + 1) * 54, out.data() + y * out_stride)) << y;
    EXPECT_EQ(out[y * out_stride + 54], 0xAB) << "padding must not be written";
  }
}

TEST(CppApi, FailuresThrowErrorsWithTheCStatus) {
  try {
    litesr::Upscaler up({"no-such-model"});
    FAIL() << "expected an error";
  } catch (const litesr::Error& e) {
    EXPECT_EQ(e.status(), LITESR_NOT_FOUND);
    EXPECT_NE(std::string(e.what()).find("no-such-model"), std::string::npos) << e.what();
  }
  EXPECT_EQ(status_of([] { litesr::Image(0, 4, 3); }), LITESR_INVALID_ARGUMENT);
  EXPECT_EQ(status_of([] { litesr::Image(4, 4, 5); }), LITESR_INVALID_ARGUMENT);
  EXPECT_EQ(status_of([] { litesr::Image(4, 4, 3, 12); }), LITESR_INVALID_ARGUMENT);
  EXPECT_EQ(status_of([] {
              litesr::Upscaler up({"bicubic", 3});
              litesr::Image lr(4, 4, 3), wrong(11, 12, 3);
              up.upscale(lr.view(), wrong.view());
            }),
            LITESR_INVALID_ARGUMENT);
  EXPECT_EQ(status_of([] {
              litesr::Upscaler up({"bicubic"});
              up.upscale(litesr::ImageView{nullptr, 4, 4, 3, 8, 0});
            }),
            LITESR_INVALID_ARGUMENT);
  EXPECT_EQ(status_of([] {
              litesr::Upscaler up({"bicubic"});
              up.upscale(litesr::ImageView{nullptr, 0, 4, 3, 8, 0});
            }),
            LITESR_INVALID_ARGUMENT);
  EXPECT_EQ(status_of([] {
              litesr::Upscaler up({"bicubic"});
              up.upscale_file("/nonexistent/in.png", "/tmp/out.png");
            }),
            LITESR_NOT_FOUND);
  EXPECT_EQ(status_of([] {
              litesr::Upscaler a({"bicubic"});
              litesr::Upscaler b(std::move(a));
              (void)a.scale();  // a moved-from handle is an error, not a crash
            }),
            LITESR_INVALID_ARGUMENT);
}

// Options::output_scale and output_width x output_height: output_size() says the size, upscale() gives it, and
// the pixels are the C API's for every layout.
TEST(CppApi, AnyOutputSizeEqualsTheCApi) {
  litesr::Upscaler factor({"elsr-x4", 0, 1, 1.5});
  EXPECT_EQ(factor.scale(), 2);  // elsr-x2 runs, then the resize
  const litesr::Size size = factor.output_size(23, 17);
  EXPECT_EQ(size.width, 35);   // ceil(23 x 1.5)
  EXPECT_EQ(size.height, 26);  // ceil(17 x 1.5)
  const litesr_upscaler_options options = {"elsr-x4", 0, 1, 1.5, 0, 0};
  litesr_upscaler* c = nullptr;
  ASSERT_EQ(litesr_upscaler_create(&options, &c), LITESR_OK) << litesr_last_error();
  for (int channels = 1; channels <= 4; ++channels) {
    for (int depth : {8, 16}) {
      const litesr::Image lr = gradient(23, 17, channels, depth);
      const litesr::Image sr = factor.upscale(lr.view());
      ASSERT_EQ(sr.width(), 35);
      ASSERT_EQ(sr.height(), 26);
      litesr::Image want(35, 26, channels, depth);
      const litesr_image in = lr.view().c_image(), out = want.view().c_image();
      ASSERT_EQ(litesr_upscale(c, &in, &out), LITESR_OK) << litesr_last_error();
      EXPECT_EQ(std::vector<std::uint8_t>(sr.data(), sr.data() + sr.size_bytes()),
                std::vector<std::uint8_t>(want.data(), want.data() + want.size_bytes()))
          << channels << " channels, " << depth << " bit";
    }
  }
  litesr_upscaler_destroy(c);

  litesr::Upscaler exact({"elsr-x4", 0, 1, 0, 50, 40});
  EXPECT_EQ(exact.scale(), 4);
  const litesr::Size fixed = exact.output_size(23, 17);
  EXPECT_EQ(fixed.width, 50);
  EXPECT_EQ(fixed.height, 40);
  const litesr::Image lr = gradient(23, 17, 3, 8);
  const litesr::Image sr = exact.upscale(lr.view());
  EXPECT_EQ(sr.width(), 50);
  EXPECT_EQ(sr.height(), 40);
  litesr::Image into(50, 40, 3);
  exact.upscale(lr.view(), into.view());  // the caller's memory gets the same pixels
  EXPECT_EQ(std::vector<std::uint8_t>(into.data(), into.data() + into.size_bytes()),
            std::vector<std::uint8_t>(sr.data(), sr.data() + sr.size_bytes()));
}

TEST(CppApi, BadOutputSizesThrowInvalidArgument) {
  EXPECT_EQ(status_of([] { litesr::Upscaler({"elsr-x4", 0, 1, 0.5}); }), LITESR_INVALID_ARGUMENT);
  EXPECT_EQ(status_of([] {
              litesr::Upscaler({"elsr-x4", 0, 1, std::numeric_limits<double>::quiet_NaN()});
            }),
            LITESR_INVALID_ARGUMENT);
  EXPECT_EQ(status_of([] { litesr::Upscaler({"elsr-x4", 0, 1, 1.5, 50, 40}); }), LITESR_INVALID_ARGUMENT);
  EXPECT_EQ(status_of([] { litesr::Upscaler({"elsr-x4", 4, 1, 2.0}); }), LITESR_INVALID_ARGUMENT);
  EXPECT_EQ(status_of([] { litesr::Upscaler({"elsr-x4", 0, 1, 0, 50, 0}); }), LITESR_INVALID_ARGUMENT);
  EXPECT_EQ(status_of([] { litesr::Upscaler({"elsr-x4", 0, 1, 5.0}); }), LITESR_INVALID_ARGUMENT);
  // An input that elsr-x4 would have to enlarge x4.44 to reach 50x40.
  try {
    litesr::Upscaler exact({"elsr-x4", 0, 1, 0, 50, 40});
    (void)exact.output_size(30, 9);
    FAIL() << "expected an error";
  } catch (const litesr::Error& e) {
    EXPECT_EQ(e.status(), LITESR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(e.what()).find("more than the model's x4"), std::string::npos) << e.what();
  }
  EXPECT_EQ(status_of([] {
              litesr::Upscaler exact({"elsr-x4", 0, 1, 0, 50, 40});
              litesr::Image lr(30, 9, 3);
              (void)exact.upscale(lr.view());
            }),
            LITESR_INVALID_ARGUMENT);
  EXPECT_EQ(status_of([] { (void)litesr::Upscaler({"elsr-x2"}).output_size(0, 4); }), LITESR_INVALID_ARGUMENT);
  EXPECT_EQ(status_of([] {
              litesr::Upscaler a({"elsr-x2"});
              litesr::Upscaler b(std::move(a));
              (void)a.output_size(4, 4);  // a moved-from handle is an error, not a crash
            }),
            LITESR_INVALID_ARGUMENT);
}

TEST(CppApi, FilesAndDefaultModel) {
  litesr::Upscaler up;  // the default model
  const std::filesystem::path out = std::filesystem::temp_directory_path() / "litesr_cpp_api_test_out.png";
  up.upscale_file(kSample, out.string());
  EXPECT_GT(std::filesystem::file_size(out), 0u);
  std::filesystem::remove(out);
}

TEST(CppApi, SeparateUpscalersRunConcurrently) {
  litesr::Upscaler a({"elsr-x2", 0, 1}), b({"elsr-x2", 0, 1});
  const litesr::Image lr = gradient(31, 17, 3, 8);
  const litesr::Image want = a.upscale(lr.view());
  litesr::Image got_a, got_b;
  std::thread t([&] {
    for (int i = 0; i < 3; ++i) got_b = b.upscale(lr.view());
  });
  for (int i = 0; i < 3; ++i) got_a = a.upscale(lr.view());
  t.join();
  const std::vector<std::uint8_t> w(want.data(), want.data() + want.size_bytes());
  EXPECT_EQ(std::vector<std::uint8_t>(got_a.data(), got_a.data() + got_a.size_bytes()), w);
  EXPECT_EQ(std::vector<std::uint8_t>(got_b.data(), got_b.data() + got_b.size_bytes()), w);
}

}  // namespace
