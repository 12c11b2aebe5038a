// `litesr train --compare --report`: the runs' summary, curves and validation crops over time, in a browser.
#include "report/training_report.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "eval/matlab_resize.h"
#include "io/image_file.h"
#include "report_fixtures.h"
#include "testing/browser_check.h"
#include "testing/test_env.h"

namespace litesr {
namespace {

namespace fs = std::filesystem;

// A run's curves: the loss falls, the validation PSNR-Y rises to `final_psnr` with a dip before the end.
TrainingRunCurves curves(const fs::path& dir, double final_psnr) {
  TrainingRunCurves r;
  r.name = dir.filename().string();
  r.dir = dir;
  r.scale = 4;
  r.last_iteration = 10000;
  for (int it = 100; it <= 10000; it += 100) r.loss.push_back({it, 0.1 / std::sqrt(it / 100.0)});
  for (int it = 1000; it <= 10000; it += 1000) {
    double v = final_psnr - 3.0 * std::exp(-it / 3000.0);
    if (it == 9000) v += 0.2;  // the best is not the last
    r.psnr.push_back({it, v});
  }
  return r;
}

// RUN/val_crops: for two images, a 48x48 crop per iteration that sharpens towards the HR crop, plus hr/ and lr/.
void write_crops(const fs::path& run) {
  for (const char* image : {"baby", "bird"}) {
    const Image hr = testing::natural_image(48, 48, image[1]);
    const Image lr = matlab_imresize(hr, 0.25).value();
    const Image blurry = matlab_imresize(lr, 4.0).value();
    fs::create_directories(run / "val_crops" / "hr");
    fs::create_directories(run / "val_crops" / "lr");
    ASSERT_TRUE(write_image(run / "val_crops" / "hr" / (std::string(image) + ".png"), hr).ok());
    ASSERT_TRUE(write_image(run / "val_crops" / "lr" / (std::string(image) + ".png"), lr).ok());
    for (int it = 1000; it <= 10000; it += 1000) {
      const double t = it / 10000.0;
      Image step = blurry.clone();
      for (int y = 0; y < 48; ++y) {
        for (int x = 0; x < 48; ++x) {
          for (int c = 0; c < 3; ++c) {
            step.view<uint8_t>().at(x, y, c) = static_cast<uint8_t>(
                std::lround((1 - t) * blurry.view<uint8_t>().at(x, y, c) + t * hr.view<uint8_t>().at(x, y, c)));
          }
        }
      }
      const fs::path dir = run / "val_crops" / std::to_string(it);
      fs::create_directories(dir);
      ASSERT_TRUE(write_image(dir / (std::string(image) + ".png"), step).ok());
    }
  }
}

TEST(TrainingReport, FindsValidationCrops) {
  testing::TempDir tmp;
  write_crops(tmp / "run_a");
  fs::create_directories(tmp / "run_a" / "val_crops" / "notes");  // ignored: not an iteration
  auto crops = find_validation_crops(tmp / "run_a");
  ASSERT_TRUE(crops.ok()) << crops.status().to_string();
  ASSERT_EQ(crops->size(), 2u);
  EXPECT_EQ((*crops)[0].image, "baby");
  ASSERT_EQ((*crops)[0].steps.size(), 10u);
  EXPECT_EQ((*crops)[0].steps.front().iteration, 1000);
  EXPECT_EQ((*crops)[0].steps.back().iteration, 10000);  // numeric, not lexical, order
  EXPECT_FALSE((*crops)[0].hr.empty());
  EXPECT_FALSE((*crops)[0].lr.empty());
  auto none = find_validation_crops(tmp / "run_b");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(TrainingReport, WithoutCropsSaysSoAndShowsTheCurves) {
  testing::TempDir tmp;
  fs::create_directories(tmp / "run_a");
  fs::create_directories(tmp / "run_b");
  const std::vector<TrainingRunCurves> runs{curves(tmp / "run_a", 28.0), curves(tmp / "run_b", 28.4)};
  TrainingReportOptions o;
  o.command = "litesr train --compare run_a run_b --report r.html";
  auto html = training_report_html(runs, o);
  ASSERT_TRUE(html.ok()) << html.status().to_string();
  EXPECT_NE(html->find("id=\"no-crops\""), std::string::npos);
  EXPECT_NE(html->find("curve-psnr"), std::string::npos);
  EXPECT_NE(html->find("curve-loss"), std::string::npos);
  EXPECT_EQ(html->find("class=\"panel\""), std::string::npos);
  testing::write_file_bytes(tmp / "r.html", *html);
  LITESR_REQUIRE_BROWSER();
  auto observed = testing::check_report_in_browser(tmp / "r.html", "training_report_no_crops.png");
  ASSERT_TRUE(observed.ok()) << observed.status().to_string();
  testing::expect_report_works(*observed, /*interactive=*/false);
  bool said = false;
  for (const auto& n : (*observed)["notes"])
    said = said || n.get<std::string>().find("no validation crops") != std::string::npos ||
           n.get<std::string>().find("holds validation crops") != std::string::npos;
  EXPECT_TRUE(said) << (*observed)["notes"].dump();
  EXPECT_EQ((*observed)["charts"].size(), 2u);
}

TEST(TrainingReport, CropsOverTimeInTheBrowser) {
  testing::TempDir tmp;
  write_crops(tmp / "run_a");
  fs::create_directories(tmp / "run_b");
  const std::vector<TrainingRunCurves> runs{curves(tmp / "run_a", 28.0), curves(tmp / "run_b", 28.4)};
  TrainingReportOptions o;
  o.command = "litesr train --compare run_a run_b --report r.html";
  o.version = "0.0";
  auto html = training_report_html(runs, o);
  ASSERT_TRUE(html.ok()) << html.status().to_string();
  auto json_text = training_report_json(runs, o);
  ASSERT_TRUE(json_text.ok());
  const nlohmann::json j = nlohmann::json::parse(*json_text);
  ASSERT_EQ(j["runs"].size(), 2u);
  EXPECT_EQ(j["runs"][0]["crops"]["images"], nlohmann::json({"baby", "bird"}));
  EXPECT_EQ(j["runs"][0]["crops"]["iterations"].size(), 10u);
  EXPECT_TRUE(j["runs"][1]["crops"]["images"].empty());
  EXPECT_EQ(j["runs"][0]["best_iteration"], 9000);
  EXPECT_EQ(j["runs"][0]["validations"], 10);
  // Eight of the ten iterations per image (first and last kept), plus the LR and HR crops.
  EXPECT_NE(html->find("iteration 1000"), std::string::npos);
  EXPECT_NE(html->find("iteration 10000"), std::string::npos);
  EXPECT_NE(html->find("run_b holds no validation crops"), std::string::npos);
  testing::write_file_bytes(tmp / "r.html", *html);

  LITESR_REQUIRE_BROWSER();
  auto observed = testing::check_report_in_browser(tmp / "r.html", "training_report.png");
  ASSERT_TRUE(observed.ok()) << observed.status().to_string();
  const nlohmann::json& o_ = *observed;
  testing::expect_report_works(o_, /*interactive=*/true);
  EXPECT_EQ(o_["panels"], 2);
  // The summary shows the JSON's numbers, and the better run is marked.
  ASSERT_EQ(o_["run_cells"].size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    const auto& row = o_["run_cells"][i];
    const auto& run = j["runs"][i];
    EXPECT_EQ(row["name"], run["name"]);
    EXPECT_EQ(std::stod(row["last_psnr_y"].get<std::string>()), run["last_psnr_y"].get<double>());
    EXPECT_EQ(std::stod(row["best_psnr_y"].get<std::string>()), run["best_psnr_y"].get<double>());
    EXPECT_NEAR(std::stod(row["best_psnr_y_text"].get<std::string>()), run["best_psnr_y"].get<double>(),
                0.0005 + 1e-12);
    EXPECT_EQ(std::stoll(row["best_iteration"].get<std::string>()), run["best_iteration"].get<int64_t>());
    EXPECT_EQ(std::stoll(row["iterations"].get<std::string>()), run["iterations"].get<int64_t>());
  }
  EXPECT_FALSE(o_["run_cells"][0].contains("last_psnr_y_win"));
  EXPECT_TRUE(o_["run_cells"][1].contains("last_psnr_y_win"));
  EXPECT_EQ(o_["command"], o.command);
}

}  // namespace
}  // namespace litesr
