// End-to-end tests of `litesr resize`.
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "cli_runner.h"
#include "eval/matlab_resize.h"
#include "eval/sr_dataset.h"
#include "io/image_file.h"
#include "io/image_folder.h"
#include "testing/test_env.h"

namespace litesr {
namespace {

namespace fs = std::filesystem;
using testing::run_litesr;

Image pattern(int w, int h, int c) {
  Image img = Image::create(w, h, c, PixelType::kU8).value();
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int ch = 0; ch < c; ++ch)
        img.view<uint8_t>().at(x, y, ch) = static_cast<uint8_t>((x * 37 + y * 11 + ch * 70 + (x * y) % 13) & 0xff);
  return img;
}

bool same_pixels(const Image& a, const Image& b) {
  if (a.width() != b.width() || a.height() != b.height() || a.channels() != b.channels()) return false;
  for (int y = 0; y < a.height(); ++y)
    for (int x = 0; x < a.width() * a.channels(); ++x)
      if (a.view<uint8_t>().row(y)[x] != b.view<uint8_t>().row(y)[x]) return false;
  return true;
}

TEST(ResizeCli, Help) {
  auto r = run_litesr({"resize", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* opt : {"--input", "--output", "--scale", "--size", "--border", "--overwrite", "--recursive"}) {
    EXPECT_NE(r.out.find(opt), std::string::npos) << opt;
  }
}

TEST(ResizeCli, FileByFractionMatchesLibrary) {
  testing::TempDir tmp;
  const Image src = pattern(30, 21, 3);
  ASSERT_TRUE(write_image(tmp / "in.png", src).ok());
  auto r = run_litesr({"resize", "-i", (tmp / "in.png").string(), "-o", (tmp / "out.png").string(), "-s", "1/3"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto out = read_image(tmp / "out.png");
  ASSERT_TRUE(out.ok());
  auto expected = matlab_imresize(src, 1.0 / 3.0);  // default border: symmetric (MATLAB)
  ASSERT_TRUE(expected.ok());
  EXPECT_TRUE(same_pixels(out->image, *expected));

  // --size and --border.
  r = run_litesr({"resize", "-i", (tmp / "in.png").string(), "-o", (tmp / "big.png").string(), "--size", "45x50",
                  "--border", "replicate"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  MatlabResizeOptions ro;
  ro.border = BorderMode::kReplicate;
  EXPECT_TRUE(same_pixels(read_image(tmp / "big.png")->image, *matlab_imresize_to(src, 45, 50, ro)));

  // An existing output is refused without --overwrite, replaced with it.
  r = run_litesr({"resize", "-i", (tmp / "in.png").string(), "-o", (tmp / "out.png").string(), "-s", "2"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--overwrite"), std::string::npos) << r.err;
  r = run_litesr({"resize", "-i", (tmp / "in.png").string(), "-o", (tmp / "out.png").string(), "-s", "2", "--overwrite"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_image(tmp / "out.png")->image.width(), 60);
}

TEST(ResizeCli, FolderRecursiveWithSuffixAndModcrop) {
  testing::TempDir tmp;
  fs::create_directories(tmp / "in" / "sub");
  ASSERT_TRUE(write_image(tmp / "in" / "a.png", pattern(33, 26, 3)).ok());
  ASSERT_TRUE(write_image(tmp / "in" / "sub" / "b.png", pattern(17, 19, 1)).ok());
  auto r = run_litesr({"resize", "-i", (tmp / "in").string(), "-o", (tmp / "out").string(), "-s", "1/4", "--modcrop",
                       "4", "--suffix", "x4", "-r", "--progress", "none"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto a = read_image(tmp / "out" / "ax4.png");
  auto b = read_image(tmp / "out" / "sub" / "bx4.png");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->image.width(), 8);  // 32 / 4
  EXPECT_EQ(a->image.height(), 6);
  EXPECT_EQ(b->image.channels(), 1);
  auto cropped = modcrop(pattern(33, 26, 3), 4);
  EXPECT_TRUE(same_pixels(a->image, *matlab_imresize(*cropped, 0.25)));
  // Without -r the sub-folder is not visited.
  r = run_litesr({"resize", "-i", (tmp / "in").string(), "-o", (tmp / "flat").string(), "-s", "0.5"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(tmp / "flat" / "a.png"));
  EXPECT_FALSE(fs::exists(tmp / "flat" / "sub"));
}

TEST(ResizeCli, PartialAndTotalBatchFailure) {
  testing::TempDir tmp;
  fs::create_directories(tmp / "in");
  ASSERT_TRUE(write_image(tmp / "in" / "good.png", pattern(8, 8, 3)).ok());
  testing::write_file_bytes(tmp / "in" / "bad.png", "not a png at all");
  auto r = run_litesr({"resize", "-i", (tmp / "in").string(), "-o", (tmp / "out").string(), "-s", "2"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("bad.png"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::exists(tmp / "out" / "good.png"));
  fs::remove(tmp / "in" / "good.png");
  r = run_litesr({"resize", "-i", (tmp / "in").string(), "-o", (tmp / "out2").string(), "-s", "2"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
}

TEST(ResizeCli, UsageAndInputErrors) {
  testing::TempDir tmp;
  ASSERT_TRUE(write_image(tmp / "in.png", pattern(8, 8, 3)).ok());
  const std::string in = (tmp / "in.png").string();
  const std::string out = (tmp / "o.png").string();
  struct Case {
    std::vector<std::string> args;
    int code;
    const char* message;
  };
  const Case cases[] = {
      {{"resize", "-i", in, "-o", out}, 2, "exactly one"},
      {{"resize", "-i", in, "-o", out, "-s", "2", "--size", "4x4"}, 2, "exactly one"},
      {{"resize", "-i", in, "-o", out, "-s", "0"}, 2, "positive"},
      {{"resize", "-i", in, "-o", out, "-s", "-2"}, 2, "positive"},
      {{"resize", "-i", in, "-o", out, "-s", "abc"}, 2, "positive"},
      {{"resize", "-i", in, "-o", out, "-s", "1/0"}, 2, "positive"},
      {{"resize", "-i", in, "-o", out, "--size", "0x5"}, 2, "WIDTHxHEIGHT"},
      {{"resize", "-i", in, "-o", out, "--size", "12"}, 2, "WIDTHxHEIGHT"},
      {{"resize", "-i", in, "-o", out, "-s", "2", "--border", "mirror"}, 2, "border"},
      {{"resize", "-i", in, "-o", out, "-s", "2", "-f", "gif"}, 2, "format"},
      {{"resize", "-i", in, "-o", out, "-s", "2", "--modcrop", "0"}, 2, "modcrop"},
      {{"resize", "-i", in, "-o", out, "-s", "2", "--progress", "loud"}, 2, "progress"},
      {{"resize", "-o", out, "-s", "2"}, 2, "input"},
      {{"resize", "-i", (tmp / "missing.png").string(), "-o", out, "-s", "2"}, 1, "does not exist"},
      {{"resize", "-i", in, "-o", out, "-s", "1e6"}, 1, "limit"},
  };
  for (const Case& c : cases) {
    auto r = run_litesr(c.args);
    std::string joined;
    for (const auto& a : c.args) joined += a + " ";
    EXPECT_EQ(r.exit_code, c.code) << joined << "\n" << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << joined << "\nstderr: " << r.err;
  }
  EXPECT_FALSE(fs::exists(out));
  // A corrupt single file: failure naming it.
  testing::write_file_bytes(tmp / "bad.png", "\x89PNG\r\n\x1a\n truncated");
  auto r = run_litesr({"resize", "-i", (tmp / "bad.png").string(), "-o", out, "-s", "2"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("bad.png"), std::string::npos) << r.err;
}

TEST(ResizeCli, SixteenBitAndAlphaAreKept) {
  testing::TempDir tmp;
  Image src = Image::create(12, 10, 4, PixelType::kU16).value();
  for (int y = 0; y < 10; ++y)
    for (int x = 0; x < 48; ++x) src.view<uint16_t>().row(y)[x] = static_cast<uint16_t>((x * 1301 + y * 977) % 65536);
  ASSERT_TRUE(write_image(tmp / "deep.png", src).ok());
  auto r = run_litesr({"resize", "-i", (tmp / "deep.png").string(), "-o", (tmp / "half.png").string(), "-s", "0.5"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto out = read_image(tmp / "half.png");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->bit_depth, 16);
  ASSERT_EQ(out->image.type(), PixelType::kU16);
  ASSERT_EQ(out->image.channels(), 4);
  auto expected = matlab_imresize(src, 0.5);
  ASSERT_TRUE(expected.ok());
  for (int y = 0; y < 5; ++y)
    for (int x = 0; x < 24; ++x) ASSERT_EQ(out->image.view<uint16_t>().row(y)[x], expected->view<uint16_t>().row(y)[x]);
}

// Acceptance: the CLI reproduces real LR files (the library test checks every file; here one folder).
TEST(ResizeCli, ReproducesSet5X4LrFolder) {
  LITESR_REQUIRE_SHARED_DATA(data);
  testing::TempDir tmp;
  const fs::path set5 = data / "sr_benchmark" / "Set5";
  auto r = run_litesr({"resize", "-i", (set5 / "HR").string(), "-o", (tmp / "X4").string(), "-s", "1/4", "--modcrop",
                       "4", "--border", "replicate", "--suffix", "x4"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto files = list_images(set5 / "LR_bicubic" / "X4");
  ASSERT_TRUE(files.ok());
  ASSERT_EQ(files->size(), 5u);
  for (const fs::path& f : *files) {
    auto mine = read_image(tmp / "X4" / f);
    auto ref = read_image(set5 / "LR_bicubic" / "X4" / f);
    ASSERT_TRUE(mine.ok() && ref.ok()) << f;
    EXPECT_TRUE(same_pixels(mine->image, ref->image)) << f;
  }
}

}  // namespace
}  // namespace litesr
