// Complexity numbers of the seed papers and baselines, COMPUTED from the architecture builders
// (src/models) by profile_complexity and compared with the published values at their printed precision.
// Where a published number cannot be matched exactly the tolerance is stated and docs/complexity.md gives
// the arithmetic. Reference calculators: ../shared/reference/scripts/{sam_sr_accounting,sr_accounting}.py.
#include <algorithm>
#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include "models/imdn.h"
#include "models/msrresnet.h"
#include "models/registry.h"
#include "models/rfdn.h"
#include "profile/complexity.h"

namespace litesr {
namespace {

bool registered(const std::string& arch) {
  const auto names = models::registered_architectures();
  return std::find(names.begin(), names.end(), arch) != names.end();
}

#define REQUIRE_ARCH(arch) \
  if (!registered(arch)) GTEST_SKIP() << "architecture '" << (arch) << "' has no builder yet"

Graph build(const std::string& arch, int scale, const std::string& config) {
  auto g = models::build_graph(arch, scale, config);
  EXPECT_TRUE(g.ok()) << g.status().to_string();
  return g.ok() ? *g : Graph{};
}

ComplexityReport paper_profile(const Graph& g, CountingConvention c, int w, int h) {
  ComplexityOptions o;
  o.input_width = w;
  o.input_height = h;
  o.convention = c;
  auto r = profile_complexity(g, {}, o);
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  return r.ok() ? *r : ComplexityReport{};
}

// Rounds v / unit to `digits` decimals, the way a table prints it (558543 -> 558.54 K).
double printed(double v, double unit, int digits) {
  const double p = std::pow(10.0, digits);
  return std::round(v / unit * p) / p;
}

// True when a table printing v / unit with `digits` decimals, rounded or truncated, shows `shown`.
bool printed_as(double v, double unit, int digits, double shown) {
  const double p = std::pow(10.0, digits);
  const double eps = 1e-9;
  return std::fabs(printed(v, unit, digits) - shown) < eps || std::fabs(std::floor(v / unit * p) / p - shown) < eps;
}

std::string sam_config(int nf, int n, bool se = true, bool bn = true) {
  return "{\"scale\":4,\"nf\":" + std::to_string(nf) + ",\"n\":" + std::to_string(n) +
         ",\"se\":" + (se ? "true" : "false") + ",\"bn\":" + (bn ? "true" : "false") +
         ",\"bicubic_a\":-0.5,\"se_gate\":\"hard_sigmoid\",\"upsampler\":\"candidate_a\"}";
}

// The "w/o batch norm" ablation: the same network with every batch_norm node removed (consumers rewired
// to its input). Convs stay bias-free.
Graph without_batch_norm(const Graph& g) {
  Graph out = g;
  out.nodes.clear();
  std::vector<int> remap(g.nodes.size());
  for (int id = 0; id < static_cast<int>(g.nodes.size()); ++id) {
    Node n = g.nodes[id];
    for (int& in : n.inputs) in = remap[in];
    if (n.op == OpKind::kBatchNorm) {
      remap[id] = n.inputs[0];
      continue;
    }
    remap[id] = static_cast<int>(out.nodes.size());
    out.nodes.push_back(std::move(n));
  }
  for (int& id : out.inputs) id = remap[id];
  for (int& id : out.outputs) id = remap[id];
  return out;
}

// ---------------------------------------------------------------------------------------------------
// SAM-SR (seed 002) Table 2: params (K, 2 decimals), FLOPs (G) and activations (M, 2 decimals) at a
// 256x256 LR input, for all seven (nf, N) rows.
struct SamRow {
  int nf, n;
  double params_k, flops_g, acts_m;
  int params_digits;  // "444.9K" is printed with one decimal
};
constexpr SamRow kTable2[] = {
    {72, 16, 558.54, 58.6, 576.45, 2}, {64, 16, 444.9, 47.02, 512.75, 1}, {64, 8, 233.96, 27.84, 344.98, 2},
    {32, 16, 119.28, 13.38, 257.95, 2}, {32, 8, 62.96, 8.08, 174.06, 2},  {16, 16, 33.85, 4.16, 130.55, 2},
    {16, 8, 17.98, 2.58, 88.60, 2},
};

TEST(PaperTables, SamSrTable2ParamsAndActivationsExact) {
  REQUIRE_ARCH("sam_sr");
  for (const SamRow& row : kTable2) {
    SCOPED_TRACE("nf=" + std::to_string(row.nf) + " N=" + std::to_string(row.n));
    const ComplexityReport r =
        paper_profile(build("sam_sr", 4, sam_config(row.nf, row.n)), CountingConvention::kPtflops, 256, 256);
    const int64_t nf = row.nf, n = row.n;
    // Closed form (seeds_facts §3.3): N·(6nf² + 28nf) + 4.75nf² + 55.5nf + 3 and 256²·(5nf·N + 41.5nf + 48).
    EXPECT_EQ(4 * r.params, 4 * n * (6 * nf * nf + 28 * nf) + 19 * nf * nf + 222 * nf + 12);
    EXPECT_EQ(2 * r.activations, 65536 * (10 * nf * n + 83 * nf + 96));
    EXPECT_DOUBLE_EQ(printed(static_cast<double>(r.params), 1e3, row.params_digits), row.params_k);
    EXPECT_DOUBLE_EQ(printed(static_cast<double>(r.activations), 1e6, 2), row.acts_m);
  }
}

TEST(PaperTables, SamSrTable2FlopsWithinTolerance) {
  // FLOPs depend on the upsampler, which the paper does not specify; candidate_a reproduces params and
  // activations exactly but not FLOPs. ptflops: +0.3..+2.3 %; kair: -0.4..-3.6 % (docs/complexity.md).
  REQUIRE_ARCH("sam_sr");
  for (const SamRow& row : kTable2) {
    SCOPED_TRACE("nf=" + std::to_string(row.nf) + " N=" + std::to_string(row.n));
    const Graph g = build("sam_sr", 4, sam_config(row.nf, row.n));
    const double pt = static_cast<double>(paper_profile(g, CountingConvention::kPtflops, 256, 256).flops) / 1e9;
    const double kair = static_cast<double>(paper_profile(g, CountingConvention::kKair, 256, 256).flops) / 1e9;
    EXPECT_NEAR(pt / row.flops_g, 1.0, 0.025) << pt;
    EXPECT_NEAR(kair / row.flops_g, 1.0, 0.04) << kair;
  }
}

TEST(PaperTables, SamSrBlockCostMatchesTable2Slope) {
  // The per-block FLOPs, (row N=16 − row N=8) / 8, are independent of the unknown upsampler: the
  // published rows give 4nf² + 29.8..30.2nf MAC per LR pixel. Our block (conv + 2 ops/element BN + SE
  // pool) costs 4nf² + 30nf without activations, 34nf with them; the published slope is matched by the
  // ptflops rules only if the in-block LeakyReLUs are functional calls (not counted).
  REQUIRE_ARCH("sam_sr");
  for (int nf : {64, 32, 16}) {
    const double hw = 65536.0;
    const auto r16 = paper_profile(build("sam_sr", 4, sam_config(nf, 16)), CountingConvention::kPtflops, 256, 256);
    const auto r8 = paper_profile(build("sam_sr", 4, sam_config(nf, 8)), CountingConvention::kPtflops, 256, 256);
    const double per_block = static_cast<double>(r16.macs - r8.macs) / 8.0 / hw;
    const double se_fc = nf * nf * 2.0 / hw;  // fc layers: not per pixel
    EXPECT_NEAR(per_block - se_fc, 4.0 * nf * nf + 34.0 * nf + 0.5 / hw, 0.01);  // what we count
    const SamRow* a = nullptr;
    const SamRow* b = nullptr;
    for (const SamRow& row : kTable2) {
      if (row.nf == nf && row.n == 16) a = &row;
      if (row.nf == nf && row.n == 8) b = &row;
    }
    const double published = (a->flops_g - b->flops_g) * 1e9 / 2.0 / 8.0 / hw;
    const double lrelu = 4.0 * nf;  // the two in-block LeakyReLUs, 2nf channels each
    EXPECT_NEAR((per_block - lrelu) / published, 1.0, 0.01) << "nf=" << nf;
  }
}

TEST(PaperTables, SamSrTable3FlopsAt720pOutput) {
  // Table 3 (1280x720 output = 320x180 LR): XLITE "2.2G", LITE "51.5G". Every per-pixel count scales
  // with the LR area, so Table 3 = Table 2 × 57600 / 65536 (seeds_facts §3.3 point 4).
  REQUIRE_ARCH("sam_sr");
  struct Row { int nf, n; double printed_g; };
  for (const Row& row : {Row{16, 8, 2.2}, Row{72, 16, 51.5}}) {
    const Graph g = build("sam_sr", 4, sam_config(row.nf, row.n));
    auto in = input_size_for_output({1280, 720}, 4);
    ASSERT_TRUE(in.ok());
    const auto r720 = paper_profile(g, CountingConvention::kPtflops, in->width, in->height);
    const auto r256 = paper_profile(g, CountingConvention::kPtflops, 256, 256);
    EXPECT_EQ(r720.output_width, 1280);
    EXPECT_EQ(r720.output_height, 720);
    EXPECT_EQ(r720.activations * 65536, r256.activations * 57600);
    EXPECT_NEAR(static_cast<double>(r720.flops) / static_cast<double>(r256.flops), 57600.0 / 65536.0, 1e-4);
    const double g720 = static_cast<double>(r720.flops) / 1e9;
    if (row.nf == 16) {
      EXPECT_EQ(std::floor(g720 * 10) / 10, 2.2) << g720;  // "2.2G" is truncated (2.58 × 0.8789 = 2.27)
    } else {
      EXPECT_NEAR(g720 / row.printed_g, 1.0, 0.01) << g720;
    }
  }
}

TEST(PaperTables, SamSrTable4AblationParams) {
  REQUIRE_ARCH("sam_sr");
  struct Row { int nf, n; double full, no_bn, no_se; int digits; double unit; };
  // LITE: 558K / 546K / 393K (K, 0 decimals); XLITE: 17.98K / 16.54K / 13.88K (K, 2 decimals).
  for (const Row& row : {Row{72, 16, 558, 546, 393, 0, 1e3}, Row{16, 8, 17.98, 16.54, 13.88, 2, 1e3}}) {
    SCOPED_TRACE("nf=" + std::to_string(row.nf));
    const Graph full = build("sam_sr", 4, sam_config(row.nf, row.n));
    const auto p_full = paper_profile(full, CountingConvention::kPtflops, 256, 256);
    const auto p_no_bn = paper_profile(without_batch_norm(full), CountingConvention::kPtflops, 256, 256);
    const auto p_no_se = paper_profile(build("sam_sr", 4, sam_config(row.nf, row.n, /*se=*/false)),
                                       CountingConvention::kPtflops, 256, 256);
    // Table 4 prints LITE's 558,543 as "558K" (truncated) but 392,655 as "393K" (rounded): accept either.
    EXPECT_TRUE(printed_as(static_cast<double>(p_full.params), row.unit, row.digits, row.full)) << p_full.params;
    EXPECT_TRUE(printed_as(static_cast<double>(p_no_bn.params), row.unit, row.digits, row.no_bn)) << p_no_bn.params;
    EXPECT_TRUE(printed_as(static_cast<double>(p_no_se.params), row.unit, row.digits, row.no_se)) << p_no_se.params;
    EXPECT_EQ(p_full.params - p_no_bn.params, 10 * row.nf * (row.n + 1));  // BN γ, β on 2nf + 2nf + nf
    EXPECT_EQ(p_full.params - p_no_se.params, 2 * row.nf * row.nf * row.n);
    // FLOPs removed with BN (2 ops per element, ×2): LITE "−1.6G", XLITE "−0.18G" (truncated from 0.189).
    const double d_flops = static_cast<double>(p_full.flops - p_no_bn.flops) / 1e9;
    EXPECT_EQ(p_full.flops - p_no_bn.flops, 2LL * 2 * 5 * row.nf * 65536 * (row.n + 1));
    if (row.nf == 72) {
      EXPECT_DOUBLE_EQ(printed(d_flops, 1, 1), 1.6);
    } else {
      EXPECT_EQ(std::floor(d_flops * 100) / 100, 0.18);
    }
  }
  // SAM_SR_LITE_FUSED "546K": the w/o-BN count. A real folded model (bn = false) keeps one bias per
  // block-conv output channel, 5nf·(N+1) = 6,120 more (552,423); the paper did not count them.
  const auto fused =
      paper_profile(build("sam_sr", 4, sam_config(72, 16, true, /*bn=*/false)), CountingConvention::kMacs, 256, 256);
  const auto no_bn =
      paper_profile(without_batch_norm(build("sam_sr", 4, sam_config(72, 16))), CountingConvention::kMacs, 256, 256);
  EXPECT_EQ(fused.params, 552423);
  EXPECT_EQ(fused.params - no_bn.params, 5 * 72 * 17);
  EXPECT_DOUBLE_EQ(printed(static_cast<double>(no_bn.params), 1e3, 0), 546);
}

// ---------------------------------------------------------------------------------------------------
TEST(PaperTables, ElsrParamsAndMacsPerPixel) {
  REQUIRE_ARCH("elsr");
  const auto r = paper_profile(build("elsr", 4, "{\"scale\":4,\"channels\":6}"), CountingConvention::kMacs, 320, 180);
  EXPECT_EQ(r.params, 3474);
  EXPECT_EQ(r.macs, 3402LL * 320 * 180);  // 195.96 M MAC per 180x320 frame
  EXPECT_EQ(r.output_width, 1280);
  EXPECT_EQ(r.conv_layers, 4);
  const auto r2 = paper_profile(build("elsr", 2, "{\"scale\":2,\"channels\":6}"), CountingConvention::kMacs, 1, 1);
  EXPECT_EQ(r2.params, 3474 - 36 * 54 - 36);  // last conv 6 -> 12 instead of 6 -> 48
}

TEST(PaperTables, EvsrnetBothReadings) {
  REQUIRE_ARCH("evsrnet");
  const auto rec = paper_profile(build("evsrnet", 4, R"({"scale":4,"nc":8,"nb":5,"frames":10,"mode":"recurrent"})"),
                                 CountingConvention::kMacs, 320, 180);
  const auto par =
      paper_profile(build("evsrnet", 4, R"({"scale":4,"nc":8,"nb":5,"frames":10,"mode":"frame_parallel"})"),
                    CountingConvention::kMacs, 320, 180);
  EXPECT_EQ(rec.params, 14400);
  EXPECT_EQ(par.params, 9568);
  // MAC per frame (one step): 821.1 M and 543.3 M at 180x320 (sr_accounting.py).
  EXPECT_DOUBLE_EQ(printed(static_cast<double>(rec.macs), 1e6, 1), 821.1);
  EXPECT_DOUBLE_EQ(printed(static_cast<double>(par.macs), 1e6, 1), 543.3);
}

TEST(PaperTables, EspcnYOnly) {
  REQUIRE_ARCH("espcn");
  const auto r = paper_profile(build("espcn", 4, R"({"scale":4,"channels":1})"), CountingConvention::kMacs, 1, 1);
  EXPECT_EQ(r.params, 24752);  // 5x5-64, 3x3-32, 3x3-16 + PS4 (seeds_facts §5)
}

TEST(PaperTables, FsrcnnWeightsAndSamTable3) {
  REQUIRE_ARCH("fsrcnn");
  const Graph g = build("fsrcnn", 4, R"({"scale":4,"d":56,"s":12,"m":4,"channels":1})");
  const auto r = paper_profile(g, CountingConvention::kKair, 320, 180);
  int64_t weights = 0, biases = 0, prelu = 0;
  for (const LayerComplexity& l : r.layers) {
    if (l.op == OpKind::kConv2d || l.op == OpKind::kConvTranspose2d) {
      weights += l.params - l.channels;  // every FSRCNN conv has a bias
      biases += l.channels;
    }
    if (l.op == OpKind::kPrelu) prelu += l.params;
  }
  EXPECT_EQ(weights, 12464);  // "12K" (weights only, the FSRCNN paper's count)
  EXPECT_EQ(r.params, weights + biases + prelu);
  // SAM Table 3 "9.2G" at 720p output: the KAIR hook charges the 9x9 deconvolution per OUTPUT pixel;
  // 2 × (7,928 + 16·4,536 MAC + 172 PReLU) per LR pixel × 57,600 = 9.29 G, printed truncated.
  const double g720 = static_cast<double>(r.flops) / 1e9;
  EXPECT_EQ(std::floor(g720 * 10) / 10, 9.2) << g720;
}

// Baselines (seeds_facts §5), default configs of their builders.
TEST(PaperTables, MsrResNet) {
  REQUIRE_ARCH("msrresnet");
  const Graph g = build("msrresnet", 4, models::msrresnet_config_json(models::MsrresnetConfig{}).dump());
  const auto pt = paper_profile(g, CountingConvention::kPtflops, 256, 256);
  EXPECT_EQ(pt.params, 1517571);
  EXPECT_DOUBLE_EQ(printed(static_cast<double>(pt.activations), 1e6, 2), 292.55);  // SAM Table 1
  // SAM Table 1: 333.32 G = 2 × ptflops. Our count also charges the 16 residual-block ReLUs, which the
  // reference calls functionally (F.relu, invisible to hook counters): 16 · 64 · 256² elements.
  const int64_t block_relu = 16LL * 64 * 65536;
  EXPECT_DOUBLE_EQ(printed(static_cast<double>(pt.flops - 2 * block_relu), 1e9, 2), 333.32);
  const auto kair = paper_profile(g, CountingConvention::kKair, 256, 256);
  EXPECT_DOUBLE_EQ(printed(static_cast<double>(kair.macs - block_relu), 1e9, 2), 166.36);  // AIM 2020 (KAIR)
}

TEST(PaperTables, Rfdn) {
  REQUIRE_ARCH("rfdn");
  const Graph g = build("rfdn", 4, models::rfdn_config_json(models::RfdnConfig{}).dump());
  const auto r = paper_profile(g, CountingConvention::kKair, 256, 256);
  EXPECT_EQ(r.params, 433448);
  EXPECT_DOUBLE_EQ(printed(static_cast<double>(r.activations), 1e6, 2), 112.03);
  EXPECT_DOUBLE_EQ(printed(static_cast<double>(r.macs), 1e9, 2), 27.10);  // AIM 2020 "FLOPs" (KAIR GMac)
}

TEST(PaperTables, Imdn) {
  REQUIRE_ARCH("imdn");
  const Graph g = build("imdn", 4, models::imdn_config_json(models::ImdnConfig{}).dump());
  EXPECT_EQ(paper_profile(g, CountingConvention::kKair, 256, 256).params, 715176);
  // SAM Table 3's "88.9G" at 720p is not reproduced (kair 81.9 G, ptflops 82.2 G): docs/complexity.md.
}

}  // namespace
}  // namespace litesr
