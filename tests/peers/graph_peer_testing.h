// Shared by the in-process bench peer tests (xnnpack_peer_test.cpp, dnnl_peer_test.cpp): a graph with random
// weights through a GraphPeer and through LiteSR's own Session (single input) or MultiFrameSession (recurrent
// step) on the same f32 frames; the largest |difference| of output 0 over every frame of two consecutive runs
// (the second run proves a recurrent window starts from zero state again).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "base/image.h"
#include "base/status.h"
#include "io/image_file.h"
#include "models/builtin_models.h"
#include "models/registry.h"
#include "peers/graph_peer.h"
#include "runtime/graph.h"
#include "runtime/model_quantization.h"
#include "runtime/multi_frame_session.h"
#include "runtime/session.h"
#include "runtime/tensor.h"
#include "testing/test_env.h"

namespace litesr::testing {

using PeerFactory = Result<std::unique_ptr<peers::GraphPeer>> (*)(const Graph&, const TensorMap&,
                                                                  const peers::PeerInput&, int);

// Engines' f32 sums differ by ~1e-6 on these sizes; a wrong weight layout or channel order is off by ~0.1.
constexpr double kPeerTolerance = 1e-4;

struct PeerComparison {
  Status status;               // the peer's creation or run
  double max_diff = INFINITY;  // over every frame of both runs
  int frames_seen = 0;         // on_frame calls over both runs (2 · frames when every frame came back)
};

// `frames` random frames of w x h (3 channels, uniform [0, 1)) through `factory`'s peer on `threads` threads and
// through LiteSR (f32 in, f32 clamped out).
inline PeerComparison compare_with_litesr(PeerFactory factory, const Graph& graph, const TensorMap& tensors, int frames,
                                          int w, int h, int threads, uint32_t seed = 3) {
  PeerComparison result;
  const int s = graph.scale, ow = w * s, oh = h * s;
  const std::size_t in_frame = static_cast<std::size_t>(3) * w * h, out_frame = static_cast<std::size_t>(3) * ow * oh;
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  std::vector<float> nchw(in_frame * frames);
  for (float& v : nchw) v = uniform(rng);

  // LiteSR: frame by frame, HWC.
  std::vector<std::vector<float>> want(frames, std::vector<float>(out_frame));
  {
    std::vector<float> lr(in_frame), sr(out_frame);
    const bool recurrent = graph.inputs.size() > 1;
    Graph one = graph;
    if (!recurrent) one.input_frames = 1;  // a frame-parallel model: every frame alone
    Result<Session> session = recurrent ? Result<Session>(unsupported("")) : Session::create(one, tensors, {});
    Result<MultiFrameSession> mfs =
        recurrent ? MultiFrameSession::create(graph, tensors, {}) : Result<MultiFrameSession>(unsupported(""));
    EXPECT_TRUE(recurrent ? mfs.ok() : session.ok());
    if (recurrent ? !mfs.ok() : !session.ok()) return result;
    for (int f = 0; f < frames; ++f) {
      for (int c = 0; c < 3; ++c)
        for (int i = 0; i < w * h; ++i) lr[static_cast<std::size_t>(i) * 3 + c] = nchw[f * in_frame + c * w * h + i];
      const ImageView<const float> in{lr.data(), w, h, 3, static_cast<std::ptrdiff_t>(w) * 3};
      const ImageView<float> out{sr.data(), ow, oh, 3, static_cast<std::ptrdiff_t>(ow) * 3};
      const Status st = recurrent ? mfs->push_frame(in, out) : session->run(in, out);
      EXPECT_TRUE(st.ok()) << st.to_string();
      for (int c = 0; c < 3; ++c)
        for (int i = 0; i < ow * oh; ++i) want[f][static_cast<std::size_t>(c) * ow * oh + i] = sr[i * 3 + c];
    }
  }

  Result<std::unique_ptr<peers::GraphPeer>> peer = factory(graph, tensors, {nchw.data(), frames, 3, h, w}, threads);
  if (!peer.ok()) {
    result.status = peer.status();
    return result;
  }
  EXPECT_FALSE((*peer)->description().empty());
  double worst = 0;
  for (int run = 0; run < 2 && result.status.ok(); ++run) {
    result.status = (*peer)->run([&](int f, const float* chw) {
      ++result.frames_seen;
      if (f < 0 || f >= frames) {
        worst = INFINITY;
        return;
      }
      for (std::size_t i = 0; i < out_frame; ++i) {
        const double d = std::abs(static_cast<double>(chw[i]) - want[f][i]);
        worst = std::max(worst, std::isnan(d) ? INFINITY : d);
      }
    });
  }
  result.max_diff = worst;
  return result;
}

// Random tensors for every parameter `graph` references: uniform [−0.5, 0.5), batch-norm scales and variances
// uniform [0.5, 1.5) (non-trivial so that folding and the peers' forms are exercised).
inline TensorMap random_tensors(const Graph& graph, uint32_t seed) {
  TensorMap tensors;
  Result<std::vector<TensorSpec>> specs = expected_tensors(graph);
  EXPECT_TRUE(specs.ok()) << specs.status().to_string();
  if (!specs.ok()) return tensors;
  std::mt19937 rng(seed);
  for (const TensorSpec& spec : *specs) {
    Tensor t;
    t.shape = spec.shape;
    t.data.resize(static_cast<std::size_t>(t.numel()));
    const bool positive =
        spec.op == OpKind::kBatchNorm && (spec.name.ends_with("running_var") || spec.name.ends_with(".weight"));
    std::uniform_real_distribution<float> u(positive ? 0.5f : -0.5f, positive ? 1.5f : 0.5f);
    for (float& v : t.data) v = u(rng);
    tensors[spec.name] = std::move(t);
  }
  return tensors;
}

// A x2 graph with the ops of SAM-SR's blocks and more, for the peers' op mappings: 1x1 conv without bias + batch
// norm + leaky ReLU, depthwise 3x3, squeeze-excite (with biases, `gate`), a 3x3 conv + ReLU skip branch, add,
// a 1-channel sigmoid gate multiplied in (broadcast), a conv + per-channel PReLU before the pixel shuffle (its
// channel order passes through the PReLU), then a depthwise conv at 2x.
inline Graph mixed_ops_graph(SeGate gate) {
  GraphBuilder b("mixed_ops", 2);
  const int x = b.input("x", 3);
  int t = b.conv(x, "expand", 16, 1, /*has_bias=*/false);
  t = b.batch_norm(t, "expand_bn");
  t = b.leaky_relu(t, 0.2f, "expand_act");
  t = b.conv(t, "dw", 16, 3, /*has_bias=*/true, /*groups=*/16);
  t = b.leaky_relu(t, 0.2f, "dw_act");
  t = b.squeeze_excite(t, "se", 4, gate, /*has_bias=*/true);
  t = b.conv(t, "project", 8, 1, /*has_bias=*/false);
  const int skip = b.relu(b.conv(x, "skip", 8, 3), "skip_act");
  int y = b.add({t, skip}, "sum");
  y = b.mul(y, b.sigmoid(b.conv(y, "attention", 1, 1), "attention_gate"), "attend");
  int u = b.prelu(b.conv(y, "up", 12, 3), "up_act");
  u = b.pixel_shuffle(u, 2, "shuffle");
  b.output(b.conv(u, "post", 3, 3, /*has_bias=*/true, /*groups=*/3));
  return std::move(b).finish();
}

// A built-in architecture with random weights (models::make_random_model, x4), through `factory`'s peer and LiteSR.
inline PeerComparison compare_builtin_model(PeerFactory factory, const std::string& arch, const std::string& config,
                                            int frames, int w, int h, int threads) {
  Result<ModelFile> model = models::make_random_model(arch, 4, config, 7);
  EXPECT_TRUE(model.ok()) << model.status().to_string();
  if (!model.ok()) return {};
  Result<Graph> graph = models::build_graph(*model);
  EXPECT_TRUE(graph.ok()) << graph.status().to_string();
  if (!graph.ok()) return {};
  return compare_with_litesr(factory, *graph, model->tensors, frames, w, h, threads);
}

using Int8PeerFactory = Result<std::unique_ptr<peers::GraphPeer>> (*)(const Graph&, const TensorMap&,
                                                                      const ModelQuantization&, const peers::PeerInput&,
                                                                      int);

// INT8: the shipped elsr-x4-int8 through an INT8 peer and LiteSR's INT8 session on a 41x29 crop of the bundled
// photo, 2 threads: the largest difference of output 0 in 8-bit steps and how many samples are more than one step
// apart.
struct Int8PeerComparison {
  Status status;
  std::string description;
  double worst_steps = INFINITY;
  int off_by_more = 0, samples = 0;
};

inline Int8PeerComparison compare_int8_elsr(Int8PeerFactory factory) {
  Int8PeerComparison r;
  const ModelFile model = models::load_builtin_model("elsr-x4-int8").value();
  const Graph graph = models::build_graph(model).value();
  const ModelQuantization q = read_model_quantization(model).value();
  const Image photo = read_image(source_dir() / "samples" / "sample.png").value().image;
  const int w = 41, h = 29, s = 4, x0 = 30, y0 = 20;
  std::vector<float> nchw(static_cast<std::size_t>(3) * w * h), lr(nchw.size());
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        const float v = photo.view<uint8_t>().at(x0 + x, y0 + y, c) / 255.0f;
        nchw[(static_cast<std::size_t>(c) * h + y) * w + x] = v;
        lr[(static_cast<std::size_t>(y) * w + x) * 3 + c] = v;
      }
  Session session = Session::create(graph, model.tensors, {}, q).value();
  EXPECT_EQ(session.mode(), ExecutionMode::kInt8Bands);
  std::vector<float> sr(static_cast<std::size_t>(3) * w * s * h * s);
  r.status = session.run({lr.data(), w, h, 3, static_cast<std::ptrdiff_t>(w) * 3},
                         {sr.data(), w * s, h * s, 3, static_cast<std::ptrdiff_t>(w) * s * 3});
  if (!r.status.ok()) return r;
  auto peer = factory(graph, model.tensors, q, {nchw.data(), 1, 3, h, w}, 2);
  if (!peer.ok()) {
    r.status = peer.status();
    return r;
  }
  r.description = (*peer)->description();
  double worst = 0;
  r.status = (*peer)->run([&](int, const float* chw) {
    const std::size_t plane = static_cast<std::size_t>(w) * s * h * s;
    for (std::size_t i = 0; i < plane; ++i) {
      for (int c = 0; c < 3; ++c) {
        const double steps = std::abs(chw[c * plane + i] - sr[i * 3 + c]) * 255.0;
        worst = std::max(worst, steps);
        r.off_by_more += steps > 1.01;
        ++r.samples;
      }
    }
  });
  r.worst_steps = worst;
  return r;
}

// The INT8 peer ran (its description naming `format`) and stays within the bounds measured for XNNPACK and oneDNN:
// at most 10 steps anywhere, at most 2 % of samples more than one step apart.
inline void expect_int8_match(const Int8PeerComparison& c, const char* engine, const char* format) {
  ASSERT_TRUE(c.status.ok()) << c.status.to_string();
  EXPECT_NE(c.description.find(format), std::string::npos) << c.description;
  EXPECT_EQ(c.samples, 3 * 41 * 4 * 29 * 4);
  EXPECT_LE(c.worst_steps, 10.0);
  EXPECT_LT(c.off_by_more, c.samples / 50);
  std::printf("%s INT8 vs LiteSR INT8: max %.1f steps, %.2f %% of samples off by more than one\n", engine,
              c.worst_steps, 100.0 * c.off_by_more / c.samples);
}

// Every frame of both runs came back within kPeerTolerance.
inline void expect_match(const PeerComparison& c, int frames) {
  ASSERT_TRUE(c.status.ok()) << c.status.to_string();
  EXPECT_EQ(c.frames_seen, 2 * frames);
  EXPECT_LT(c.max_diff, kPeerTolerance);
}

}  // namespace litesr::testing
