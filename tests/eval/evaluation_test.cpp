// sr_dataset, evaluation and eval_report on small synthetic datasets written to a temp folder.
#include <atomic>
#include <cmath>
#include <filesystem>
#include <random>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "eval/eval_report.h"
#include "eval/evaluation.h"
#include "eval/matlab_resize.h"
#include "eval/sr_dataset.h"
#include "io/image_file.h"
#include "testing/test_env.h"

namespace litesr {
namespace {

namespace fs = std::filesystem;

Image smooth_u8(int w, int h, int c, unsigned seed) {
  Image img = Image::create(w, h, c, PixelType::kU8).value();
  std::mt19937 rng(seed);
  const double fx = 0.05 + (rng() % 100) / 1000.0, fy = 0.07 + (rng() % 100) / 1000.0;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int ch = 0; ch < c; ++ch)
        img.view<uint8_t>().at(x, y, ch) =
            static_cast<uint8_t>(127.5 + 100 * std::sin(fx * x + ch) * std::cos(fy * y) + (rng() % 9) - 4);
  return img;
}

// DIR/HR with three images (one grey, one with alpha, one with a size that is not a multiple of 3).
void make_dataset(const fs::path& dir) {
  fs::create_directories(dir / "HR");
  ASSERT_TRUE(write_image(dir / "HR" / "a.png", smooth_u8(48, 36, 3, 1)).ok());
  ASSERT_TRUE(write_image(dir / "HR" / "b.png", smooth_u8(50, 41, 1, 2)).ok());
  ASSERT_TRUE(write_image(dir / "HR" / "c.png", smooth_u8(37, 44, 4, 3)).ok());
}

TEST(SrDataset, ModcropKeepsTopLeft) {
  Image img = smooth_u8(10, 7, 3, 1);
  auto c = modcrop(img, 3);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->width(), 9);
  EXPECT_EQ(c->height(), 6);
  EXPECT_EQ(c->view<uint8_t>().at(8, 5, 2), img.view<uint8_t>().at(8, 5, 2));
  EXPECT_EQ(modcrop(img, 11).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(modcrop(img, 0).status().code(), StatusCode::kInvalidArgument);
}

TEST(SrDataset, GeneratesLrWhenAbsent) {
  testing::TempDir tmp;
  make_dataset(tmp / "Tiny");
  SrDatasetOptions o;
  o.scale = 3;
  auto ds = open_sr_dataset(tmp / "Tiny", o);
  ASSERT_TRUE(ds.ok()) << ds.status().to_string();
  EXPECT_EQ(ds->name, "Tiny");
  EXPECT_TRUE(ds->lr_generated);
  ASSERT_EQ(ds->pairs.size(), 3u);
  EXPECT_EQ(ds->pairs[1].name, "b");
  auto p = load_sr_pair(*ds, ds->pairs[1], o);
  ASSERT_TRUE(p.ok()) << p.status().to_string();
  EXPECT_EQ(p->hr.width(), 48);  // 50 mod-cropped to 48
  EXPECT_EQ(p->hr.height(), 39);
  EXPECT_EQ(p->hr.channels(), 1);
  EXPECT_EQ(p->lr_rgb.width(), 16);
  EXPECT_EQ(p->lr_rgb.height(), 13);
  EXPECT_EQ(p->lr_rgb.channels(), 3);
  // Generated with replicate borders from the mod-cropped HR.
  MatlabResizeOptions ro;
  ro.border = BorderMode::kReplicate;
  auto expected = matlab_imresize(p->hr, 1.0 / 3, ro);
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(p->lr_rgb.view<uint8_t>().at(0, 0, 1), expected->view<uint8_t>().at(0, 0, 0));
  EXPECT_EQ(p->lr_rgb.view<uint8_t>().at(15, 12, 2), expected->view<uint8_t>().at(15, 12, 0));
  auto rgba = load_sr_pair(*ds, ds->pairs[2], o);
  ASSERT_TRUE(rgba.ok());
  EXPECT_EQ(rgba->hr.channels(), 3);  // alpha dropped
}

TEST(SrDataset, UsesLrFilesAndChecksThem) {
  testing::TempDir tmp;
  make_dataset(tmp / "D");
  fs::create_directories(tmp / "D" / "LR_bicubic" / "X2");
  SrDatasetOptions o;
  o.scale = 2;
  auto missing = open_sr_dataset(tmp / "D", o);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("ax2.png"), std::string::npos) << missing.status().message();
  // Provide LR files; one of the wrong size.
  ASSERT_TRUE(write_image(tmp / "D" / "LR_bicubic" / "X2" / "ax2.png", smooth_u8(24, 18, 3, 9)).ok());
  ASSERT_TRUE(write_image(tmp / "D" / "LR_bicubic" / "X2" / "bx2.png", smooth_u8(25, 20, 1, 9)).ok());
  ASSERT_TRUE(write_image(tmp / "D" / "LR_bicubic" / "X2" / "cx2.png", smooth_u8(10, 10, 3, 9)).ok());
  auto ds = open_sr_dataset(tmp / "D", o);
  ASSERT_TRUE(ds.ok()) << ds.status().to_string();
  EXPECT_FALSE(ds->lr_generated);
  auto a = load_sr_pair(*ds, ds->pairs[0], o);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->lr_rgb.view<uint8_t>().at(3, 4, 1), smooth_u8(24, 18, 3, 9).view<uint8_t>().at(3, 4, 1));
  auto c = load_sr_pair(*ds, ds->pairs[2], o);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find("10x10"), std::string::npos) << c.status().message();
}

TEST(SrDataset, OpenErrors) {
  testing::TempDir tmp;
  SrDatasetOptions o;
  EXPECT_EQ(open_sr_dataset(tmp / "nope", o).status().code(), StatusCode::kNotFound);
  auto no_hr = open_sr_dataset(tmp.path(), o);
  EXPECT_EQ(no_hr.status().code(), StatusCode::kNotFound);
  EXPECT_NE(no_hr.status().message().find("HR"), std::string::npos);
  fs::create_directories(tmp / "empty" / "HR");
  EXPECT_EQ(open_sr_dataset(tmp / "empty", o).status().code(), StatusCode::kInvalidArgument);
  o.scale = 0;
  make_dataset(tmp / "ok");
  EXPECT_EQ(open_sr_dataset(tmp / "ok", o).status().code(), StatusCode::kInvalidArgument);
  testing::write_file_bytes(tmp / "file", "x");
  o.scale = 2;
  EXPECT_EQ(open_sr_dataset(tmp / "file", o).status().code(), StatusCode::kInvalidArgument);
}

TEST(Evaluation, PerfectUpscalerAndMeans) {
  testing::TempDir tmp;
  make_dataset(tmp / "D");
  SrDatasetOptions o;
  o.scale = 2;
  auto ds = open_sr_dataset(tmp / "D", o);
  ASSERT_TRUE(ds.ok());
  auto bic = evaluate_dataset(*ds, o, make_bicubic_upscaler(2), "bicubic");
  ASSERT_TRUE(bic.ok()) << bic.status().to_string();
  ASSERT_EQ(bic->images.size(), 3u);
  EXPECT_EQ(bic->shave, 2);
  EXPECT_EQ(bic->method, "bicubic");
  double mean = 0;
  for (const auto& im : bic->images) {
    mean += im.scores.psnr_y;
    EXPECT_GT(im.scores.psnr_y, 20.0);
    EXPECT_LT(im.scores.ssim_y, 1.0);
  }
  EXPECT_NEAR(bic->mean.psnr_y, mean / 3, 1e-12);
  // Threads give identical results.
  EvaluationOptions eo;
  eo.threads = 3;
  auto par = evaluate_dataset(*ds, o, make_bicubic_upscaler(2), "bicubic", eo);
  ASSERT_TRUE(par.ok());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(par->images[i].scores.ssim_rgb, bic->images[i].scores.ssim_rgb);
  // f32 output is rounded to 8 bits: an f32 bicubic gives nearly the same numbers.
  ImageUpscaler f32 = [](const Image& lr) -> Result<Image> {
    LITESR_ASSIGN_OR_RETURN(Image f, Image::create(lr.width(), lr.height(), 3, PixelType::kF32));
    for (int y = 0; y < lr.height(); ++y)
      for (int x = 0; x < lr.width() * 3; ++x) f.view<float>().row(y)[x] = lr.view<uint8_t>().row(y)[x] / 255.f;
    return matlab_imresize(f, 2.0);
  };
  auto fr = evaluate_dataset(*ds, o, f32, "f32", {});
  ASSERT_TRUE(fr.ok()) << fr.status().to_string();
  EXPECT_NEAR(fr->mean.psnr_y, bic->mean.psnr_y, 0.2);
}

TEST(Evaluation, SavesImagesAndReportsErrors) {
  testing::TempDir tmp;
  make_dataset(tmp / "D");
  SrDatasetOptions o;
  o.scale = 2;
  auto ds = open_sr_dataset(tmp / "D", o);
  ASSERT_TRUE(ds.ok());
  EvaluationOptions eo;
  eo.save_dir = tmp / "out" / "sr";
  ASSERT_TRUE(evaluate_dataset(*ds, o, make_bicubic_upscaler(2), "bicubic", eo).ok());
  auto saved = read_image(tmp / "out" / "sr" / "a.png");
  ASSERT_TRUE(saved.ok());
  EXPECT_EQ(saved->image.width(), 48);

  ImageUpscaler wrong = [](const Image& lr) { return matlab_imresize(lr, 3.0); };
  auto bad = evaluate_dataset(*ds, o, wrong, "wrong");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("D/a"), std::string::npos) << bad.status().message();
  EXPECT_NE(bad.status().message().find("expected 48x36"), std::string::npos) << bad.status().message();

  ImageUpscaler failing = [](const Image&) -> Result<Image> { return internal_error("boom"); };
  auto f = evaluate_dataset(*ds, o, failing, "x");
  EXPECT_EQ(f.status().code(), StatusCode::kInternal);

  CancelToken cancel;
  cancel.cancel();
  EvaluationOptions co;
  co.cancel = &cancel;
  EXPECT_EQ(evaluate_dataset(*ds, o, make_bicubic_upscaler(2), "b", co).status().code(), StatusCode::kCancelled);
}

TEST(EvalReport, JsonCsvAndTable) {
  EvaluationResult r;
  r.dataset = "Set5";
  r.scale = 4;
  r.method = "bicubic";
  r.shave = 4;
  r.images.push_back({"baby", 512, 512, {31.5, 0.85, 30.0, 0.8}});
  r.images.push_back({"bird, x", 288, 288, {std::numeric_limits<double>::infinity(), 1.0, 29.0, 0.7}});
  r.mean = {32.0, 0.9, 29.5, 0.75};
  auto j = nlohmann::json::parse(eval_report_json({r}));
  EXPECT_EQ(j["dataset"], "Set5");
  EXPECT_EQ(j["scale"], 4);
  EXPECT_EQ(j["method"], "bicubic");
  EXPECT_EQ(j["images"][0]["name"], "baby");
  EXPECT_DOUBLE_EQ(j["images"][0]["psnr_y"].get<double>(), 31.5);
  EXPECT_TRUE(j["images"][1]["psnr_y"].is_null());
  for (const char* k : {"psnr_y", "ssim_y", "psnr_rgb", "ssim_rgb"}) EXPECT_TRUE(j["mean"].contains(k)) << k;
  auto two = nlohmann::json::parse(eval_report_json({r, r}));
  EXPECT_EQ(two["runs"].size(), 2u);
  EXPECT_EQ(two["method"], "bicubic");

  const std::string csv = eval_report_csv({r});
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "dataset,scale,method,kind,name,psnr_y,ssim_y,psnr_rgb,ssim_rgb");
  EXPECT_NE(csv.find("Set5,4,bicubic,image,baby,31.500000,0.850000,30.000000,0.800000\n"), std::string::npos);
  EXPECT_NE(csv.find("\"bird, x\",inf,"), std::string::npos);
  EXPECT_NE(csv.find("Set5,4,bicubic,mean,,32.000000,"), std::string::npos);

  const std::string table = format_eval_table({r});
  EXPECT_NE(table.find("baby"), std::string::npos);
  EXPECT_NE(table.find("32.0000"), std::string::npos);
  EvalTableOptions summary;
  summary.per_image = false;
  EXPECT_EQ(format_eval_table({r}, summary).find("baby"), std::string::npos);

  testing::TempDir tmp;
  ASSERT_TRUE(write_eval_json(tmp / "r.json", {r}).ok());
  ASSERT_TRUE(write_eval_csv(tmp / "r.csv", {r}).ok());
  EXPECT_EQ(testing::read_file_bytes(tmp / "r.csv"), csv);
  EXPECT_FALSE(write_eval_json(tmp / "no" / "dir" / "r.json", {r}).ok());
}

}  // namespace
}  // namespace litesr
