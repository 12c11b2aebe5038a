// RFDN builder: parameter count (seeds_facts §5), ESA shapes (strided conv + max pool windows, resize back),
// reference shapes for x2/x3/x4, the minimum input size, session == reference, config validation.
#include "models/rfdn.h"

#include <gtest/gtest.h>

#include "models/builder_test_support.h"

namespace litesr {
namespace {

using nlohmann::json;

json rfdn_config(int scale, int nf = 50, int modules = 4) {
  return json{{"scale", scale}, {"nf", nf}, {"num_modules", modules}};
}

TEST(Rfdn, ParameterCount) {
  EXPECT_EQ(testing::parameter_count("rfdn", rfdn_config(4)), 433448);
  const auto m = testing::random_model("rfdn", rfdn_config(4));
  EXPECT_EQ(m.file.tensors.at("B2.esa.conv2.weight").shape, (std::vector<int64_t>{12, 12, 3, 3}));
  EXPECT_EQ(m.file.tensors.at("B2.esa.conv4.weight").shape, (std::vector<int64_t>{50, 12, 1, 1}));
  EXPECT_EQ(m.file.tensors.at("B4.c5.weight").shape, (std::vector<int64_t>{50, 100, 1, 1}));
  EXPECT_EQ(m.file.tensors.at("c.0.weight").shape, (std::vector<int64_t>{50, 200, 1, 1}));
}

TEST(Rfdn, EsaBranchSizes) {
  const auto m = testing::random_model("rfdn", rfdn_config(4, 8, 1));
  const auto shapes = infer_shapes(m.graph);
  ASSERT_TRUE(shapes.ok()) << shapes.status().to_string();
  auto shape_of = [&](const std::string& name) {
    for (std::size_t i = 0; i < m.graph.nodes.size(); ++i) {
      if (m.graph.nodes[i].name == name) return (*shapes)[i];
    }
    ADD_FAILURE() << name;
    return NodeShape{};
  };
  const NodeShape c1 = shape_of("B1.esa.conv2"), pooled = shape_of("B1.esa.max_pool");
  EXPECT_EQ(c1.factor, 0);  // not a multiple of the input: band fusion must refuse it
  EXPECT_EQ(c1.extent(15), 7);
  EXPECT_EQ(c1.extent(64), 31);
  EXPECT_EQ(pooled.extent(15), 1);
  EXPECT_EQ(pooled.extent(64), 9);
  EXPECT_EQ(pooled.extent(14), 0);  // too small
  EXPECT_EQ(shape_of("B1.esa.conv3_").extent(64), 9);
  EXPECT_EQ(shape_of("B1.esa.resize").factor, 1);
  EXPECT_EQ(shape_of("B1.esa.resize").channels, 2);
  EXPECT_EQ(shape_of("B1.esa.out").factor, 1);
}

TEST(Rfdn, ReferenceShapesAndFinite) {
  for (int s : {2, 3, 4}) {
    const auto m = testing::random_model("rfdn", rfdn_config(s, 8, 2), 3);
    const auto out = testing::run_ref(m.graph, m.file.tensors, {testing::random_map(3, 15, 17, 2)});
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].channels, 3);
    EXPECT_EQ(out[0].height, 15 * s);
    EXPECT_EQ(out[0].width, 17 * s);
    EXPECT_TRUE(testing::all_finite(out[0]));
  }
  const auto m = testing::random_model("rfdn", rfdn_config(4, 8, 1), 3);
  const auto small = run_reference(m.graph, m.file.tensors, {testing::random_map(3, 14, 20, 2)});
  EXPECT_EQ(small.status().code(), StatusCode::kInvalidArgument);
}

TEST(Rfdn, SessionMatchesReference) {
  const auto m = testing::random_model("rfdn", rfdn_config(2, 8, 2), 5);
  EXPECT_LE(testing::session_vs_reference(m.file, 16, 15, 9), 1e-5f);
}

TEST(Rfdn, RejectsBadConfigs) {
  EXPECT_FALSE(models::build_graph("rfdn", 4, R"({"scale": 4, "nf": 50})").ok());
  EXPECT_FALSE(models::build_graph("rfdn", 4, R"({"scale": 4, "nf": 2, "num_modules": 4})").ok());
  EXPECT_FALSE(models::build_graph("rfdn", 2, R"({"scale": 4, "nf": 50, "num_modules": 4})").ok());
}

}  // namespace
}  // namespace litesr
