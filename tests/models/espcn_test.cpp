// ESPCN builder: the paper's parameter count, output shapes and the PixelShuffle order of conv3.
#include "models/espcn.h"

#include <gtest/gtest.h>

#include <string>

#include "models/builder_test_support.h"

namespace litesr {
namespace {

using nlohmann::json;
using testing::random_map;
using testing::random_model;
using testing::run_ref;

json espcn(int scale, int channels) { return json{{"scale", scale}, {"channels", channels}}; }

TEST(Espcn, ParameterCounts) {
  EXPECT_EQ(testing::parameter_count("espcn", espcn(4, 1)), 24752);  // Y-only x4 (seeds_facts §5)
  // RGB: 1600·3 + 64 + 18,464 + 288·48 + 48.
  EXPECT_EQ(testing::parameter_count("espcn", espcn(4, 3)), 4800 + 64 + 18464 + 288 * 48 + 48);
  EXPECT_EQ(testing::parameter_count("espcn", espcn(3, 3)), 4800 + 64 + 18464 + 288 * 27 + 27);
}

TEST(Espcn, ReferenceRunAndShuffleOrder) {
  for (const int channels : {1, 3}) {
    auto m = random_model("espcn", espcn(3, channels), 4);
    const FeatureMap x = random_map(channels, 4, 5, 6);
    const auto out = run_ref(m.graph, m.file.tensors, {x});
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].channels, channels);
    EXPECT_EQ(out[0].height, 12);
    EXPECT_EQ(out[0].width, 15);
    EXPECT_TRUE(testing::all_finite(out[0]));
    // conv3 weights zero, bias k: output (c, 3y+i, 3x+j) = bias[c·9 + 3i + j].
    Tensor& w = m.file.tensors.at("conv3.weight");
    std::fill(w.data.begin(), w.data.end(), 0.0f);
    Tensor& b = m.file.tensors.at("conv3.bias");
    for (std::size_t k = 0; k < b.data.size(); ++k) b.data[k] = static_cast<float>(k);
    const auto flat = run_ref(m.graph, m.file.tensors, {x});
    for (int c = 0; c < channels; ++c) {
      for (int y = 0; y < 12; ++y) {
        for (int xx = 0; xx < 15; ++xx) {
          ASSERT_EQ(flat[0].at(c, y, xx), static_cast<float>(c * 9 + (y % 3) * 3 + xx % 3));
        }
      }
    }
  }
}

TEST(Espcn, RejectsBadConfigs) {
  EXPECT_EQ(models::build_graph("espcn", 4, espcn(4, 2).dump()).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(models::build_graph("espcn", 1, espcn(1, 3).dump()).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(models::build_graph("espcn", 2, espcn(4, 3).dump()).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(models::build_graph("espcn", 4, R"({"scale": 4})").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(models::build_graph("espcn", 4, R"({"scale": 4, "channels": 3, "tanh": true})").status().code(),
            StatusCode::kInvalidArgument);
  const auto c = models::parse_espcn_config(espcn(2, 1));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(models::espcn_config_json(*c), espcn(2, 1));
}

TEST(Espcn, SessionMatchesReference) {
  const auto m = random_model("espcn", espcn(4, 3), 2);
  EXPECT_LT(testing::session_vs_reference(m.file, 11, 6, 3), 1e-5f);
}

}  // namespace
}  // namespace litesr
