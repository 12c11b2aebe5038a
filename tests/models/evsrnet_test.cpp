// EVSRNet builder: both readings' parameter counts (seeds_facts §2.3), the recurrent step graph's
// input/output contract (order, shapes, state feedback) and config validation.
#include "models/evsrnet.h"

#include <gtest/gtest.h>

#include <string>

#include "models/builder_test_support.h"

namespace litesr {
namespace {

using nlohmann::json;
using testing::random_map;
using testing::random_model;
using testing::run_ref;

json evsrnet_config(const char* mode, int scale = 4, int nc = 8, int nb = 5, int frames = 10) {
  return json{{"scale", scale}, {"nc", nc}, {"nb", nb}, {"frames", frames}, {"mode", mode}};
}

TEST(Evsrnet, ParameterCountsOfBothReadings) {
  EXPECT_EQ(testing::parameter_count("evsrnet", evsrnet_config("recurrent")), 14400);
  EXPECT_EQ(testing::parameter_count("evsrnet", evsrnet_config("frame_parallel")), 9568);
  // Closed forms for other sizes: head 9·cin·nc + nc, 2·nb·(9nc² + nc), [hidden 9nc² + nc], tail 9·nc·3s² + 3s².
  auto expected = [](bool recurrent, int s, int nc, int nb) {
    const int64_t o = 3 * s * s, cin = recurrent ? 6 + nc + o : 3;
    return 9 * cin * nc + nc + 2 * nb * (9 * nc * nc + nc) + (recurrent ? 9 * nc * nc + nc : 0) + 9 * nc * o + o;
  };
  EXPECT_EQ(testing::parameter_count("evsrnet", evsrnet_config("recurrent", 2, 16, 3)), expected(true, 2, 16, 3));
  EXPECT_EQ(testing::parameter_count("evsrnet", evsrnet_config("frame_parallel", 3, 4, 0)), expected(false, 3, 4, 0));
}

TEST(Evsrnet, RecurrentStepGraphContract) {
  const auto m = random_model("evsrnet", evsrnet_config("recurrent"));
  const Graph& g = m.graph;
  EXPECT_EQ(g.input_frames, 10);  // litesr.frames: the window the step graph is driven over
  EXPECT_EQ(g.scale, 4);
  ASSERT_EQ(g.inputs.size(), 4u);
  ASSERT_EQ(g.outputs.size(), 3u);
  EXPECT_EQ(g.nodes[g.inputs[models::kEvsrnetInputPrevFrame]].name, "x_prev");
  EXPECT_EQ(g.nodes[g.inputs[models::kEvsrnetInputFrame]].name, "x_t");
  EXPECT_EQ(g.nodes[g.inputs[models::kEvsrnetInputHidden]].name, "h_prev");
  EXPECT_EQ(g.nodes[g.inputs[models::kEvsrnetInputPrevOutput]].name, "o_prev");
  const auto shapes = infer_shapes(g);
  ASSERT_TRUE(shapes.ok());
  auto shape_of = [&](int node) { return std::pair((*shapes)[node].channels, (*shapes)[node].factor); };
  EXPECT_EQ(shape_of(g.inputs[0]), std::pair(3, 1));
  EXPECT_EQ(shape_of(g.inputs[1]), std::pair(3, 1));
  EXPECT_EQ(shape_of(g.inputs[2]), std::pair(8, 1));
  EXPECT_EQ(shape_of(g.inputs[3]), std::pair(48, 1));
  EXPECT_EQ(shape_of(g.outputs[models::kEvsrnetOutputFrame]), std::pair(3, 4));
  EXPECT_EQ(shape_of(g.outputs[models::kEvsrnetOutputHidden]), std::pair(8, 1));
  EXPECT_EQ(shape_of(g.outputs[models::kEvsrnetOutputPreShuffle]), std::pair(48, 1));
}

// Runs T = 3 steps with the documented initial state and feedback; checks shapes, finiteness, the
// frame = PixelShuffle(o) relation, h >= 0, and that the state actually feeds back.
TEST(Evsrnet, RecurrentStepsOverAWindow) {
  const auto m = random_model("evsrnet", evsrnet_config("recurrent", 4, 8, 2, 3), 5);
  const int h = 5, w = 6, s = 4;
  std::vector<FeatureMap> frames;
  for (int t = 0; t < 3; ++t) frames.push_back(random_map(3, h, w, 100 + t));
  FeatureMap hid = FeatureMap::zeros(8, h, w), o = FeatureMap::zeros(48, h, w);
  std::vector<FeatureMap> step_outputs;
  for (int t = 0; t < 3; ++t) {
    const FeatureMap& prev = frames[t == 0 ? 0 : t - 1];
    auto out = run_ref(m.graph, m.file.tensors, {prev, frames[t], hid, o});
    ASSERT_EQ(out.size(), 3u);
    const FeatureMap& frame = out[models::kEvsrnetOutputFrame];
    ASSERT_EQ(frame.channels, 3);
    ASSERT_EQ(frame.height, s * h);
    ASSERT_EQ(frame.width, s * w);
    EXPECT_TRUE(testing::all_finite(frame));
    hid = out[models::kEvsrnetOutputHidden];
    o = out[models::kEvsrnetOutputPreShuffle];
    for (float v : hid.data) EXPECT_GE(v, 0.0f);
    for (int c = 0; c < 3; ++c) {
      for (int y = 0; y < h; ++y) {
        for (int x = 0; x < w; ++x) {
          for (int i = 0; i < s; ++i) {
            for (int j = 0; j < s; ++j) ASSERT_EQ(frame.at(c, y * s + i, x * s + j), o.at(c * s * s + i * s + j, y, x));
          }
        }
      }
    }
    step_outputs.push_back(frame);
  }
  // Same frame 1 with a zero state gives a different result: the state is used.
  auto fresh =
      run_ref(m.graph, m.file.tensors, {frames[0], frames[1], FeatureMap::zeros(8, h, w), FeatureMap::zeros(48, h, w)});
  EXPECT_GT(testing::max_abs_diff(fresh[0], step_outputs[1]), 1e-6f);
}

// The head's input channels are concat(x_prev, x_t, h_prev, o_prev): a recurrent model whose head reads only
// the x_t slot (channels 3..5) with a frame-parallel model's head weights, sharing body and tail, outputs
// exactly the frame-parallel frame whatever the other inputs hold; moved to slot 0..2 it follows x_prev.
TEST(Evsrnet, HeadChannelOrderMatchesFrameParallel) {
  const auto fp = random_model("evsrnet", evsrnet_config("frame_parallel", 2, 4, 1), 8);
  auto rec = random_model("evsrnet", evsrnet_config("recurrent", 2, 4, 1), 9);
  const int nc = 4, cin = 6 + nc + 12;
  const Tensor& fp_head = fp.file.tensors.at("head.weight");  // [nc, 3, 3, 3]
  for (const int slot : {3, 0}) {
    Tensor& head = rec.file.tensors.at("head.weight");  // [nc, cin, 3, 3]
    std::fill(head.data.begin(), head.data.end(), 0.0f);
    for (int o = 0; o < nc; ++o) {
      for (int c = 0; c < 3; ++c) {
        for (int k = 0; k < 9; ++k) head.data[(o * cin + slot + c) * 9 + k] = fp_head.data[(o * 3 + c) * 9 + k];
      }
    }
    for (const auto& [name, t] : fp.file.tensors) {
      if (name != "head.weight") rec.file.tensors[name] = t;
    }
    const FeatureMap x_prev = random_map(3, 4, 5, 1), x_t = random_map(3, 4, 5, 2);
    const auto r =
        run_ref(rec.graph, rec.file.tensors, {x_prev, x_t, random_map(nc, 4, 5, 3), random_map(12, 4, 5, 4)});
    const auto f = run_ref(fp.graph, fp.file.tensors, {slot == 3 ? x_t : x_prev});
    ASSERT_EQ(r.size(), 3u);
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(r[0].data, f[0].data) << "slot " << slot;
  }
}

TEST(Evsrnet, FrameParallelGraph) {
  const auto m = random_model("evsrnet", evsrnet_config("frame_parallel"));
  ASSERT_EQ(m.graph.inputs.size(), 1u);
  ASSERT_EQ(m.graph.outputs.size(), 1u);
  EXPECT_EQ(m.graph.input_frames, 10);
  EXPECT_EQ(m.file.metadata.at("litesr.frames"), "10");
  const auto out = run_ref(m.graph, m.file.tensors, {random_map(3, 3, 7, 1)});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].channels, 3);
  EXPECT_EQ(out[0].height, 12);
  EXPECT_EQ(out[0].width, 28);
  EXPECT_TRUE(testing::all_finite(out[0]));
}

// "color": "y": the same networks on 1-channel (luma) frames; the key is written only for luma.
TEST(Evsrnet, LumaNetworkOnYFrames) {
  json y = evsrnet_config("recurrent");
  y["color"] = "y";
  EXPECT_EQ(testing::parameter_count("evsrnet", y), 9472);  // head 9·(2 + 8 + 16)·8 + 8, ..., tail 9·8·16 + 16
  json y_fp = evsrnet_config("frame_parallel");
  y_fp["color"] = "y";
  EXPECT_EQ(testing::parameter_count("evsrnet", y_fp), 9568 - (9 * 2 * 8) - (9 * 8 * 32 + 32));
  const auto m = random_model("evsrnet", y);
  const auto shapes = infer_shapes(m.graph);
  ASSERT_TRUE(shapes.ok());
  auto shape_of = [&](int node) { return std::pair((*shapes)[node].channels, (*shapes)[node].factor); };
  EXPECT_EQ(shape_of(m.graph.inputs[models::kEvsrnetInputPrevFrame]), std::pair(1, 1));
  EXPECT_EQ(shape_of(m.graph.inputs[models::kEvsrnetInputFrame]), std::pair(1, 1));
  EXPECT_EQ(shape_of(m.graph.inputs[models::kEvsrnetInputPrevOutput]), std::pair(16, 1));
  EXPECT_EQ(shape_of(m.graph.outputs[models::kEvsrnetOutputFrame]), std::pair(1, 4));
  EXPECT_EQ(frame_color(m.graph), "y");
  const auto c = models::parse_evsrnet_config(y);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->color_channels, 1);
  EXPECT_EQ(models::evsrnet_config_json(*c), y);
  json rgb = evsrnet_config("recurrent");
  rgb["color"] = "rgb";
  EXPECT_EQ(models::evsrnet_config_json(models::parse_evsrnet_config(rgb).value()), evsrnet_config("recurrent"));
  json bad = evsrnet_config("recurrent");
  bad["color"] = "ycbcr";
  EXPECT_EQ(models::parse_evsrnet_config(bad).status().code(), StatusCode::kInvalidArgument);
}

TEST(Evsrnet, RejectsBadConfigs) {
  auto expect_invalid = [](const json& j, int scale = 4) {
    auto g = models::build_graph("evsrnet", scale, j.dump());
    ASSERT_FALSE(g.ok()) << j.dump();
    EXPECT_EQ(g.status().code(), StatusCode::kInvalidArgument) << g.status().to_string();
  };
  expect_invalid(evsrnet_config("bidirectional"));
  expect_invalid(evsrnet_config("recurrent", 5));
  expect_invalid(evsrnet_config("recurrent", 4, 0));
  expect_invalid(evsrnet_config("recurrent", 4, 8, 5, 0));
  expect_invalid(evsrnet_config("recurrent"), 2);  // litesr.scale disagrees
  json j = evsrnet_config("recurrent");
  j.erase("frames");
  expect_invalid(j);
  j = evsrnet_config("recurrent");
  j["skip"] = true;
  expect_invalid(j);
  // A model file whose litesr.frames disagrees with the config is refused by build_graph.
  auto file = models::make_random_model("evsrnet", 4, evsrnet_config("frame_parallel").dump(), 1);
  ASSERT_TRUE(file.ok());
  file->metadata["litesr.frames"] = "1";
  EXPECT_FALSE(models::build_graph(*file).ok());
  // Round trip.
  const auto c = models::parse_evsrnet_config(evsrnet_config("frame_parallel", 3, 6, 2, 4));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(models::evsrnet_config_json(*c), evsrnet_config("frame_parallel", 3, 6, 2, 4));
}

}  // namespace
}  // namespace litesr
