// Runs an exported TFLite model with a real TFLite reader: Arm NN's TfLite parser and its CpuRef (reference)
// backend, Debian's libarmnntfliteparser-dev + libarmnn-cpuref-backend22 (scripts/install-deps.sh). Tests
// skip when Arm NN was not found at configure time.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "runtime/feature_map.h"

namespace litesr::testing {

// "" when Arm NN is available, otherwise why not.
std::string tflite_unavailable_reason();

// Parses `tflite`, optimizes it for CpuRef and runs it once. Inputs are given in subgraph input order as
// [C, H, W] maps (converted to NHWC [1, H, W, C]); outputs come back as [C, H, W] maps in subgraph output
// order. Parser and runtime errors (e.g. an unsupported operator) are kUnsupported with Arm NN's message.
Result<std::vector<FeatureMap>> run_tflite(const std::string& tflite, const std::vector<FeatureMap>& inputs);

}  // namespace litesr::testing

#define LITESR_REQUIRE_TFLITE()                                                               \
  if (const std::string why = ::litesr::testing::tflite_unavailable_reason(); !why.empty()) { \
    GTEST_SKIP() << why;                                                                      \
  }
