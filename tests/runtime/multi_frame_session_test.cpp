// MultiFrameSession on hand-built graphs of both contracts (an EVSRNet-shaped recurrent step and a
// frame-parallel single-frame graph): streaming == a hand-rolled loop over run_reference, window and
// reset() semantics, run_stacked == streaming, frame-parallel == per-frame Session, errors, u8, and no
// allocation per frame after the first; with RGB (K = 3) and luma (K = 1) frames; INT8 recurrent steps fused.
#include "runtime/multi_frame_session.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "base/image_ops.h"
#include "runtime/int8_program.h"
#include "runtime/reference_executor.h"
#include "testing/allocation_counter.h"

namespace litesr {
namespace {

constexpr int kScale = 2, kNc = 4, kWindow = 3;

// Random weights for every tensor the graph references: U(±1/sqrt(fan_in)); biases U(±0.1), the tail's
// centred on 0.5 so output frames mostly lie inside [0, 1] (the comparison is not dominated by clamping).
TensorMap random_tensors(const Graph& g, uint32_t seed) {
  std::mt19937 rng(seed);
  TensorMap map;
  const std::vector<TensorSpec> specs = expected_tensors(g).value();
  for (const TensorSpec& spec : specs) {
    Tensor t;
    t.shape = spec.shape;
    t.data.resize(static_cast<std::size_t>(t.numel()));
    const double fan_in = spec.shape.size() == 4 ? static_cast<double>(spec.shape[1] * spec.shape[2] * spec.shape[3]) : 0;
    const float b = fan_in > 0 ? static_cast<float>(1.0 / std::sqrt(fan_in)) : 0.1f;
    std::uniform_real_distribution<float> u(-b, b);
    const float offset = spec.name == "tail.bias" ? 0.5f : 0.0f;
    for (float& v : t.data) v = u(rng) + offset;
    map[spec.name] = std::move(t);
  }
  return map;
}

// The EVSRNet recurrent step (models/evsrnet.h) with one conv in the trunk: (x_prev [K], x_t [K], h [nc],
// o [Ks²]) -> (frame [K] at s×, h', o').
Graph recurrent_graph(int k = 3) {
  GraphBuilder b("evsr_like", kScale, kWindow);
  const int x_prev = b.input("x_prev", k), x_t = b.input("x_t", k);
  const int h_prev = b.input("h_prev", kNc), o_prev = b.input("o_prev", k * kScale * kScale);
  const int f = b.relu(b.conv(b.concat({x_prev, x_t, h_prev, o_prev}, "step_input"), "head", kNc, 3), "head_act");
  const int h = b.relu(b.conv(f, "hidden", kNc, 3), "h");
  const int o = b.conv(f, "tail", k * kScale * kScale, 3);
  b.output(b.pixel_shuffle(o, kScale, "frame"));
  b.output(h);
  b.output(o);
  return std::move(b).finish();
}

Graph frame_parallel_graph(int frames = kWindow, int k = 3) {
  GraphBuilder b("fp_like", kScale, frames);
  const int f = b.relu(b.conv(b.input("x", k), "head", kNc, 3), "head_act");
  b.output(b.pixel_shuffle(b.conv(f, "tail", k * kScale * kScale, 3), kScale, "frame"));
  return std::move(b).finish();
}

// An HWC f32 buffer with a view.
struct Buffer {
  int w = 0, h = 0, c = 0;
  std::vector<float> data;
  Buffer(int w_, int h_, int c_) : w(w_), h(h_), c(c_), data(static_cast<std::size_t>(w_) * h_ * c_, -1.0f) {}
  ImageView<float> view() { return {data.data(), w, h, c, static_cast<std::ptrdiff_t>(w) * c}; }
  ImageView<const float> cview() const { return {data.data(), w, h, c, static_cast<std::ptrdiff_t>(w) * c}; }
};

FeatureMap random_frame(int w, int h, uint32_t seed, int k = 3) {
  FeatureMap m = FeatureMap::zeros(k, h, w);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  for (float& v : m.data) v = u(rng);
  return m;
}

Buffer to_hwc(const FeatureMap& m) {
  Buffer b(m.width, m.height, m.channels);
  for (int y = 0; y < m.height; ++y) {
    for (int x = 0; x < m.width; ++x) {
      for (int c = 0; c < m.channels; ++c) b.view().at(x, y, c) = m.at(c, y, x);
    }
  }
  return b;
}

// max |clamp(ref) − sr| over the ref.channels channels of sr starting at `channel`.
float diff_to(const FeatureMap& ref, const Buffer& sr, int channel = 0) {
  float d = 0.0f;
  for (int y = 0; y < ref.height; ++y) {
    for (int x = 0; x < ref.width; ++x) {
      for (int c = 0; c < ref.channels; ++c) {
        d = std::max(d, std::abs(std::clamp(ref.at(c, y, x), 0.0f, 1.0f) - sr.cview().at(x, y, channel + c)));
      }
    }
  }
  return d;
}

Buffer push(MultiFrameSession& s, const FeatureMap& frame) {
  Buffer sr(frame.width * kScale, frame.height * kScale, frame.channels);
  const Status st = s.push_frame(to_hwc(frame).cview(), sr.view());
  EXPECT_TRUE(st.ok()) << st.to_string();
  return sr;
}

// Every frame of `inputs` through a new session that should run on `expected_mode`.
std::vector<Buffer> push_all(Result<MultiFrameSession> session, const std::vector<FeatureMap>& inputs,
                             ExecutionMode expected_mode) {
  EXPECT_TRUE(session.ok()) << session.status().to_string();
  if (!session.ok()) return std::vector<Buffer>(inputs.size(), Buffer(0, 0, 0));  // compared, not indexed past
  EXPECT_EQ(session->mode(), expected_mode);
  std::vector<Buffer> out;
  for (const FeatureMap& x : inputs) out.push_back(push(*session, x));
  return out;
}

class MultiFrameSessionK : public ::testing::TestWithParam<int> {};  // K: 3 (RGB) or 1 (luma)
INSTANTIATE_TEST_SUITE_P(Channels, MultiFrameSessionK, ::testing::Values(3, 1),
                         [](const ::testing::TestParamInfo<int>& info) { return info.param == 3 ? "rgb" : "luma"; });

TEST_P(MultiFrameSessionK, RecurrentStreamingMatchesHandRolledReference) {
  const int k = GetParam();
  const Graph g = recurrent_graph(k);
  const TensorMap weights = random_tensors(g, 7);
  auto session = MultiFrameSession::create(g, weights);
  ASSERT_TRUE(session.ok()) << session.status().to_string();
  EXPECT_TRUE(session->recurrent());
  EXPECT_EQ(session->window(), kWindow);
  EXPECT_EQ(session->scale(), kScale);
  EXPECT_EQ(session->channels(), k);
  const int w = 5, h = 4, frames = 2 * kWindow + 1;  // two full windows and the start of a third
  FeatureMap prev, hid, o;
  int clamped = 0, total = 0;
  for (int t = 0; t < frames; ++t) {
    const FeatureMap x = random_frame(w, h, 100 + t, k);
    if (t % kWindow == 0) {  // window start: x_{-1} = x_0, h = 0, o = 0
      prev = x;
      hid = FeatureMap::zeros(kNc, h, w);
      o = FeatureMap::zeros(k * kScale * kScale, h, w);
    }
    EXPECT_EQ(session->position(), t % kWindow);
    auto ref = run_reference(g, weights, {prev, x, hid, o});
    ASSERT_TRUE(ref.ok()) << ref.status().to_string();
    const Buffer sr = push(*session, x);
    EXPECT_LE(diff_to((*ref)[0], sr), 1e-5f) << "frame " << t;
    for (float v : (*ref)[0].data) {
      clamped += v < 0.0f || v > 1.0f;
      ++total;
    }
    prev = x;
    hid = (*ref)[1];
    o = (*ref)[2];
  }
  EXPECT_LT(clamped, total / 4);  // the comparison really compares values
}

// The recurrent step runs on the fused band executor: the same bits for every band height and thread count
// (frames and carried state alike, over more than one window), within 1e-5 of the layer-by-layer reference.
TEST_P(MultiFrameSessionK, RecurrentStepIsFusedAndBitwiseAcrossBandsAndThreads) {
  const int k = GetParam();
  const Graph g = recurrent_graph(k);
  const TensorMap weights = random_tensors(g, 11);
  const int w = 37, h = 29, frames = kWindow + 2;
  std::vector<FeatureMap> inputs;
  for (int t = 0; t < frames; ++t) inputs.push_back(random_frame(w, h, 300 + t, k));
  auto run_all = [&](const SessionOptions& options, ExecutionMode expected_mode) {
    return push_all(MultiFrameSession::create(g, weights, options), inputs, expected_mode);
  };
  SessionOptions reference;
  reference.reference = true;
  const std::vector<Buffer> expected = run_all(reference, ExecutionMode::kReference);
  std::vector<Buffer> first;
  for (const auto& [threads, band_rows] : std::vector<std::pair<int, int>>{{1, 0}, {2, 0}, {2, 1}, {3, 5}, {2, 29}}) {
    SessionOptions options;
    options.threads = threads;
    options.band_rows = band_rows;
    const std::vector<Buffer> got = run_all(options, ExecutionMode::kFusedBands);
    if (first.empty()) first = got;
    for (int t = 0; t < frames; ++t) {
      EXPECT_EQ(got[t].data, first[t].data) << "frame " << t << ", threads " << threads << ", band rows " << band_rows;
      float d = 0.0f;
      for (std::size_t i = 0; i < got[t].data.size(); ++i) d = std::max(d, std::abs(got[t].data[i] - expected[t].data[i]));
      EXPECT_LE(d, 1e-5f) << "frame " << t;
    }
  }
}

// Hand-made INT8 parameters for recurrent_graph (every step but the frames at one range; the state inputs tied to
// their state outputs, as calibration ties them).
ModelQuantization recurrent_quantization() {
  ModelQuantization q;
  const QuantParams image = image_quant_params(), features{0.02f, -20}, state{0.01f, -60};
  for (const char* name : {"x_prev", "x_t", "frame"}) q.activations[name] = image;
  for (const char* name : {"step_input", "head", "head_act", "tail", "o_prev"}) q.activations[name] = features;
  for (const char* name : {"hidden", "h", "h_prev"}) q.activations[name] = state;
  return q;
}

// An INT8 recurrent step runs on the INT8 band executor, bit-identical for every band height and thread count to
// the INT8 reference session (the ThreadSanitizer stage runs this: the state outputs are written by every band).
TEST_P(MultiFrameSessionK, Int8RecurrentStepIsFusedAndThreadInvariant) {
  const int k = GetParam();
  const Graph g = recurrent_graph(k);
  const TensorMap weights = random_tensors(g, 13);
  const ModelQuantization q = recurrent_quantization();
  const int w = 33, h = 23, frames = kWindow + 2;
  std::vector<FeatureMap> inputs;
  for (int t = 0; t < frames; ++t) inputs.push_back(random_frame(w, h, 500 + t, k));
  auto run_all = [&](const SessionOptions& options, ExecutionMode expected_mode) {
    return push_all(MultiFrameSession::create(g, weights, options, q), inputs, expected_mode);
  };
  SessionOptions reference;
  reference.reference = true;
  const std::vector<Buffer> expected = run_all(reference, ExecutionMode::kInt8Reference);
  for (const auto& [threads, band_rows] : std::vector<std::pair<int, int>>{{1, 0}, {2, 0}, {2, 1}, {3, 4}}) {
    SessionOptions options;
    options.threads = threads;
    options.band_rows = band_rows;
    const std::vector<Buffer> got = run_all(options, ExecutionMode::kInt8Bands);
    for (int t = 0; t < frames; ++t) {
      EXPECT_EQ(got[t].data, expected[t].data)
          << "frame " << t << ", threads " << threads << ", band rows " << band_rows;
    }
  }
  // The state inputs must carry their state outputs' parameters.
  ModelQuantization untied = q;
  untied.activations["o_prev"] = QuantParams{0.03f, 0};
  const auto bad = MultiFrameSession::create(g, weights, {}, untied);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kCorruptData) << bad.status().to_string();
}

TEST(MultiFrameSession, StateMattersAndResetStartsANewWindow) {
  const Graph g = recurrent_graph();
  const TensorMap weights = random_tensors(g, 8);
  const FeatureMap f0 = random_frame(6, 5, 1), f1 = random_frame(6, 5, 2), f2 = random_frame(6, 5, 3);
  auto fresh = MultiFrameSession::create(g, weights).value();
  const Buffer alone = push(fresh, f2);  // f2 as the first frame of a window

  auto a = MultiFrameSession::create(g, weights).value();
  push(a, f0);
  push(a, f1);
  const Buffer third = push(a, f2);  // t = 2: carries state
  EXPECT_NE(third.data, alone.data);

  auto b = MultiFrameSession::create(g, weights).value();
  push(b, f0);
  push(b, f1);
  b.reset();
  EXPECT_EQ(b.position(), 0);
  EXPECT_EQ(push(b, f2).data, alone.data);

  // Window boundary: after kWindow frames the state resets by itself.
  auto c = MultiFrameSession::create(g, weights).value();
  for (int t = 0; t < kWindow; ++t) push(c, t == 1 ? f1 : f0);
  EXPECT_EQ(push(c, f2).data, alone.data);

  // A size change re-prepares and starts a new window.
  auto d = MultiFrameSession::create(g, weights).value();
  push(d, random_frame(3, 7, 9));
  EXPECT_EQ(push(d, f2).data, alone.data);
}

// [H, W, K·T] with frame t in channels [Kt, Kt + K).
Buffer stack(const std::vector<FeatureMap>& frames) {
  const int k = frames[0].channels;
  Buffer b(frames[0].width, frames[0].height, k * static_cast<int>(frames.size()));
  for (std::size_t t = 0; t < frames.size(); ++t) {
    for (int y = 0; y < b.h; ++y) {
      for (int x = 0; x < b.w; ++x) {
        for (int c = 0; c < k; ++c) b.view().at(x, y, k * static_cast<int>(t) + c) = frames[t].at(c, y, x);
      }
    }
  }
  return b;
}

void expect_stacked_equals_streaming(const Graph& g, const TensorMap& weights) {
  const int w = 7, h = 3, k = frame_channels(g);
  std::vector<FeatureMap> frames;
  for (int t = 0; t < kWindow; ++t) frames.push_back(random_frame(w, h, 40 + t, k));
  auto streaming = MultiFrameSession::create(g, weights).value();
  auto stacked = MultiFrameSession::create(g, weights).value();
  push(stacked, random_frame(w, h, 99, k));  // mid-window: run_stacked must still start a fresh window
  const Buffer lr = stack(frames);
  Buffer sr(w * kScale, h * kScale, k * kWindow);
  const Status st = stacked.run_stacked(lr.cview(), sr.view());
  ASSERT_TRUE(st.ok()) << st.to_string();
  EXPECT_EQ(stacked.position(), 0);
  for (int t = 0; t < kWindow; ++t) {
    const Buffer one = push(streaming, frames[t]);
    for (int y = 0; y < sr.h; ++y) {
      for (int x = 0; x < sr.w; ++x) {
        for (int c = 0; c < k; ++c) ASSERT_EQ(sr.cview().at(x, y, k * t + c), one.cview().at(x, y, c)) << t;
      }
    }
  }
  // A second stacked window at the same size gives the same result (no state leaks between windows).
  Buffer again(w * kScale, h * kScale, k * kWindow);
  ASSERT_TRUE(stacked.run_stacked(lr.cview(), again.view()).ok());
  EXPECT_EQ(again.data, sr.data);
}

TEST_P(MultiFrameSessionK, StackedEqualsStreamingRecurrent) {
  const Graph g = recurrent_graph(GetParam());
  expect_stacked_equals_streaming(g, random_tensors(g, 11));
}

TEST_P(MultiFrameSessionK, StackedEqualsStreamingFrameParallel) {
  const Graph g = frame_parallel_graph(kWindow, GetParam());
  expect_stacked_equals_streaming(g, random_tensors(g, 12));
}

TEST(MultiFrameSession, FrameParallelEqualsPerFrameSession) {
  const Graph g = frame_parallel_graph();
  const TensorMap weights = random_tensors(g, 13);
  auto mfs = MultiFrameSession::create(g, weights);
  ASSERT_TRUE(mfs.ok()) << mfs.status().to_string();
  EXPECT_FALSE(mfs->recurrent());
  EXPECT_EQ(mfs->window(), kWindow);
  Graph single = g;
  single.input_frames = 1;
  auto session = Session::create(single, weights).value();
  for (int t = 0; t < 2 * kWindow; ++t) {
    const FeatureMap x = random_frame(9, 6, 200 + t);
    Buffer expected(18, 12, 3);
    ASSERT_TRUE(session.run(to_hwc(x).cview(), expected.view()).ok());
    EXPECT_EQ(push(*mfs, x).data, expected.data) << t;
    auto ref = run_reference(g, weights, {x});
    ASSERT_TRUE(ref.ok());
    EXPECT_LE(diff_to((*ref)[0], expected), 1e-5f);
  }
}

TEST_P(MultiFrameSessionK, U8FramesMatchF32OfTheSameValues) {
  const int k = GetParam();
  for (const Graph& g : {recurrent_graph(k), frame_parallel_graph(kWindow, k)}) {
    const TensorMap weights = random_tensors(g, 14);
    auto a = MultiFrameSession::create(g, weights).value();
    auto b = MultiFrameSession::create(g, weights).value();
    const int w = 4, h = 5;
    for (int t = 0; t < 4; ++t) {
      std::vector<uint8_t> lr8(w * h * k), sr8(w * h * k * kScale * kScale);
      std::mt19937 rng(t);
      for (uint8_t& v : lr8) v = static_cast<uint8_t>(rng() & 255);
      Buffer lrf(w, h, k), srf(w * kScale, h * kScale, k);
      for (std::size_t i = 0; i < lr8.size(); ++i) lrf.data[i] = static_cast<float>(lr8[i]) / 255.0f;
      ASSERT_TRUE(
          a.push_frame_u8({lr8.data(), w, h, k, w * k}, {sr8.data(), w * kScale, h * kScale, k, w * kScale * k}).ok());
      ASSERT_TRUE(b.push_frame(lrf.cview(), srf.view()).ok());
      for (std::size_t i = 0; i < sr8.size(); ++i) ASSERT_EQ(sr8[i], quantize_unit(srf.data[i], 255)) << g.arch << " " << i;
    }
  }
}

TEST(MultiFrameSession, RejectsWrongImagesAndGraphs) {
  const Graph g = recurrent_graph();
  const TensorMap weights = random_tensors(g, 15);
  auto s = MultiFrameSession::create(g, weights).value();
  Buffer lr4(5, 4, 4), sr4(10, 8, 4), lr3(5, 4, 3), sr3(10, 8, 3), sr_bad(9, 8, 3);
  EXPECT_EQ(s.push_frame(lr4.cview(), sr4.view()).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.push_frame(lr3.cview(), sr_bad.view()).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.push_frame({}, sr3.view()).code(), StatusCode::kInvalidArgument);
  Buffer stacked_lr(5, 4, 3 * kWindow), stacked_sr(10, 8, 3 * kWindow), short_sr(10, 8, 3 * kWindow - 3);
  EXPECT_EQ(s.run_stacked(lr3.cview(), sr3.view()).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.run_stacked(stacked_lr.cview(), short_sr.view()).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(s.run_stacked(stacked_lr.cview(), stacked_sr.view()).ok());
  EXPECT_EQ(s.position(), 0);

  // Graphs outside both contracts.
  Graph two_out = g;
  two_out.outputs.pop_back();  // 4 inputs, 2 outputs
  auto r1 = MultiFrameSession::create(two_out, weights);
  EXPECT_EQ(r1.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r1.status().to_string().find("not a multi-frame graph"), std::string::npos) << r1.status().to_string();
  Graph swapped = g;
  std::swap(swapped.outputs[1], swapped.outputs[2]);  // h' fed to o_prev: channel mismatch
  EXPECT_EQ(MultiFrameSession::create(swapped, weights).status().code(), StatusCode::kInvalidArgument);
  GraphBuilder b("two_channel", kScale, 2);  // 2-channel frames: neither RGB nor luma
  b.output(b.pixel_shuffle(b.conv(b.input("x", 2), "tail", 2 * kScale * kScale, 3), kScale));
  const Graph two_channel = std::move(b).finish();
  EXPECT_EQ(MultiFrameSession::create(two_channel, random_tensors(two_channel, 1)).status().code(),
            StatusCode::kInvalidArgument);
  // A luma session takes 1-channel frames only.
  const Graph luma = recurrent_graph(1);
  auto ls = MultiFrameSession::create(luma, random_tensors(luma, 2)).value();
  Buffer lr1(5, 4, 1), sr1(10, 8, 1);
  EXPECT_EQ(ls.push_frame(lr3.cview(), sr3.view()).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(ls.push_frame(lr1.cview(), sr1.view()).ok());
  EXPECT_FALSE(MultiFrameSession::create(g, {}).ok());  // missing tensors
}

TEST(MultiFrameSession, NoAllocationPerFrameAfterTheFirst) {
  for (const Graph& g : {recurrent_graph(), frame_parallel_graph()}) {
    SessionOptions options;
    options.threads = 2;
    auto s = MultiFrameSession::create(g, random_tensors(g, 16), options).value();
    const Buffer lr = to_hwc(random_frame(8, 6, 3));
    Buffer sr(16, 12, 3);
    const Buffer lr_stacked = stack({random_frame(8, 6, 4), random_frame(8, 6, 5), random_frame(8, 6, 6)});
    Buffer sr_stacked(16, 12, 3 * kWindow);
    ASSERT_TRUE(s.push_frame(lr.cview(), sr.view()).ok());
    ASSERT_TRUE(s.run_stacked(lr_stacked.cview(), sr_stacked.view()).ok());
    const long before = testing::allocation_count();
    for (int t = 0; t < 2 * kWindow + 1; ++t) ASSERT_TRUE(s.push_frame(lr.cview(), sr.view()).ok());
    ASSERT_TRUE(s.run_stacked(lr_stacked.cview(), sr_stacked.view()).ok());
    EXPECT_EQ(testing::allocation_count() - before, 0) << g.arch;
  }
}

}  // namespace
}  // namespace litesr
