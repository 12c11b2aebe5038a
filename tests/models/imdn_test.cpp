// IMDN builder: parameter count (seeds_facts §5), CCA tensor shapes, reference shapes, the CCA
// (mean + population std) attention against a hand computation, session == reference, config validation.
#include "models/imdn.h"

#include <gtest/gtest.h>

#include <cmath>

#include "models/builder_test_support.h"

namespace litesr {
namespace {

using nlohmann::json;

json imdn_config(int scale, int nf = 64, int modules = 6) {
  return json{{"scale", scale}, {"nf", nf}, {"num_modules", modules}};
}

TEST(Imdn, ParameterCount) {
  EXPECT_EQ(testing::parameter_count("imdn", imdn_config(4)), 715176);
  const auto m = testing::random_model("imdn", imdn_config(4));
  EXPECT_EQ(m.file.tensors.at("IMDB3.cca.conv_du.0.weight").shape, (std::vector<int64_t>{4, 64, 1, 1}));
  EXPECT_EQ(m.file.tensors.at("IMDB3.cca.conv_du.2.weight").shape, (std::vector<int64_t>{64, 4, 1, 1}));
  EXPECT_EQ(m.file.tensors.at("IMDB6.c2.weight").shape, (std::vector<int64_t>{64, 48, 3, 3}));
  EXPECT_EQ(m.file.tensors.at("IMDB6.c4.weight").shape, (std::vector<int64_t>{16, 48, 3, 3}));
  EXPECT_EQ(m.file.tensors.at("c.0.weight").shape, (std::vector<int64_t>{64, 384, 1, 1}));
  EXPECT_EQ(m.file.tensors.at("upsampler.0.weight").shape, (std::vector<int64_t>{48, 64, 3, 3}));
  // Closed form per IMDB (nf, dc = nf/4, rc = nf − dc, h = 4dc/16): c1 9nf²+nf, c2/c3 9·rc·nf+nf, c4 9·rc·dc+dc,
  // c5 4dc·nf+nf, cca 2·4dc·h + h + 4dc.
  auto expected = [](int64_t s, int64_t nf, int64_t n) {
    const int64_t dc = nf / 4, rc = nf - dc, h = 4 * dc / 16;
    const int64_t block = 9 * nf * nf + nf + 2 * (9 * rc * nf + nf) + 9 * rc * dc + dc + 4 * dc * nf + nf +
                          2 * 4 * dc * h + h + 4 * dc;
    return 27 * nf + nf + n * block + n * nf * nf + nf + 9 * nf * nf + nf + 9 * nf * 3 * s * s + 3 * s * s;
  };
  EXPECT_EQ(testing::parameter_count("imdn", imdn_config(4)), expected(4, 64, 6));
  EXPECT_EQ(testing::parameter_count("imdn", imdn_config(2, 32, 2)), expected(2, 32, 2));
}

TEST(Imdn, ReferenceShapesAndFinite) {
  for (int s : {2, 3, 4}) {
    const auto m = testing::random_model("imdn", imdn_config(s, 16, 2), 3);
    const auto out = testing::run_ref(m.graph, m.file.tensors, {testing::random_map(3, 6, 5, 2)});
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].channels, 3);
    EXPECT_EQ(out[0].height, 6 * s);
    EXPECT_EQ(out[0].width, 5 * s);
    EXPECT_TRUE(testing::all_finite(out[0]));
  }
}

// The CCA node alone: y = u · sigmoid(W2·relu(W1·(std + mean) + b1) + b2) per channel.
TEST(Imdn, ContrastChannelAttentionMatchesHandComputation) {
  GraphBuilder b("cca", 1);
  const int u = b.input("u", 2);
  b.output(b.channel_attention(u, "cca", "cca.conv_du.0", "cca.conv_du.2", 1, SePool::kMeanStd, SeGate::kSigmoid));
  const Graph g = std::move(b).finish();
  TensorMap t;
  t["cca.conv_du.0.weight"] = {{1, 2, 1, 1}, {0.5f, -0.25f}};
  t["cca.conv_du.0.bias"] = {{1}, {0.1f}};
  t["cca.conv_du.2.weight"] = {{2, 1, 1, 1}, {1.5f, -2.0f}};
  t["cca.conv_du.2.bias"] = {{2}, {0.2f, 0.3f}};
  const FeatureMap x = testing::random_map(2, 4, 3, 5);
  const auto out = testing::run_ref(g, t, {x});
  ASSERT_EQ(out.size(), 1u);
  double pooled[2];
  for (int c = 0; c < 2; ++c) {
    double m = 0, v = 0;
    for (int i = 0; i < 12; ++i) m += x.data[c * 12 + i];
    m /= 12;
    for (int i = 0; i < 12; ++i) v += (x.data[c * 12 + i] - m) * (x.data[c * 12 + i] - m);
    pooled[c] = std::sqrt(v / 12) + m;
  }
  const double hidden = std::max(0.0, 0.5 * pooled[0] - 0.25 * pooled[1] + 0.1);
  for (int c = 0; c < 2; ++c) {
    const double gate = 1.0 / (1.0 + std::exp(-((c == 0 ? 1.5 : -2.0) * hidden + (c == 0 ? 0.2 : 0.3))));
    for (int i = 0; i < 12; ++i) EXPECT_NEAR(out[0].data[c * 12 + i], x.data[c * 12 + i] * gate, 1e-6);
  }
}

TEST(Imdn, SessionMatchesReference) {
  const auto m = testing::random_model("imdn", imdn_config(4, 16, 2), 5);
  EXPECT_LE(testing::session_vs_reference(m.file, 7, 6, 9), 1e-5f);
}

TEST(Imdn, RejectsBadConfigs) {
  EXPECT_FALSE(models::build_graph("imdn", 4, R"({"scale": 4, "nf": 64})").ok());
  EXPECT_FALSE(models::build_graph("imdn", 4, R"({"scale": 4, "nf": 8, "num_modules": 6})").ok());
  EXPECT_FALSE(models::build_graph("imdn", 3, R"({"scale": 4, "nf": 64, "num_modules": 6})").ok());
}

}  // namespace
}  // namespace litesr
