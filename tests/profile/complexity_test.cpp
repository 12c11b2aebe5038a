// Unit tests of the counting rules on small hand-built graphs: every number below is worked out by hand
// from the rule in profile/counting_convention.h.
#include "profile/complexity.h"

#include <gtest/gtest.h>

#include "profile/memory_plan.h"

namespace litesr {
namespace {

// x[3] -> conv3x3 3->8 (bias) -> BN -> leaky -> SE(8, hidden 2) -> conv1x1 8->12 (no bias) -> PS2 -> +bicubic
Graph small_graph() {
  GraphBuilder b("test", 2);
  const int x = b.input("x", 3);
  int y = b.conv(x, "c1", 8, 3, /*has_bias=*/true);
  y = b.batch_norm(y, "bn");
  y = b.leaky_relu(y, 0.2f, "act");
  y = b.squeeze_excite(y, "se", 2, SeGate::kHardSigmoid);
  y = b.conv(y, "c2", 12, 1, /*has_bias=*/false);
  y = b.pixel_shuffle(y, 2, "ps");
  const int up = b.bicubic_upsample(x, 2, BicubicKind::kMatlab, "bicubic");
  b.output(b.add({y, up}, "out"));
  return std::move(b).finish();
}

ComplexityReport profile(const Graph& g, CountingConvention c, int w = 10, int h = 6, const TensorMap& t = {}) {
  ComplexityOptions o;
  o.input_width = w;
  o.input_height = h;
  o.convention = c;
  auto r = profile_complexity(g, t, o);
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  return r.ok() ? *r : ComplexityReport{};
}

constexpr int64_t kPx = 60;  // 10 x 6 LR pixels

TEST(Complexity, ParametersFromImpliedShapes) {
  const ComplexityReport r = profile(small_graph(), CountingConvention::kMacs);
  // c1 3*8*9 + 8 = 224; bn gamma+beta 16; se fc1 2*8 + fc2 8*2 = 32; c2 8*12 = 96
  EXPECT_EQ(r.params, 224 + 16 + 32 + 96);
  EXPECT_EQ(r.layers[1].params, 224);
  EXPECT_EQ(r.layers[2].params, 16);
}

TEST(Complexity, ParametersPreferStoredTensors) {
  Graph g;
  {
    GraphBuilder b("prelu", 1);
    const int x = b.input("x", 4);
    b.output(b.prelu(x, "p"));
    g = std::move(b).finish();
  }
  TensorMap t;
  t["p.weight"] = Tensor{{1}, {0.25f}};  // a single shared slope
  EXPECT_EQ(profile(g, CountingConvention::kMacs, 4, 4, t).params, 1);
  EXPECT_EQ(profile(g, CountingConvention::kMacs, 4, 4).params, 4);  // implied: one per channel
}

TEST(Complexity, MacsConventionCountsConvAndLinearOnly) {
  const ComplexityReport r = profile(small_graph(), CountingConvention::kMacs);
  const int64_t c1 = 27 * 8 * kPx, c2 = 8 * 12 * kPx, se = 2 * 8 * 2;
  EXPECT_EQ(r.macs, c1 + c2 + se);
  EXPECT_EQ(r.flops, 2 * r.macs);
  EXPECT_EQ(r.activations, (8 + 12) * kPx);
  EXPECT_EQ(r.conv_layers, 2);
  EXPECT_EQ(r.output_width, 20);
  EXPECT_EQ(r.output_height, 12);
}

TEST(Complexity, KairConvention) {
  const ComplexityReport r = profile(small_graph(), CountingConvention::kKair);
  const int64_t c1 = 27 * 8 * kPx, c2 = 8 * 12 * kPx, se_fc = 2 * 8 * 2;
  const int64_t bn = 2 * 8 * kPx, act = 8 * kPx, se_relu = 2;
  EXPECT_EQ(r.macs, c1 + c2 + se_fc + bn + act + se_relu);  // no bias, no pooling, no upsampling
}

TEST(Complexity, PtflopsConvention) {
  const ComplexityReport r = profile(small_graph(), CountingConvention::kPtflops);
  const int64_t c1 = 27 * 8 * kPx + 8 * kPx /*bias*/, c2 = 8 * 12 * kPx, se = 2 * 8 * 2 + 8 * kPx /*pool*/ + 2;
  const int64_t bn = 2 * 8 * kPx, act = 8 * kPx, bicubic = 3 * 4 * kPx;
  EXPECT_EQ(r.macs, c1 + c2 + se + bn + act + bicubic);
}

TEST(Complexity, TransposedConvPerInputOrPerOutputPixel) {
  GraphBuilder b("deconv", 3);
  const int x = b.input("x", 4);
  b.output(b.conv_transpose(x, "up", 2, 9, 3, 4, 2));  // 9 + 2 == 3 + 8: output exactly 3x
  const Graph g = std::move(b).finish();
  const int64_t per_pixel = 81 * 4 * 2;
  EXPECT_EQ(profile(g, CountingConvention::kMacs, 5, 5).macs, per_pixel * 25);      // true MACs
  EXPECT_EQ(profile(g, CountingConvention::kKair, 5, 5).macs, per_pixel * 25 * 9);  // KAIR hook on output
  EXPECT_EQ(profile(g, CountingConvention::kKair, 5, 5).activations, 2 * 225);
  EXPECT_EQ(profile(g, CountingConvention::kKair, 5, 5).params, 81 * 8 + 2);
}

TEST(Complexity, SharedTensorsCountOnce) {
  Graph g;
  {
    GraphBuilder b("shared", 1);
    const int x = b.input("x", 4);
    const int a = b.conv(x, "c", 4, 3);
    g = std::move(b).finish();
    Node again = g.nodes[a];
    again.name = "c_again";
    again.inputs = {a};
    g.nodes.push_back(again);  // same weight/bias tensor names
    g.outputs = {static_cast<int>(g.nodes.size()) - 1};
  }
  const ComplexityReport r = profile(g, CountingConvention::kMacs, 4, 4);
  EXPECT_EQ(r.params, 4 * 4 * 9 + 4);
  EXPECT_EQ(r.macs, 2 * 4 * 4 * 9 * 16);
}

TEST(Complexity, RejectsBadInput) {
  ComplexityOptions o;
  o.input_width = 0;
  EXPECT_FALSE(profile_complexity(small_graph(), {}, o).ok());
  Graph broken = small_graph();
  broken.nodes[1].inputs = {5};  // not an earlier node
  EXPECT_FALSE(profile_complexity(broken, {}, ComplexityOptions{}).ok());
  o.input_width = 65536;
  o.input_height = 65536;
  Graph wide;
  {
    GraphBuilder b("wide", 16);
    const int x = b.input("x", 3);
    int y = b.conv(x, "c", 1 << 28, 31);
    b.output(y);
    wide = std::move(b).finish();
  }
  const auto r = profile_complexity(wide, {}, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
}

TEST(Complexity, LinearInInputArea) {
  const Graph g = small_graph();
  const ComplexityReport a = profile(g, CountingConvention::kPtflops, 20, 10);
  const ComplexityReport b = profile(g, CountingConvention::kPtflops, 40, 10);
  const int64_t se_fixed = 2 * 8 * 2 + 2;  // fc layers and hidden ReLU: independent of the image size
  EXPECT_EQ(b.macs - se_fixed, 2 * (a.macs - se_fixed));
  EXPECT_EQ(b.activations, 2 * a.activations);
}

// RFDN ESA-like branch (strided conv, max-pool, bilinear resize back, sigmoid, mul) and IMDN's
// contrast-aware channel attention (1x1-conv fc layers with biases).
TEST(Complexity, WindowedShapesAndAttentionOps) {
  GraphBuilder b("esa", 1);
  const int x = b.input("x", 4);
  const int c = b.conv_strided(x, "down", 2, 3, 2, 0);  // 21 -> 10, 15 -> 7
  const int p = b.max_pool(c, 7, 3);                   // 10 -> 2, 7 -> 1
  const int rs = b.bilinear_resize(p, x, "resize");    // back to 21 x 15
  const int e = b.conv(rs, "expand", 4, 1);
  const int g = b.sigmoid(e, "gate");
  const int m = b.mul(x, g, "scale");
  b.output(b.channel_attention(m, "cca", "cca.fc1", "cca.fc2", 2, SePool::kMeanStd, SeGate::kSigmoid));
  const Graph graph = std::move(b).finish();
  const ComplexityReport r = profile(graph, CountingConvention::kPtflops, 21, 15);
  ASSERT_EQ(r.layers.size(), 8u);
  EXPECT_EQ(r.layers[1].width, 10);
  EXPECT_EQ(r.layers[1].height, 7);
  EXPECT_EQ(r.layers[2].width, 2);
  EXPECT_EQ(r.layers[2].height, 1);
  EXPECT_EQ(r.layers[3].width, 21);
  const int64_t down = 36 * 2 * 70 + 2 * 70, pool = 2 * 70, resize = 2 * 315, expand = 2 * 4 * 315 + 4 * 315;
  const int64_t cca = 4 * 315 /*pool*/ + 2 * 4 * 2 /*fc*/ + 2 + 4 /*biases*/ + 2 /*relu*/;
  EXPECT_EQ(r.macs, down + pool + resize + expand + cca);  // sigmoid and mul: not counted
  EXPECT_EQ(r.activations, 2 * 70 + 4 * 315 + 2 + 4);      // the CCA's 1x1-conv outputs count
  EXPECT_EQ(r.conv_layers, 4);
  EXPECT_EQ(r.params, (36 * 2 + 2) + (2 * 4 + 4) + (4 * 2 + 2) + (2 * 4 + 4));
  EXPECT_EQ(profile(graph, CountingConvention::kKair, 21, 15).macs,
            36 * 2 * 70 + 2 * 4 * 315 + 2 * 4 * 2 + 2);  // no bias, pooling or resampling
}

TEST(MemoryPlan, LivenessPeakWithFoldedBatchNorm) {
  const Graph g = small_graph();
  auto shapes = infer_shapes(g);
  ASSERT_TRUE(shapes.ok());
  auto plan = plan_memory(g, *shapes, 10, 6);
  ASSERT_TRUE(plan.ok());
  const int64_t lr = 60 * 4, hr = 240 * 4;
  // x (3) lives to the bicubic node; c1's buffer (8) is shared with the folded bn.
  EXPECT_EQ(plan->live_bytes[1], (3 + 8) * lr);                 // c1
  EXPECT_EQ(plan->live_bytes[2], (3 + 8) * lr);                 // bn: folded, no new buffer
  EXPECT_EQ(plan->live_bytes[3], (3 + 8 + 8) * lr);             // act: input + output
  EXPECT_EQ(plan->live_bytes[5], (3 + 8 + 12) * lr);            // c2
  EXPECT_EQ(plan->live_bytes[6], 3 * lr + 12 * lr + 3 * hr);    // ps: c2 out + ps out
  EXPECT_EQ(plan->live_bytes[7], 3 * lr + 3 * hr + 3 * hr);     // bicubic
  EXPECT_EQ(plan->live_bytes[8], 3 * hr * 3);                   // add: two inputs + output
  EXPECT_EQ(plan->peak_bytes, 9 * hr);
  EXPECT_EQ(plan->peak_node, 8);
}

TEST(ImageSizes, OutputToInput) {
  auto in = input_size_for_output({1280, 720}, 4);
  ASSERT_TRUE(in.ok());
  EXPECT_EQ(in->width, 320);
  EXPECT_EQ(in->height, 180);
  EXPECT_FALSE(input_size_for_output({1281, 720}, 4).ok());
}

TEST(Conventions, NamesRoundTrip) {
  for (auto c : {CountingConvention::kMacs, CountingConvention::kKair, CountingConvention::kPtflops}) {
    auto p = parse_convention(convention_name(c));
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(*p, c);
  }
  EXPECT_FALSE(parse_convention("flops").ok());
}

}  // namespace
}  // namespace litesr
