// End-to-end tests of `litesr eval`.
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_runner.h"
#include "io/image_file.h"
#include "testing/test_env.h"

namespace litesr {
namespace {

namespace fs = std::filesystem;
using testing::run_litesr;

Image smooth(int w, int h, int c) {
  Image img = Image::create(w, h, c, PixelType::kU8).value();
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int ch = 0; ch < c; ++ch)
        img.view<uint8_t>().at(x, y, ch) =
            static_cast<uint8_t>(127.5 + 90 * std::sin(0.2 * x + ch) * std::cos(0.15 * y) + ((x * 7 + y * 3) % 11));
  return img;
}

void make_dataset(const fs::path& dir) {
  fs::create_directories(dir / "HR");
  ASSERT_TRUE(write_image(dir / "HR" / "one.png", smooth(40, 32, 3)).ok());
  ASSERT_TRUE(write_image(dir / "HR" / "two.png", smooth(31, 45, 1)).ok());
}

TEST(EvalCli, Help) {
  auto r = run_litesr({"eval", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* opt : {"--method", "--dataset", "--scale", "--json", "--csv", "--save"}) {
    EXPECT_NE(r.out.find(opt), std::string::npos) << opt;
  }
}

TEST(EvalCli, TableJsonCsvAndSavedImages) {
  testing::TempDir tmp;
  make_dataset(tmp / "Mini");
  auto r = run_litesr({"eval", "--method", "bicubic", "--dataset", (tmp / "Mini").string(), "--scale", "2", "--json",
                       (tmp / "r.json").string(), "--csv", (tmp / "r.csv").string(), "--save", (tmp / "sr").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("one"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Mini"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("PSNR-Y"), std::string::npos) << r.out;
  auto j = nlohmann::json::parse(testing::read_file_bytes(tmp / "r.json"));
  EXPECT_EQ(j["dataset"], "Mini");
  EXPECT_EQ(j["scale"], 2);
  EXPECT_EQ(j["method"], "bicubic");
  EXPECT_EQ(j["lr_generated"], true);
  ASSERT_EQ(j["images"].size(), 2u);
  EXPECT_EQ(j["images"][0]["name"], "one");
  const double p0 = j["images"][0]["psnr_y"].get<double>();
  const double p1 = j["images"][1]["psnr_y"].get<double>();
  EXPECT_NEAR(j["mean"]["psnr_y"].get<double>(), (p0 + p1) / 2, 1e-9);
  for (const char* k : {"psnr_y", "ssim_y", "psnr_rgb", "ssim_rgb"}) EXPECT_TRUE(j["mean"][k].is_number()) << k;
  const std::string csv = testing::read_file_bytes(tmp / "r.csv");
  EXPECT_NE(csv.find("Mini,2,bicubic,image,two,"), std::string::npos) << csv;
  EXPECT_NE(csv.find("Mini,2,bicubic,mean,,"), std::string::npos) << csv;
  auto saved = read_image(tmp / "sr" / "Mini" / "x2" / "two.png");
  ASSERT_TRUE(saved.ok()) << saved.status().to_string();
  EXPECT_EQ(saved->image.width(), 30);
  EXPECT_EQ(saved->image.height(), 44);

  // Several scales: a "runs" list and a summary table.
  r = run_litesr({"eval", "-d", (tmp / "Mini").string(), "-s", "2,3", "--summary", "--json", (tmp / "m.json").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("one"), std::string::npos) << r.out;
  auto m = nlohmann::json::parse(testing::read_file_bytes(tmp / "m.json"));
  ASSERT_EQ(m["runs"].size(), 2u);
  EXPECT_EQ(m["runs"][1]["scale"], 3);
}

TEST(EvalCli, Errors) {
  testing::TempDir tmp;
  make_dataset(tmp / "Mini");
  fs::create_directories(tmp / "NoHr");
  const std::string mini = (tmp / "Mini").string();
  struct Case {
    std::vector<std::string> args;
    int code;
    const char* message;
  };
  const Case cases[] = {
      {{"eval", "-d", (tmp / "missing").string(), "-s", "2"}, 1, "does not exist"},
      {{"eval", "-d", (tmp / "NoHr").string(), "-s", "2"}, 1, "no HR folder"},
      {{"eval", "-d", mini, "-s", "0"}, 2, "positive"},
      {{"eval", "-d", mini, "-s", "-3"}, 2, "positive"},
      {{"eval", "-d", mini, "-s", "x"}, 2, "scale"},
      {{"eval", "-d", mini}, 2, "scale"},
      {{"eval", "-s", "2"}, 2, "dataset"},
      {{"eval", "-d", mini, "-s", "2", "--method", "magic"}, 2, "unknown method 'magic'"},
      {{"eval", "-d", mini, "-s", "2", "--lr-border", "wrap"}, 2, "border"},
      {{"eval", "-d", mini, "-s", "2", "--json", (tmp / "no" / "dir" / "r.json").string()}, 1, "r.json"},
      {{"eval", "-d", mini, "-s", "40"}, 1, "smaller than the scale"},
  };
  for (const Case& c : cases) {
    auto r = run_litesr(c.args);
    std::string joined;
    for (const auto& a : c.args) joined += a + " ";
    EXPECT_EQ(r.exit_code, c.code) << joined << "\n" << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << joined << "\nstderr: " << r.err;
  }
  // An unreadable HR image fails the run, naming the file.
  testing::write_file_bytes(tmp / "Mini" / "HR" / "three.png", "garbage");
  auto r = run_litesr({"eval", "-d", mini, "-s", "2"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("three.png"), std::string::npos) << r.err;
}

// Acceptance through the CLI: Set5 x4 bicubic (published 28.42 / 0.8104).
TEST(EvalCli, Set5X4MatchesPublished) {
  LITESR_REQUIRE_SHARED_DATA(data);
  testing::TempDir tmp;
  auto r = run_litesr({"eval", "--method", "bicubic", "--dataset", (data / "sr_benchmark" / "Set5").string(), "--scale",
                       "4", "--json", (tmp / "r.json").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(testing::read_file_bytes(tmp / "r.json"));
  EXPECT_EQ(j["lr_generated"], false);
  EXPECT_NEAR(j["mean"]["psnr_y"].get<double>(), 28.42, 0.05);
  EXPECT_NEAR(j["mean"]["ssim_y"].get<double>(), 0.8104, 0.002);
}

}  // namespace
}  // namespace litesr
