// The ops added for the baseline zoo (msrresnet, imdn, rfdn): bilinear upsample / resize against PyTorch
// values, strided conv2d and max_pool2d sizes and values, sigmoid, mul with channel broadcast, and the
// windowed NodeShape rules in infer_shapes.
#include <gtest/gtest.h>

#include <cmath>

#include "runtime/graph.h"
#include "runtime/reference_executor.h"

namespace litesr {
namespace {

FeatureMap ramp(int c, int h, int w) {
  FeatureMap m = FeatureMap::zeros(c, h, w);
  for (std::size_t i = 0; i < m.data.size(); ++i) m.data[i] = static_cast<float>(i);
  return m;
}

TEST(BaselineOps, BilinearUpsampleMatchesPytorch) {
  GraphBuilder b("bilinear", 2);
  b.output(b.bilinear_upsample(b.input("x", 1), 2));
  const Graph g = std::move(b).finish();
  FeatureMap x = FeatureMap::zeros(1, 2, 2);
  x.data = {1, 2, 3, 4};
  const auto out = run_reference(g, {}, {x});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  // torch.nn.functional.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)
  const std::vector<float> expected = {1, 1.25f, 1.75f, 2, 1.5f, 1.75f, 2.25f, 2.5f,
                                       2.5f, 2.75f, 3.25f, 3.5f, 3, 3.25f, 3.75f, 4};
  EXPECT_EQ((*out)[0].data, expected);
}

TEST(BaselineOps, BilinearResizeToReferenceSize) {
  // A 2 x 4 map resized down to the 1 x 3 size of a 2x2 max-pool of itself, then back up to 2 x 4.
  GraphBuilder b("resize", 1);
  const int x = b.input("x", 1);
  const int small = b.max_pool(x, 2, 1, 0, "pool");          // 4 -> 3 wide, 2 -> 1 high
  const int down = b.bilinear_resize(x, small, "down");      // [1, 1, 3]
  const int up = b.bilinear_resize(down, x, "up");           // [1, 2, 4]
  b.output(down);
  b.output(up);
  const Graph g = std::move(b).finish();
  FeatureMap in = FeatureMap::zeros(1, 2, 4);
  in.data = {0, 1, 2, 3, 0, 1, 2, 3};
  const auto out = run_reference(g, {}, {in});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  const FeatureMap& d = (*out)[0];
  ASSERT_EQ(d.height, 1);
  ASSERT_EQ(d.width, 3);
  // F.interpolate(size=(1, 3)): x scale 4/3 -> src 1/6, 3/2, 17/6.
  EXPECT_NEAR(d.data[0], 1.0f / 6, 1e-6);
  EXPECT_NEAR(d.data[1], 1.5f, 1e-6);
  EXPECT_NEAR(d.data[2], 17.0f / 6, 1e-6);
  EXPECT_EQ((*out)[1].width, 4);
  EXPECT_EQ((*out)[1].height, 2);
}

TEST(BaselineOps, StridedConvAndMaxPoolShapesAndValues) {
  GraphBuilder b("esa_like", 1);
  const int x = b.input("x", 1);
  const int c = b.conv_strided(x, "conv2", 1, 3, 2, 0);  // n -> (n − 3)/2 + 1
  const int p = b.max_pool(c, 7, 3, 0, "pool");         // n -> (n − 7)/3 + 1
  b.output(c);
  b.output(p);
  const Graph g = std::move(b).finish();
  const auto shapes = infer_shapes(g);
  ASSERT_TRUE(shapes.ok()) << shapes.status().to_string();
  EXPECT_EQ((*shapes)[c].factor, 0);
  EXPECT_EQ((*shapes)[c].extent(20), 9);
  EXPECT_EQ((*shapes)[p].extent(20), 1);
  EXPECT_EQ((*shapes)[p].extent(64), 9);
  TensorMap t;
  t["conv2.weight"] = {{1, 1, 3, 3}, {0, 0, 0, 0, 1, 0, 0, 0, 0}};  // centre tap: picks x[2y + 1, 2x + 1]
  t["conv2.bias"] = {{1}, {0.5f}};
  const FeatureMap in = ramp(1, 20, 22);
  const auto out = run_reference(g, t, {in});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  const FeatureMap& cm = (*out)[0];
  ASSERT_EQ(cm.height, 9);
  ASSERT_EQ(cm.width, 10);
  EXPECT_EQ(cm.at(0, 3, 4), in.at(0, 7, 9) + 0.5f);
  const FeatureMap& pm = (*out)[1];
  ASSERT_EQ(pm.height, 1);
  ASSERT_EQ(pm.width, 2);
  EXPECT_EQ(pm.at(0, 0, 0), cm.at(0, 6, 6));  // ramp: the window's bottom-right is its max
  EXPECT_EQ(pm.at(0, 0, 1), cm.at(0, 6, 9));
  EXPECT_FALSE(run_reference(g, t, {ramp(1, 14, 22)}).ok());  // pool window larger than the map
}

TEST(BaselineOps, SigmoidAndBroadcastMul) {
  GraphBuilder b("gate", 1);
  const int x = b.input("x", 2), m = b.input("m", 1);
  b.output(b.mul(x, b.sigmoid(m)));
  b.output(b.mul(x, x));
  const Graph g = std::move(b).finish();
  const FeatureMap xs = ramp(2, 2, 3);
  FeatureMap ms = FeatureMap::zeros(1, 2, 3);
  ms.data = {-2, -1, 0, 1, 2, 3};
  const auto out = run_reference(g, {}, {xs, ms});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  for (int c = 0; c < 2; ++c) {
    for (int i = 0; i < 6; ++i) {
      EXPECT_FLOAT_EQ((*out)[0].data[c * 6 + i], xs.data[c * 6 + i] / (1.0f + std::exp(-ms.data[i])));
      EXPECT_FLOAT_EQ((*out)[1].data[c * 6 + i], xs.data[c * 6 + i] * xs.data[c * 6 + i]);
    }
  }
}

TEST(BaselineOps, InferShapesRejectsMismatchedSizes) {
  GraphBuilder b("bad", 1);
  const int x = b.input("x", 2);
  const int small = b.max_pool(x, 3, 2, 0, "pool");
  b.output(b.add({x, small}, "sum"));  // windowed + full size
  EXPECT_FALSE(infer_shapes(std::move(b).finish()).ok());
  GraphBuilder b2("bad2", 2);
  const int y = b2.input("x", 4);
  b2.output(b2.pixel_shuffle(b2.max_pool(y, 3, 2, 0, "pool"), 2));  // shuffle of a windowed map
  EXPECT_FALSE(infer_shapes(std::move(b2).finish()).ok());
  GraphBuilder b3("bad3", 1);
  const int z = b3.input("x", 3), w = b3.input("w", 2);
  b3.output(b3.mul(z, w));  // 3 vs 2 channels
  EXPECT_FALSE(infer_shapes(std::move(b3).finish()).ok());
}

}  // namespace
}  // namespace litesr
