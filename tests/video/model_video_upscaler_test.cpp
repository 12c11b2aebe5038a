#include "video/model_video_upscaler.h"

#include <vector>

#include <gtest/gtest.h>

#include "models/builtin_models.h"

namespace litesr {
namespace {

TEST(ModelVideoUpscaler, DefaultIsTheVideoDefaultAndMultiFrameModelsGetWindows) {
  Result<ModelVideoUpscaler> opened = open_model_video_upscaler({});
  ASSERT_TRUE(opened.ok()) << opened.status().to_string();
  EXPECT_EQ(opened->model_name, models::default_video_model_name());
  EXPECT_EQ(opened->model_name, "fsrcnn-x4-y");  // the measured choice (bench/choose_defaults.sh)
  EXPECT_TRUE(opened->upscaler.frame);           // a luma model: R'G'B' frames or the Y' plane
  EXPECT_TRUE(opened->upscaler.luma_plane);
  UpscalerOptions options;
  options.model = "evsrnet-nas-x4";
  opened = open_model_video_upscaler(options);
  ASSERT_TRUE(opened.ok()) << opened.status().to_string();
  const Upscaler& u = opened->upscaler;
  EXPECT_EQ(u.scale, 4);
  EXPECT_TRUE(u.window);  // EVSRNet: windows of frames
  EXPECT_FALSE(u.frame);
  EXPECT_FALSE(u.luma_plane);
  EXPECT_EQ(u.window_frames, 10);
  EXPECT_FALSE(u.luma_window);
}

// The multi-frame luma model: windows of R'G'B' frames or of Y' planes, the same state either way.
TEST(ModelVideoUpscaler, MultiFrameLumaModelsGetLumaWindows) {
  UpscalerOptions options;
  options.model = "evsrnet-x4-y";
  options.threads = 1;
  const Result<ModelVideoUpscaler> opened = open_model_video_upscaler(options);
  ASSERT_TRUE(opened.ok()) << opened.status().to_string();
  const Upscaler& u = opened->upscaler;
  ASSERT_TRUE(u.window);
  ASSERT_TRUE(u.luma_window);
  EXPECT_FALSE(u.frame);
  EXPECT_FALSE(u.luma_plane);
  constexpr int kW = 9, kH = 7, kFrames = 3;
  std::vector<std::vector<float>> lr(kFrames, std::vector<float>(kW * kH)), sr(kFrames), want(kFrames);
  std::vector<ImageView<const float>> lr_views;
  std::vector<ImageView<float>> sr_views, want_views;
  for (int t = 0; t < kFrames; ++t) {
    for (int i = 0; i < kW * kH; ++i) lr[t][i] = static_cast<float>(16 + (i * 37 + t * 53) % 220) / 255.0f;
    sr[t].assign(kW * kH * 16, -1.0f);
    want[t].assign(kW * kH * 16, -1.0f);
    lr_views.push_back({lr[t].data(), kW, kH, 1, kW});
    sr_views.push_back({sr[t].data(), 4 * kW, 4 * kH, 1, 4 * kW});
    want_views.push_back({want[t].data(), 4 * kW, 4 * kH, 1, 4 * kW});
  }
  ASSERT_TRUE(u.luma_window(lr_views, sr_views, /*reset=*/true).ok());
  ModelUpscaler direct = ModelUpscaler::open(options).value();
  for (int t = 0; t < kFrames; ++t) ASSERT_TRUE(direct.push_luma_plane(lr_views[t], want_views[t]).ok());
  EXPECT_EQ(sr, want);
  // Carried state: frame 2 of the window differs from frame 2 alone.
  std::vector<float> alone(kW * kH * 16);
  direct.reset_window();
  ASSERT_TRUE(direct.push_luma_plane(lr_views[2], ImageView<float>{alone.data(), 4 * kW, 4 * kH, 1, 4 * kW}).ok());
  EXPECT_NE(alone, want[2]);
}

TEST(ModelVideoUpscaler, SingleFrameModelsRunEachFrameAsTheModelUpscalerDoes) {
  UpscalerOptions options;
  options.model = "elsr-x4";
  options.threads = 1;
  const Result<ModelVideoUpscaler> opened = open_model_video_upscaler(options);
  ASSERT_TRUE(opened.ok()) << opened.status().to_string();
  ASSERT_TRUE(opened->upscaler.frame);
  EXPECT_FALSE(opened->upscaler.window);
  constexpr int kW = 9, kH = 7;
  std::vector<float> lr(kW * kH * 3);
  for (std::size_t i = 0; i < lr.size(); ++i) lr[i] = static_cast<float>((i * 37) % 101) / 100.0f;
  std::vector<float> sr(lr.size() * 16), want(lr.size() * 16);
  const ImageView<const float> lr_view{lr.data(), kW, kH, 3, kW * 3};
  ASSERT_TRUE(opened->upscaler.frame(lr_view, ImageView<float>{sr.data(), 4 * kW, 4 * kH, 3, 4 * kW * 3}).ok());
  ModelUpscaler direct = ModelUpscaler::open(options).value();
  ASSERT_TRUE(direct.push_frame(lr_view, ImageView<float>{want.data(), 4 * kW, 4 * kH, 3, 4 * kW * 3}).ok());
  EXPECT_EQ(sr, want);
}

TEST(ModelVideoUpscaler, UnknownModelsAndOutputSizesAreErrors) {
  UpscalerOptions options;
  options.model = "no-such-model-x4";
  EXPECT_EQ(open_model_video_upscaler(options).status().code(), StatusCode::kNotFound);
  options.model = "elsr-x4";
  options.output.scale = 1.5;
  EXPECT_EQ(open_model_video_upscaler(options).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace litesr
