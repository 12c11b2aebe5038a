// TorchGraphRunner (the LibTorch peer of `litesr bench`) computes what the runtime computes: random-weight
// models through the runner and through a Session (f32, clamped, on every ISA this CPU runs) agree within 1e-5
// on odd sizes: with parity_torch_runtime_test.cpp, the runtime-vs-LibTorch check for every architecture.
#include "train/torch_graph_runner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "models/registry.h"
#include "runtime/session.h"
#include "testing/isa_loop.h"

namespace litesr::train {
namespace {

using litesr::testing::IsaLoop;

// DESIGN's parity bound (max abs error); measured: <= 6e-7 on every architecture and ISA.
constexpr double kTolerance = 1e-5;
constexpr int kWidth = 17;
constexpr int kHeight = 13;

// Runs `frames` random frames through a one-frame Session and through the runner as one batch; returns the
// largest absolute difference.
double max_difference(const std::string& arch, const std::string& config, int frames, int w = kWidth,
                      int h = kHeight) {
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
  EXPECT_LT(max_difference("elsr", R"({"scale": 4, "channels": 6})", 1), kTolerance);
  // 133 pixels wide: conv4 (6 -> 48) takes the Winograd F(4,3) path (rows of >= 4 vectors), tail chunk included.
  EXPECT_LT(max_difference("elsr", R"({"scale": 4, "channels": 6})", 1, 133, 9), kTolerance);
}

TEST(TorchGraphRunner, SamSrWithBatchNormAndSqueezeExciteMatchesTheRuntime) {
  // PyTorch's bicubic kernel (a = −0.75) is what the runner uses, so the comparison is exact up to rounding.
  EXPECT_LT(max_difference("sam_sr",
                           R"({"scale": 4, "nf": 16, "n": 2, "se": true, "bn": true, "bicubic_a": -0.75,
                               "se_gate": "hard_sigmoid", "upsampler": "candidate_a"})",
                           1),
            kTolerance);
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
  for (const auto& [arch, config] : cases) EXPECT_LT(max_difference(arch, config, 1, 33, 29), kTolerance) << arch;
}

TEST(TorchGraphRunner, FrameParallelBatchMatchesPerFrameRuns) {
  EXPECT_LT(max_difference("evsrnet", R"({"scale": 4, "nc": 8, "nb": 2, "frames": 3, "mode": "frame_parallel"})", 3),
            kTolerance);
  EXPECT_LT(max_difference("evsrnet", R"({"scale": 4, "nc": 8, "nb": 2, "frames": 3, "mode": "frame_parallel"})", 3,
                           133, 9),
            kTolerance);  // the 8 -> 48 tail on the Winograd path
}

TEST(TorchGraphRunner, RejectsMultiInputGraphsAndEmptyInputs) {
  Result<ModelFile> model =
      models::make_random_model("evsrnet", 4, R"({"scale": 4, "nc": 8, "nb": 2, "frames": 3, "mode": "recurrent"})", 1);
  ASSERT_TRUE(model.ok()) << model.status().to_string();
  Result<Graph> graph = models::build_graph(*model);
  ASSERT_TRUE(graph.ok()) << graph.status().to_string();
  ASSERT_GT(graph->inputs.size(), 1u);  // one recurrent step: frames, hidden state, previous output
  auto runner = TorchGraphRunner::create(*graph, model->tensors, 1);
  ASSERT_FALSE(runner.ok());
  EXPECT_EQ(runner.status().code(), StatusCode::kUnsupported);
  Result<ModelFile> elsr = models::make_random_model("elsr", 2, R"({"scale": 2, "channels": 6})", 1);
  auto ok = TorchGraphRunner::create(*models::build_graph(*elsr), elsr->tensors, 0);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ((*ok)->output_shape(), (std::array<int64_t, 4>{0, 0, 0, 0}));
  float x = 0;
  EXPECT_EQ((*ok)->run(&x, 0, 3, 1, 1).code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(TorchGraphRunner::library_version().empty());
  EXPECT_GE(TorchGraphRunner::library_threads(), 1);
}

}  // namespace
}  // namespace litesr::train
