// MSRResNet (KAIR MSRResNet1) builder: parameter count (seeds_facts §5), output shapes for x2/x3/x4, the
// bilinear global skip, session == reference, config validation.
#include "models/msrresnet.h"

#include <gtest/gtest.h>

#include "models/builder_test_support.h"

namespace litesr {
namespace {

using nlohmann::json;

json msrresnet_config(int scale, int nc = 64, int nb = 16) { return json{{"scale", scale}, {"nc", nc}, {"nb", nb}}; }

TEST(Msrresnet, ParameterCount) {
  EXPECT_EQ(testing::parameter_count("msrresnet", msrresnet_config(4)), 1517571);
  // Closed form: conv_first 27nc + nc, trunk 2nb(9nc² + nc), up (x4: 2 × (36nc² + 4nc); x2/x3: 9s²nc² + s²nc),
  // HRconv 9nc² + nc, conv_last 27nc + 3.
  auto expected = [](int s, int64_t nc, int64_t nb) {
    const int64_t up = s == 4 ? 2 * (36 * nc * nc + 4 * nc) : 9 * s * s * nc * nc + s * s * nc;
    return 28 * nc + 2 * nb * (9 * nc * nc + nc) + up + 9 * nc * nc + nc + 27 * nc + 3;
  };
  EXPECT_EQ(testing::parameter_count("msrresnet", msrresnet_config(4)), expected(4, 64, 16));
  EXPECT_EQ(testing::parameter_count("msrresnet", msrresnet_config(2, 16, 3)), expected(2, 16, 3));
  EXPECT_EQ(testing::parameter_count("msrresnet", msrresnet_config(3, 8, 0)), expected(3, 8, 0));
}

TEST(Msrresnet, ReferenceShapesAndFinite) {
  for (int s : {2, 3, 4}) {
    const auto m = testing::random_model("msrresnet", msrresnet_config(s, 8, 2), 3);
    const auto out = testing::run_ref(m.graph, m.file.tensors, {testing::random_map(3, 5, 7, 1)});
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].channels, 3);
    EXPECT_EQ(out[0].height, 5 * s);
    EXPECT_EQ(out[0].width, 7 * s);
    EXPECT_TRUE(testing::all_finite(out[0]));
  }
}

// With conv_last zeroed the network outputs exactly its bilinear skip: F.interpolate of [[1, 2], [3, 4]]
// by 2 (align_corners = False) is [[1, 1.25, 1.75, 2], [1.5, 1.75, 2.25, 2.5], [2.5, 2.75, 3.25, 3.5], [3, 3.25, 3.75, 4]].
TEST(Msrresnet, BilinearGlobalSkip) {
  auto m = testing::random_model("msrresnet", msrresnet_config(2, 4, 1), 4);
  for (const char* name : {"conv_last.weight", "conv_last.bias"}) {
    for (float& v : m.file.tensors.at(name).data) v = 0.0f;
  }
  FeatureMap x = FeatureMap::zeros(3, 2, 2);
  for (int c = 0; c < 3; ++c) {
    x.at(c, 0, 0) = 1;
    x.at(c, 0, 1) = 2;
    x.at(c, 1, 0) = 3;
    x.at(c, 1, 1) = 4;
  }
  const auto out = testing::run_ref(m.graph, m.file.tensors, {x});
  ASSERT_EQ(out.size(), 1u);
  const float expected[4][4] = {{1, 1.25f, 1.75f, 2}, {1.5f, 1.75f, 2.25f, 2.5f}, {2.5f, 2.75f, 3.25f, 3.5f}, {3, 3.25f, 3.75f, 4}};
  for (int c = 0; c < 3; ++c) {
    for (int y = 0; y < 4; ++y) {
      for (int xx = 0; xx < 4; ++xx) EXPECT_FLOAT_EQ(out[0].at(c, y, xx), expected[y][xx]) << c << y << xx;
    }
  }
}

TEST(Msrresnet, SessionMatchesReference) {
  const auto m = testing::random_model("msrresnet", msrresnet_config(4, 8, 1), 5);
  EXPECT_LE(testing::session_vs_reference(m.file, 6, 5, 9), 1e-5f);
}

TEST(Msrresnet, RejectsBadConfigs) {
  EXPECT_FALSE(models::build_graph("msrresnet", 4, R"({"scale": 4, "nc": 64})").ok());
  EXPECT_FALSE(models::build_graph("msrresnet", 4, R"({"scale": 4, "nc": 64, "nb": 16, "x": 1})").ok());
  EXPECT_FALSE(models::build_graph("msrresnet", 8, R"({"scale": 8, "nc": 64, "nb": 16})").ok());
  EXPECT_FALSE(models::build_graph("msrresnet", 2, R"({"scale": 4, "nc": 64, "nb": 16})").ok());
}

}  // namespace
}  // namespace litesr
