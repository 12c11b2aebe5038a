// SAM-SR builder: Table 2/4 parameter and activation closed forms, config validation, BN folding, and the
// bicubic skip (a zero upsampler reproduces the bicubic upscale exactly).
#include "models/sam_sr.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "models/builder_test_support.h"

namespace litesr {
namespace {

using nlohmann::json;
using testing::random_map;
using testing::random_model;
using testing::run_ref;

json sam_sr_config(int nf, int n, bool se = true, bool bn = true, double a = -0.5, const char* gate = "hard_sigmoid") {
  return json{{"scale", 4}, {"nf", nf},       {"n", n},          {"se", se},
              {"bn", bn},   {"bicubic_a", a}, {"se_gate", gate}, {"upsampler", "candidate_a"}};
}

// reference/seeds_facts.md §3.3: P(nf, N) = N·(6nf² + 28nf) + 4.75nf² + 55.5nf + 3 (exact for even nf).
int64_t closed_form(int64_t nf, int64_t n) { return n * (6 * nf * nf + 28 * nf) + (19 * nf * nf + 222 * nf + 12) / 4; }

struct Row {
  int nf, n;
  int64_t params;  // reference/scripts/sam_sr_accounting.py, "closed-form" column
};
// The seven Table 2 rows.
constexpr Row kTable2[] = {{72, 16, 558543}, {64, 16, 444899}, {64, 8, 233955}, {32, 16, 119283},
                           {32, 8, 62963},   {16, 16, 33851},  {16, 8, 17979}};

TEST(SamSr, ParametersMatchTable2ClosedForm) {
  for (const Row& r : kTable2) {
    SCOPED_TRACE("nf=" + std::to_string(r.nf) + " N=" + std::to_string(r.n));
    EXPECT_EQ(closed_form(r.nf, r.n), r.params);
    EXPECT_EQ(testing::parameter_count("sam_sr", sam_sr_config(r.nf, r.n)), r.params);
  }
}

// BN learnable parameters (gamma, beta) of a bn = true model.
int64_t bn_parameters(const Graph& graph) {
  const auto specs = expected_tensors(graph);
  EXPECT_TRUE(specs.ok());
  if (!specs.ok()) return -1;
  int64_t total = 0;
  for (const TensorSpec& s : *specs) {
    if (s.op == OpKind::kBatchNorm && s.parameter) total += s.shape[0];
  }
  return total;
}

TEST(SamSr, Table4Ablations) {
  for (const Row& r : {kTable2[0], kTable2[6]}) {  // LITE (72, 16), XLITE (16, 8)
    SCOPED_TRACE("nf=" + std::to_string(r.nf));
    const int64_t nf = r.nf, n = r.n;
    const auto full = random_model("sam_sr", sam_sr_config(r.nf, r.n));
    // w/o BN: 10nf per block, N + 1 blocks (546,303 and 16,539: the table's 546K and 16.54K).
    EXPECT_EQ(bn_parameters(full.graph), 10 * nf * (n + 1));
    EXPECT_EQ(count_parameters(full.graph, full.file.tensors) - bn_parameters(full.graph),
              r.params - 10 * nf * (n + 1));
    // w/o SE: 2nf² per block, N blocks (392,655 and 13,883: 393K and 13.88K).
    EXPECT_EQ(testing::parameter_count("sam_sr", sam_sr_config(r.nf, r.n, /*se=*/false)), r.params - 2 * nf * nf * n);
    // Folded (bn = false): the BN parameters are gone, 5nf conv biases per block take their place.
    EXPECT_EQ(testing::parameter_count("sam_sr", sam_sr_config(r.nf, r.n, true, /*bn=*/false)),
              r.params - 10 * nf * (n + 1) + 5 * nf * (n + 1));
  }
  EXPECT_EQ(558543 - 10 * 72 * 17, 546303);
  EXPECT_EQ(17979 - 10 * 16 * 9, 16539);
}

TEST(SamSr, ActivationsMatchTable2ClosedForm) {
  // Sum of conv2d output elements at a 256x256 LR input = 256²·(5nf·N + 41.5nf + 48) (seeds_facts §3.3).
  for (const Row& r : kTable2) {
    auto graph = models::build_sam_sr_graph([&] {
      models::SamSrConfig c;
      c.nf = r.nf;
      c.n = r.n;
      return c;
    }());
    ASSERT_TRUE(graph.ok()) << graph.status().to_string();
    const auto shapes = infer_shapes(*graph);
    ASSERT_TRUE(shapes.ok());
    int64_t per_lr_pixel_x2 = 0;  // doubled so 41.5nf stays an integer
    for (std::size_t i = 0; i < graph->nodes.size(); ++i) {
      if (graph->nodes[i].op != OpKind::kConv2d) continue;
      const NodeShape& s = (*shapes)[i];
      per_lr_pixel_x2 += 2 * static_cast<int64_t>(s.channels) * s.factor * s.factor;
    }
    EXPECT_EQ(per_lr_pixel_x2, 10 * r.nf * r.n + 83 * r.nf + 96) << "nf=" << r.nf << " N=" << r.n;
  }
}

TEST(SamSr, PresetsAndConfigRoundTrip) {
  EXPECT_EQ(models::sam_sr_xlite_config().nf, 16);
  EXPECT_EQ(models::sam_sr_xlite_config().n, 8);
  EXPECT_EQ(models::sam_sr_lite_config().nf, 72);
  EXPECT_EQ(models::sam_sr_lite_config().n, 16);
  for (const json& j : {sam_sr_config(16, 8), sam_sr_config(72, 16, false, false, -0.75, "sigmoid")}) {
    auto c = models::parse_sam_sr_config(j);
    ASSERT_TRUE(c.ok()) << c.status().to_string();
    EXPECT_EQ(models::sam_sr_config_json(*c), j);
  }
  const auto lite = models::parse_sam_sr_config(models::sam_sr_config_json(models::sam_sr_lite_config()));
  ASSERT_TRUE(lite.ok());
  EXPECT_EQ(lite->nf, 72);
  EXPECT_EQ(lite->bicubic, BicubicKind::kMatlab);
}

TEST(SamSr, RejectsBadConfigs) {
  auto expect_invalid = [](const json& j, const std::string& needle) {
    auto g = models::build_graph("sam_sr", 4, j.dump());
    ASSERT_FALSE(g.ok()) << j.dump();
    EXPECT_EQ(g.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(g.status().message().find(needle), std::string::npos) << g.status().message();
  };
  json j = sam_sr_config(16, 8);
  j.erase("se");
  expect_invalid(j, "'se'");
  j = sam_sr_config(16, 8);
  j["extra"] = 1;
  expect_invalid(j, "unknown config key 'extra'");
  expect_invalid(sam_sr_config(16, 8, true, true, -0.6), "bicubic_a");
  expect_invalid(sam_sr_config(15, 8), "nf");
  expect_invalid(sam_sr_config(16, 8, true, true, -0.5, "hard_swish"), "se_gate");
  j = sam_sr_config(16, 8);
  j["upsampler"] = "espcn";
  expect_invalid(j, "upsampler");
  j = sam_sr_config(16, 8);
  j["scale"] = 2;
  expect_invalid(j, "scale");
  j = sam_sr_config(16, 8);
  j["bn"] = 1;  // booleans are not integers
  expect_invalid(j, "'bn'");
  // litesr.scale must agree with the config.
  auto g = models::build_graph("sam_sr", 2, sam_sr_config(16, 8).dump());
  EXPECT_FALSE(g.ok());
}

TEST(SamSr, ReferenceRunShapeAndFinite) {
  for (const json& j : {sam_sr_config(16, 8), sam_sr_config(8, 2, false, false, -0.75, "sigmoid")}) {
    const auto m = random_model("sam_sr", j, 7);
    ASSERT_TRUE(validate_graph(m.graph, m.file.tensors).ok());
    const auto out = run_ref(m.graph, m.file.tensors, {random_map(3, 5, 7, 3)});
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].channels, 3);
    EXPECT_EQ(out[0].height, 20);
    EXPECT_EQ(out[0].width, 28);
    EXPECT_TRUE(testing::all_finite(out[0]));
  }
}

TEST(SamSr, ZeroUpsamplerOutputsExactlyTheBicubicUpscale) {
  for (const double a : {-0.5, -0.75}) {
    SCOPED_TRACE(a);
    auto m = random_model("sam_sr", sam_sr_config(16, 2, true, true, a), 11);
    int zeroed = 0;
    for (auto& [name, t] : m.file.tensors) {
      if (name.rfind("up.", 0) == 0) {
        std::fill(t.data.begin(), t.data.end(), 0.0f);
        ++zeroed;
      }
    }
    EXPECT_EQ(zeroed, 16);  // up.0 .. up.7, weight and bias each
    const FeatureMap x = random_map(3, 6, 5, 5);
    const auto out = run_ref(m.graph, m.file.tensors, {x});
    GraphBuilder b("bicubic", 4);
    b.output(b.bicubic_upsample(b.input("x", 3), 4, a == -0.5 ? BicubicKind::kMatlab : BicubicKind::kPytorch));
    const auto bic = run_ref(std::move(b).finish(), {}, {x});
    ASSERT_EQ(out.size(), 1u);
    ASSERT_EQ(bic.size(), 1u);
    EXPECT_EQ(out[0].data, bic[0].data);  // bitwise: up(y) is exactly 0
    // With the random upsampler the network does change the output.
    const auto m2 = random_model("sam_sr", sam_sr_config(16, 2, true, true, a), 11);
    EXPECT_GT(testing::max_abs_diff(run_ref(m2.graph, m2.file.tensors, {x})[0], bic[0]), 1e-4f);
  }
}

TEST(SamSr, BicubicKindSwitchChangesTheSkip) {
  const auto a = random_model("sam_sr", sam_sr_config(8, 1, true, true, -0.5), 3);
  const auto b = random_model("sam_sr", sam_sr_config(8, 1, true, true, -0.75), 3);
  EXPECT_EQ(a.file.tensors.size(), b.file.tensors.size());
  const FeatureMap x = random_map(3, 4, 4, 9);
  EXPECT_GT(testing::max_abs_diff(run_ref(a.graph, a.file.tensors, {x})[0], run_ref(b.graph, b.file.tensors, {x})[0]),
            1e-5f);
}

// A bn = true model and its folded copy (conv W' = W·γ/√(σ²+ε), b' = β − μ·γ/√(σ²+ε), config bn = false:
// what train's fold_sam_sr_batch_norm writes) agree.
TEST(SamSr, FoldedFileMatchesBatchNormFile) {
  const auto full = random_model("sam_sr", sam_sr_config(8, 2), 21);
  auto folded = random_model("sam_sr", sam_sr_config(8, 2, true, /*bn=*/false), 22);
  for (auto& [name, t] : folded.file.tensors) {
    const auto dot = name.rfind('.');
    const std::string module = name.substr(0, dot), field = name.substr(dot + 1);
    const bool block_conv = name.rfind("blocks.", 0) == 0 && name.find(".se.") == std::string::npos;
    if (!block_conv) {  // SE and upsampler tensors are copied
      t = full.file.tensors.at(name);
      continue;
    }
    const auto& w = full.file.tensors.at(module + ".weight");
    const auto& gamma = full.file.tensors.at(module + "_bn.weight").data;
    const auto& beta = full.file.tensors.at(module + "_bn.bias").data;
    const auto& mean = full.file.tensors.at(module + "_bn.running_mean").data;
    const auto& var = full.file.tensors.at(module + "_bn.running_var").data;
    const std::size_t out = gamma.size(), per = w.data.size() / out;
    for (std::size_t o = 0; o < out; ++o) {
      const double s = gamma[o] / std::sqrt(static_cast<double>(var[o]) + 1e-5);
      if (field == "weight") {
        for (std::size_t i = 0; i < per; ++i) t.data[o * per + i] = static_cast<float>(w.data[o * per + i] * s);
      } else {
        t.data[o] = static_cast<float>(beta[o] - mean[o] * s);
      }
    }
  }
  const FeatureMap x = random_map(3, 5, 6, 4);
  const auto a = run_ref(full.graph, full.file.tensors, {x});
  const auto b = run_ref(folded.graph, folded.file.tensors, {x});
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_LT(testing::max_abs_diff(a[0], b[0]), 1e-4f);
}

TEST(SamSr, SessionMatchesReference) {
  for (const json& j : {sam_sr_config(16, 8), sam_sr_config(8, 2, false, false, -0.75, "sigmoid")}) {
    const auto m = random_model("sam_sr", j, 31);
    EXPECT_LT(testing::session_vs_reference(m.file, 9, 7, 2), 1e-4f) << j.dump();
  }
}

}  // namespace
}  // namespace litesr
