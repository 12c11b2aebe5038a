// `litesr quantize`: a calibrated INT8 model file that the other commands take, usage errors, no partial files.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "cli/cli_runner.h"
#include "io/image_file.h"

namespace litesr::testing {
namespace {

Image gradient(int w, int h, int seed) {
  Image img = Image::create(w, h, 3, PixelType::kU8).value();
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      for (int c = 0; c < 3; ++c) {
        img.view<uint8_t>().at(x, y, c) =
            static_cast<uint8_t>(128 + 100 * std::sin(0.07 * (x + seed) * (c + 1) + 0.05 * y) + ((x / 8) % 2) * 10);
      }
    }
  }
  return img;
}

TEST(QuantizeCli, WritesAnInt8ModelThatUpscaleTakes) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() / "calib");
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(write_image(dir.path() / "calib" / ("c" + std::to_string(i) + ".png"), gradient(64, 48, i)).ok());
  }
  const auto model = dir.path() / "elsr-int8.safetensors";
  const auto json = dir.path() / "q.json";
  CliRun r = run_litesr({"quantize", "elsr-x4", "--calib", (dir.path() / "calib").string(), "-o", model.string(),
                         "--json", json.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("INT8"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("held-out PSNR-Y"), std::string::npos) << r.err;
  EXPECT_NE(read_file_bytes(json).find("\"float_psnr_y\""), std::string::npos);
  ASSERT_TRUE(std::filesystem::exists(model));

  ASSERT_TRUE(write_image(dir.path() / "in.png", gradient(20, 14, 9)).ok());
  r = run_litesr({"upscale", "-i", (dir.path() / "in.png").string(), "-o", (dir.path() / "out.png").string(), "-n",
                  model.string(), "--progress", "none"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto out = read_image(dir.path() / "out.png");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->image.width(), 80);

  // An existing output needs --overwrite; quantizing an INT8 model again is refused.
  r = run_litesr({"quantize", "elsr-x4", "--calib", (dir.path() / "calib").string(), "-o", model.string()});
  EXPECT_EQ(r.exit_code, 2);
  r = run_litesr({"quantize", model.string(), "--calib", (dir.path() / "calib").string(), "-o",
                  (dir.path() / "again.safetensors").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("already quantized"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "again.safetensors"));
}

TEST(QuantizeCli, BadInputIsAnErrorAndWritesNothing) {
  TempDir dir;
  const auto out = dir.path() / "m.safetensors";
  std::filesystem::create_directories(dir.path() / "empty");
  CliRun r = run_litesr({"quantize", "elsr-x4", "--calib", (dir.path() / "empty").string(), "-o", out.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("at least 2 images"), std::string::npos) << r.err;
  r = run_litesr({"quantize", "elsr-x4", "--calib", (dir.path() / "nope").string(), "-o", out.string()});
  EXPECT_EQ(r.exit_code, 1);
  r = run_litesr({"quantize", "elsr-x4", "--calib", (dir.path() / "empty").string(), "-o",
                  (dir.path() / "m.onnx").string()});
  EXPECT_EQ(r.exit_code, 2);
  r = run_litesr({"quantize", "elsr-x4", "--calib", (dir.path() / "empty").string(), "-o", out.string(),
                  "--method", "kl"});
  EXPECT_EQ(r.exit_code, 2);
  std::filesystem::create_directories(dir.path() / "bad");
  std::ofstream(dir.path() / "bad" / "a.png") << "not a png";
  std::ofstream(dir.path() / "bad" / "b.png") << "not a png";
  r = run_litesr({"quantize", "elsr-x4", "--calib", (dir.path() / "bad").string(), "-o", out.string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("a.png"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out));
}

}  // namespace
}  // namespace litesr::testing
