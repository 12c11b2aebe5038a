// FSRCNN builder: the paper's parameter count (and what it leaves out), tensor names, output shapes and
// the deconvolution wiring (a zero-weight last layer outputs its bias at every pixel).
#include "models/fsrcnn.h"

#include <gtest/gtest.h>

#include <string>

#include "models/builder_test_support.h"

namespace litesr {
namespace {

using nlohmann::json;
using testing::random_map;
using testing::random_model;
using testing::run_ref;

json fsrcnn(int scale, int d, int s, int m, int channels) {
  return json{{"scale", scale}, {"d", d}, {"s", s}, {"m", m}, {"channels", channels}};
}

// Conv weights (the FSRCNN paper's parameter count) of a model: every conv / deconv weight tensor.
int64_t conv_weights(const testing::RandomModel& m) {
  int64_t total = 0;
  for (const Node& n : m.graph.nodes) {
    if (n.op == OpKind::kConv2d || n.op == OpKind::kConvTranspose2d) total += m.file.tensors.at(n.weight).numel();
  }
  return total;
}

TEST(Fsrcnn, ParameterCounts) {
  const auto m = random_model("fsrcnn", fsrcnn(4, 56, 12, 4, 1));
  EXPECT_EQ(conv_weights(m), 12464);  // the paper's "12K": 25d + ds + 9ms² + sd + 81d, Y-only
  // + biases (d + s + ms + d + 1 = 173) + PReLU slopes (d + s + ms + d = 172).
  EXPECT_EQ(count_parameters(m.graph, m.file.tensors), 12464 + 173 + 172);
  // FSRCNN-s (32, 5, 1): the paper's 3,937 weights.
  EXPECT_EQ(conv_weights(random_model("fsrcnn", fsrcnn(4, 32, 5, 1, 1))), 3937);
  EXPECT_EQ(testing::parameter_count("fsrcnn", fsrcnn(4, 56, 12, 4, 3)), 24336 + 175 + 172);
}

TEST(Fsrcnn, ReferenceRunShapesAndDeconvBias) {
  for (const int scale : {2, 3, 4}) {
    SCOPED_TRACE(scale);
    auto m = random_model("fsrcnn", fsrcnn(scale, 8, 4, 2, 3), 12);
    ASSERT_TRUE(validate_graph(m.graph, m.file.tensors).ok());
    const FeatureMap x = random_map(3, 5, 4, 3);
    const auto out = run_ref(m.graph, m.file.tensors, {x});
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].channels, 3);
    EXPECT_EQ(out[0].height, 5 * scale);
    EXPECT_EQ(out[0].width, 4 * scale);
    EXPECT_TRUE(testing::all_finite(out[0]));
    // last_part weights zero: every output pixel of channel c is last_part.bias[c].
    Tensor& w = m.file.tensors.at("last_part.weight");
    ASSERT_EQ(w.shape, (std::vector<int64_t>{8, 3, 9, 9}));  // ConvTranspose2d: [in, out, k, k]
    std::fill(w.data.begin(), w.data.end(), 0.0f);
    const auto flat = run_ref(m.graph, m.file.tensors, {x});
    const Tensor& b = m.file.tensors.at("last_part.bias");
    for (int c = 0; c < 3; ++c) {
      for (std::size_t i = 0; i < flat[0].plane_size(); ++i) ASSERT_EQ(flat[0].plane(c)[i], b.data[c]);
    }
  }
}

TEST(Fsrcnn, TensorNamesFollowTheSequentialLayout) {
  const auto m = random_model("fsrcnn", fsrcnn(4, 56, 12, 4, 1));
  for (const char* name :
       {"first_part.0.weight", "first_part.1.weight", "mid_part.0.weight", "mid_part.1.weight", "mid_part.2.weight",
        "mid_part.9.weight", "mid_part.10.weight", "mid_part.11.weight", "last_part.weight", "last_part.bias"}) {
    EXPECT_TRUE(m.file.tensors.count(name)) << name;
  }
  EXPECT_EQ(m.file.tensors.at("mid_part.11.weight").shape, (std::vector<int64_t>{56}));  // PReLU(d)
  EXPECT_EQ(m.file.tensors.size(), 2u + 1u + 2u + 1u + 4u * 3u + 2u + 1u + 2u);
}

TEST(Fsrcnn, RejectsBadConfigs) {
  EXPECT_EQ(models::build_graph("fsrcnn", 4, fsrcnn(4, 0, 12, 4, 3).dump()).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(models::build_graph("fsrcnn", 4, fsrcnn(4, 56, 12, -1, 3).dump()).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(models::build_graph("fsrcnn", 4, fsrcnn(4, 56, 12, 4, 2).dump()).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(models::build_graph("fsrcnn", 3, fsrcnn(4, 56, 12, 4, 3).dump()).status().code(),
            StatusCode::kInvalidArgument);
  json j = fsrcnn(4, 56, 12, 4, 3);
  j.erase("m");
  EXPECT_EQ(models::build_graph("fsrcnn", 4, j.dump()).status().code(), StatusCode::kInvalidArgument);
  const auto c = models::parse_fsrcnn_config(fsrcnn(3, 32, 5, 1, 1));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(models::fsrcnn_config_json(*c), fsrcnn(3, 32, 5, 1, 1));
}

TEST(Fsrcnn, SessionMatchesReference) {
  const auto m = random_model("fsrcnn", fsrcnn(3, 16, 6, 2, 3), 2);
  EXPECT_LT(testing::session_vs_reference(m.file, 7, 8, 3), 1e-5f);
}

}  // namespace
}  // namespace litesr
