#include "calibration/quantize_model.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "io/image_file.h"
#include "models/builtin_models.h"
#include "models/registry.h"
#include "runtime/int8_program.h"
#include "runtime/model_quantization.h"
#include "runtime/session.h"
#include "testing/test_env.h"

namespace litesr {
namespace {

using testing::TempDir;

// A smooth RGB picture with some edges (what SR calibration images look like), different per seed.
Image picture(int w, int h, uint32_t seed) {
  Image img = Image::create(w, h, 3, PixelType::kU8).value();
  std::mt19937 rng(seed);
  const double fx = 0.05 + (rng() % 100) / 1000.0, fy = 0.03 + (rng() % 100) / 1000.0;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      for (int c = 0; c < 3; ++c) {
        const double v = 128 + 90 * std::sin(fx * x * (c + 1) + fy * y) + ((x / 9 + y / 7) % 2 ? 20 : -20);
        img.view<uint8_t>().at(x, y, c) = static_cast<uint8_t>(std::clamp(v + static_cast<int>(rng() % 9) - 4, 0.0, 255.0));
      }
    }
  }
  return img;
}

void write_pictures(const std::filesystem::path& dir, int count, int w, int h) {
  std::filesystem::create_directories(dir);
  for (int i = 0; i < count; ++i) {
    ASSERT_TRUE(write_image(dir / ("img" + std::to_string(i) + ".png"), picture(w, h, 100 + i)).ok());
  }
}

TEST(QuantizeModel, ElsrCalibratesHoldsOutAndOpensAsInt8) {
  TempDir dir;
  write_pictures(dir.path() / "calib", 8, 96, 80);
  QuantizeOptions options;
  options.calib_dir = dir.path() / "calib";
  int lines = 0;
  options.on_progress = [&](const std::string&) { ++lines; };
  const Result<QuantizeResult> r = quantize_model(std::string("elsr-x4"), options);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->calibration_images, 6);
  EXPECT_EQ(r->held_out_images, 2);  // the 4th and the 8th
  ASSERT_EQ(r->scores.size(), 3u);    // auto tries all three
  EXPECT_EQ(lines, 4);
  double best = -1;
  for (const MethodScore& m : r->scores) best = std::max(best, m.psnr_y);
  for (const MethodScore& m : r->scores) {
    if (m.method == r->method) {
      EXPECT_EQ(m.psnr_y, best);
    }
    EXPECT_GT(m.psnr_y, r->float_psnr_y - 1.0);  // INT8 stays near the float model
  }
  const ModelQuantization q = read_model_quantization(r->model).value();
  EXPECT_NE(q.calibration.find("calib"), std::string::npos) << q.calibration;
  const ModelFile float_model = models::resolve_model("elsr-x4").value();
  EXPECT_EQ(r->model.tensors.size(), float_model.tensors.size());  // the float tensors, unchanged
  EXPECT_EQ(q.activations.at("x"), image_quant_params());
  // The written file opens as an INT8 session; re-quantizing it is refused.
  const std::filesystem::path out = dir.path() / "int8.safetensors";
  ASSERT_TRUE(write_model_file(out, r->model).ok());
  const ModelFile back = read_model_file(out).value();
  Session session = Session::create(back).value();
  EXPECT_EQ(session.mode(), ExecutionMode::kInt8Bands);
  EXPECT_EQ(quantize_model(back, options).status().code(), StatusCode::kInvalidArgument);
  // One method only.
  options.method = "mse";
  const Result<QuantizeResult> mse = quantize_model(float_model, options);
  ASSERT_TRUE(mse.ok());
  ASSERT_EQ(mse->scores.size(), 1u);
  EXPECT_EQ(mse->method, RangeMethod::kMse);
}

// A luma model calibrates on Y planes (its input has one channel) and is scored through Y + bicubic chroma.
TEST(QuantizeModel, LumaModelsCalibrateOnLumaAndOpenAsInt8) {
  TempDir dir;
  write_pictures(dir.path() / "calib", 4, 96, 80);
  QuantizeOptions options;
  options.calib_dir = dir.path() / "calib";
  const Result<QuantizeResult> r = quantize_model(std::string("elsr-x4-y"), options);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->held_out_images, 1);
  for (const MethodScore& m : r->scores) EXPECT_GT(m.psnr_y, r->float_psnr_y - 1.0);
  EXPECT_GT(r->float_psnr_y, 20.0);
  Session session = Session::create(r->model).value();
  EXPECT_EQ(session.mode(), ExecutionMode::kInt8Bands);
  Image y = Image::create(24, 20, 1, PixelType::kF32).value();
  for (int yy = 0; yy < 20; ++yy) {
    for (int x = 0; x < 24; ++x) y.view<float>().at(x, yy, 0) = (16.0f + 8.0f * ((x + yy) % 25)) / 255.0f;
  }
  Image y_sr = Image::create(96, 80, 1, PixelType::kF32).value();
  EXPECT_TRUE(session.run(std::as_const(y).view<float>(), y_sr.view<float>()).ok());
}

TEST(QuantizeModel, BadFoldersImagesAndModelsAreClearErrors) {
  TempDir dir;
  QuantizeOptions options;
  options.calib_dir = dir.path() / "missing";
  EXPECT_EQ(quantize_model(std::string("elsr-x4"), options).status().code(), StatusCode::kNotFound);

  std::filesystem::create_directories(dir.path() / "empty");
  options.calib_dir = dir.path() / "empty";
  Result<QuantizeResult> r = quantize_model(std::string("elsr-x4"), options);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("at least 2 images"), std::string::npos) << r.status().message();

  write_pictures(dir.path() / "one", 1, 64, 64);
  options.calib_dir = dir.path() / "one";
  EXPECT_EQ(quantize_model(std::string("elsr-x4"), options).status().code(), StatusCode::kInvalidArgument);

  write_pictures(dir.path() / "tiny", 3, 20, 64);  // 20 < 8 x 4
  options.calib_dir = dir.path() / "tiny";
  r = quantize_model(std::string("elsr-x4"), options);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("too small"), std::string::npos) << r.status().message();

  write_pictures(dir.path() / "broken", 2, 64, 64);
  std::ofstream(dir.path() / "broken" / "img9.png") << "not a png";
  options.calib_dir = dir.path() / "broken";
  r = quantize_model(std::string("elsr-x4"), options);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("img9.png"), std::string::npos) << r.status().message();

  write_pictures(dir.path() / "ok", 3, 64, 64);
  options.calib_dir = dir.path() / "ok";
  // IMDN's contrast-aware channel attention (mean + std pooling, sigmoid gate) has no integer form.
  r = quantize_model(models::make_random_model("imdn", 4, R"({"scale": 4, "nf": 16, "num_modules": 1})", 1).value(),
                     options);
  EXPECT_EQ(r.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(r.status().message().find("squeeze-excite"), std::string::npos) << r.status().message();
  EXPECT_EQ(quantize_model(std::string("no-such-model"), options).status().code(), StatusCode::kNotFound);
  options.method = "kl";
  EXPECT_EQ(quantize_model(std::string("elsr-x4"), options).status().code(), StatusCode::kInvalidArgument);
  options.method = "auto";
  options.percentile = 40;
  EXPECT_EQ(quantize_model(std::string("elsr-x4"), options).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace litesr
