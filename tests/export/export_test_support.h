// Helpers shared by the export tests: sample-image inputs, the reference executor's output, random models
// and the architectures every exporter is checked on.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/feature_map.h"
#include "runtime/model_file.h"

namespace litesr::testing {

// RGB crop of samples/sample.png at (x0, y0), as a [3, h, w] float map in [0, 1].
FeatureMap sample_crop(int x0, int y0, int w, int h);

// sample_crop in a model's frame colour (graph.h frame_channels): RGB (3), or the SR luma Y/255 (1, [1, h, w]).
FeatureMap sample_crop(int frame_channels, int x0, int y0, int w, int h);

// Stacks frames on the channel axis ([3·T, H, W], channel = 3·t + colour).
FeatureMap stack(const std::vector<FeatureMap>& frames);

// Largest |a − b|; infinity (and a test failure) when the shapes differ.
float max_abs_diff(const FeatureMap& a, const FeatureMap& b);

// The reference executor's output; frame-parallel graphs run frame by frame and are stacked.
FeatureMap reference(const ModelFile& model, const FeatureMap& input);

ModelFile random_model(const std::string& arch, int scale, const std::string& config, uint64_t seed = 1);

struct ExportCase {
  std::string label, arch;
  int scale;
  std::string config;
};
// One small configuration of every architecture and upsampler kind.
std::vector<ExportCase> export_cases();

}  // namespace litesr::testing
