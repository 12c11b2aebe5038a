// TorchGraphRunner (the LibTorch peer of `litesr bench`) computes what the runtime computes: random-weight
// models through the runner and through a Session (f32, clamped, on every ISA this CPU runs) agree within 1e-5
// on odd sizes, and a recurrent EVSRNet window through run_window agrees with a MultiFrameSession: with
// parity_torch_runtime_test.cpp, the runtime-vs-LibTorch check for every architecture.
#include "train/torch_graph_runner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "models/registry.h"
#include "runtime/multi_frame_session.h"
#include "runtime/session.h"
#include "testing/isa_loop.h"

namespace litesr::train {
namespace {

using litesr::testing::IsaLoop;

// DESIGN's parity bound (max abs error); measured: <= 6e-7 on every architecture and ISA.
constexpr double kRunnerTolerance = 1e-5;
constexpr int kRunnerWidth = 17;
constexpr int kRunnerHeight = 13;

// Runs `frames` random frames through a one-frame Session and through the runner as one batch; returns the
// largest absolute difference.
double max_difference(const std::string& arch, const std::string& config, int frames, int w = kRunnerWidth,
                      int h = kRunnerHeight) {
  Result<ModelFile> model = models::make_random_model(arch, 4, config, 7);
  EXPECT_TRUE(model.ok()) << model.status().to_string();
  Result<Graph> graph = models::build_graph(*model);
  EXPECT_TRUE(graph.ok()) << graph.status().to_string();
  graph->input_frames = 1;  // frame-parallel: one frame per run
  auto runner = TorchGraphRunner::create(*graph, model->tensors, 1);
  EXPECT_TRUE(runner.ok()) << runner.status().to_string();
  if (!runner.ok()) return INFINITY;

  const int s = 4, ow = w * s, oh = h * s;
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  std::vector<float> nchw(static_cast<std::size_t>(frames) * 3 * w * h);
  for (float& v : nchw) v = uniform(rng);
  std::vector<float> torch_out(static_cast<std::size_t>(frames) * 3 * ow * oh);
  const Status ran = (*runner)->run(nchw.data(), frames, 3, h, w, torch_out.data());
  EXPECT_TRUE(ran.ok()) << arch << ": " << ran.to_string();
  EXPECT_EQ((*runner)->output_shape(), (std::array<int64_t, 4>{frames, 3, oh, ow}));

  double worst = 0;
  std::vector<float> lr(static_cast<std::size_t>(w) * h * 3), sr(static_cast<std::size_t>(ow) * oh * 3);
  IsaLoop isas;  // the Session on every ISA this CPU runs
  isas.run([&](const std::string& isa) {
    Result<Session> session = Session::create(*graph, model->tensors, {});
    ASSERT_TRUE(session.ok()) << session.status().to_string();
    double worst_isa = 0;
    for (int f = 0; f < frames; ++f) {
      for (int c = 0; c < 3; ++c)
        for (int i = 0; i < w * h; ++i) lr[static_cast<std::size_t>(i) * 3 + c] = nchw[(f * 3 + c) * w * h + i];
      const ImageView<const float> in{lr.data(), w, h, 3, static_cast<std::ptrdiff_t>(w) * 3};
      const ImageView<float> out{sr.data(), ow, oh, 3, static_cast<std::ptrdiff_t>(ow) * 3};
      const Status st = session->run(in, out);
      EXPECT_TRUE(st.ok()) << arch << ": " << st.to_string();
      for (int c = 0; c < 3; ++c)
        for (int i = 0; i < ow * oh; ++i) {
          const double d =
              std::abs(sr[static_cast<std::size_t>(i) * 3 + c] - torch_out[(f * 3 + c) * ow * oh + i]);
          worst_isa = std::max(worst_isa, std::isnan(d) ? INFINITY : d);
        }
    }
    std::printf("[ parity   ] %-10s %-8s max |torch - runtime| = %.3g\n", arch.c_str(), isa.c_str(), worst_isa);
    worst = std::max(worst, worst_isa);
  });
  return worst;
}

TEST(TorchGraphRunner, ElsrMatchesTheRuntime) {
  EXPECT_LT(max_difference("elsr", R"({"scale": 4, "channels": 6})", 1), kRunnerTolerance);
  // 133 pixels wide: conv4 (6 -> 48) takes the Winograd F(4,3) path (rows of >= 4 vectors), tail chunk included.
  EXPECT_LT(max_difference("elsr", R"({"scale": 4, "channels": 6})", 1, 133, 9), kRunnerTolerance);
}

TEST(TorchGraphRunner, MatlabBicubicMatchesTheRuntime) {
  // bicubic_a −0.5: the MATLAB kind (symmetric borders), from the runtime's own taps.
  EXPECT_LT(max_difference("sam_sr",
                           R"({"scale": 4, "nf": 16, "n": 2, "se": true, "bn": false, "bicubic_a": -0.5,
                               "se_gate": "hard_sigmoid", "upsampler": "candidate_a"})",
                           1),
            kRunnerTolerance);
  EXPECT_LT(max_difference("sam_sr",
                           R"({"scale": 4, "nf": 16, "n": 1, "se": true, "bn": false, "bicubic_a": -0.5,
                               "se_gate": "hard_sigmoid", "upsampler": "candidate_a"})",
                           1, 5, 3),
            kRunnerTolerance);  // a 5 x 3 input: the mirrored taps reach across the whole image
}

TEST(TorchGraphRunner, SamSrWithBatchNormAndSqueezeExciteMatchesTheRuntime) {
  // PyTorch's bicubic kernel (a = −0.75) is what the runner uses, so the comparison is exact up to rounding.
  EXPECT_LT(max_difference("sam_sr",
                           R"({"scale": 4, "nf": 16, "n": 2, "se": true, "bn": true, "bicubic_a": -0.75,
                               "se_gate": "hard_sigmoid", "upsampler": "candidate_a"})",
                           1),
            kRunnerTolerance);
}

// The baselines (DESIGN §4) through LibTorch's own conv / conv_transpose / PReLU / LeakyReLU / max_pool /
// bilinear interpolate / pixel_shuffle: the runtime's parity with a LibTorch forward pass for every
// architecture (ELSR, SAM-SR and EVSRNet also have module-level parity in parity_torch_runtime_test.cpp).
TEST(TorchGraphRunner, BaselinesMatchTheRuntime) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"espcn", R"({"scale": 4, "channels": 3})"},
      {"fsrcnn", R"({"scale": 4, "d": 32, "s": 5, "m": 1, "channels": 3})"},
      {"rfdn", R"({"scale": 4, "nf": 16, "num_modules": 1})"},
      {"imdn", R"({"scale": 4, "nf": 16, "num_modules": 1})"},
      {"msrresnet", R"({"scale": 4, "nc": 8, "nb": 1})"},
  };
  // 33 x 29: large enough for RFDN's ESA branch (stride-2 conv, then a 7x7 stride-3 max pool).
  for (const auto& [arch, config] : cases) EXPECT_LT(max_difference(arch, config, 1, 33, 29), kRunnerTolerance) << arch;
}

TEST(TorchGraphRunner, FrameParallelBatchMatchesPerFrameRuns) {
  EXPECT_LT(max_difference("evsrnet", R"({"scale": 4, "nc": 8, "nb": 2, "frames": 3, "mode": "frame_parallel"})", 3),
            kRunnerTolerance);
  EXPECT_LT(
      max_difference("evsrnet", R"({"scale": 4, "nc": 8, "nb": 2, "frames": 3, "mode": "frame_parallel"})", 3, 133, 9),
      kRunnerTolerance);  // the 8 -> 48 tail on the Winograd path
}

// A recurrent EVSRNet window (x_prev, x_t, h, o -> frame, h', o'): run_window against a MultiFrameSession
// pushing the same frames (f32, fused and reference executors), every frame of the window.
TEST(TorchGraphRunner, RecurrentWindowMatchesTheMultiFrameSession) {
  constexpr int kFrames = 4, w = 19, h = 11, s = 4, ow = w * s, oh = h * s;
  Result<ModelFile> model = models::make_random_model(
      "evsrnet", 4, R"({"scale": 4, "nc": 8, "nb": 2, "frames": 4, "mode": "recurrent"})", 5);
  ASSERT_TRUE(model.ok()) << model.status().to_string();
  Result<Graph> graph = models::build_graph(*model);
  ASSERT_TRUE(graph.ok()) << graph.status().to_string();
  ASSERT_EQ(graph->inputs.size(), 4u);
  auto runner = TorchGraphRunner::create(*graph, model->tensors, 1);
  ASSERT_TRUE(runner.ok()) << runner.status().to_string();
  EXPECT_EQ((*runner)->num_inputs(), 4);
  EXPECT_EQ((*runner)->num_outputs(), 3);

  std::mt19937 rng(11);
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  std::vector<float> frames(static_cast<std::size_t>(kFrames) * 3 * w * h);
  for (float& v : frames) v = uniform(rng);
  std::vector<std::vector<float>> torch_out(kFrames);
  const Status ran = (*runner)->run_window(frames.data(), kFrames, 3, h, w, [&](int t, const float* out) {
    torch_out[t].assign(out, out + 3 * ow * oh);
  });
  ASSERT_TRUE(ran.ok()) << ran.to_string();
  EXPECT_EQ((*runner)->output_shape(0), (std::array<int64_t, 4>{1, 3, oh, ow}));
  EXPECT_EQ((*runner)->output_shape(1), (std::array<int64_t, 4>{1, 8, h, w}));  // the last step's state
  EXPECT_EQ((*runner)->output_shape(2), (std::array<int64_t, 4>{1, 48, h, w}));

  for (const bool reference : {false, true}) {
    SessionOptions options;
    options.threads = 2;
    options.reference = reference;
    Result<MultiFrameSession> mfs = MultiFrameSession::create(*graph, model->tensors, options);
    ASSERT_TRUE(mfs.ok()) << mfs.status().to_string();
    std::vector<float> lr(static_cast<std::size_t>(w) * h * 3), sr(static_cast<std::size_t>(ow) * oh * 3);
    for (int t = 0; t < kFrames; ++t) {
      for (int c = 0; c < 3; ++c)
        for (int i = 0; i < w * h; ++i) lr[static_cast<std::size_t>(i) * 3 + c] = frames[(t * 3 + c) * w * h + i];
      const Status st = mfs->push_frame({lr.data(), w, h, 3, static_cast<std::ptrdiff_t>(w) * 3},
                                        {sr.data(), ow, oh, 3, static_cast<std::ptrdiff_t>(ow) * 3});
      ASSERT_TRUE(st.ok()) << st.to_string();
      double worst = 0;
      for (int c = 0; c < 3; ++c)
        for (int i = 0; i < ow * oh; ++i) {
          const double d = std::abs(sr[static_cast<std::size_t>(i) * 3 + c] - torch_out[t][c * ow * oh + i]);
          worst = std::max(worst, std::isnan(d) ? INFINITY : d);
        }
      std::printf("[ parity   ] evsrnet recurrent %s frame %d max |torch - runtime| = %.3g\n",
                  reference ? "reference" : "fused", t, worst);
      EXPECT_LT(worst, kRunnerTolerance) << "frame " << t << (reference ? " (reference)" : " (fused)");
    }
  }

  // Step 0 by hand through run(inputs): x_prev = x_t = frame 0, zero states; equals the window's frame 0.
  std::vector<float> h0(static_cast<std::size_t>(8) * w * h, 0.0f), o0(static_cast<std::size_t>(48) * w * h, 0.0f);
  const TorchInput inputs[] = {{frames.data(), 1, 3, h, w},
                               {frames.data(), 1, 3, h, w},
                               {h0.data(), 1, 8, h, w},
                               {o0.data(), 1, 48, h, w}};
  ASSERT_TRUE((*runner)->run(inputs).ok());
  std::vector<float> step0(static_cast<std::size_t>(3) * ow * oh);
  ASSERT_TRUE((*runner)->copy_output(0, step0.data()).ok());
  EXPECT_EQ(step0, torch_out[0]);
}

TEST(TorchGraphRunner, RejectsWrongInputsAndContracts) {
  Result<ModelFile> model =
      models::make_random_model("evsrnet", 4, R"({"scale": 4, "nc": 8, "nb": 2, "frames": 3, "mode": "recurrent"})", 1);
  ASSERT_TRUE(model.ok()) << model.status().to_string();
  auto recurrent = TorchGraphRunner::create(*models::build_graph(*model), model->tensors, 1);
  ASSERT_TRUE(recurrent.ok()) << recurrent.status().to_string();
  float x[3 * 2 * 2] = {};
  // One buffer for a four-input graph; a wrong input count or channel count.
  EXPECT_EQ((*recurrent)->run(x, 1, 3, 2, 2).code(), StatusCode::kInvalidArgument);
  const TorchInput one[] = {{x, 1, 3, 2, 2}};
  EXPECT_EQ((*recurrent)->run(one).code(), StatusCode::kInvalidArgument);
  const TorchInput wrong_channels[] = {{x, 1, 3, 2, 2}, {x, 1, 3, 2, 2}, {x, 1, 3, 2, 2}, {x, 1, 3, 2, 2}};
  EXPECT_EQ((*recurrent)->run(wrong_channels).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ((*recurrent)->run_window(x, 0, 3, 2, 2).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ((*recurrent)->copy_output(0, x).code(), StatusCode::kInvalidArgument);  // no successful run yet

  Result<ModelFile> elsr = models::make_random_model("elsr", 2, R"({"scale": 2, "channels": 6})", 1);
  auto ok = TorchGraphRunner::create(*models::build_graph(*elsr), elsr->tensors, 0);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ((*ok)->output_shape(), (std::array<int64_t, 4>{0, 0, 0, 0}));
  EXPECT_EQ((*ok)->run(x, 0, 3, 1, 1).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ((*ok)->run_window(x, 1, 3, 2, 2).code(), StatusCode::kUnsupported);  // not a recurrent step
  EXPECT_FALSE(TorchGraphRunner::library_version().empty());
  EXPECT_GE(TorchGraphRunner::library_threads(), 1);
}

}  // namespace
}  // namespace litesr::train
