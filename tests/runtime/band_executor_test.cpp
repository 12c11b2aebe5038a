// The fused band executor (band_executor.h) through the Session, on graphs built here (no src/models):
// for every ISA this CPU runs, the fused output is within 1e-5 of the reference oracle, and bitwise
// identical for every band height and thread count; the u8 path equals quantising the f32 path.
// Covers the Highway conv kernels (3x3, 1x1, depthwise, 5x5 as 1x1 over shifted rows), the scalar fallback (5x5), every fused epilogue,
// the fast pixel-shuffle store and the generic output-resolution path (bicubic global skip).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "base/image_ops.h"
#include "runtime/band_executor.h"
#include "runtime/epilogue_fusion.h"
#include "runtime/graph.h"
#include "runtime/program.h"
#include "runtime/kernel_dispatch.h"
#include "runtime/reference_executor.h"
#include "runtime/session.h"

namespace litesr {
namespace {

struct FloatModel {
  Graph graph;
  TensorMap tensors;
};

FloatModel with_random_float_tensors(Graph graph, uint32_t seed) {
  FloatModel m{std::move(graph), {}};
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-0.5f, 0.5f);
  auto specs = expected_tensors(m.graph);
  EXPECT_TRUE(specs.ok()) << specs.status().to_string();
  if (!specs.ok()) return m;
  for (const TensorSpec& spec : *specs) {
    Tensor t;
    t.shape = spec.shape;
    t.data.resize(static_cast<std::size_t>(t.numel()));
    // PyTorch's default init bound for conv weights, 1/sqrt(fan_in); U(−0.5, 0.5) for everything else.
    const bool conv_weight = spec.shape.size() == 4;
    const float bound = conv_weight ? 1.0f / std::sqrt(static_cast<float>(spec.shape[1] * spec.shape[2] * spec.shape[3]))
                                    : 1.0f;
    for (float& v : t.data) v = u(rng) * bound;
    if (spec.name.find("running_var") != std::string::npos) {
      for (float& v : t.data) v += 1.0f;
    }
    m.tensors[spec.name] = std::move(t);
  }
  return m;
}

// ELSR-shaped: conv → PReLU → conv → + skip → conv(3s²) → pixel_shuffle.
FloatModel elsr_shaped(int s) {
  GraphBuilder b("elsr", s);
  const int x = b.input("x", 3);
  const int f1 = b.conv(x, "conv1", 6, 3);
  const int t = b.prelu(b.conv(f1, "conv2", 6, 3), "prelu");
  const int r = b.add({b.conv(t, "conv3", 6, 3), f1});
  b.output(b.pixel_shuffle(b.conv(r, "conv4", 3 * s * s, 3), s));
  return with_random_float_tensors(std::move(b).finish(), 10 + s);
}

// Every kernel and epilogue: 1x1 + leaky, depthwise + relu, 5x5 unfolded into the 1x1 kernel + tanh, 5x5 with too
// many taps for that (scalar), BN folded, residual
// blocks, concat/slice, and output = pixel_shuffle(conv) + bicubic(x) (the generic HR path).
FloatModel mixed(int s) {
  GraphBuilder b("mixed", s);
  const int x = b.input("x", 3);
  const int h = b.relu(b.conv(x, "head", 8, 3));
  const int e = b.leaky_relu(b.batch_norm(b.conv(h, "expand", 16, 1, false), "bn"), 0.2f);
  const int d = b.relu(b.conv(e, "dw", 16, 3, true, 16));
  const int p = b.add({b.conv(d, "project", 8, 1), h});
  const int q0 = b.tanh(b.conv(p, "wide", 8, 5));                   // 8·25 taps: conv1x1 over shifted rows
  const int q = b.conv(b.conv(q0, "fan", 24, 1), "wide2", 8, 5);  // 24·25 > 512 taps: the scalar loop
  const int c = b.concat({b.slice(q, 0, 4), b.slice(p, 4, 8)});
  const int body = b.add({b.conv(b.relu(b.conv(c, "r1", 8, 3)), "r2", 8, 3), c});
  const int up = b.pixel_shuffle(b.conv(body, "tail", 3 * s * s, 3), s);
  b.output(b.add({up, b.bicubic_upsample(x, s, BicubicKind::kMatlab)}));
  return with_random_float_tensors(std::move(b).finish(), 20 + s);
}

// SAM-SR-shaped: squeeze-excite (two passes) and a ×2 ×2 upsampler with convs at each resolution; RGB, or luma
// (`channels` 1: one channel in and out, like sam-sr-xlite-x4-y).
FloatModel sam_like(int channels = 3) {
  GraphBuilder b("sam_like", 4);
  const int x = b.input("x", channels);
  const int e = b.leaky_relu(b.batch_norm(b.conv(x, "e", 8, 1, false), "bn"), 0.2f);
  const int d = b.squeeze_excite(b.leaky_relu(b.conv(e, "dw", 8, 3, true, 8), 0.2f), "se", 2, SeGate::kHardSigmoid);
  const int pj = b.add({b.conv(d, "pj", 8, 1), e});
  int u = b.leaky_relu(b.pixel_shuffle(b.conv(pj, "u1", 16, 1), 2), 0.2f);
  u = b.conv(u, "u2", 4, 3, true, 4);
  u = b.leaky_relu(b.pixel_shuffle(b.conv(u, "u3", 16, 1), 2), 0.2f);
  u = b.conv(b.relu(b.conv(u, "u4", 4, 3)), "u5", channels, 1);
  b.output(b.add({u, b.bicubic_upsample(x, 4, BicubicKind::kMatlab)}));
  return with_random_float_tensors(std::move(b).finish(), 7);
}

// Two chained SAM-SR blocks (expand 1x1, depthwise 3x3, squeeze-excite folded into the project 1x1, residual)
// and a global skip: three passes, the residual stream checkpointed, each block's expand + depthwise rerun.
FloatModel sam_two_blocks() {
  GraphBuilder b("sam_two_blocks", 2);
  const int x = b.input("x", 3);
  const int x0 = b.conv(x, "head", 8, 3);
  int xj = x0;
  for (int j = 1; j <= 2; ++j) {
    const std::string p = "b" + std::to_string(j);
    const int e = b.leaky_relu(b.conv(xj, p + ".e", 16, 1, false), 0.2f);
    const int d = b.leaky_relu(b.conv(e, p + ".dw", 16, 3, false, 16), 0.2f);
    const int g = b.squeeze_excite(d, p + ".se", 4, SeGate::kHardSigmoid);
    xj = b.add({b.conv(g, p + ".pj", 8, 1, false), xj});
  }
  const int skip = b.add({xj, x0});
  const int up = b.conv(b.pixel_shuffle(b.conv(skip, "up", 32, 1), 2), "tail", 3, 3);
  b.output(b.add({up, b.bicubic_upsample(x, 2, BicubicKind::kMatlab)}));
  return with_random_float_tensors(std::move(b).finish(), 9);
}

// Activations after a pixel shuffle at intermediate resolutions: relu and leaky fold
// into the conv before the shuffle; prelu (per-channel slopes) stays a separate step.
FloatModel shuffle_activations() {
  GraphBuilder b("shuffle_acts", 8);
  const int x = b.input("x", 3);
  // Read by an add, not a conv: the squeeze-excite's scaling pass runs (sam_like covers the folded case).
  const int e = b.add({b.squeeze_excite(b.conv(x, "e", 8, 3), "se", 2, SeGate::kSigmoid), b.conv(x, "e2", 8, 1)});
  int u = b.relu(b.pixel_shuffle(b.conv(e, "u1", 16, 1), 2));
  u = b.prelu(b.pixel_shuffle(b.conv(u, "u2", 16, 3), 2), "p");
  u = b.leaky_relu(b.pixel_shuffle(b.conv(u, "u3", 12, 3), 2), 0.1f);
  b.output(u);
  return with_random_float_tensors(std::move(b).finish(), 8);
}

std::vector<float> random_pixels(int w, int h, uint32_t seed, int channels = 3) {
  std::vector<float> v(static_cast<std::size_t>(w) * h * channels);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  for (float& p : v) p = u(rng);
  return v;
}

// The model's image channels (3 RGB, 1 luma), in and out.
int channels_of(const FloatModel& m) { return frame_channels(m.graph); }

std::vector<float> reference(const FloatModel& m, const std::vector<float>& lr, int w, int h) {
  const int ch = channels_of(m);
  FeatureMap in = FeatureMap::zeros(ch, h, w);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      for (int c = 0; c < ch; ++c) in.at(c, y, x) = lr[(static_cast<std::size_t>(y) * w + x) * ch + c];
    }
  }
  auto out = run_reference(m.graph, m.tensors, {in});
  EXPECT_TRUE(out.ok()) << out.status().to_string();
  const FeatureMap& o = (*out)[0];
  std::vector<float> sr(static_cast<std::size_t>(o.width) * o.height * ch);
  for (int y = 0; y < o.height; ++y) {
    for (int x = 0; x < o.width; ++x) {
      for (int c = 0; c < ch; ++c) {
        sr[(static_cast<std::size_t>(y) * o.width + x) * ch + c] = std::clamp(o.at(c, y, x), 0.0f, 1.0f);
      }
    }
  }
  return sr;
}

std::vector<float> fused(const FloatModel& m, std::vector<float> lr, int w, int h, int band_rows, int threads,
                         ExecutionMode mode = ExecutionMode::kFusedBands, int64_t max_stored_squeeze_input_bytes = -1) {
  SessionOptions o;
  o.band_rows = band_rows;
  o.threads = threads;
  o.max_stored_squeeze_input_bytes = max_stored_squeeze_input_bytes;
  auto session = Session::create(m.graph, m.tensors, o);
  EXPECT_TRUE(session.ok()) << session.status().to_string();
  EXPECT_EQ(session->mode(), mode);
  const int s = session->scale(), ch = channels_of(m);
  std::vector<float> sr(static_cast<std::size_t>(w) * s * h * s * ch, -1.0f);
  ImageView<const float> in{lr.data(), w, h, ch, static_cast<std::ptrdiff_t>(w) * ch};
  ImageView<float> out{sr.data(), w * s, h * s, ch, static_cast<std::ptrdiff_t>(w) * s * ch};
  const Status st = session->run(in, out);
  EXPECT_TRUE(st.ok()) << st.to_string();
  return sr;
}

float max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  float m = 0.0f;
  for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::fabs(a[i] - b[i]));
  return m;
}

class BandExecutorTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    const Result<KernelIsa> isa = KernelIsa::named(GetParam());
    ASSERT_TRUE(isa.ok()) << GetParam();
    isa_scope_.emplace(isa.value());
  }
  void TearDown() override { isa_scope_.reset(); }
  std::optional<ThreadIsaScope> isa_scope_;  // the kernels of this thread and of sessions made in the test
};

struct Size {
  int w, h;
};

void check_model(const FloatModel& m, const std::string& what) {
  // 300 wide: the fused last conv + store runs in two column chunks.
  for (Size size : {Size{1, 1}, Size{5, 3}, Size{17, 11}, Size{40, 23}, Size{300, 6}}) {
    const std::vector<float> lr = random_pixels(size.w, size.h, size.w * 7 + size.h);
    const std::vector<float> ref = reference(m, lr, size.w, size.h);
    const std::vector<float> whole = fused(m, lr, size.w, size.h, size.h, 1);
    EXPECT_LE(max_abs_diff(whole, ref), 1e-5f) << what << " " << size.w << "x" << size.h;
    for (int band : {0, 1, 2, 5}) {
      for (int threads : {1, 2, 3}) {
        const std::vector<float> out = fused(m, lr, size.w, size.h, band, threads);
        EXPECT_EQ(std::memcmp(out.data(), whole.data(), out.size() * sizeof(float)), 0)
            << what << " " << size.w << "x" << size.h << " band " << band << " threads " << threads;
      }
    }
  }
}

TEST_P(BandExecutorTest, ElsrMatchesReferenceAndIsBandInvariant) {
  for (int s : {2, 3, 4}) check_model(elsr_shaped(s), "elsr x" + std::to_string(s));
}

TEST_P(BandExecutorTest, MixedOpsMatchReferenceAndAreBandInvariant) {
  for (int s : {2, 4}) check_model(mixed(s), "mixed x" + std::to_string(s));
}

TEST_P(BandExecutorTest, U8RunEqualsQuantizedF32Run) {
  // ELSR: the pixel-shuffle store; luma SAM-like: one channel, the bicubic skip added while storing.
  for (const FloatModel& m : {elsr_shaped(4), sam_like(1)}) {
    const int w = 37, h = 9, ch = channels_of(m);
    std::vector<uint8_t> lr8(static_cast<std::size_t>(w) * h * ch);
    std::vector<float> lrf(lr8.size());
    std::mt19937 rng(3);
    for (std::size_t i = 0; i < lr8.size(); ++i) {
      lr8[i] = static_cast<uint8_t>(rng() & 0xFF);
      lrf[i] = static_cast<float>(lr8[i]) / 255.0f;
    }
    const std::vector<float> srf = fused(m, lrf, w, h, 0, 2);
    SessionOptions o;
    o.threads = 2;
    auto session = Session::create(m.graph, m.tensors, o);
    ASSERT_TRUE(session.ok());
    std::vector<uint8_t> sr8(srf.size());
    ImageView<const uint8_t> in{lr8.data(), w, h, ch, static_cast<std::ptrdiff_t>(w) * ch};
    ImageView<uint8_t> out{sr8.data(), w * 4, h * 4, ch, static_cast<std::ptrdiff_t>(w) * 4 * ch};
    ASSERT_TRUE(session->run_u8(in, out).ok());
    for (std::size_t i = 0; i < sr8.size(); ++i) ASSERT_EQ(sr8[i], quantize_unit(srf[i], 255)) << i;
  }
}

// Squeeze-excite runs fused in passes (band_executor.h): within 1e-5 of the reference, and the same bits for
// every band height and thread count (the channel means are summed per row, rows in order) and whether the
// squeeze-excite inputs are stored (small maps, the default here) or recomputed (max_stored_squeeze_input_bytes 0).
TEST_P(BandExecutorTest, SqueezeExciteGraphRunsFusedInPassesMatchesReferenceAndIsBandAndThreadInvariant) {
  for (const FloatModel& m : {sam_like(), sam_like(1), sam_two_blocks()}) {
    for (Size size : {Size{1, 1}, Size{6, 5}, Size{19, 13}, Size{33, 21}}) {
      const std::vector<float> lr = random_pixels(size.w, size.h, size.w + 3 * size.h, channels_of(m));
      const std::vector<float> ref = reference(m, lr, size.w, size.h);
      const std::vector<float> one = fused(m, lr, size.w, size.h, 0, 1);
      EXPECT_LE(max_abs_diff(one, ref), 1e-5f) << size.w << "x" << size.h;
      for (const auto& [threads, band_rows] : std::vector<std::pair<int, int>>{{2, 0}, {3, 0}, {2, 1}, {3, 4}}) {
        for (int64_t stored_bytes : {int64_t{-1}, int64_t{0}}) {
          const std::vector<float> out =
              fused(m, lr, size.w, size.h, band_rows, threads, ExecutionMode::kFusedBands, stored_bytes);
          EXPECT_EQ(std::memcmp(out.data(), one.data(), out.size() * sizeof(float)), 0)
              << threads << " threads, " << band_rows << " band rows, " << size.w << "x" << size.h
              << (stored_bytes == 0 ? ", squeeze-excite inputs recomputed" : "");
        }
      }
    }
  }
}

TEST_P(BandExecutorTest, ActivationsAfterPixelShuffleFoldIntoTheConvBeforeIt) {
  const FloatModel m = shuffle_activations();
  const Program p = compile_program(m.graph, m.tensors).value();
  const std::vector<FusedEpilogue> plan = plan_epilogue_fusion(p);
  int folded = 0;
  for (std::size_t k = 0; k < p.steps.size(); ++k) {
    const Node& nd = p.steps[k].node;
    if (nd.op != OpKind::kRelu && nd.op != OpKind::kLeakyRelu && nd.op != OpKind::kPrelu) continue;
    const int shuffle = nd.inputs[0];
    ASSERT_EQ(p.steps[shuffle].node.op, OpKind::kPixelShuffle);
    if (nd.op == OpKind::kPrelu) {
      EXPECT_FALSE(plan[k].skip);
      continue;
    }
    EXPECT_TRUE(plan[k].skip) << nd.name;
    EXPECT_EQ(plan[k].alias, shuffle) << nd.name;
    EXPECT_NE(plan[p.steps[shuffle].node.inputs[0]].activation, Activation::kNone) << nd.name;
    ++folded;
  }
  EXPECT_EQ(folded, 2);
  for (Size size : {Size{1, 1}, Size{5, 4}, Size{13, 7}}) {
    const std::vector<float> lr = random_pixels(size.w, size.h, 5 * size.w + size.h);
    const std::vector<float> ref = reference(m, lr, size.w, size.h);
    const std::vector<float> one = fused(m, lr, size.w, size.h, 0, 1);
    EXPECT_LE(max_abs_diff(one, ref), 1e-5f) << size.w << "x" << size.h;
    const std::vector<float> two = fused(m, lr, size.w, size.h, 0, 2);
    EXPECT_EQ(std::memcmp(two.data(), one.data(), two.size() * sizeof(float)), 0);
    const std::vector<float> banded = fused(m, lr, size.w, size.h, 1, 2);
    EXPECT_EQ(std::memcmp(banded.data(), one.data(), banded.size() * sizeof(float)), 0);
  }
}

// A conv wider than the in-place maps' padding (35 taps > 2·16 + 1) is not fused: the session runs it layer by
// layer, still equal to the reference.
TEST(BandExecutor, ConvWiderThanThePaddingRunsLayerByLayer) {
  GraphBuilder b("wide_conv", 2);
  b.output(b.pixel_shuffle(b.conv(b.input("x", 3), "wide", 12, 35), 2));
  const FloatModel m = with_random_float_tensors(std::move(b).finish(), 10);
  EXPECT_EQ(BandExecutor::check_supported(compile_program(m.graph, m.tensors).value()).code(), StatusCode::kUnsupported);
  const std::vector<float> lr = random_pixels(6, 5, 4);
  const std::vector<float> out = fused(m, lr, 6, 5, 0, 2, ExecutionMode::kLayerByLayer);
  EXPECT_LE(max_abs_diff(out, reference(m, lr, 6, 5)), 1e-5f);
}

// SessionOptions::isa belongs to one session: two sessions with different ISAs running at the same time on
// two threads (each with its own pool) give exactly what each gives alone, and neither changes the ISA of
// the test's thread.
TEST(BandExecutor, IsaIsPerSessionNotProcessWide) {
  const std::vector<std::string> isas = available_isas();
  const FloatModel m = sam_like();
  const int w = 37, h = 21;
  const std::vector<float> lr = random_pixels(w, h, 5);
  const std::string best = active_isa();
  auto run = [&](Session& session) {
    const int s = session.scale();
    std::vector<float> sr(static_cast<std::size_t>(w) * s * h * s * 3);
    const Status st = session.run({lr.data(), w, h, 3, static_cast<std::ptrdiff_t>(w) * 3},
                                  {sr.data(), w * s, h * s, 3, static_cast<std::ptrdiff_t>(w) * s * 3});
    EXPECT_TRUE(st.ok()) << st.to_string();
    return sr;
  };
  SessionOptions slow_options, fast_options;
  slow_options.isa = isas.back();  // emu128 on x86-64
  slow_options.threads = fast_options.threads = 2;
  Session slow = Session::create(m.graph, m.tensors, slow_options).value();
  Session fast = Session::create(m.graph, m.tensors, fast_options).value();
  EXPECT_EQ(slow.isa(), isas.back());
  EXPECT_EQ(fast.isa(), best);
  EXPECT_EQ(active_isa(), best);
  const std::vector<float> slow_alone = run(slow), fast_alone = run(fast);
  {  // the same ISA chosen through the creating thread's scope
    const ThreadIsaScope scope(KernelIsa::named(isas.back()).value());
    Session scoped = Session::create(m.graph, m.tensors).value();
    EXPECT_EQ(scoped.isa(), isas.back());
    EXPECT_EQ(run(scoped), slow_alone);
  }
  EXPECT_EQ(active_isa(), best);
  std::vector<float> slow_together, fast_together;
  std::thread other([&] {
    for (int i = 0; i < 3; ++i) slow_together = run(slow);
  });
  for (int i = 0; i < 3; ++i) fast_together = run(fast);
  other.join();
  EXPECT_EQ(slow_together, slow_alone);
  EXPECT_EQ(fast_together, fast_alone);
  EXPECT_EQ(active_isa(), best);
}

INSTANTIATE_TEST_SUITE_P(Isas, BandExecutorTest, ::testing::ValuesIn(available_isas()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace litesr
