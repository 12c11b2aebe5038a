// `litesr train --compare RUN ... --report FILE.html --json FILE` end to end (LibTorch builds only; the report itself
// is tested without LibTorch in tests/report/training_report_test.cpp).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "cli_runner.h"
#include "io/image_file.h"
#include "testing/browser_check.h"
#include "testing/test_env.h"

namespace litesr {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::run_litesr;

// A run folder's train_log.jsonl: an x2 validation (left out), then x4 training and validation events.
std::string write_run(const fs::path& root, const std::string& name, double db_per_100) {
  fs::create_directories(root / name);
  std::ofstream log(root / name / "train_log.jsonl");
  log << json{{"event", "val"}, {"global_iteration", 50}, {"scale", 2}, {"psnr_y", 35.0}}.dump() << "\n";
  for (int g = 100; g <= 400; g += 100) {
    log << json{{"event", "train"}, {"global_iteration", g}, {"loss", 10.0 / g}}.dump() << "\n";
    log << json{{"event", "val"}, {"global_iteration", g}, {"scale", 4}, {"psnr_y", 28.0 + db_per_100 * g / 100}}.dump()
        << "\n";
  }
  return (root / name).string();
}

// RUN/val_crops/<iteration>/v.png for each validation, and hr/v.png.
void write_crops(const fs::path& run) {
  Image hr = Image::create(32, 32, 3, PixelType::kU8).value();
  for (int y = 0; y < 32; ++y)
    for (int x = 0; x < 32; ++x)
      for (int c = 0; c < 3; ++c)
        hr.view<uint8_t>().at(x, y, c) = static_cast<uint8_t>((x * 7 + y * 13 + c * 50) % 256);
  fs::create_directories(run / "val_crops" / "hr");
  ASSERT_TRUE(write_image(run / "val_crops" / "hr" / "v.png", hr).ok());
  for (int g = 100; g <= 400; g += 100) {
    Image step = hr.clone();
    for (int y = 0; y < 32; ++y)
      for (int x = 0; x < 32; ++x)
        step.view<uint8_t>().at(x, y, 0) = static_cast<uint8_t>(step.view<uint8_t>().at(x, y, 0) / (5 - g / 100));
    fs::create_directories(run / "val_crops" / std::to_string(g));
    ASSERT_TRUE(write_image(run / "val_crops" / std::to_string(g) / "v.png", step).ok());
  }
}

TEST(TrainCli, CompareReportAndJson) {
  LITESR_REQUIRE_COMMAND("train", "LITESR_WITH_TORCH");
  testing::TempDir dir;
  const std::string plain = write_run(dir.path(), "plain", 0.1);
  const std::string expanded = write_run(dir.path(), "expanded", 0.2);
  write_crops(expanded);
  const fs::path html = dir / "runs.html", json_path = dir / "runs.json";
  auto r = run_litesr({"train", "--compare", plain, expanded, "--report", html.string(), "--json", json_path.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("report: "), std::string::npos) << r.out;
  const json j = json::parse(testing::read_file_bytes(json_path));
  ASSERT_EQ(j["runs"].size(), 2u);
  EXPECT_EQ(j["runs"][0]["name"], "plain");
  EXPECT_EQ(j["runs"][0]["validations"], 4);  // the x2 validation is left out
  EXPECT_NEAR(j["runs"][0]["last_psnr_y"].get<double>(), 28.4, 1e-9);
  EXPECT_NEAR(j["runs"][1]["best_psnr_y"].get<double>(), 28.8, 1e-9);
  EXPECT_EQ(j["runs"][1]["best_iteration"], 400);
  EXPECT_EQ(j["runs"][1]["crops"]["images"], json({"v"}));
  EXPECT_TRUE(j["runs"][0]["crops"]["images"].empty());
  const std::string page = testing::read_file_bytes(html);
  EXPECT_NE(page.find("plain holds no validation crops"), std::string::npos);
  EXPECT_NE(page.find("iteration 400"), std::string::npos);
  EXPECT_EQ(run_litesr({"train", "--recipe", "r.toml", "--report", "r.html"}).exit_code, 2);

  LITESR_REQUIRE_BROWSER();
  auto observed = testing::check_report_in_browser(html, "train_compare_report.png");
  ASSERT_TRUE(observed.ok()) << observed.status().to_string();
  testing::expect_report_works(*observed, /*interactive=*/true);
  ASSERT_EQ((*observed)["run_cells"].size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    const json& row = (*observed)["run_cells"][i];
    EXPECT_EQ(std::stod(row["last_psnr_y"].get<std::string>()), j["runs"][i]["last_psnr_y"].get<double>());
    EXPECT_EQ(std::stod(row["best_psnr_y"].get<std::string>()), j["runs"][i]["best_psnr_y"].get<double>());
  }
  EXPECT_TRUE((*observed)["run_cells"][1].contains("best_psnr_y_win"));
}

// A real (tiny) training run writes its validation crops, and the report of that run shows them over time.
TEST(TrainCli, ReportShowsTheCropsOfARealRun) {
  LITESR_REQUIRE_COMMAND("train", "LITESR_WITH_TORCH");
  testing::TempDir dir;
  fs::create_directories(dir / "hr");
  fs::create_directories(dir / "val" / "HR");
  auto image = [](int w, int h, int seed) {
    Image img = Image::create(w, h, 3, PixelType::kU8).value();
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x)
        for (int c = 0; c < 3; ++c)
          img.view<uint8_t>().at(x, y, c) =
              static_cast<uint8_t>(127.5 + 120 * std::sin(0.31 * x * (c + 1) + seed) * std::cos(0.17 * y + seed + c));
    return img;
  };
  ASSERT_TRUE(write_image(dir / "hr" / "a.png", image(64, 48, 1)).ok());
  ASSERT_TRUE(write_image(dir / "val" / "HR" / "v.png", image(40, 40, 2)).ok());
  std::ofstream(dir / "r.toml") << "name = \"tiny\"\n[model]\narch = \"espcn\"\nscale = 4\n[data]\nhr_dirs = [\""
                                << (dir / "hr").string() << "\"]\nloader_threads = 1\n[validation]\ndir = \""
                                << (dir / "val").string() << "\"\nevery = 3\n[[stages]]\npatch = 16\nbatch = 2\n"
                                << "iterations = 6\nlr = 1e-3\n";
  const fs::path run = dir / "run";
  auto trained = run_litesr({"train", "--recipe", (dir / "r.toml").string(), "-o", run.string(), "-j1"});
  ASSERT_EQ(trained.exit_code, 0) << trained.err;
  for (const char* step : {"3", "6", "hr", "lr"}) EXPECT_TRUE(fs::exists(run / "val_crops" / step / "v.png")) << step;
  const fs::path html = dir / "run.html", json_path = dir / "run.json";
  auto r = run_litesr({"train", "--compare", run.string(), "--report", html.string(), "--json", json_path.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(testing::read_file_bytes(json_path));
  EXPECT_EQ(j["runs"][0]["crops"]["images"], json({"v"}));
  EXPECT_EQ(j["runs"][0]["crops"]["iterations"], json({3, 6}));
  EXPECT_NE(testing::read_file_bytes(html).find("iteration 6"), std::string::npos);
}

}  // namespace
}  // namespace litesr
