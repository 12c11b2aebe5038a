// Graph validation, the reference ops on hand-computed cases, BN folding, and the layer-by-layer
// fallback (squeeze-excite, conv_transpose2d) against the oracle.
#include "runtime/graph.h"

#include <cmath>
#include <random>

#include <gtest/gtest.h>

#include "runtime/program.h"
#include "runtime/reference_executor.h"
#include "runtime/session.h"

namespace litesr {
namespace {

Tensor random_tensor(std::vector<int64_t> shape, std::mt19937& rng, float lo = -0.5f, float hi = 0.5f) {
  Tensor t{std::move(shape), {}};
  std::uniform_real_distribution<float> u(lo, hi);
  t.data.resize(static_cast<std::size_t>(t.numel()));
  for (float& v : t.data) v = u(rng);
  return t;
}

TensorMap random_tensors(const Graph& g, uint32_t seed) {
  std::mt19937 rng(seed);
  TensorMap m;
  const std::vector<TensorSpec> specs = expected_tensors(g).value();
  for (const TensorSpec& s : specs) {
    const bool positive = s.name.find("running_var") != std::string::npos;
    m[s.name] = random_tensor(s.shape, rng, positive ? 0.5f : -0.5f, positive ? 1.5f : 0.5f);
  }
  return m;
}

TEST(Graph, ConvReferenceHandComputed) {
  GraphBuilder b("t", 1);
  b.output(b.conv(b.input("x", 1), "c", 1, 3));
  TensorMap t;
  t["c.weight"] = Tensor{{1, 1, 3, 3}, {0, 0, 0, 0, 1, 2, 0, 0, 0}};  // out = x + 2·right neighbour + 1
  t["c.bias"] = Tensor{{1}, {1}};
  FeatureMap in{1, 1, 3, {1, 2, 3}};
  auto out = run_reference(b.graph(), t, {in});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ((*out)[0].data, (std::vector<float>{6, 9, 4}));
}

TEST(Graph, ValidationRejectsInconsistencies) {
  {
    GraphBuilder b("t", 2);
    b.output(b.pixel_shuffle(b.input("x", 3), 2));  // 3 channels is not a multiple of 4
    EXPECT_FALSE(infer_shapes(b.graph()).ok());
  }
  {
    GraphBuilder b("t", 1);
    const int x = b.input("x", 3);
    b.output(b.add({x, b.conv(x, "c", 4, 3)}));  // channel mismatch
    EXPECT_FALSE(infer_shapes(b.graph()).ok());
  }
  {
    GraphBuilder b("t", 1);
    b.output(b.conv(b.input("x", 3), "c", 4, 3));
    TensorMap t;
    EXPECT_NE(validate_graph(b.graph(), t).message().find("missing"), std::string::npos);
    t["c.weight"] = Tensor{{4, 3, 1, 1}, std::vector<float>(12)};
    t["c.bias"] = Tensor{{4}, std::vector<float>(4)};
    EXPECT_NE(validate_graph(b.graph(), t).message().find("expected [4,3,3,3]"), std::string::npos);
  }
  {
    GraphBuilder b("t", 1);
    const int x = b.input("x", 3);
    b.graph().nodes.push_back(Node{});  // an input node not listed in graph.inputs
    b.output(x);
    EXPECT_FALSE(infer_shapes(b.graph()).ok());
  }
}

TEST(Graph, ConvTransposeOutputSizeAndReference) {
  // FSRCNN-style last layer: k 9, stride 2, padding 4, output_padding 1 -> exactly 2H x 2W.
  GraphBuilder b("t", 2);
  b.output(b.conv_transpose(b.input("x", 2), "up", 3, 9, 2, 4, 1));
  TensorMap t = random_tensors(b.graph(), 3);
  std::mt19937 rng(1);
  FeatureMap in{2, 3, 4, random_tensor({24}, rng).data};
  auto out = run_reference(b.graph(), t, {in});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)[0].width, 8);
  EXPECT_EQ((*out)[0].height, 6);
  // Scatter definition of ConvTranspose2d, computed independently.
  FeatureMap want = FeatureMap::zeros(3, 6, 8);
  for (int o = 0; o < 3; ++o) {
    for (int y = 0; y < 6; ++y) {
      for (int x = 0; x < 8; ++x) want.at(o, y, x) = t["up.bias"].data[o];
    }
  }
  for (int i = 0; i < 2; ++i) {
    for (int iy = 0; iy < 3; ++iy) {
      for (int ix = 0; ix < 4; ++ix) {
        for (int o = 0; o < 3; ++o) {
          for (int ky = 0; ky < 9; ++ky) {
            for (int kx = 0; kx < 9; ++kx) {
              const int oy = iy * 2 - 4 + ky, ox = ix * 2 - 4 + kx;
              if (oy < 0 || oy >= 6 || ox < 0 || ox >= 8) continue;
              want.at(o, oy, ox) += in.at(i, iy, ix) * t["up.weight"].data[((i * 3 + o) * 9 + ky) * 9 + kx];
            }
          }
        }
      }
    }
  }
  for (std::size_t k = 0; k < want.data.size(); ++k) EXPECT_NEAR((*out)[0].data[k], want.data[k], 1e-5f);
}

// A SAM-SR-like block: 1x1 expand + BN + leaky, dw3x3 + BN + leaky, SE, 1x1 project + BN, residual.
Graph se_block_graph() {
  GraphBuilder b("t", 2);
  const int x = b.input("x", 3);
  const int f = b.conv(x, "stem", 4, 3);
  int y = b.leaky_relu(b.batch_norm(b.conv(f, "expand", 8, 1, false), "expand_bn"), 0.2f);
  y = b.leaky_relu(b.batch_norm(b.conv(y, "dw", 8, 3, false, 8), "dw_bn"), 0.2f);
  y = b.squeeze_excite(y, "se", 2, SeGate::kHardSigmoid);
  y = b.add({b.batch_norm(b.conv(y, "project", 4, 1, false), "project_bn"), f});
  y = b.tanh(y);
  const int up = b.pixel_shuffle(b.conv(y, "tail", 12, 3), 2);
  b.output(b.add({up, b.bicubic_upsample(x, 2, BicubicKind::kPytorch)}));
  return std::move(b).finish();
}

TEST(Graph, BatchNormFoldsIntoConv) {
  const Graph g = se_block_graph();
  const TensorMap t = random_tensors(g, 11);
  auto folded = compile_program(g, t);
  auto plain = compile_program(g, t, CompileOptions{false});
  ASSERT_TRUE(folded.ok() && plain.ok());
  EXPECT_EQ(plain->steps.size() - folded->steps.size(), 3u);  // three BNs gone
  for (const Step& s : folded->steps) EXPECT_NE(s.node.op, OpKind::kBatchNorm);
}

TEST(Graph, SeBlockRunsFusedAndMatchesReference) {
  const Graph g = se_block_graph();
  const TensorMap t = random_tensors(g, 12);
  EXPECT_GT(count_parameters(g, t), 0);
  auto session = Session::create(g, t);
  ASSERT_TRUE(session.ok()) << session.status().to_string();
  EXPECT_EQ(session->mode(), ExecutionMode::kFusedBands);
  std::mt19937 rng(5);
  Image lr = Image::create(7, 5, 3, PixelType::kF32).value();
  for (int y = 0; y < 5; ++y) {
    for (int x = 0; x < 21; ++x) lr.view<float>().row(y)[x] = std::uniform_real_distribution<float>(0, 1)(rng);
  }
  Image sr = Image::create(14, 10, 3, PixelType::kF32).value();
  ASSERT_TRUE(session->run(lr.view<float>(), sr.view<float>()).ok());
  FeatureMap in = FeatureMap::zeros(3, 5, 7);
  for (int y = 0; y < 5; ++y) {
    for (int x = 0; x < 7; ++x) {
      for (int c = 0; c < 3; ++c) in.at(c, y, x) = lr.view<float>().at(x, y, c);
    }
  }
  auto ref = run_reference(g, t, {in});
  ASSERT_TRUE(ref.ok());
  for (int y = 0; y < 10; ++y) {
    for (int x = 0; x < 14; ++x) {
      for (int c = 0; c < 3; ++c) {
        EXPECT_NEAR(sr.view<float>().at(x, y, c), std::clamp((*ref)[0].at(c, y, x), 0.0f, 1.0f), 1e-5f);
      }
    }
  }
}

}  // namespace
}  // namespace litesr
