// Helpers for the architecture-builder tests (tests/models/<arch>_test.cpp): random models through the
// registry, random inputs, and the reference executor.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "base/image.h"
#include "models/registry.h"
#include "runtime/feature_map.h"
#include "runtime/graph.h"
#include "runtime/reference_executor.h"

namespace litesr::testing {

struct RandomModel {
  Graph graph;
  ModelFile file;
};

// make_random_model + build_graph for `config` (whose "scale" is litesr.scale). Fails the test on error.
inline RandomModel random_model(const std::string& arch, const nlohmann::json& config, uint64_t seed = 1) {
  const int scale = config.at("scale").get<int>();
  auto file = models::make_random_model(arch, scale, config.dump(), seed);
  EXPECT_TRUE(file.ok()) << file.status().to_string();
  if (!file.ok()) return {};
  auto graph = models::build_graph(*file);
  EXPECT_TRUE(graph.ok()) << graph.status().to_string();
  if (!graph.ok()) return {};
  return {std::move(*graph), std::move(*file)};
}

inline int64_t parameter_count(const std::string& arch, const nlohmann::json& config) {
  const RandomModel m = random_model(arch, config);
  return count_parameters(m.graph, m.file.tensors);
}

// Uniform [lo, hi) feature map.
inline FeatureMap random_map(int c, int h, int w, uint32_t seed, float lo = 0.0f, float hi = 1.0f) {
  FeatureMap m = FeatureMap::zeros(c, h, w);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(lo, hi);
  for (float& v : m.data) v = u(rng);
  return m;
}

inline std::vector<FeatureMap> run_ref(const Graph& graph, const TensorMap& tensors,
                                       const std::vector<FeatureMap>& inputs) {
  auto out = run_reference(graph, tensors, inputs);
  EXPECT_TRUE(out.ok()) << out.status().to_string();
  return out.ok() ? std::move(*out) : std::vector<FeatureMap>{};
}

inline bool all_finite(const FeatureMap& m) {
  for (float v : m.data) {
    if (!std::isfinite(v)) return false;
  }
  return true;
}

inline float max_abs_diff(const FeatureMap& a, const FeatureMap& b) {
  EXPECT_EQ(a.data.size(), b.data.size());
  float d = 0.0f;
  for (std::size_t i = 0; i < a.data.size() && i < b.data.size(); ++i) d = std::max(d, std::abs(a.data[i] - b.data[i]));
  return d;
}

// Runs `model` through models::create_session on a random w x h RGB image and returns the largest
// difference from the reference executor (clamped to [0, 1] like the session's store). The session folds
// batch norms, so BN models differ by rounding only.
inline float session_vs_reference(const ModelFile& model, int w, int h, uint32_t seed) {
  auto session = models::create_session(model);
  EXPECT_TRUE(session.ok()) << session.status().to_string();
  if (!session.ok()) return 1e30f;
  const int s = session->scale();
  const FeatureMap in = random_map(3, h, w, seed);
  Image lr = Image::create(w, h, 3, PixelType::kF32).value();
  Image sr = Image::create(w * s, h * s, 3, PixelType::kF32).value();
  auto lv = lr.view<float>();
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      for (int c = 0; c < 3; ++c) lv.at(x, y, c) = in.at(c, y, x);
    }
  }
  const Status st = session->run(lr.view<float>(), sr.view<float>());
  EXPECT_TRUE(st.ok()) << st.to_string();
  const auto graph = models::build_graph(model);
  const auto ref = run_ref(*graph, model.tensors, {in});
  if (!st.ok() || ref.size() != 1) return 1e30f;
  float d = 0.0f;
  const auto sv = sr.view<float>();
  for (int y = 0; y < h * s; ++y) {
    for (int x = 0; x < w * s; ++x) {
      for (int c = 0; c < 3; ++c) {
        d = std::max(d, std::abs(sv.at(x, y, c) - std::clamp(ref[0].at(c, y, x), 0.0f, 1.0f)));
      }
    }
  }
  return d;
}

}  // namespace litesr::testing
