// End-to-end tests of `litesr upscale` and `litesr models`: outputs, layouts kept, exit codes, no partial files.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "cli/cli_runner.h"
#include "io/image_file.h"
#include "testing/test_env.h"

namespace litesr {
namespace {

namespace fs = std::filesystem;
using testing::run_litesr;
using testing::TempDir;

// A smooth test image with `channels` channels of type u8 or u16.
Image make_image(int w, int h, int channels, PixelType type) {
  Image img = std::move(Image::create(w, h, channels, type)).value();
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < channels; ++c) {
        const int v = (x * 7 + y * 5 + c * 40) % 256;
        if (type == PixelType::kU8) img.view<uint8_t>().at(x, y, c) = static_cast<uint8_t>(v);
        else img.view<uint16_t>().at(x, y, c) = static_cast<uint16_t>(v * 257 + 3);
      }
  return img;
}

void write_png(const fs::path& p, const Image& img) { ASSERT_TRUE(write_image(p, img).ok()); }

bool has_temp_files(const fs::path& dir) {
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.path().filename().string().find("tmp") != std::string::npos) return true;
  }
  return false;
}

TEST(UpscaleCli, SingleFileWithBicubicKeepsAlphaAndSize) {
  TempDir dir;
  write_png(dir / "in.png", make_image(13, 9, 4, PixelType::kU8));
  const auto r = run_litesr({"upscale", "-i", (dir / "in.png").string(), "-o", (dir / "out.png").string(), "-n",
                             "bicubic", "-s", "3", "--progress", "none"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto out = read_image(dir / "out.png");
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(out->image.width(), 39);
  EXPECT_EQ(out->image.height(), 27);
  EXPECT_EQ(out->image.channels(), 4);
  EXPECT_NE(r.err.find("upscaled 1 of 1"), std::string::npos) << r.err;
}

// Every built-in model upscales a still image (video models as a static window of T copies).
TEST(UpscaleCli, EveryBuiltinModelUpscalesAStillImage) {
  TempDir dir;
  write_png(dir / "in.png", make_image(11, 7, 3, PixelType::kU8));
  const auto list = run_litesr({"models"});
  ASSERT_EQ(list.exit_code, 0);
  for (const char* name : {"elsr-x4", "sam-sr-xlite-x4", "evsrnet-x4"}) {
    if (list.out.find(name) == std::string::npos) continue;
    const fs::path out = dir / (std::string(name) + ".png");
    const auto r = run_litesr({"upscale", "-i", (dir / "in.png").string(), "-o", out.string(), "-n", name,
                               "--progress", "none"});
    ASSERT_EQ(r.exit_code, 0) << name << ": " << r.err;
    auto img = read_image(out);
    ASSERT_TRUE(img.ok()) << name;
    EXPECT_EQ(img->image.width(), 44) << name;
    EXPECT_EQ(img->image.height(), 28) << name;
  }
}

TEST(UpscaleCli, SixteenBitGreyStaysSixteenBitGrey) {
  TempDir dir;
  write_png(dir / "g16.png", make_image(8, 6, 1, PixelType::kU16));
  const auto r = run_litesr({"upscale", "-i", (dir / "g16.png").string(), "-n", "bicubic", "-s", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto out = read_image(dir / "g16_x2.png");  // default name beside the input
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(out->image.channels(), 1);
  EXPECT_EQ(out->bit_depth, 16);
  EXPECT_EQ(out->image.width(), 16);
}

TEST(UpscaleCli, FolderWithCorruptImageReportsPartialFailure) {
  TempDir dir;
  const fs::path in = dir / "in";
  fs::create_directories(in / "sub");
  write_png(in / "a.png", make_image(10, 10, 3, PixelType::kU8));
  write_png(in / "sub" / "b.png", make_image(7, 5, 3, PixelType::kU8));
  testing::write_file_bytes(in / "broken.png", "\x89PNG\r\n\x1a\n garbage that is not a PNG");
  const fs::path out = dir / "out";
  const auto r = run_litesr({"upscale", "-i", in.string(), "-o", out.string(), "-r", "-n", "bicubic", "-s", "2",
                             "-f", "webp", "--json", (dir / "summary.json").string()});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("broken.png"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::exists(out / "a.webp"));
  EXPECT_TRUE(fs::exists(out / "sub" / "b.webp"));
  EXPECT_FALSE(fs::exists(out / "broken.webp"));
  EXPECT_FALSE(has_temp_files(out));
  const std::string summary = testing::read_file_bytes(dir / "summary.json");
  EXPECT_NE(summary.find("\"failed\": 1"), std::string::npos) << summary;
  EXPECT_NE(summary.find("\"succeeded\": 2"), std::string::npos) << summary;

  // A second run skips what exists and retries only the failure.
  const auto again = run_litesr({"upscale", "-i", in.string(), "-o", out.string(), "-r", "-n", "bicubic", "-s",
                                 "2", "-f", "webp"});
  EXPECT_EQ(again.exit_code, 3);
  EXPECT_NE(again.err.find("2 skipped"), std::string::npos) << again.err;
}

TEST(UpscaleCli, SingleUnreadableFileFailsWithoutOutput) {
  TempDir dir;
  testing::write_file_bytes(dir / "empty.png", "");
  const auto r = run_litesr({"upscale", "-i", (dir / "empty.png").string(), "-o", (dir / "o.png").string(), "-n",
                             "bicubic", "-s", "2"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("empty.png"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir / "o.png"));
}

TEST(UpscaleCli, UsageErrors) {
  TempDir dir;
  write_png(dir / "in.png", make_image(4, 4, 3, PixelType::kU8));
  const std::string in = (dir / "in.png").string();
  EXPECT_EQ(run_litesr({"upscale", "-i", in, "-n", "no-such-model"}).exit_code, 2);
  EXPECT_EQ(run_litesr({"upscale", "-i", in, "-n", "bicubic", "-s", "2", "-f", "gif"}).exit_code, 2);
  EXPECT_EQ(run_litesr({"upscale", "-i", in, "-n", "bicubic", "-s", "2", "-q", "0"}).exit_code, 2);
  EXPECT_EQ(run_litesr({"upscale", "-i", in, "-o", in, "-n", "bicubic", "-s", "2"}).exit_code, 2);
  EXPECT_EQ(run_litesr({"upscale", "-i", dir.path().string(), "-n", "bicubic", "-s", "2"}).exit_code, 2);
  EXPECT_EQ(run_litesr({"upscale", "-i", (dir / "missing.png").string(), "-n", "bicubic"}).exit_code, 1);
  EXPECT_EQ(run_litesr({"upscale"}).exit_code, 2);
  EXPECT_EQ(run_litesr({"upscale", "-i", in, "-n", "bicubic", "--stream", "sometimes"}).exit_code, 2);
  const auto level = run_litesr({"upscale", "-i", in, "-o", (dir / "o.png").string(), "--png-level", "10"});
  EXPECT_EQ(level.exit_code, 2);
  EXPECT_NE(level.err.find("--png-level"), std::string::npos) << level.err;
  EXPECT_EQ(run_litesr({"upscale", "-i", in, "-o", (dir / "o.png").string(), "--encoders", "-2"}).exit_code, 2);
  EXPECT_FALSE(fs::exists(dir / "o.png"));
}

// Any output size: -s 1.5 runs the family's x2 model and names the output _x1.5; --size gives exact pixels and
// its name; both together, factors <= 1 and sizes beyond the model are errors with nothing written.
TEST(UpscaleCli, AnyOutputSize) {
  TempDir dir;
  write_png(dir / "in.png", make_image(20, 14, 3, PixelType::kU8));
  const std::string in = (dir / "in.png").string();
  const auto factor = run_litesr({"upscale", "-i", in, "-n", "elsr-x4", "-s", "1.5", "-v", "--progress", "none"});
  ASSERT_EQ(factor.exit_code, 0) << factor.err;
  EXPECT_NE(factor.err.find("elsr-x2 x2 -> x1.5"), std::string::npos) << factor.err;
  auto out = read_image(dir / "in_x1.5.png");
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(out->image.width(), 30);
  EXPECT_EQ(out->image.height(), 21);
  const auto size = run_litesr({"upscale", "-i", in, "--size", "57x40", "--progress", "none"});
  ASSERT_EQ(size.exit_code, 0) << size.err;
  out = read_image(dir / "in_57x40.png");
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(out->image.width(), 57);
  EXPECT_EQ(out->image.height(), 40);
  EXPECT_EQ(run_litesr({"upscale", "-i", in, "-s", "2", "--size", "40x28"}).exit_code, 2);
  EXPECT_EQ(run_litesr({"upscale", "-i", in, "-s", "1"}).exit_code, 2);
  EXPECT_EQ(run_litesr({"upscale", "-i", in, "-s", "abc"}).exit_code, 2);
  EXPECT_EQ(run_litesr({"upscale", "-i", in, "-n", "elsr-x2", "-s", "6"}).exit_code, 2);
  const auto too_big = run_litesr({"upscale", "-i", in, "-o", (dir / "big.png").string(), "--size", "200x100"});
  EXPECT_EQ(too_big.exit_code, 1);
  EXPECT_NE(too_big.err.find("more than the model's x4"), std::string::npos) << too_big.err;
  EXPECT_FALSE(fs::exists(dir / "big.png"));
}

// Runs `litesr upscale` on `in` with --stream `mode` plus `extra` into `out`; returns the output bytes.
std::string upscale_bytes(const fs::path& in, const fs::path& out, const std::string& mode,
                          std::vector<std::string> extra) {
  std::vector<std::string> args = {"upscale", "-i", in.string(), "-o", out.string(), "--stream", mode,
                                   "--overwrite", "--progress", "none", "-v"};
  args.insert(args.end(), extra.begin(), extra.end());
  const auto r = run_litesr(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return testing::read_file_bytes(out);
}

// Little-endian EXIF (TIFF) bytes whose IFD0 holds one entry: Orientation = `orientation`.
std::string exif_with_orientation(int orientation) {
  std::string t("II*\0\x08\0\0\0", 8);                          // header, IFD0 at offset 8
  t += std::string("\x01\0", 2);                                    // one entry
  t += std::string("\x12\x01\x03\0\x01\0\0\0", 8);                // tag 0x0112, SHORT, count 1
  t += static_cast<char>(orientation);
  t += std::string("\0\0\0", 3);                                   // value (padded to 4 bytes)
  t += std::string("\0\0\0\0", 4);                                 // no next IFD
  return t;
}

// Streaming in bands (-t LR rows, several bands here) writes exactly the file the whole-image path writes:
// every layout, PNG and JPEG in and out, bicubic and ELSR, alpha and 16 bit, ICC and EXIF carried over, and
// outputs resized to any size (-s 1.5, --size).
TEST(UpscaleCli, StreamedOutputEqualsWholeImageOutput) {
  TempDir dir;
  write_png(dir / "rgb.png", make_image(21, 17, 3, PixelType::kU8));
  write_png(dir / "rgba16.png", make_image(13, 11, 4, PixelType::kU16));
  WriteOptions jpeg;
  jpeg.quality = 90;
  jpeg.icc_profile = std::string(300, '\x5a');  // opaque bytes: JPEG carries them as they are
  jpeg.exif = exif_with_orientation(1);
  ASSERT_TRUE(write_image(dir / "grey.jpg", make_image(19, 14, 1, PixelType::kU8), jpeg).ok());
  struct Case {
    std::string input, output;
    std::vector<std::string> extra;
  };
  const std::vector<Case> cases = {
      {"rgb.png", "a.png", {"-n", "elsr-x4", "-t", "3"}},
      {"rgb.png", "b.jpg", {"-n", "elsr-x4", "-t", "5", "-q", "80"}},
      {"rgba16.png", "c.png", {"-n", "elsr-x2", "-t", "4"}},
      {"grey.jpg", "d.jpg", {"-n", "elsr-x4", "-t", "2"}},
      {"grey.jpg", "e.png", {"-n", "bicubic", "-s", "3", "-t", "4"}},
      // Resized outputs: the model's rows through the row-streaming resize in the same pass.
      {"rgb.png", "f.png", {"-n", "elsr-x4", "-s", "1.5", "-t", "3"}},       // x2, then height and width x0.75
      {"rgba16.png", "g.png", {"-n", "elsr-x4", "--size", "30x40", "-t", "2"}},  // x4, width shrinks first
      {"grey.jpg", "h.png", {"-n", "bicubic", "-s", "2.5", "-t", "4"}},      // bicubic: the input resized
      {"rgb.png", "i.jpg", {"-n", "elsr-x4", "--size", "84x68", "-t", "3"}},  // exactly x4: nothing resized
  };
  for (const Case& c : cases) {
    std::vector<std::string> with_json = c.extra;
    with_json.insert(with_json.end(), {"--json", (dir / "s.json").string()});
    const std::string streamed = upscale_bytes(dir / c.input, dir / c.output, "always", with_json);
    EXPECT_NE(testing::read_file_bytes(dir / "s.json").find("\"streamed\": true"), std::string::npos) << c.input;
    const std::string whole = upscale_bytes(dir / c.input, dir / c.output, "never", c.extra);
    ASSERT_FALSE(whole.empty()) << c.input;
    EXPECT_TRUE(streamed == whole) << c.input << " -> " << c.output;
  }
  const DecodedImage d = read_image(dir / "d.jpg").value();  // the streamed grey JPEG kept its metadata
  EXPECT_EQ(d.icc_profile, jpeg.icc_profile);
  EXPECT_EQ(d.exif, jpeg.exif);
  EXPECT_FALSE(has_temp_files(dir.path()));
}

// Models with global ops and WebP output do not stream: the whole-image path runs instead, and says so.
TEST(UpscaleCli, StreamAlwaysFallsBackWhereStreamingCannotWork) {
  TempDir dir;
  write_png(dir / "in.png", make_image(12, 10, 3, PixelType::kU8));
  for (const auto& [output, model] : std::vector<std::pair<std::string, std::string>>{
           {"sam.png", "sam-sr-xlite-x4"}, {"out.webp", "elsr-x4"}}) {
    const auto r = run_litesr({"upscale", "-i", (dir / "in.png").string(), "-o", (dir / output).string(), "-n",
                               model, "--stream", "always", "-v", "--json", (dir / "s.json").string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("not streamed"), std::string::npos) << r.err;
    EXPECT_NE(testing::read_file_bytes(dir / "s.json").find("\"streamed\": false"), std::string::npos);
    EXPECT_TRUE(read_image(dir / output).ok()) << output;
  }
}

// An EXIF rotation needs the whole image: --stream always falls back, and the output is upright.
TEST(UpscaleCli, RotatedPhotoIsUpscaledWholeAndUpright) {
  TempDir dir;
  WriteOptions rotated;
  rotated.exif = exif_with_orientation(6);  // stored 16x10, displayed 10x16
  ASSERT_TRUE(write_image(dir / "r.jpg", make_image(16, 10, 3, PixelType::kU8), rotated).ok());
  const auto r = run_litesr({"upscale", "-i", (dir / "r.jpg").string(), "-o", (dir / "out.png").string(),
                             "-n", "elsr-x4", "--stream", "always", "-v"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("EXIF orientation"), std::string::npos) << r.err;
  const DecodedImage out = read_image(dir / "out.png").value();
  EXPECT_EQ(out.image.width(), 40);
  EXPECT_EQ(out.image.height(), 64);
}

// A file that breaks off half way fails while streaming: exit 1, the file named, no output, no temporary.
TEST(UpscaleCli, StreamedTruncatedInputLeavesNoOutput) {
  TempDir dir;
  WriteOptions png;
  png.format = ImageFormat::kPng;
  const std::string bytes = encode_image(make_image(64, 64, 3, PixelType::kU8), png).value();
  testing::write_file_bytes(dir / "cut.png", bytes.substr(0, bytes.size() / 2));
  const auto r = run_litesr({"upscale", "-i", (dir / "cut.png").string(), "-o", (dir / "out.png").string(),
                             "--stream", "always", "-t", "4"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cut.png"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir / "out.png"));
  EXPECT_FALSE(has_temp_files(dir.path()));
}

TEST(ModelsCli, ListsBuiltinModels) {
  const auto r = run_litesr({"models"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("bicubic"), std::string::npos);
  EXPECT_NE(r.out.find("(default for images)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(default for video)"), std::string::npos) << r.out;
  // The defaults are the measured choices (bench/choose_defaults.sh), each once.
  const std::size_t images = r.out.find("(default for images)");
  EXPECT_EQ(r.out.rfind("\n", images) + 1, r.out.find("sam-sr-xlite-x4 ")) << r.out;
  const std::size_t video = r.out.find("(default for video)");
  EXPECT_EQ(r.out.rfind("\n", video) + 1, r.out.find("fsrcnn-x4-y")) << r.out;
}

TEST(VersionCli, PrintsVersionAndIsas) {
  const auto r = run_litesr({"--version"});
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("litesr "), std::string::npos);
  EXPECT_NE(r.out.find("isa"), std::string::npos) << r.out;
}

// Ctrl-C in the middle of a folder: exit 130, every output present is complete, no temporary is left, and
// a rerun skips the finished files and completes the rest (the pipelined batch; sequential alike).
TEST(UpscaleCli, InterruptedFolderLeavesCompleteFilesAndRerunSkipsThem) {
  constexpr int kImages = 300;
  for (const char* encoders : {"2", "0"}) {
    TempDir dir;
    const fs::path in = dir / "in", out = dir / "out";
    fs::create_directories(in);
    for (int i = 0; i < kImages; ++i) write_png(in / ("i" + std::to_string(1000 + i) + ".png"), make_image(64, 48, 3, PixelType::kU8));
    const std::string binary = LITESR_BINARY;
    const std::vector<std::string> args = {binary, "upscale", "-i", in.string(), "-o", out.string(), "-n", "elsr-x4",
                                           "--png-level", "9", "--encoders", encoders, "--progress", "none"};
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      std::vector<char*> argv;
      for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      ::freopen("/dev/null", "w", stderr);
      ::execv(binary.c_str(), argv.data());
      ::_exit(127);
    }
    // Interrupt once the first output exists (the run takes seconds at PNG level 9).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    auto outputs = [&] {
      std::error_code ec;
      int n = 0;
      for (const auto& e : fs::directory_iterator(out, ec)) n += e.path().extension() == ".png";
      return n;
    };
    while (outputs() == 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    ::kill(pid, SIGINT);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 130) << "encoders " << encoders;
    const int done = outputs();
    EXPECT_GT(done, 0);
    EXPECT_LT(done, kImages);
    EXPECT_FALSE(has_temp_files(out));
    for (const auto& e : fs::directory_iterator(out)) EXPECT_TRUE(read_image(e.path()).ok()) << e.path();

    const auto rerun = run_litesr({"upscale", "-i", in.string(), "-o", out.string(), "-n", "elsr-x4", "--encoders",
                                   encoders, "--progress", "none"});
    EXPECT_EQ(rerun.exit_code, 0) << rerun.err;
    EXPECT_NE(rerun.err.find(std::to_string(done) + " skipped"), std::string::npos) << rerun.err;
    EXPECT_EQ(outputs(), kImages);
  }
}

}  // namespace
}  // namespace litesr
