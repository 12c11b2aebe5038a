#include "export/export_test_support.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "io/image_file.h"
#include "models/registry.h"
#include "base/color.h"
#include "runtime/reference_executor.h"
#include "testing/test_env.h"

namespace litesr::testing {

// RGB crop of the sample image at (x0, y0), as a [3, h, w] float map in [0, 1].
FeatureMap sample_crop(int x0, int y0, int w, int h) {
  auto decoded = read_image(testing::source_dir() / "samples" / "sample.png");
  EXPECT_TRUE(decoded.ok()) << decoded.status().to_string();
  FeatureMap m = FeatureMap::zeros(3, h, w);
  if (!decoded.ok()) return m;
  const auto v = decoded->image.view<uint8_t>();
  for (int c = 0; c < 3; ++c) {
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) m.at(c, y, x) = v.at(x0 + x, y0 + y, c) / 255.0f;
    }
  }
  return m;
}

FeatureMap sample_crop(int frame_channels, int x0, int y0, int w, int h) {
  FeatureMap rgb = sample_crop(x0, y0, w, h);
  if (frame_channels == 3) return rgb;
  FeatureMap y = FeatureMap::zeros(1, h, w);
  for (std::size_t i = 0; i < rgb.plane_size(); ++i) {
    y.data[i] = static_cast<float>(sr_luma_255(rgb.plane(0)[i], rgb.plane(1)[i], rgb.plane(2)[i]) / 255.0);
  }
  return y;
}

// Stacks frames on the channel axis ([1, 3·T, H, W], channel = 3·t + colour).
FeatureMap stack(const std::vector<FeatureMap>& frames) {
  FeatureMap m = FeatureMap::zeros(3 * static_cast<int>(frames.size()), frames[0].height, frames[0].width);
  for (std::size_t t = 0; t < frames.size(); ++t) {
    std::copy(frames[t].data.begin(), frames[t].data.end(), m.data.begin() + t * frames[t].data.size());
  }
  return m;
}

float max_abs_diff(const FeatureMap& a, const FeatureMap& b) {
  EXPECT_EQ(a.channels, b.channels);
  EXPECT_EQ(a.height, b.height);
  EXPECT_EQ(a.width, b.width);
  if (a.data.size() != b.data.size()) return INFINITY;
  float d = 0.0f;
  for (std::size_t i = 0; i < a.data.size(); ++i) d = std::max(d, std::abs(a.data[i] - b.data[i]));
  return d;
}

// The reference executor's output; frame-parallel graphs run frame by frame.
FeatureMap reference(const ModelFile& model, const FeatureMap& input) {
  auto graph = models::build_graph(model);
  EXPECT_TRUE(graph.ok()) << graph.status().to_string();
  const int frames = graph->input_frames;
  const int in_c = graph->nodes[graph->inputs[0]].channels;
  std::vector<FeatureMap> outs;
  for (int t = 0; t < input.channels / in_c; ++t) {
    FeatureMap f = FeatureMap::zeros(in_c, input.height, input.width);
    std::copy_n(input.data.begin() + t * f.data.size(), f.data.size(), f.data.begin());
    auto out = run_reference(*graph, model.tensors, {f});
    EXPECT_TRUE(out.ok()) << out.status().to_string();
    outs.push_back((*out)[0]);
  }
  EXPECT_EQ(static_cast<int>(outs.size()), frames == 1 ? 1 : frames);
  return outs.size() == 1 ? outs[0] : stack(outs);
}

ModelFile random_model(const std::string& arch, int scale, const std::string& config, uint64_t seed) {
  auto m = models::make_random_model(arch, scale, config, seed);
  EXPECT_TRUE(m.ok()) << arch << ": " << m.status().to_string();
  return m.ok() ? *std::move(m) : ModelFile{};
}

std::vector<ExportCase> export_cases() {
  return {
      {"elsr_x2", "elsr", 2, R"({"scale": 2, "channels": 6})"},
      {"elsr_x3", "elsr", 3, R"({"scale": 3, "channels": 6})"},
      {"elsr_x4", "elsr", 4, R"({"scale": 4, "channels": 6})"},
      {"sam_sr_small_matlab_hsig", "sam_sr", 4,
       R"({"scale": 4, "nf": 8, "n": 2, "se": true, "bn": true, "bicubic_a": -0.5, "se_gate": "hard_sigmoid", "upsampler": "candidate_a"})"},
      {"sam_sr_small_pytorch_sig", "sam_sr", 4,
       R"({"scale": 4, "nf": 8, "n": 2, "se": true, "bn": true, "bicubic_a": -0.75, "se_gate": "sigmoid", "upsampler": "candidate_a"})"},
      {"espcn_x4", "espcn", 4, R"({"scale": 4, "channels": 3})"},
      {"espcn_x3", "espcn", 3, R"({"scale": 3, "channels": 3})"},
      {"fsrcnn_s_x4", "fsrcnn", 4, R"({"scale": 4, "d": 32, "s": 5, "m": 1, "channels": 3})"},
      {"fsrcnn_x3", "fsrcnn", 3, R"({"scale": 3, "d": 56, "s": 12, "m": 4, "channels": 3})"},
      {"bicubic_x2", "bicubic", 2, R"({"scale": 2})"},
      {"bicubic_x3", "bicubic", 3, R"({"scale": 3})"},
      {"bicubic_x4", "bicubic", 4, R"({"scale": 4})"},
      {"rfdn_small", "rfdn", 4, R"({"scale": 4, "nf": 16, "num_modules": 1})"},
      {"imdn_small", "imdn", 4, R"({"scale": 4, "nf": 16, "num_modules": 1})"},
      {"msrresnet_small", "msrresnet", 4, R"({"scale": 4, "nc": 8, "nb": 1})"},
  };
}

}  // namespace litesr::testing
