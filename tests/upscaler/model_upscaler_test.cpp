// ModelUpscaler (upscaler/model_upscaler.h): every built-in model — the ones `litesr upscale`, `eval -n`,
// `video` and the C API open — runs on the fused band executor, never on the scalar layer-by-layer one, and
// upscales a photo-sized odd image (video models as one static window).
#include "upscaler/model_upscaler.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "eval/luma_color.h"
#include "models/builtin_models.h"
#include "models/registry.h"

namespace litesr {
namespace {

TEST(ModelUpscaler, EveryBuiltinModelRunsOnTheFusedEngine) {
  for (const std::string& name : models::builtin_model_names()) {
    SCOPED_TRACE(name);
    UpscalerOptions options;
    options.model = name;
    options.threads = 2;
    Result<ModelUpscaler> up = ModelUpscaler::open(options);
    ASSERT_TRUE(up.ok()) << up.status().to_string();
    EXPECT_EQ(up->mode(), name.ends_with("-int8") ? ExecutionMode::kInt8Bands : ExecutionMode::kFusedBands);
    EXPECT_EQ(up->threads(), 2);
    Image lr = Image::create(23, 17, 3, PixelType::kU8).value();
    for (int y = 0; y < 17; ++y) {
      for (int x = 0; x < 23 * 3; ++x) lr.view<uint8_t>().row(y)[x] = static_cast<uint8_t>((x * 7 + y * 13) % 256);
    }
    Result<Image> sr = up->upscale(lr);
    ASSERT_TRUE(sr.ok()) << sr.status().to_string();
    EXPECT_EQ(sr->width(), 23 * up->scale());
    EXPECT_EQ(sr->height(), 17 * up->scale());
  }
}

Image ramp_rgb(int w, int h) {
  Image lr = Image::create(w, h, 3, PixelType::kU8).value();
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w * 3; ++x) lr.view<uint8_t>().row(y)[x] = static_cast<uint8_t>((x * 7 + y * 13) % 256);
  }
  return lr;
}

// The fused engine runs luma graphs (one-channel frames) equal to the reference executor: ELSR and SAM-SR with
// "color": "y" (SAM-SR: squeeze-excite passes and a one-channel bicubic skip).
TEST(ModelUpscaler, LumaGraphsRunFusedLikeTheReference) {
  const std::pair<const char*, const char*> configs[] = {
      {"elsr", R"({"scale": 4, "channels": 6, "color": "y"})"},
      {"sam_sr", R"({"scale": 4, "nf": 8, "n": 2, "se": true, "bn": false, "bicubic_a": -0.5,
                   "se_gate": "hard_sigmoid", "upsampler": "candidate_a", "color": "y"})"}};
  for (const auto& [arch, config] : configs) {
    SCOPED_TRACE(arch);
    const ModelFile model = models::make_random_model(arch, 4, config, 5).value();
    EXPECT_EQ(model.metadata.at("litesr.color"), "y");
    Session fused = models::create_session(model, {.threads = 2, .band_rows = 4}).value();
    Session reference = models::create_session(model, {.threads = 1, .reference = true}).value();
    EXPECT_EQ(fused.mode(), ExecutionMode::kFusedBands);
    const Image y = luma_of_rgb(ramp_rgb(21, 15)).value();
    Image a = Image::create(84, 60, 1, PixelType::kF32).value();
    Image b = Image::create(84, 60, 1, PixelType::kF32).value();
    ASSERT_TRUE(fused.run(y.view<float>(), a.view<float>()).ok());
    ASSERT_TRUE(reference.run(y.view<float>(), b.view<float>()).ok());
    for (int yy = 0; yy < 60; ++yy) {
      for (int x = 0; x < 84; ++x) ASSERT_NEAR(a.view<float>().at(x, yy, 0), b.view<float>().at(x, yy, 0), 1e-5f);
    }
  }
}

// A luma model (litesr.color = "y": FSRCNN's one-channel variant) runs fused on one-channel maps, equal to the
// reference executor, and upscales colour images as Y through the network + bicubic chroma, on every path.
TEST(ModelUpscaler, LumaModelsUpscaleYAndTakeBicubicChroma) {
  const ModelFile model =
      models::make_random_model("fsrcnn", 4, R"({"scale": 4, "d": 12, "s": 5, "m": 2, "channels": 1})", 3).value();
  EXPECT_EQ(model.metadata.at("litesr.color"), "y");
  Session fused = models::create_session(model, {.threads = 2, .band_rows = 5}).value();
  Session reference = models::create_session(model, {.threads = 1, .reference = true}).value();
  EXPECT_EQ(fused.mode(), ExecutionMode::kFusedBands);
  EXPECT_EQ(fused.image_channels(), 1);
  const Image lr = ramp_rgb(23, 17);
  const Image y = luma_of_rgb(lr).value();
  Image a = Image::create(92, 68, 1, PixelType::kF32).value();
  Image b = Image::create(92, 68, 1, PixelType::kF32).value();
  ASSERT_TRUE(fused.run(y.view<float>(), a.view<float>()).ok());
  ASSERT_TRUE(reference.run(y.view<float>(), b.view<float>()).ok());
  float worst = 0.0f;
  for (int yy = 0; yy < 68; ++yy) {
    for (int x = 0; x < 92; ++x) worst = std::max(worst, std::abs(a.view<float>().at(x, yy, 0) - b.view<float>().at(x, yy, 0)));
  }
  EXPECT_LT(worst, 1e-5f);
  // An RGB session input is refused with the reason.
  Image rgb_out = Image::create(92, 68, 3, PixelType::kU8).value();
  EXPECT_EQ(fused.run_u8(lr.view<uint8_t>(), rgb_out.view<uint8_t>()).code(), StatusCode::kInvalidArgument);

  ModelUpscaler up = ModelUpscaler::open_model(model, "fsrcnn-y", {.threads = 2}).value();
  const Image expected = merge_upscaled_luma(a, lr, 4).value();
  const Image sr = up.upscale(lr).value();
  ASSERT_EQ(sr.channels(), 3);
  EXPECT_EQ(std::vector<uint8_t>(sr.view<uint8_t>().data, sr.view<uint8_t>().data + 92 * 68 * 3),
            std::vector<uint8_t>(expected.view<uint8_t>().data, expected.view<uint8_t>().data + 92 * 68 * 3));
  Image into = Image::create(92, 68, 3, PixelType::kU8).value();
  ASSERT_TRUE(up.upscale_rgb8_into(lr.view<uint8_t>(), into.view<uint8_t>()).ok());
  Image frame = Image::create(92, 68, 3, PixelType::kU8).value();
  ASSERT_TRUE(up.push_frame_u8(lr.view<uint8_t>(), frame.view<uint8_t>()).ok());
  for (int yy = 0; yy < 68; ++yy) {
    for (int x = 0; x < 92 * 3; ++x) {
      ASSERT_EQ(into.view<uint8_t>().row(yy)[x], sr.view<uint8_t>().row(yy)[x]);
      ASSERT_EQ(frame.view<uint8_t>().row(yy)[x], sr.view<uint8_t>().row(yy)[x]);
    }
  }
  // Grey and grey + alpha images come back in their layout; luma models do not stream in bands.
  const Image grey = Image::create(9, 7, 2, PixelType::kU8).value();
  const Image grey_sr = up.upscale(grey).value();
  EXPECT_EQ(grey_sr.channels(), 2);
  EXPECT_EQ(grey_sr.width(), 36);
  EXPECT_EQ(up.context_rows().status().code(), StatusCode::kUnsupported);
}

// A multi-frame luma model (EVSRNet "color": "y"): a still image is Y through one static window + bicubic chroma;
// frame streams carry the recurrent state from frame to frame, on RGB frames (Y out, chroma merged) and on Y
// planes alike, equal to a MultiFrameSession pushed the same Y planes.
TEST(ModelUpscaler, MultiFrameLumaModelsRunWindowsOnY) {
  const char* config = R"({"scale": 4, "nc": 4, "nb": 1, "frames": 3, "mode": "recurrent", "color": "y"})";
  const ModelFile model = models::make_random_model("evsrnet", 4, config, 7).value();
  EXPECT_EQ(model.metadata.at("litesr.color"), "y");
  ModelUpscaler up = ModelUpscaler::open_model(model, "evsrnet-y", {.threads = 2}).value();
  EXPECT_TRUE(up.luma());
  EXPECT_TRUE(up.multi_frame());
  EXPECT_EQ(up.mode(), ExecutionMode::kFusedBands);
  MultiFrameSession frames = models::create_multi_frame_session(model, {.threads = 1}).value();
  EXPECT_EQ(frames.channels(), 1);
  const int w = 13, h = 9;
  auto y_through = [&](const Image& y_lr) {  // the next frame of `frames`
    Image y_sr = Image::create(4 * w, 4 * h, 1, PixelType::kF32).value();
    EXPECT_TRUE(frames.push_frame(y_lr.view<float>(), y_sr.view<float>()).ok());
    return y_sr;
  };
  auto same_u8 = [](const Image& a, const Image& b) {
    ASSERT_EQ(a.width(), b.width());
    ASSERT_EQ(a.channels(), b.channels());
    for (int yy = 0; yy < a.height(); ++yy) {
      for (int x = 0; x < a.width() * a.channels(); ++x) {
        ASSERT_EQ(a.view<uint8_t>().row(yy)[x], b.view<uint8_t>().row(yy)[x]) << x << "," << yy;
      }
    }
  };
  const Image still = ramp_rgb(w, h);
  const Image still_y = luma_of_rgb(still).value();
  Image window_y;
  for (int t = 0; t < 3; ++t) window_y = y_through(still_y);  // the static window's last frame
  same_u8(up.upscale(still).value(), merge_upscaled_luma(window_y, still, 4).value());

  // A stream of three different frames: state carries over (frame 2 differs from the frame alone).
  frames.reset();
  up.reset_window();
  for (int t = 0; t < 3; ++t) {
    Image lr = ramp_rgb(w, h);
    for (int yy = 0; yy < h; ++yy) lr.view<uint8_t>().row(yy)[3 * t] = static_cast<uint8_t>(40 * t);
    Image sr = Image::create(4 * w, 4 * h, 3, PixelType::kU8).value();
    ASSERT_TRUE(up.push_frame_u8(lr.view<uint8_t>(), sr.view<uint8_t>()).ok());
    same_u8(sr, merge_upscaled_luma(y_through(luma_of_rgb(lr).value()), lr, 4).value());
  }
  // Y planes in, Y planes out: the next window, plane by plane.
  frames.reset();
  up.reset_window();
  for (int t = 0; t < 2; ++t) {
    const Image expected = y_through(still_y);
    Image got = Image::create(4 * w, 4 * h, 1, PixelType::kF32).value();
    ASSERT_TRUE(up.push_luma_plane(still_y.view<float>(), got.view<float>()).ok());
    for (int yy = 0; yy < 4 * h; ++yy) {
      for (int x = 0; x < 4 * w; ++x) ASSERT_EQ(got.view<float>().at(x, yy, 0), expected.view<float>().at(x, yy, 0));
    }
  }
}

// litesr.color must name what the network takes.
TEST(ModelUpscaler, AColorThatDisagreesWithTheNetworkIsRefused) {
  ModelFile model =
      models::make_random_model("fsrcnn", 4, R"({"scale": 4, "d": 12, "s": 5, "m": 2, "channels": 1})", 3).value();
  model.metadata["litesr.color"] = "rgb";
  const Result<ModelUpscaler> up = ModelUpscaler::open_model(model, "bad", {});
  ASSERT_FALSE(up.ok());
  EXPECT_NE(up.status().message().find("litesr.color"), std::string::npos) << up.status().message();
}

// make_model_image_upscaler with lanes: calls from several threads at once (an evaluation's image workers) give the
// images one serialised session gives, for a single-frame and a video model.
TEST(ModelUpscaler, ImageUpscalerLanesGiveTheSessionsImagesFromManyThreads) {
  for (const char* name : {"sam-sr-xlite-x4", "evsrnet-x4"}) {
    SCOPED_TRACE(name);
    std::vector<Image> inputs;
    for (int i = 0; i < 6; ++i) {
      Image img = Image::create(23 + 4 * i, 17 + 3 * i, 3, PixelType::kU8).value();
      for (int y = 0; y < img.height(); ++y) {
        for (int x = 0; x < img.width(); ++x) {
          for (int c = 0; c < 3; ++c)
            img.view<uint8_t>().at(x, y, c) = static_cast<uint8_t>((x * 31 + y * 17 + c * 80 + i * 7) % 256);
        }
      }
      inputs.push_back(std::move(img));
    }
    UpscalerOptions options;
    options.model = name;
    options.threads = 2;
    const ImageUpscaler session = make_model_image_upscaler(options).value();
    const ImageUpscaler lanes = make_model_image_upscaler(options, 2).value();
    std::vector<Result<Image>> got;
    for (std::size_t i = 0; i < inputs.size(); ++i) got.emplace_back(internal_error("not run"));
    std::vector<std::thread> workers;
    for (int t = 0; t < 3; ++t) {
      workers.emplace_back([&, t] {
        for (std::size_t i = t; i < inputs.size(); i += 3) got[i] = lanes(inputs[i]);
      });
    }
    for (std::thread& w : workers) w.join();
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      ASSERT_TRUE(got[i].ok()) << got[i].status().to_string();
      const Image want = session(inputs[i]).value();
      ASSERT_EQ(got[i]->width(), want.width());
      ASSERT_EQ(got[i]->height(), want.height());
      for (int y = 0; y < want.height(); ++y) {
        ASSERT_EQ(0, std::memcmp(got[i]->row_bytes_ptr(y), want.row_bytes_ptr(y), want.row_bytes())) << "image " << i;
      }
    }
  }
}

}  // namespace
}  // namespace litesr
