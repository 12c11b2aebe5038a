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

// Lanes (frame_pipeline.h): one single-threaded instance per thread, each with its own window state, each computing
// what the multi-threaded instance computes; none with one thread.
TEST(ModelVideoUpscaler, EveryThreadGetsALaneWithItsOwnState) {
  UpscalerOptions options;
  options.model = "evsrnet-x4";
  options.threads = 1;
  Result<ModelVideoUpscaler> opened = open_model_video_upscaler(options);
  ASSERT_TRUE(opened.ok()) << opened.status().to_string();
  EXPECT_TRUE(opened->upscaler.lanes.empty());
  options.threads = 2;
  opened = open_model_video_upscaler(options);
  ASSERT_TRUE(opened.ok()) << opened.status().to_string();
  const Upscaler& u = opened->upscaler;
  ASSERT_EQ(u.lanes.size(), 2u);
  constexpr int kW = 9, kH = 7;
  std::vector<float> a(kW * kH * 3), b(kW * kH * 3);
  for (std::size_t i = 0; i < a.size(); ++i) {
    a[i] = static_cast<float>((i * 37) % 101) / 100.0f;
    b[i] = static_cast<float>((i * 53) % 97) / 96.0f;
  }
  const ImageView<const float> va{a.data(), kW, kH, 3, kW * 3}, vb{b.data(), kW, kH, 3, kW * 3};
  // Frame 2 of the window (a, b) on the two-thread instance, and on each lane while the other runs another window.
  auto second_frame = [&](const Upscaler& up, const Upscaler* other) {
    std::vector<float> sr(a.size() * 16), scratch(a.size() * 16);
    const ImageView<float> out{sr.data(), 4 * kW, 4 * kH, 3, 4 * kW * 3};
    const ImageView<float> junk{scratch.data(), 4 * kW, 4 * kH, 3, 4 * kW * 3};
    const ImageView<const float> first[] = {va}, second[] = {vb}, other_frames[] = {vb};
    const ImageView<float> junk_out[] = {junk}, sr_out[] = {out};
    EXPECT_TRUE(up.window(first, junk_out, /*reset=*/true).ok());
    if (other != nullptr) {
      EXPECT_TRUE(other->window(other_frames, junk_out, /*reset=*/true).ok());
    }
    EXPECT_TRUE(up.window(second, sr_out, /*reset=*/false).ok());
    return sr;
  };
  const std::vector<float> want = second_frame(u, nullptr);
  EXPECT_EQ(second_frame(u.lanes[0], &u.lanes[1]), want);
  EXPECT_EQ(second_frame(u.lanes[1], &u.lanes[0]), want);
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
