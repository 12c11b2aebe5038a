// Training/engine parity (DESIGN §8, llm.c test_gpt2.c style): a seeded LibTorch module, exported through the
// real export path (train/model_export.h -> .safetensors in a TempDir -> runtime/model_file.h), gives the same
// output in the runtime as in LibTorch, max abs error <= 1e-5, for every architecture both sides implement:
// ELSR x2/x3/x4, SAM-SR (XLITE, BN unfolded and folded, both SE gates, both bicubic kernels), EVSRNet
// frame-parallel and recurrent (streamed through MultiFrameSession, windows / reset / size change),
// ESPCN and FSRCNN (RGB).
//
// Two runtime paths per model: the reference executor (run_reference, unfolded, unclamped f32) against the
// torch output as is, and the Session / MultiFrameSession (fused or layer by layer, BN folded, clamped to
// [0, 1]) against the torch output clamped to [0, 1] — the Session on every ISA this CPU runs (forced one
// after the other, testing/isa_loop.h). Inputs have odd sizes (17 x 13) so borders, pixel
// shuffles and bicubic tables see no symmetry.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "models/registry.h"
#include "runtime/feature_map.h"
#include "runtime/model_file.h"
#include "runtime/multi_frame_session.h"
#include "runtime/reference_executor.h"
#include "runtime/session.h"
#include "testing/isa_loop.h"
#include "testing/test_env.h"
#include "train/model_export.h"
#include "train/sr_network.h"

namespace litesr::train {
namespace {

using litesr::testing::IsaLoop;
using litesr::testing::TempDir;

constexpr float kTolerance = 1e-5f;
constexpr int kWidth = 17;   // LR width (odd)
constexpr int kHeight = 13;  // LR height (odd)

// make_network with torch seeded, then the parameters PyTorch initialises to constants made random so the
// parity also covers their layout: PReLU slopes U(0.05, 0.45) per channel; BN weight U(0.5, 1.5), bias
// U(−0.2, 0.2), running_mean U(−0.3, 0.3), running_var U(0.5, 2) (non-trivial folding). SE fc weights are
// widened to U(−1, 1): with PyTorch's init the gate inputs stay near 0, where hard-sigmoid and sigmoid both
// give ≈ 0.5 and a swapped gate would hide inside the tolerance. Eval mode.
SrNetworkPtr seeded_network(const ModelConfig& config, uint64_t seed) {
  torch::manual_seed(seed);
  Result<SrNetworkPtr> made = make_network(config);
  EXPECT_TRUE(made.ok()) << made.status().to_string();
  if (!made.ok()) return nullptr;
  SrNetworkPtr net = *made;
  torch::NoGradGuard no_grad;
  for (auto& [name, t] : network_state(*net)) {
    const bool bn = name.find("_bn.") != std::string::npos;
    if (name.find("prelu") != std::string::npos ||
        (name.find("_part.") != std::string::npos && t.dim() == 1 && name.ends_with(".weight"))) {
      t.uniform_(0.05, 0.45);  // ELSR prelu.weight, FSRCNN first_part.1 / mid_part.{odd} PReLU slopes
    } else if (name.find(".se.fc") != std::string::npos) {
      t.uniform_(-1.0, 1.0);  // SE fc weights: gate inputs reach the saturating parts of both gates
    } else if (bn && name.ends_with("running_var")) {
      t.uniform_(0.5, 2.0);
    } else if (bn && name.ends_with("running_mean")) {
      t.uniform_(-0.3, 0.3);
    } else if (bn && name.ends_with(".weight")) {
      t.uniform_(0.5, 1.5);
    } else if (bn && name.ends_with(".bias")) {
      t.uniform_(-0.2, 0.2);
    }
  }
  net->eval();
  return net;
}

// Export through the real path (safetensors file on disk) and read it back as the runtime does.
ModelFile export_and_read(SrNetwork& net, const TempDir& dir, const std::string& name, bool fold_batch_norm = true) {
  ExportInfo info;
  info.fold_batch_norm = fold_batch_norm;
  const std::filesystem::path path = dir / (name + ".safetensors");
  const Status written = export_network(path, net, info);
  EXPECT_TRUE(written.ok()) << written.to_string();
  Result<ModelFile> read = read_model_file(path);
  EXPECT_TRUE(read.ok()) << read.status().to_string();
  return read.ok() ? std::move(*read) : ModelFile{};
}

// [C, H, W] (or [1, C, H, W]) float tensor -> FeatureMap.
FeatureMap to_map(const torch::Tensor& t) {
  const torch::Tensor c = t.squeeze(0).to(torch::kFloat).contiguous();
  FeatureMap m{static_cast<int>(c.size(0)), static_cast<int>(c.size(1)), static_cast<int>(c.size(2)), {}};
  m.data.assign(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
  return m;
}

// [C, H, W] tensor -> interleaved HWC buffer (the Session's image layout).
std::vector<float> to_hwc(const torch::Tensor& chw) {
  const torch::Tensor c = chw.squeeze(0).permute({1, 2, 0}).contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

float max_abs_diff(const torch::Tensor& expected_chw, const FeatureMap& got) {
  const FeatureMap e = to_map(expected_chw);
  EXPECT_EQ(e.channels, got.channels);
  EXPECT_EQ(e.height, got.height);
  EXPECT_EQ(e.width, got.width);
  if (e.data.size() != got.data.size()) return INFINITY;
  float d = 0.0f;
  for (size_t i = 0; i < e.data.size(); ++i) {
    d = std::isnan(got.data[i]) ? INFINITY : std::max(d, std::abs(e.data[i] - got.data[i]));
  }
  return d;
}

float max_abs_diff_hwc(const torch::Tensor& expected_chw, const std::vector<float>& got_hwc) {
  const std::vector<float> e = to_hwc(expected_chw);
  EXPECT_EQ(e.size(), got_hwc.size());
  if (e.size() != got_hwc.size()) return INFINITY;
  float d = 0.0f;
  for (size_t i = 0; i < e.size(); ++i) {
    d = std::isnan(got_hwc[i]) ? INFINITY : std::max(d, std::abs(e[i] - got_hwc[i]));
  }
  return d;
}

// Records one comparison: the maximum is printed so the achieved error is visible in the test log.
void expect_parity(const std::string& what, float max_err) {
  std::printf("[ parity   ] %-58s max |torch - runtime| = %.3g\n", what.c_str(), static_cast<double>(max_err));
  EXPECT_LE(max_err, kTolerance) << what;
}

torch::Tensor random_lr(int channels, uint64_t seed) {
  torch::manual_seed(seed);
  return torch::rand({1, channels, kHeight, kWidth});  // [1, C, H, W] in [0, 1)
}

// Single-frame models: torch forward vs run_reference (unclamped) and vs the Session (clamped).
void check_single_frame(const ModelConfig& config, uint64_t seed, const std::string& what, bool fold_batch_norm = true,
                        const SrNetworkPtr& given = nullptr) {
  SCOPED_TRACE(what);
  SrNetworkPtr net = given ? given : seeded_network(config, seed);
  ASSERT_NE(net, nullptr);
  TempDir dir;
  const ModelFile model = export_and_read(*net, dir, "model", fold_batch_norm);
  const int scale = config_scale(config);
  const torch::Tensor x = random_lr(3, seed + 1000);
  torch::Tensor y;
  {
    torch::NoGradGuard no_grad;
    y = net->forward(x);  // [1, 3, sH, sW], not clamped
  }
  ASSERT_EQ(y.sizes(), (std::vector<int64_t>{1, 3, scale * kHeight, scale * kWidth}));

  Result<Graph> graph = models::build_graph(model);
  ASSERT_TRUE(graph.ok()) << graph.status().to_string();
  Result<std::vector<FeatureMap>> ref = run_reference(*graph, model.tensors, {to_map(x)});
  ASSERT_TRUE(ref.ok()) << ref.status().to_string();
  ASSERT_EQ(ref->size(), 1u);
  expect_parity(what + " reference (f32)", max_abs_diff(y, (*ref)[0]));

  IsaLoop isas;  // the Session's kernels on every ISA this CPU runs
  isas.run([&](const std::string& isa) {
    Result<Session> session = models::create_session(model);
    ASSERT_TRUE(session.ok()) << session.status().to_string();
    const std::vector<float> lr = to_hwc(x);
    std::vector<float> sr(static_cast<size_t>(scale * kWidth) * scale * kHeight * 3, -1.0f);
    const Status ran = session->run({lr.data(), kWidth, kHeight, 3, kWidth * 3},
                                    {sr.data(), scale * kWidth, scale * kHeight, 3, scale * kWidth * 3});
    ASSERT_TRUE(ran.ok()) << ran.to_string();
    expect_parity(what + " session " + isa + " (clamped)", max_abs_diff_hwc(y.clamp(0.0, 1.0), sr));
  });
}

TEST(Parity, Elsr) {
  for (int scale : {2, 3, 4}) {
    check_single_frame(ElsrConfig{scale, 6}, 100 + scale, "elsr x" + std::to_string(scale));
  }
}

TEST(Parity, Espcn) {
  for (int scale : {2, 3, 4}) {
    check_single_frame(EspcnConfig{scale, 3}, 200 + scale, "espcn rgb x" + std::to_string(scale));
  }
}

TEST(Parity, Fsrcnn) {
  for (int scale : {2, 3, 4}) {
    check_single_frame(FsrcnnConfig{scale, 56, 12, 4, 3}, 300 + scale, "fsrcnn rgb x" + std::to_string(scale));
  }
  check_single_frame(FsrcnnConfig{3, 32, 5, 1, 3}, 310, "fsrcnn-s rgb x3");
}

// SAM-SR XLITE (nf 16, N 8): BN exported unfolded (runtime evaluates / folds BN itself) and folded (the
// export default, config "bn": false), against the same eval-mode torch module; both SE gates, both bicubic
// kernels; and one network without SE.
TEST(Parity, SamSrXlite) {
  uint64_t seed = 400;
  for (SeGate gate : {SeGate::kHardSigmoid, SeGate::kSigmoid}) {
    for (double a : {-0.5, -0.75}) {
      SamSrConfig c;  // XLITE: nf 16, n 8, x4
      c.se_gate = gate;
      c.bicubic = a == -0.5 ? BicubicKind::kMatlab : BicubicKind::kPytorch;
      const std::string name = std::string("sam_sr xlite ") + (gate == SeGate::kSigmoid ? "sigmoid" : "hard_sigmoid") +
                               " a=" + (a == -0.5 ? "-0.5" : "-0.75");
      SrNetworkPtr net = seeded_network(c, ++seed);
      ASSERT_NE(net, nullptr);
      check_single_frame(c, seed, name + " bn unfolded", /*fold_batch_norm=*/false, net);
      check_single_frame(c, seed, name + " bn folded", /*fold_batch_norm=*/true, net);
    }
  }
  SamSrConfig no_se;
  no_se.nf = 8;
  no_se.n = 2;
  no_se.se = false;
  check_single_frame(no_se, 420, "sam_sr nf8 n2 no-se folded");
}

// ---- EVSRNet: streaming through MultiFrameSession vs the torch module on the same windows ----

// frames[begin, begin + count).
std::vector<torch::Tensor> frame_range(const std::vector<torch::Tensor>& frames, size_t begin, size_t count) {
  return std::vector<torch::Tensor>(frames.begin() + static_cast<std::ptrdiff_t>(begin),
                                    frames.begin() + static_cast<std::ptrdiff_t>(begin + count));
}

// [1, 3, H, W] frames -> the stacked window [1, 3·n, H, W] (channel = 3·t + colour). The torch module
// restarts its recurrent state at the start of every input, i.e. one input = one window.
torch::Tensor stack_frames(const std::vector<torch::Tensor>& frames) { return torch::cat(frames, 1); }

// Pushes frames through a MultiFrameSession (T = 3): 2 full windows + 2 frames, reset(), 2 frames, then a
// frame of another size (a new window). Each run of frames from a window start is compared with one torch
// forward over the same frames (torch restarts its state per input), and the reference executor's step loop
// (unclamped, the documented state feedback) with the same torch outputs.
// `isa` names the ISA the caller forced (for the messages); k = 3 (RGB) or 1 (luma frames, "color": "y").
void check_evsrnet_streaming(EvsrnetMode mode, const std::string& isa, int k = 3) {
  const bool recurrent = mode == EvsrnetMode::kRecurrent;
  const int T = 3, s = 4, nc = 8;
  const EvsrnetConfig config{s, nc, 5, T, mode, k};
  const std::string tag =
      std::string(recurrent ? "evsrnet recurrent" : "evsrnet frame_parallel") + (k == 1 ? " luma " : " ") + isa;
  SrNetworkPtr net = seeded_network(config, recurrent ? 500 : 510);
  ASSERT_NE(net, nullptr);
  TempDir dir;
  const ModelFile model = export_and_read(*net, dir, "evsrnet");
  Result<MultiFrameSession> mfs = models::create_multi_frame_session(model);
  ASSERT_TRUE(mfs.ok()) << mfs.status().to_string();
  ASSERT_EQ(mfs->window(), T);
  ASSERT_EQ(mfs->recurrent(), recurrent);
  Result<Graph> graph = models::build_graph(model);
  ASSERT_TRUE(graph.ok()) << graph.status().to_string();

  // One LR frame in, its SR frame out (clamped by the session).
  auto push = [&](const torch::Tensor& frame, int w, int h) {
    const std::vector<float> lr = to_hwc(frame);
    std::vector<float> sr(static_cast<size_t>(s * w) * s * h * k, -1.0f);
    const Status st = mfs->push_frame({lr.data(), w, h, k, w * k}, {sr.data(), s * w, s * h, k, s * w * k});
    EXPECT_TRUE(st.ok()) << st.to_string();
    return sr;
  };
  // Streams `frames` from a window start (position 0, no more than T frames) and compares every output
  // with torch's forward over the stacked frames, and with the reference executor's step loop.
  float err_session = 0.0f, err_reference = 0.0f;
  auto run_window = [&](const std::vector<torch::Tensor>& frames, const std::string& what) {
    SCOPED_TRACE(what);
    ASSERT_EQ(mfs->position(), 0);
    const int h = static_cast<int>(frames[0].size(2)), w = static_cast<int>(frames[0].size(3));
    torch::Tensor y;
    {
      torch::NoGradGuard no_grad;
      y = net->forward(stack_frames(frames));  // [1, K·n, sH, sW]
    }
    FeatureMap hid = FeatureMap::zeros(nc, h, w), o = FeatureMap::zeros(k * s * s, h, w);
    for (size_t t = 0; t < frames.size(); ++t) {
      const torch::Tensor expected = y.narrow(1, static_cast<int64_t>(k * t), k);
      err_session = std::max(err_session, max_abs_diff_hwc(expected.clamp(0.0, 1.0), push(frames[t], w, h)));
      // Reference step: graph inputs per models/evsrnet.h (recurrent: x_prev, x_t, h_prev, o_prev).
      std::vector<FeatureMap> ins;
      if (recurrent) {
        ins = {to_map(frames[t == 0 ? 0 : t - 1]), to_map(frames[t]), hid, o};
      } else {
        ins = {to_map(frames[t])};
      }
      Result<std::vector<FeatureMap>> ref = run_reference(*graph, model.tensors, ins);
      ASSERT_TRUE(ref.ok()) << ref.status().to_string();
      ASSERT_EQ(ref->size(), recurrent ? 3u : 1u);
      err_reference = std::max(err_reference, max_abs_diff(expected, (*ref)[0]));
      if (recurrent) {
        hid = (*ref)[1];  // h -> h_prev
        o = (*ref)[2];    // o -> o_prev
      }
    }
  };

  std::vector<torch::Tensor> frames;
  for (int t = 0; t < 2 * T + 3; ++t) frames.push_back(random_lr(k, 600 + t));
  // Two full windows, then two frames of the third: the session restarts its state after every T frames.
  run_window(frame_range(frames, 0, T), "window 0");
  run_window(frame_range(frames, T, T), "window 1");
  run_window(frame_range(frames, 2 * T, 2), "window 2 (partial)");
  // A scene cut mid-window: reset() makes the next push a window start (frame 2T+1 again, fresh state).
  ASSERT_EQ(mfs->position(), 2);
  mfs->reset();
  run_window(frame_range(frames, 2 * T + 1, 2), "after reset");
  // A frame size change restarts the window even mid-window (position is 2 here).
  ASSERT_EQ(mfs->position(), 2);
  const torch::Tensor small = random_lr(k, 700).narrow(2, 0, 7).narrow(3, 0, 9).contiguous();  // 9 x 7
  {
    SCOPED_TRACE("size change");
    torch::Tensor y;
    {
      torch::NoGradGuard no_grad;
      y = net->forward(small);
    }
    err_session = std::max(err_session, max_abs_diff_hwc(y.clamp(0.0, 1.0), push(small, 9, 7)));
    EXPECT_EQ(mfs->position(), 1);
  }
  // The window checks discriminate: in recurrent mode frame 2T+1 comes out differently as the second frame
  // of a window than as the first (after reset), so a missed or extra state reset would fail above.
  {
    torch::NoGradGuard no_grad;
    const torch::Tensor second = net->forward(stack_frames(frame_range(frames, 2 * T, 2))).narrow(1, k, k);
    const torch::Tensor first = net->forward(frames[2 * T + 1]);
    const float state_effect = (second - first).abs().max().item<float>();
    if (recurrent) {
      EXPECT_GT(state_effect, 1e-3f);
    } else {
      EXPECT_LE(state_effect, 1e-6f);  // independent frames (batched vs alone: rounding only)
    }
  }
  expect_parity(tag + " MultiFrameSession (clamped)", err_session);
  expect_parity(tag + " reference step loop (f32)", err_reference);

  // run_stacked: one window in the challenge layout [H, W, K·T] equals torch's forward on [1, K·T, H, W].
  const torch::Tensor stacked = stack_frames(frame_range(frames, 0, T));
  torch::Tensor y;
  {
    torch::NoGradGuard no_grad;
    y = net->forward(stacked);
  }
  const std::vector<float> lr = to_hwc(stacked);
  std::vector<float> sr(static_cast<size_t>(s * kWidth) * s * kHeight * k * T, -1.0f);
  const Status st = mfs->run_stacked({lr.data(), kWidth, kHeight, k * T, kWidth * k * T},
                                     {sr.data(), s * kWidth, s * kHeight, k * T, s * kWidth * k * T});
  ASSERT_TRUE(st.ok()) << st.to_string();
  expect_parity(tag + " run_stacked (clamped)", max_abs_diff_hwc(y.clamp(0.0, 1.0), sr));
  EXPECT_EQ(mfs->position(), 0);
}

class EvsrnetParity : public ::testing::TestWithParam<EvsrnetMode> {};

TEST_P(EvsrnetParity, StreamingMatchesTorchWindows) {
  IsaLoop isas;
  isas.run([&](const std::string& isa) { check_evsrnet_streaming(GetParam(), isa); });
}

// The luma network ("color": "y": 1-channel frames, 2 + nc + s² head inputs) through the same checks.
TEST(EvsrnetLumaParity, RecurrentStreamingMatchesTorchWindows) {
  IsaLoop isas;
  isas.run([&](const std::string& isa) { check_evsrnet_streaming(EvsrnetMode::kRecurrent, isa, 1); });
}

INSTANTIATE_TEST_SUITE_P(Modes, EvsrnetParity, ::testing::Values(EvsrnetMode::kRecurrent, EvsrnetMode::kFrameParallel),
                         [](const ::testing::TestParamInfo<EvsrnetMode>& info) {
                           return info.param == EvsrnetMode::kRecurrent ? std::string("Recurrent")
                                                                        : std::string("FrameParallel");
                         });

}  // namespace
}  // namespace litesr::train
