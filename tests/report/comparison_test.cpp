// Comparisons score exactly as `litesr eval` does, read every kind of input, and make reports of a stated size.
#include "report/comparison.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/image_ops.h"
#include "eval/evaluation.h"
#include "io/image_file.h"
#include "models/embedded_file.h"
#include "profile/builtin_catalog.h"
#include "report/comparison_report.h"
#include "report/report_job.h"
#include "report/sha256.h"
#include "report_fixtures.h"
#include "testing/test_env.h"

namespace litesr {
namespace {

namespace fs = std::filesystem;

// Nearest-neighbour x`scale`: a method that differs from bicubic everywhere.
ImageUpscaler nearest_upscaler(int scale) {
  return [scale](const Image& lr) -> Result<Image> {
    LITESR_ASSIGN_OR_RETURN(Image out, Image::create(lr.width() * scale, lr.height() * scale, 3, PixelType::kU8));
    for (int y = 0; y < out.height(); ++y) {
      for (int x = 0; x < out.width(); ++x) {
        for (int c = 0; c < 3; ++c) out.view<uint8_t>().at(x, y, c) = lr.view<uint8_t>().at(x / scale, y / scale, c);
      }
    }
    return out;
  };
}

void expect_same_scores(const EvaluationResult& a, const EvaluationResult& b) {
  ASSERT_EQ(a.images.size(), b.images.size());
  for (std::size_t i = 0; i < a.images.size(); ++i) {
    EXPECT_EQ(a.images[i].name, b.images[i].name);
    EXPECT_EQ(a.images[i].width, b.images[i].width);
    EXPECT_EQ(a.images[i].scores.psnr_y, b.images[i].scores.psnr_y) << a.images[i].name;
    EXPECT_EQ(a.images[i].scores.ssim_y, b.images[i].scores.ssim_y);
    EXPECT_EQ(a.images[i].scores.psnr_rgb, b.images[i].scores.psnr_rgb);
    EXPECT_EQ(a.images[i].scores.ssim_rgb, b.images[i].scores.ssim_rgb);
  }
  EXPECT_EQ(a.mean.psnr_y, b.mean.psnr_y);
  EXPECT_EQ(a.mean.ssim_rgb, b.mean.ssim_rgb);
  EXPECT_EQ(a.shave, b.shave);
  EXPECT_EQ(a.lr_generated, b.lr_generated);
}

TEST(Comparison, ScoresEqualEvaluateDataset) {
  testing::TempDir tmp;
  testing::write_natural_dataset(tmp / "Mini", 3, 66, 50);  // mod-cropped to 64 x 48
  ASSERT_TRUE(
      write_image(tmp / "Mini" / "HR" / "grey.png", extract_channels(testing::natural_image(40, 36, 9), 0, 1).value())
          .ok());
  ComparisonInputOptions io;
  io.scale = 4;
  auto in = open_comparison_input(tmp / "Mini", io);
  ASSERT_TRUE(in.ok()) << in.status().to_string();
  EXPECT_TRUE(in->has_hr);
  EXPECT_TRUE(in->lr_generated);
  const std::vector<ComparedMethod> methods{{"bicubic", make_bicubic_upscaler(4)}, {"nearest", nearest_upscaler(4)}};
  ComparisonOptions options;
  options.jobs = 2;
  options.panel.crop_size = 16;
  auto set = run_comparison(*in, methods, options);
  ASSERT_TRUE(set.ok()) << set.status().to_string();
  ASSERT_EQ(set->results.size(), 2u);
  ASSERT_EQ(set->panels.size(), 4u);
  EXPECT_EQ(set->images, (std::vector<std::string>{"grey", "img000", "img001", "img002"}));
  for (std::size_t m = 0; m < methods.size(); ++m) {
    SrDatasetOptions dopt;
    dopt.scale = 4;
    auto ds = open_sr_dataset(tmp / "Mini", dopt);
    ASSERT_TRUE(ds.ok());
    auto expected = evaluate_dataset(*ds, dopt, methods[m].upscaler, methods[m].name);
    ASSERT_TRUE(expected.ok());
    expect_same_scores(set->results[m], *expected);
    EXPECT_EQ(set->results[m].method, methods[m].name);
  }
  EXPECT_GT(set->results[0].mean.psnr_y, set->results[1].mean.psnr_y);  // bicubic beats nearest
}

TEST(Comparison, PlainImagesWithAndWithoutGroundTruth) {
  testing::TempDir tmp;
  fs::create_directories(tmp / "photos");
  ASSERT_TRUE(write_image(tmp / "photos" / "a.png", testing::natural_image(48, 40, 1)).ok());
  ASSERT_TRUE(write_image(tmp / "photos" / "b.jpg", testing::natural_image(52, 44, 2)).ok());
  const std::vector<ComparedMethod> methods{{"bicubic", make_bicubic_upscaler(2)}, {"nearest", nearest_upscaler(2)}};
  ComparisonInputOptions io;
  io.scale = 2;
  // LR inputs: no scores, panels of 2x outputs.
  auto in = open_comparison_input(tmp / "photos", io);
  ASSERT_TRUE(in.ok()) << in.status().to_string();
  EXPECT_FALSE(in->has_hr);
  auto set = run_comparison(*in, methods, {});
  ASSERT_TRUE(set.ok()) << set.status().to_string();
  EXPECT_TRUE(set->results.empty());
  ASSERT_EQ(set->panels.size(), 2u);
  EXPECT_EQ(set->panels[0].width, 96);
  EXPECT_EQ(set->panels[0].layers.size(), 3u);  // LR and two methods, no HR
  // One file.
  auto one = open_comparison_input(tmp / "photos" / "a.png", io);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->name, "a.png");
  EXPECT_EQ(one->dataset.pairs.size(), 1u);
  // As ground truth: the same scores as the same images in a dataset's HR folder.
  io.images_are_hr = true;
  auto as_hr = open_comparison_input(tmp / "photos", io);
  ASSERT_TRUE(as_hr.ok());
  EXPECT_TRUE(as_hr->has_hr);
  ComparisonOptions no_panels;
  no_panels.panels = false;
  auto scored = run_comparison(*as_hr, methods, no_panels);
  ASSERT_TRUE(scored.ok()) << scored.status().to_string();
  EXPECT_TRUE(scored->panels.empty());
  fs::create_directories(tmp / "ds" / "HR");
  fs::copy(tmp / "photos" / "a.png", tmp / "ds" / "HR" / "a.png");
  fs::copy(tmp / "photos" / "b.jpg", tmp / "ds" / "HR" / "b.jpg");
  SrDatasetOptions dopt;
  dopt.scale = 2;
  auto ds = open_sr_dataset(tmp / "ds", dopt);
  ASSERT_TRUE(ds.ok());
  auto expected = evaluate_dataset(*ds, dopt, methods[1].upscaler, "nearest");
  ASSERT_TRUE(expected.ok());
  expect_same_scores(scored->results[1], *expected);
  // Errors.
  EXPECT_EQ(open_comparison_input(tmp / "missing", io).status().code(), StatusCode::kNotFound);
  fs::create_directories(tmp / "empty");
  EXPECT_EQ(open_comparison_input(tmp / "empty", io).status().code(), StatusCode::kInvalidArgument);
  testing::write_file_bytes(tmp / "photos" / "c.png", "not an image");
  auto broken = open_comparison_input(tmp / "photos", io);
  ASSERT_TRUE(broken.ok());
  auto failed = run_comparison(*broken, methods, no_panels);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("c.png"), std::string::npos) << failed.status().to_string();
}

TEST(Comparison, ReportJobDescribesModelsAndWritesTheSameNumbers) {
  testing::TempDir tmp;
  testing::write_natural_dataset(tmp / "Mini", 2, 64, 48);
  ReportJob job;
  job.methods = {"bicubic", "elsr-x4"};
  ComparisonInputOptions io;
  io.scale = 4;
  job.inputs.push_back(open_comparison_input(tmp / "Mini", io).value());
  job.threads = 1;
  job.timing.timed_runs = 2;
  job.timing.warmup_runs = 1;
  job.timing.threads = 1;
  job.title = "test";
  job.command = "litesr compare -n elsr-x4 -i Mini";
  job.version = "0.0";
  auto report = run_report_job(job);
  ASSERT_TRUE(report.ok()) << report.status().to_string();
  EXPECT_EQ(report->reference, 0);
  ASSERT_EQ(report->models.size(), 2u);
  const ModelCard& elsr = report->models[1];
  EXPECT_EQ(elsr.name, "elsr-x4");
  EXPECT_EQ(elsr.source, "built-in");
  EXPECT_EQ(elsr.params, 3474);  // DESIGN §4
  auto catalog = builtin_model_catalog();
  ASSERT_TRUE(catalog.ok());
  for (const BuiltinModelSummary& s : *catalog) {
    if (s.name == "elsr-x4") {
      EXPECT_EQ(elsr.macs_720p, s.macs_720p);
    }
  }
  for (std::size_t i = 0; i < kEmbeddedModelCount; ++i) {
    if (std::string(kEmbeddedModels[i].name) == "elsr-x4") {
      EXPECT_EQ(elsr.sha256, sha256_hex(std::string_view(reinterpret_cast<const char*>(kEmbeddedModels[i].data),
                                                         kEmbeddedModels[i].size)));
    }
  }
  EXPECT_TRUE(elsr.timed) << elsr.timing_error;
  EXPECT_GT(elsr.timing.median_ms, 0.0);
  EXPECT_EQ(elsr.timing.timed_runs, 2);
  EXPECT_TRUE(report->models[0].sha256.empty());  // bicubic has no weights

  const nlohmann::json j = nlohmann::json::parse(comparison_report_json(*report));
  EXPECT_EQ(j["command"], job.command);
  EXPECT_EQ(j["methods"], nlohmann::json(job.methods));
  EXPECT_EQ(j["models"][1]["sha256"], elsr.sha256);
  EXPECT_EQ(j["models"][1]["ms_per_frame_720p"].get<double>(), elsr.timing.median_ms);
  const auto& runs = j["sets"][0]["runs"];
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[1]["method"], "elsr-x4");
  EXPECT_EQ(runs[1]["images"][0]["psnr_y"].get<double>(), report->sets[0].results[1].images[0].scores.psnr_y);

  // The page carries every score with its exact value, the command and the hash, and no external reference.
  const std::string html = comparison_report_html(*report);
  char cell[128];
  std::snprintf(cell, sizeof cell, "data-value=\"%.17g\"", report->sets[0].results[1].mean.psnr_y);
  EXPECT_NE(html.find(cell), std::string::npos);
  EXPECT_NE(html.find(elsr.sha256), std::string::npos);
  EXPECT_NE(html.find("litesr compare -n elsr-x4 -i Mini"), std::string::npos);
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg"));  // only the SVG namespace name
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_NE(html.find("Content-Security-Policy"), std::string::npos);
  const std::string text = comparison_report_text(*report);
  EXPECT_NE(text.find("elsr-x4"), std::string::npos);

  // A model of another scale is refused by common_model_scale.
  EXPECT_FALSE(common_model_scale({"bicubic", "elsr-x2", "elsr-x4"}, 4).ok());
  EXPECT_EQ(common_model_scale({"bicubic"}, 3).value(), 3);
  EXPECT_EQ(common_model_scale({"bicubic", "elsr-x2"}, 4).value(), 2);
}

// The stated size (docs/report.md): a report of 100 images with bicubic and two models, default settings, stays
// under 12 MB; and no image's panel embeds more than its crops can hold uncompressed.
constexpr std::size_t kBudget100Images = 12'000'000;

std::size_t panel_bound(const ImagePanel& p, const PanelOptions& o, int methods) {
  const std::size_t crop = static_cast<std::size_t>(o.crop_size) * o.crop_size * 3;
  const std::size_t layers_raw = crop * o.regions * (methods + 1) + crop * o.regions / (p.scale * p.scale);
  return layers_raw + layers_raw / 50 + 4096 /* container headers */ +
         static_cast<std::size_t>(o.thumbnail_side) * o.thumbnail_side * 3 / 2;
}

TEST(ComparisonReportSize, HundredImagesStayUnderBudget) {
  testing::TempDir tmp;
  testing::write_natural_dataset(tmp / "Hundred", 100, 256, 160);
  ReportJob job;
  job.methods = {"bicubic", "elsr-x4", "sam-sr-xlite-x4"};
  ComparisonInputOptions io;
  io.scale = 4;
  job.inputs.push_back(open_comparison_input(tmp / "Hundred", io).value());
  job.options.jobs = 0;
  job.timing.timed_runs = 0;
  auto report = run_report_job(job);
  ASSERT_TRUE(report.ok()) << report.status().to_string();
  const std::string html = comparison_report_html(*report);
  std::printf("report for 100 generated 256x160 images, 3 methods: %.2f MB\n", html.size() / 1e6);
  EXPECT_LT(html.size(), kBudget100Images);
  ASSERT_EQ(report->sets[0].panels.size(), 100u);
  const PanelOptions defaults;
  for (const ImagePanel& p : report->sets[0].panels) {
    EXPECT_LE(p.embedded_bytes(), panel_bound(p, defaults, 3)) << p.name;
    EXPECT_EQ(p.regions.size(), 3u);
  }
}

TEST(ComparisonReportSize, Bsd100RealPhotos) {
  LITESR_REQUIRE_SHARED_DATA(data);
  const fs::path bsd = data / "sr_benchmark" / "BSD100";
  if (!fs::is_directory(bsd)) GTEST_SKIP() << bsd << " not found: skipping the BSD100 report size check";
  ReportJob job;
  job.methods = {"bicubic", "elsr-x4", "sam-sr-xlite-x4"};
  ComparisonInputOptions io;
  io.scale = 4;
  job.inputs.push_back(open_comparison_input(bsd, io).value());
  job.options.jobs = 0;
  job.options.panels = true;
  job.timing.timed_runs = 0;
  auto report = run_report_job(job);
  ASSERT_TRUE(report.ok()) << report.status().to_string();
  ASSERT_EQ(report->sets[0].images.size(), 100u);
  const std::string html = comparison_report_html(*report);
  std::printf("report for BSD100 x4, 3 methods: %.2f MB\n", html.size() / 1e6);
  EXPECT_LT(html.size(), kBudget100Images);
  // The literature's bicubic row (README): BSD100 x4 PSNR-Y 25.96.
  EXPECT_NEAR(report->sets[0].results[0].mean.psnr_y, 25.96, 0.01);
}

}  // namespace
}  // namespace litesr
