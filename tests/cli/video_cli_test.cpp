// End-to-end tests of `litesr video` as a user runs it: image sequences in and out, FFV1 files, the
// benchmark mode, usage errors and corrupt input (clear error, exit code, no output left behind).
#include <cmath>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "cli_runner.h"
#include "io/image_file.h"
#include "testing/test_env.h"

namespace litesr {
namespace {

namespace fs = std::filesystem;
using testing::run_litesr;

// dir/frames/0001.png .. 000N.png: a pattern drifting right by one pixel per frame.
fs::path make_frames(const fs::path& dir, int count, int w, int h) {
  fs::create_directories(dir / "frames");
  for (int t = 1; t <= count; ++t) {
    Image img = Image::create(w, h, 3, PixelType::kU8).value();
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x)
        for (int c = 0; c < 3; ++c)
          img.view<uint8_t>().at(x, y, c) =
              static_cast<uint8_t>(128 + 100 * std::sin(0.3 * (x - t) + c) * std::cos(0.2 * y));
    char name[32];
    std::snprintf(name, sizeof name, "%04d.png", t);
    EXPECT_TRUE(write_image(dir / "frames" / name, img).ok());
  }
  return dir / "frames" / "%04d.png";
}

TEST(VideoCli, ImageSequenceToFramesAndToFfv1) {
  LITESR_REQUIRE_COMMAND("video", "LITESR_WITH_VIDEO");
  testing::TempDir dir;
  const fs::path in = make_frames(dir.path(), 5, 40, 24);
  fs::create_directories(dir.path() / "sr");
  auto r = run_litesr({"video", "-i", in.string(), "-o", (dir.path() / "sr" / "%04d.png").string(), "-n", "elsr-x4",
                       "--progress", "none"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  int frames = 0;
  for (const auto& e : fs::directory_iterator(dir.path() / "sr")) {
    auto img = read_image(e.path());
    ASSERT_TRUE(img.ok()) << e.path();
    EXPECT_EQ(img->image.width(), 160);
    EXPECT_EQ(img->image.height(), 96);
    ++frames;
  }
  EXPECT_EQ(frames, 5);

  const fs::path mkv = dir.path() / "out.mkv";
  r = run_litesr({"video", "-i", in.string(), "-o", mkv.string(), "-n", "bicubic", "-s", "2", "-c", "ffv1",
                  "--progress", "none"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GT(fs::file_size(mkv), 0u);
  // An existing output is kept without --overwrite (usage error).
  const auto size = fs::file_size(mkv);
  r = run_litesr({"video", "-i", in.string(), "-o", mkv.string(), "-n", "bicubic", "-s", "2", "--progress", "none"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(fs::file_size(mkv), size);
}

TEST(VideoCli, BenchmarkReportsStagesAndWritesNothing) {
  LITESR_REQUIRE_COMMAND("video", "LITESR_WITH_VIDEO");
  testing::TempDir dir;
  const fs::path in = make_frames(dir.path(), 4, 32, 20);
  auto r = run_litesr({"video", "-i", in.string(), "-n", "elsr-x4", "--benchmark", "--progress", "none"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string all = r.out + r.err;
  for (const char* word : {"decode", "encode", "fps"}) EXPECT_NE(all.find(word), std::string::npos) << word << "\n" << all;
}

// A luma model on Y'CbCr video takes the planes (the network on Y', chroma by bicubic); --rgb-frames, or an
// R'G'B' input, takes the R'G'B' round trip. The benchmark says which.
TEST(VideoCli, LumaModelsRunOnTheYPlaneUnlessToldOtherwise) {
  LITESR_REQUIRE_COMMAND("video", "LITESR_WITH_VIDEO");
  testing::TempDir dir;
  const fs::path frames = make_frames(dir.path(), 4, 32, 20);
  const fs::path yuv = dir.path() / "yuv420p.mkv";
  auto r = run_litesr({"video", "-i", frames.string(), "-o", yuv.string(), "-n", "bicubic", "-s", "2", "-c", "ffv1",
                       "--pix-fmt", "yuv420p", "--progress", "none"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run_litesr({"video", "-i", yuv.string(), "-n", "elsr-x4-y", "--benchmark", "--progress", "none"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("on the Y' plane"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("to_rgb"), std::string::npos) << r.out;
  r = run_litesr({"video", "-i", yuv.string(), "-n", "elsr-x4-y", "--benchmark", "--rgb-frames", "--progress", "none"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("to_rgb"), std::string::npos) << r.out;
  r = run_litesr({"video", "-i", frames.string(), "-n", "elsr-x4-y", "--benchmark", "--progress", "none"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("to_rgb"), std::string::npos) << r.out;  // PNG frames are R'G'B'
  // A written file: the model's scale, Y'CbCr kept.
  const fs::path out = dir.path() / "out.mkv";
  r = run_litesr({"-v", "video", "-i", yuv.string(), "-o", out.string(), "-n", "elsr-x4-y", "-c", "ffv1", "--progress",
                  "none"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("ffv1 yuv420p"), std::string::npos) << r.err;
  EXPECT_GT(fs::file_size(out), 0u);
}

TEST(VideoCli, CorruptInputIsAClearErrorWithNoOutput) {
  LITESR_REQUIRE_COMMAND("video", "LITESR_WITH_VIDEO");
  testing::TempDir dir;
  const fs::path bad = dir.path() / "bad.mkv";
  testing::write_file_bytes(bad, std::string(4096, '\x42'));
  const fs::path out = dir.path() / "out.mkv";
  auto r = run_litesr({"video", "-i", bad.string(), "-o", out.string(), "-n", "bicubic", "-s", "2", "--progress", "none"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("bad.mkv"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out));
  r = run_litesr({"video", "-i", (dir.path() / "missing.mp4").string(), "-o", out.string(), "--progress", "none"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_FALSE(fs::exists(out));
  r = run_litesr({"video", "-i", bad.string(), "-o", out.string(), "-n", "no-such-model"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_FALSE(fs::exists(out));
}

}  // namespace
}  // namespace litesr
